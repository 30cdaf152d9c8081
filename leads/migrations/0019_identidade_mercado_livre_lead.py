import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The unit's row from its identity and its CCEE load (no column: joined on uc_id), so an export
    joins each once instead of a correlated subquery per column and row."""

    dependencies = [("leads", "0018_cnpj_estab_bloco_idx")]

    operations = [
        migrations.AddField(
            model_name="leadidentidade",
            name="lead",
            field=models.ForeignObject(
                from_fields=["uc_id"],
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="identidades",
                to="leads.leadbruto",
                to_fields=["uc_id"],
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="leadmercadolivre",
            name="lead",
            field=models.ForeignObject(
                from_fields=["uc_id"],
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="mercados_livres",
                to="leads.leadbruto",
                to_fields=["uc_id"],
            ),
            preserve_default=False,
        ),
    ]
