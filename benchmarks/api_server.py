"""The API as the benchmarks measure it: gunicorn with production settings on a loopback port, and a
requests session signed in with a JWT. Shared by benchmarks/api.py and benchmarks/tiles.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def api_server(
    username: str, *, env: dict[str, str], gunicorn: tuple[str, ...] = ()
) -> Iterator[tuple[str, requests.Session, str]]:
    """(base URL, session with the JWT, access token) of a gunicorn serving the project with 2 workers;
    `username` is created (or its password reset) first; `env` adds settings to the production ones."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    password = f"{username}-password"
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    port = free_port()
    environment = {
        **os.environ, "PYTHONPATH": str(ROOT), "API_THROTTLE_USER": "1000000/minute", "LOG_LEVEL": "WARNING",
        # Production settings, served over plain HTTP on loopback.
        "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY") or "benchmark-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0",
        # This process's signing key, so that a token the server issued also passes here (api.py replays
        # requests through the test client to capture their SQL).
        "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"], **env,
    }  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "youon.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning", *gunicorn],
        cwd=ROOT, env=environment,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        session = requests.Session()
        for _ in range(100):
            try:
                session.get(f"{base}/health/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        response = session.post(f"{base}/api/token/", json={"username": username, "password": password})
        response.raise_for_status()
        access = response.json()["access"]
        session.headers["Authorization"] = f"Bearer {access}"
        yield base, session, access
    finally:
        server.terminate()
        server.wait(timeout=30)
