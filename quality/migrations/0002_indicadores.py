from __future__ import annotations

from pathlib import Path

from django.db import migrations

from youon.lib.sql import sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql_file(APP_DIR, "0002_indicadores"), reverse_sql=sql_file(APP_DIR, "0002_indicadores_reverse")
        ),
    ]
