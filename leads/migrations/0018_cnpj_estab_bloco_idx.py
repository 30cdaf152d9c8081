# The matcher walks a municipality's subclass in CEP order from the unit's CEP: the index holds the CEP
# (and the CNPJ, the tie-break) after the municipality and subclass. Django drops an index by its bare
# name, which misses one in the intel_lead schema: the database side is written out.

from django.db import migrations, models

INDEX = "intel_lead.cnpj_estab_mun_cnae_idx"
TABLE = "intel_lead.cnpj_estabelecimento"


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0017_mapa_celula_resumo"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX {INDEX}; "
                    f"CREATE INDEX cnpj_estab_mun_cnae_idx ON {TABLE} (municipio_ibge, cnae_principal, cep, cnpj)",
                    reverse_sql=f"DROP INDEX {INDEX}; "
                    f"CREATE INDEX cnpj_estab_mun_cnae_idx ON {TABLE} (municipio_ibge, cnae_principal)",
                )
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="cnpjestabelecimento", name="cnpj_estab_mun_cnae_idx"),
                migrations.AddIndex(
                    model_name="cnpjestabelecimento",
                    index=models.Index(
                        fields=["municipio_ibge", "cnae_principal", "cep", "cnpj"], name="cnpj_estab_mun_cnae_idx"
                    ),
                ),
            ],
        ),
    ]
