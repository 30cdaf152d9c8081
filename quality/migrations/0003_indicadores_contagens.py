from __future__ import annotations

from pathlib import Path

from django.db import migrations

from youon.lib.sql import sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    """The regional indicators from counts of values per cell instead of four sorts of every unit."""

    dependencies = [("quality", "0002_indicadores")]

    operations = [
        migrations.RunSQL(
            sql_file(APP_DIR, "0003_indicadores_contagens"),
            reverse_sql=sql_file(APP_DIR, "0003_indicadores_contagens_reverse"),
        ),
    ]
