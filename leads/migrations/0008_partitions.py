from __future__ import annotations

from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

import leads.fields
from youon.lib.sql import sql_file

APP_DIR = Path(__file__).resolve().parent.parent


def monthly_state(model: str, related_name: str) -> list[migrations.operations.base.Operation]:
    """Django's view of a monthly table: the foreign key lives on each layer's table, plus the layer columns."""
    return [
        migrations.AlterField(
            model_name=model,
            name="uc",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name=related_name,
                to="leads.leadbruto",
            ),
        ),
        migrations.AddField(model_name=model, name="distribuidora_id", field=models.IntegerField(), preserve_default=False),
        migrations.AddField(model_name=model, name="ano", field=models.SmallIntegerField(), preserve_default=False),
    ]


class Migration(migrations.Migration):
    dependencies = [("leads", "0007_exportacao")]

    operations = [
        migrations.CreateModel(
            name="LeadUnidade",
            fields=[
                ("uc_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("distribuidora_id", models.IntegerField()),
                ("ano", models.SmallIntegerField()),
                (
                    "camada",
                    leads.fields.EnumField(
                        choices=[
                            ("UCAT", "UC alta tensão"),
                            ("UCMT", "UC média tensão"),
                            ("UCBT", "UC baixa tensão"),
                            ("PONNOT", "Pontos notáveis"),
                        ],
                        enum_type="camada_enum",
                        max_length=6,
                    ),
                ),
            ],
            options={
                "verbose_name": "unidade registrada",
                "verbose_name_plural": "unidades registradas",
                "db_table": 'intel_lead"."lead_unidade',
            },
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql_file(APP_DIR, "0008_partitions") + sql_file(APP_DIR, "0008_views"),
                    reverse_sql=sql_file(APP_DIR, "0008_partitions_reverse") + sql_file(APP_DIR, "0008_views"),
                ),
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="leadbruto", name="lead_bruto_dist_ano_camada_idx"),
                *monthly_state("leadenergiamensal", "energia_mensal"),
                *monthly_state("leaddemandamensal", "demanda_mensal"),
                *monthly_state("leadqualidademensal", "qualidade_mensal"),
                migrations.AlterField(
                    model_name="leadenrichmentlog",
                    name="uc",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="enrichment_log",
                        to="leads.leadbruto",
                    ),
                ),
            ],
        ),
    ]
