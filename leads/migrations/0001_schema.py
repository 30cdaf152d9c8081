from __future__ import annotations

from pathlib import Path

from django.db import migrations

from youon.lib.sql import sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.RunSQL(sql_file(APP_DIR, "0001_schema"), reverse_sql=sql_file(APP_DIR, "0001_schema_reverse")),
    ]
