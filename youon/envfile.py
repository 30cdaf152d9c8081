"""A local `.env` for the commands run on a developer's machine (manage.py, the Celery worker).

`make setup` writes one when there is none, so the README's commands work as shown. Variables already
in the environment win: a deployment sets real environment variables and has no `.env`.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_FILE = Path(__file__).resolve().parent.parent / ".env"


def load(path: Path | None = None) -> None:
    """Set each `NAME=value` of the file (YOUON_ENV_FILE, else the checkout's .env) that the environment
    does not set already."""
    path = path or Path(os.environ.get("YOUON_ENV_FILE") or ENV_FILE)
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip().removeprefix("export ").strip()
        if not sep or not name.isidentifier():
            raise SystemExit(f"{path}:{number}: expected NAME=value, got {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(name, value)
