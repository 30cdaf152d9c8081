from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The test database is migrated (SQL objects live in migrations) and holds the real reference data."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
    yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


def start_worker(queues: str = "celery", *, purge: bool = True, **env: str) -> subprocess.Popen[bytes]:
    """A real Celery worker process consuming `queues` on the test database and the test Redis database
    (purged first, unless not `purge`); `env` adds settings for it. Stop it with `stop_worker`. It leads a
    process group of its own, which `os.killpg` can kill whole."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "youon.settings_test",
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "TEST_REDIS_URL": settings.CELERY_BROKER_URL,
        **env,
    }
    celery = [sys.executable, "-m", "celery", "-A", "youon"]
    if purge:
        purge_cmd = [*celery, "purge", "-f", "-Q", queues]
        subprocess.run(purge_cmd, env=environment, cwd=ROOT, check=True, capture_output=True)
    return subprocess.Popen(
        [*celery, "worker", "--pool", "solo", "--loglevel", "WARNING", "-Q", queues],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> str:
    """Stop the worker; returns what it printed (for failure messages)."""
    process.terminate()
    output, _ = process.communicate(timeout=30)
    return output.decode(errors="replace")


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server answering with `handler` (recorded answers of a public source), on a free
    port; yields its base URL and stops it afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def compose_web_command() -> list[str]:
    """The web service's command line in docker-compose.yml: how production starts gunicorn."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return shlex.split(compose["services"]["web"]["command"])


@contextmanager
def gunicorn(command: list[str], log: Path, **env: str) -> Iterator[str]:
    """Run `command` (a gunicorn command line as production writes it) for real, bound to a free local port,
    on the test database and the test Redis database; `env` adds settings for it. Yields the base URL; the
    access log (one worker pid a line) and gunicorn's own messages go to `log`."""
    from django.db import connection

    assert command[0] == "gunicorn", command
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = list(command[1:])
    bind = options.index("--bind")
    options[bind + 1] = f"127.0.0.1:{port}"
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "youon.settings_test",
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        **env,
    }
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *options, "--access-logfile", "-", "--access-logformat", "%(p)s"],
            env=environment, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"{base}/health/", timeout=10, allow_redirects=False)
                    break
                except requests.RequestException:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(log.read_text(errors="replace")) from None
                    time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def workers_that_answered(log: Path) -> set[str]:
    """The worker pids of the access log that `gunicorn` writes (gunicorn prints each as `<pid>`)."""
    return set(re.findall(r"^<(\d+)>$", log.read_text(errors="replace"), flags=re.MULTILINE))
