"""Every response carries a Content-Security-Policy that forbids inline and foreign scripts; the schema
and docs can be kept for logged-in users."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/contas/login/", "/admin/login/", "/api/docs/", "/api/v1/leads/", "/health/"])
def test_every_response_has_a_strict_script_policy(url: str) -> None:
    policy = Client().get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"  # no inline script, no CDN
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "https://tile.openstreetmap.org" in directives["img-src"]  # the base map's tiles


def test_docs_and_schema_can_require_a_login() -> None:
    """API_DOCS_LOGIN_REQUIRED=1 (read at start, as a deployment sets it): anonymous → 401, a token → 200."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "from django.conf import settings\n"
        "settings.ALLOWED_HOSTS = ['testserver']\n"
        "print(Client().get('/api/schema/').status_code, Client().get('/api/docs/').status_code)\n"
    )
    for flag, expected in (("1", "401 401"), ("0", "200 200")):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "youon.settings_test", "API_DOCS_LOGIN_REQUIRED": flag}
        out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
        assert out.stdout.strip().splitlines()[-1] == expected, out.stderr[-2000:]
