"""Load the SQL files that migrations run (`<app>/migrations/sql/NNNN_name.sql`)."""

from __future__ import annotations

from pathlib import Path


def sql_file(app_dir: str | Path, name: str) -> str:
    """Text of `<app_dir>/migrations/sql/<name>.sql`; app_dir is the app package directory."""
    path = Path(app_dir) / "migrations" / "sql" / f"{name}.sql"
    return path.read_text(encoding="utf-8")
