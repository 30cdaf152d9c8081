"""Refresh-token rotation with reuse detection: a rotated token presented again revokes its family."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient


def login(client: APIClient, username: str) -> dict[str, str]:
    response = client.post("/api/token/", {"username": username, "password": "s3cret-pass"}, format="json")
    assert response.status_code == 200
    return dict(response.json())


def refresh(client: APIClient, token: str) -> int:
    return client.post("/api/token/refresh/", {"refresh": token}, format="json").status_code


@pytest.mark.django_db
def test_reusing_a_rotated_refresh_token_revokes_its_family_only() -> None:
    get_user_model().objects.create_user(username="vitima", password="s3cret-pass")
    client = APIClient()
    stolen = login(client, "vitima")["refresh"]
    other_login = login(client, "vitima")["refresh"]  # another device: another family
    issued = client.post("/api/token/refresh/", {"refresh": stolen}, format="json").json()["refresh"]
    newer = client.post("/api/token/refresh/", {"refresh": issued}, format="json").json()["refresh"]
    assert refresh(client, stolen) == 401  # reuse of a rotated token: refused...
    assert refresh(client, newer) == 401  # ...and the token issued down its line no longer works
    assert refresh(client, other_login) == 200  # the other login's family is untouched


@pytest.mark.django_db
def test_a_forged_token_revokes_nothing() -> None:
    get_user_model().objects.create_user(username="alvo", password="s3cret-pass")
    client = APIClient()
    pair = login(client, "alvo")
    assert refresh(client, pair["refresh"][:-4] + "AAAA") == 401
    assert refresh(client, pair["refresh"]) == 200
