# The CNPJ release import types each file's lines in one INSERT … SELECT; a line that breaks the layout
# stops it through this function (called only for such a line), and the importer then names the first
# bad line of the file.

from django.db import migrations

FUNCTION = """
CREATE FUNCTION intel_lead.cnpj_linha_invalida(linha bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'linha % fora do layout da Receita', linha;
END $$"""


class Migration(migrations.Migration):
    dependencies = [
        ("ingestion", "0004_import_heartbeat"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, reverse_sql="DROP FUNCTION intel_lead.cnpj_linha_invalida(bigint)"),
    ]
