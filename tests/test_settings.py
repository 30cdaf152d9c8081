from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from youon.settings import database_from_url, env_bool


def test_database_url_is_parsed() -> None:
    db = database_from_url("postgis://user:p%40ss@db.internal:6543/youon?sslmode=require")
    assert db["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "youon", "user", "p@ss", "db.internal", "6543",
    )  # fmt: skip
    assert db["OPTIONS"] == {"sslmode": "require"}


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
