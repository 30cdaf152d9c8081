"""The client's address and scheme behind reverse proxies: TRUSTED_PROXIES, read once, decides for the
admin allow-list, the throttles, the login lockout and the logs; gunicorn as production starts it."""

from __future__ import annotations

import json
import logging
import re
import secrets
from pathlib import Path

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from tests.conftest import ROOT, compose_web_command, gunicorn
from youon.lib.proxies import TrustedProxies, parse_trusted_proxies


def dockerfile_command() -> list[str]:
    """The image's CMD: how the container starts gunicorn when compose does not say otherwise."""
    (cmd,) = re.findall(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    return list(json.loads(cmd))


def production(**env: str) -> dict[str, str]:
    """The production settings (DEBUG off: HTTPS redirect on) on this machine's local services."""
    import os

    return {
        "DJANGO_SETTINGS_MODULE": "youon.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "TRUSTED_PROXIES": "",
        **env,
    }


def test_no_trusted_proxies_means_the_connecting_address() -> None:
    nobody = parse_trusted_proxies("")
    assert nobody == TrustedProxies()
    assert nobody.client("203.0.113.9", "10.8.1.20") == "203.0.113.9"
    assert not nobody.trusts("127.0.0.1")


def test_networks_give_the_rightmost_address_no_trusted_proxy_added() -> None:
    proxies = parse_trusted_proxies("10.0.0.0/8, 192.0.2.7")
    # The client wrote the first entry itself; the proxies appended the rest.
    assert proxies.client("10.0.0.2", "10.8.1.20, 198.51.100.4, 10.0.0.1") == "198.51.100.4"
    assert proxies.client("192.0.2.7", "198.51.100.4") == "198.51.100.4"
    assert proxies.client("203.0.113.9", "198.51.100.4") == "203.0.113.9", "an untrusted peer's header counts"
    assert proxies.client("10.0.0.2", "") == "10.0.0.2"
    assert proxies.client("10.0.0.2", "10.1.1.1, 10.0.0.1") == "10.1.1.1", "all trusted: the farthest"
    assert proxies.client("10.0.0.2", "198.51.100.4:5123") == "198.51.100.4"
    assert proxies.client("10.0.0.2", "[2001:db8::1]:443, 10.0.0.1") == "2001:db8::1"
    assert proxies.client("10.0.0.2", "unknown, 10.0.0.1") == "10.0.0.1", "never a value that is no address"
    assert proxies.gunicorn_allow_list() == "192.0.2.7"


def test_a_count_takes_that_many_hops_from_the_right() -> None:
    two = parse_trusted_proxies("2")
    assert two.client("10.0.0.2", "10.8.1.20, 198.51.100.4, 10.0.0.1") == "198.51.100.4"
    assert two.client("10.0.0.2", "198.51.100.4") == "198.51.100.4"
    assert two.client("10.0.0.2", "") == "10.0.0.2"
    assert two.trusts("203.0.113.9") and two.gunicorn_allow_list() == ""


def test_garbage_names_the_setting() -> None:
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES: 'proxy-internal'"):
        parse_trusted_proxies("proxy-internal")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        parse_trusted_proxies("-1")


@override_settings(TRUSTED_PROXIES=parse_trusted_proxies("127.0.0.1"))
def test_request_logs_name_the_client_behind_the_proxy() -> None:
    (handler,) = logging.getLogger("django.request").handlers
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/x",), None)
    record.request = RequestFactory().get("/x", HTTP_X_FORWARDED_FOR="10.8.1.20, 198.51.100.4")
    assert handler.filter(record)
    assert "django.request 198.51.100.4: Not Found: /x" in handler.format(record)


@pytest.mark.parametrize("command", [compose_web_command(), dockerfile_command()], ids=["compose", "dockerfile"])
def test_production_gunicorn_ignores_a_clients_forwarded_headers(command: list[str], tmp_path: Path) -> None:
    """No proxy trusted: a plain-HTTP client's X-Forwarded-Proto does not skip the HTTPS redirect."""
    with gunicorn(command, tmp_path / "gunicorn.log", **production()) as base:
        forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.8.1.20"}
        health = requests.get(f"{base}/health/", headers=forged, allow_redirects=False, timeout=10)
        assert health.status_code == 301 and health.headers["Location"].startswith("https://")


def test_behind_a_trusted_proxy_the_admin_sees_the_client_and_https(tmp_path: Path) -> None:
    env = production(TRUSTED_PROXIES="127.0.0.1", ADMIN_ALLOWED_IPS="10.8.0.0/16")
    with gunicorn(compose_web_command(), tmp_path / "gunicorn.log", **env) as base:
        inside = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.8.1.20"}
        assert requests.get(f"{base}/health/", headers=inside, allow_redirects=False, timeout=10).status_code == 200
        admin = requests.get(f"{base}/admin/", headers=inside, allow_redirects=False, timeout=10)
        assert admin.status_code == 302 and "/admin/login/" in admin.headers["Location"]
        # A client outside writes an inside address first; the proxy appends the one it saw.
        spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.8.1.20, 203.0.113.9"}
        assert requests.get(f"{base}/admin/", headers=spoofed, allow_redirects=False, timeout=10).status_code == 403
