from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from youon.settings import database_from_url, env_bool


def test_database_url_is_parsed() -> None:
    db = database_from_url("postgis://user:p%40ss@db.internal:6543/youon?sslmode=require")
    assert db["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "youon", "user", "p@ss", "db.internal", "6543",
    )  # fmt: skip
    assert db["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off"}
    # The URL's own server options come after (so they win).
    db = database_from_url("postgis://u@h/youon?options=-c%20statement_timeout%3D5s")
    assert db["OPTIONS"] == {"options": "-c jit=off -c statement_timeout=5s"}


@pytest.mark.django_db
def test_every_connection_runs_without_jit() -> None:
    from django.db import connection

    from youon.lib.db import own_connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
    with own_connection() as conn:
        assert conn.execute("SHOW jit").fetchone() == ("off",)


def test_database_url_errors_name_the_problem() -> None:
    with pytest.raises(ImproperlyConfigured, match="scheme 'mysql'"):
        database_from_url("mysql://x@h/db")
    with pytest.raises(ImproperlyConfigured, match="no database name"):
        database_from_url("postgis://x@h:5432/")


def test_env_bool_rejects_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe'"):
        env_bool("FLAG")
    monkeypatch.setenv("FLAG", "on")
    assert env_bool("FLAG") is True


def test_deploy_checks_pass_with_production_settings() -> None:
    """`manage.py check --deploy` with DEBUG off and real secrets reports nothing."""
    import os
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "youon.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "intel.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE")}
    env.update({"DJANGO_SETTINGS_MODULE": "youon.settings", "DEBUG": "0"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=Path(__file__).resolve().parent.parent, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0 and "SECRET_KEY (or SECRET_KEY_FILE) must be set" in result.stderr


def test_commands_read_the_local_env_file_and_the_environment_wins(tmp_path: Path) -> None:
    """What `make setup` writes lets manage.py run without exports; a variable already set wins."""
    import os
    import subprocess
    import sys

    from youon import envfile

    local = tmp_path / ".env"
    local.write_text('# local\nDEBUG=1\nexport YOUON_X="from file"\nYOUON_Y=file\n')
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "DEBUG")}
    env.update({"DJANGO_SETTINGS_MODULE": "youon.settings", "YOUON_ENV_FILE": str(local)})
    root = Path(__file__).resolve().parent.parent
    ran = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr

    os.environ["YOUON_Y"] = "environment"
    try:
        envfile.load(local)
        assert (os.environ["YOUON_X"], os.environ["YOUON_Y"]) == ("from file", "environment")
    finally:
        for name in ("YOUON_X", "YOUON_Y"):
            os.environ.pop(name, None)
    local.write_text("DEBUG=1\nnot a setting\n")
    with pytest.raises(SystemExit, match=r"\.env:2: expected NAME=value"):
        envfile.load(local)
