"""Failed logins counted per account and per client address, on the site, the admin and the JWT endpoint;
locked out with a message in Portuguese; unlocked by staff."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import compose_web_command, gunicorn, workers_that_answered

LIMIT = 5
PASSWORD = "senha-forte-123"


@pytest.fixture(autouse=True)
def _limits(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_lock_the_account_across_workers(tmp_path: Path) -> None:
    """40 guesses at three gunicorn workers: after the limit even the right password is refused."""
    get_user_model().objects.create_user("analista", password=PASSWORD)
    log = tmp_path / "gunicorn.log"
    env = {"LOGIN_FAILURE_LIMIT": str(LIMIT), "LOGIN_COOLOFF_MINUTES": "15", "API_THROTTLE_ANON": "1000/minute"}
    with gunicorn(compose_web_command(), log, **env) as base:
        answers = [
            requests.post(
                f"{base}/api/token/", json={"username": "analista", "password": f"chute-{n}"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"}, timeout=10,
            )
            for n in range(40)
        ]  # fmt: skip
        right = requests.post(f"{base}/api/token/", json={"username": "analista", "password": PASSWORD}, timeout=10)
    assert [a.status_code for a in answers] == [401] * (LIMIT - 1) + [429] * (40 - LIMIT + 1)
    assert right.status_code == 429 and "access" not in right.json()
    assert "bloqueado" in right.json()["detail"] and int(right.headers["Retry-After"]) > 0
    assert len(workers_that_answered(log)) >= 2, log.read_text()


@pytest.mark.django_db
def test_site_login_locks_an_account_guessed_from_many_addresses() -> None:
    get_user_model().objects.create_user("analista", password=PASSWORD)
    for n in range(LIMIT):
        page = Client(REMOTE_ADDR=f"198.51.100.{n}").post("/contas/login/", {"username": "analista", "password": "x"})
    assert page.status_code == 429
    owner = Client(REMOTE_ADDR="203.0.113.50")
    page = owner.post("/contas/login/", {"username": "analista", "password": PASSWORD})
    assert page.status_code == 429
    text = page.content.decode()
    assert "Acesso bloqueado" in text and "15 minutos" in text
    assert owner.get("/").status_code == 302, "not logged in"


@pytest.mark.django_db
def test_admin_login_locks_an_address_guessing_many_accounts(admin_user) -> None:  # type: ignore[no-untyped-def]
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(LIMIT):
        guesser.post(reverse("admin:login"), {"username": f"conta-{n}", "password": "x"})
    page = guesser.post(reverse("admin:login"), {"username": admin_user.username, "password": "password"})
    assert page.status_code == 429 and "Acesso bloqueado" in page.content.decode()
    elsewhere = Client(REMOTE_ADDR="203.0.113.50")
    page = elsewhere.post(reverse("admin:login"), {"username": admin_user.username, "password": "password"})
    assert page.status_code == 302 and elsewhere.get(reverse("admin:index")).status_code == 200


def lock_out(username: str) -> APIClient:
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    for _ in range(LIMIT):
        client.post("/api/token/", {"username": username, "password": "x"}, format="json")
    return client


def token_status(client: APIClient, username: str) -> int:
    return client.post("/api/token/", {"username": username, "password": PASSWORD}, format="json").status_code


@pytest.mark.django_db
def test_staff_unlock_in_the_admin_and_with_a_command(admin_user) -> None:  # type: ignore[no-untyped-def]
    get_user_model().objects.create_user("analista", password=PASSWORD)
    client = lock_out("analista")
    refused = client.post("/api/token/", {"username": "analista", "password": PASSWORD}, format="json")
    assert refused.status_code == 429 and "bloqueado" in refused.json()["detail"]

    staff = Client()
    staff.force_login(admin_user)
    changelist = reverse("admin:axes_accessattempt_changelist")
    listed = staff.get(changelist, {"locked_out": "yes"})
    assert listed.status_code == 200 and "analista" in listed.content.decode()
    from axes.models import AccessAttempt

    ids = [str(pk) for pk in AccessAttempt.objects.filter(username="analista").values_list("pk", flat=True)]
    staff.post(changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert token_status(client, "analista") == 200

    client = lock_out("analista")
    assert token_status(client, "analista") == 429
    call_command("axes_reset_username", "analista", verbosity=0)
    assert token_status(client, "analista") == 200


@pytest.mark.django_db
def test_a_lockout_ends_after_the_cool_off(settings) -> None:  # type: ignore[no-untyped-def]
    from axes.models import AccessAttempt

    get_user_model().objects.create_user("analista", password=PASSWORD)
    client = lock_out("analista")
    refused = client.post("/api/token/", {"username": "analista", "password": PASSWORD}, format="json")
    assert refused.status_code == 429 and "15 minutos" in refused.json()["detail"]
    assert refused.headers["Retry-After"] == str(15 * 60)
    assert "segundo" not in refused.json()["detail"]  # the wait is said once, in minutes
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert token_status(client, "analista") == 200
