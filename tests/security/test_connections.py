"""Database connections stay bounded: runserver (a thread and a connection per request) does not keep
them; the demo serves through gunicorn's fixed workers, as production does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def conn_max_age(*argv: str, **env: str) -> int:
    script = (
        f"import sys; sys.argv = {list(argv)!r}\n"
        "from django.conf import settings\n"
        "print(settings.DATABASES['default']['CONN_MAX_AGE'])\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DB_CONN_MAX_AGE"}
    environment.update({"DJANGO_SETTINGS_MODULE": "youon.settings_test", **env})
    out = subprocess.run([sys.executable, "-c", script], env=environment, cwd=ROOT, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def test_runserver_does_not_keep_a_connection_per_thread() -> None:
    assert conn_max_age("manage.py", "runserver", "127.0.0.1:8000") == 0
    assert conn_max_age("gunicorn", "youon.wsgi:application") == 60
    assert conn_max_age("manage.py", "runserver", DB_CONN_MAX_AGE="5") == 5  # an explicit setting wins


def test_the_demo_serves_through_gunicorn() -> None:
    demo = (ROOT / "scripts" / "demo.sh").read_text()
    serving = [line for line in demo.splitlines() if "127.0.0.1:8000" in line and not line.startswith("echo")]
    assert serving and all("gunicorn" in line and "runserver" not in line for line in serving), serving
