from __future__ import annotations

from pathlib import Path

from django.db import migrations

from youon.lib.sql import sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_annual_figures")]

    operations = [
        migrations.RunSQL(
            sql_file(APP_DIR, "0005_annual_figures"), reverse_sql=sql_file(APP_DIR, "0005_annual_figures_reverse")
        ),
    ]
