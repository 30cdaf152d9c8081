from pathlib import Path

from django.db import migrations

from youon.lib.sql import sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0016_unidade_registrada_idx"),
    ]

    operations = [
        migrations.RunSQL(
            sql_file(APP_DIR, "0017_mapa_celula_resumo"),
            reverse_sql=sql_file(APP_DIR, "0017_mapa_celula_resumo_reverse"),
        ),
    ]
