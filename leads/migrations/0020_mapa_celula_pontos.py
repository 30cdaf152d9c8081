from pathlib import Path

from django.db import migrations

from youon.lib.sql import sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0019_identidade_mercado_livre_lead"),
    ]

    operations = [
        migrations.RunSQL(
            sql_file(APP_DIR, "0020_mapa_celula_pontos"),
            reverse_sql=sql_file(APP_DIR, "0020_mapa_celula_pontos_reverse"),
        ),
    ]
