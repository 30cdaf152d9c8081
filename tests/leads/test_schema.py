"""The rules of the intel_lead schema hold in the database itself, even through raw SQL."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.db import DataError, IntegrityError, connection, transaction

from leads import models
from leads.keys import stable_id
from tests.factories import MUX, LeadBrutoFactory, PontoNotavelFactory, add_monthly

pytestmark = pytest.mark.django_db
# A monthly row names its unit's layer: (origem, distribuidora_id, ano) is the partition key.
LAYER_COLUMNS = "(uc_id, mes, origem, distribuidora_id, ano)"


def run(sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else []


def rejected(sql: str, params: list[object] | None = None, error: type[Exception] = IntegrityError) -> str:
    """Run SQL that must fail; return the database's message. The savepoint keeps the test transaction usable."""
    with pytest.raises(error) as info, transaction.atomic():
        run(sql, params)
    return str(info.value)


def test_tables_live_in_the_intel_lead_schema() -> None:
    tables = {name for (name,) in run("SELECT tablename FROM pg_tables WHERE schemaname = 'intel_lead'")}
    assert {
        "lead_bruto", "lead_energia_mensal", "lead_demanda_mensal", "lead_qualidade_mensal", "import_status",
        "lead_enrichment_log", "distribuidora", "municipio", "grupo_tensao", "grupo_tarifario",
        "modalidade_tarifaria", "tipo_sistema", "classe_consumo", "segmento_mercado", "cnae", "ponto_notavel",
    } <= tables  # fmt: skip
    assert not run("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'lead_bruto'")


def test_enum_types_have_the_product_values() -> None:
    rows = run(
        "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_type t "
        "JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = 'intel_lead' GROUP BY t.typname"
    )
    assert dict(rows) == {
        "camada_enum": ["UCAT", "UCMT", "UCBT", "PONNOT"],
        "origem_enum": ["UCAT", "UCMT", "UCBT"],
        "status_enum": ["pending", "running", "completed", "failed"],
        "resultado_enum": ["success", "partial", "failed"],
    }


def test_month_13_is_rejected_in_every_monthly_table() -> None:
    lead = LeadBrutoFactory()
    for table in ("lead_energia_mensal", "lead_demanda_mensal", "lead_qualidade_mensal"):
        message = rejected(
            f"INSERT INTO intel_lead.{table} {LAYER_COLUMNS} VALUES (%s, 13, 'UCBT', 401, 2024)", [lead.uc_id]
        )
        assert "mes_1_12" in message
        message = rejected(
            f"INSERT INTO intel_lead.{table} {LAYER_COLUMNS} VALUES (%s, 0, 'UCBT', 401, 2024)", [lead.uc_id]
        )
        assert "mes_1_12" in message
    run(f"INSERT INTO intel_lead.lead_energia_mensal {LAYER_COLUMNS} VALUES (%s, 12, 'UCBT', 401, 2024)", [lead.uc_id])


def test_monthly_primary_key_is_unit_and_month() -> None:
    lead = LeadBrutoFactory()
    run(
        "INSERT INTO intel_lead.lead_qualidade_mensal (uc_id, mes, origem, distribuidora_id, ano, dic_h) "
        "VALUES (%s, 1, 'UCBT', 401, 2024, 1)",
        [lead.uc_id],
    )
    message = rejected(
        "INSERT INTO intel_lead.lead_qualidade_mensal (uc_id, mes, origem, distribuidora_id, ano, dic_h) "
        "VALUES (%s, 1, 'UCBT', 401, 2024, 2)",
        [lead.uc_id],
    )
    assert "duplicate key" in message


def test_tipo_cliente_outside_pf_pj_is_rejected() -> None:
    message = rejected(
        "INSERT INTO intel_lead.classe_consumo (codigo, descricao, tipo_cliente) VALUES ('ZZ9', 'teste', 'XX')"
    )
    assert "classe_consumo_tipo_cliente_pf_pj" in message
    run("INSERT INTO intel_lead.classe_consumo (codigo, descricao, tipo_cliente) VALUES ('ZZ9', 'teste', 'PJ')")


def test_layer_outside_the_enum_is_rejected() -> None:
    lead_sql = (
        "INSERT INTO intel_lead.lead_bruto (uc_id, cod_id, distribuidora_id, ano, camada) VALUES (1, 'x', %s, 2024, %s)"
    )
    assert "camada_enum" in rejected(lead_sql, [MUX, "UCXX"], error=DataError)
    # PONNOT is a layer, but not a layer of consumer units.
    assert "lead_bruto_camada_de_uc" in rejected(lead_sql, [MUX, "PONNOT"])
    status_sql = (
        "INSERT INTO intel_lead.import_status (distribuidora_id, ano, camada, status, arquivo) "
        "VALUES (%s, 2024, %s, %s, 'f.gdb.zip')"
    )
    assert "camada_enum" in rejected(status_sql, [MUX, "UGBT", "pending"], error=DataError)
    assert "status_enum" in rejected(status_sql, [MUX, "PONNOT", "done"], error=DataError)
    run(status_sql, [MUX, "PONNOT", "running"])


def test_origin_and_result_outside_their_enums_are_rejected() -> None:
    lead = LeadBrutoFactory()
    message = rejected(
        f"INSERT INTO intel_lead.lead_energia_mensal {LAYER_COLUMNS} VALUES (%s, 1, 'PONNOT', 401, 2024)",
        [lead.uc_id],
        error=DataError,
    )
    assert "origem_enum" in message
    message = rejected(
        "INSERT INTO intel_lead.lead_enrichment_log (uc_id, etapa, resultado) VALUES (%s, 'cnpj', 'ok')",
        [lead.uc_id],
        error=DataError,
    )
    assert "resultado_enum" in message


def test_orm_writes_enum_columns() -> None:
    lead = LeadBrutoFactory(camada=models.Camada.UCMT)
    models.LeadEnrichmentLog.objects.create(uc=lead, etapa="cnae", resultado=models.Resultado.PARTIAL)
    assert models.LeadBruto.objects.filter(camada="UCMT").get() == lead
    assert models.LeadEnrichmentLog.objects.get(uc=lead).resultado == "partial"


def test_deleting_a_municipality_fails_without_the_opt_in() -> None:
    message = rejected("DELETE FROM intel_lead.municipio WHERE cod_ibge = '5300108'")
    assert "not allowed" in message
    assert models.Municipio.objects.filter(cod_ibge="5300108").exists()


def test_updating_or_truncating_a_domain_table_fails_without_the_opt_in() -> None:
    assert "not allowed" in rejected("UPDATE intel_lead.cnae SET descricao = 'x' WHERE subclasse = '0111-3/01'")
    assert "not allowed" in rejected("TRUNCATE intel_lead.segmento_mercado CASCADE")
    with pytest.raises(IntegrityError), transaction.atomic():
        models.ClasseConsumo.objects.filter(codigo="RE1").update(descricao="x")


def test_deleting_a_municipality_succeeds_after_the_opt_in() -> None:
    with transaction.atomic():
        run("SET LOCAL intel_lead.allow_domain_changes = on")
        run("DELETE FROM intel_lead.municipio WHERE cod_ibge = '5300108'")
    assert not models.Municipio.objects.filter(cod_ibge="5300108").exists()
    run("SET LOCAL intel_lead.allow_domain_changes = off")
    assert "not allowed" in rejected("DELETE FROM intel_lead.municipio WHERE cod_ibge = '3550308'")


def test_deleting_a_unit_cascades_to_its_monthly_rows_and_log_in_sql() -> None:
    lead = LeadBrutoFactory()
    other = LeadBrutoFactory()
    add_monthly(lead, energia=[100.0] * 12, demanda=[5.0] * 12, dic=[1.0] * 12, fic=[1.0] * 12)
    add_monthly(other, energia=[1.0] * 12)
    models.LeadEnrichmentLog.objects.create(uc=lead, etapa="cnae", resultado="success")
    run("DELETE FROM intel_lead.lead_bruto WHERE uc_id = %s", [lead.uc_id])
    for table in ("lead_energia_mensal", "lead_demanda_mensal", "lead_qualidade_mensal", "lead_enrichment_log"):
        assert run(f"SELECT count(*) FROM intel_lead.{table} WHERE uc_id = %s", [lead.uc_id]) == [(0,)]
    assert models.LeadEnergiaMensal.objects.filter(uc=other).count() == 12


def test_stable_id_matches_the_sql_hash() -> None:
    for args in [(401, "abc", 2024, "UCBT"), (26, "UC16004", 2021, "UCMT"), (5697, "A" * 64, 2016, "PONNOT")]:
        assert run("SELECT intel_lead.hash_id(%s, %s, %s, %s)", list(args)) == [(stable_id(*args),)]
    assert stable_id(401, "abc", 2024, "UCBT") != stable_id(401, "abc", 2023, "UCBT")


def test_filter_indexes_exist() -> None:
    indexes = dict(run("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'intel_lead'"))
    definitions = " | ".join(indexes.values())
    for expected in [
        "lead_bruto USING btree (pn_con)",
        "lead_bruto USING btree (municipio_id)",
        "lead_bruto USING btree (cnae_id)",
        "lead_bruto USING btree (classe_consumo_id)",
        "lead_bruto USING gist (geom)",
        "ponto_notavel USING gist (geom)",
        "municipio USING gist (sede)",
    ]:
        assert expected in definitions, expected


def test_coordinates_fall_back_from_own_point_to_notable_point_to_transformer() -> None:
    PontoNotavelFactory(cod_id="PN1", geom=Point(-51.1, -29.1, srid=4674))
    PontoNotavelFactory(cod_id="TR1", fonte="UNTRMT", geom=Point(-51.3, -29.3, srid=4674))
    own = LeadBrutoFactory(pn_con="PN1", geom=Point(-51.0, -29.0, srid=4674))
    by_point = LeadBrutoFactory(pn_con="PN1", uni_tr_mt="TR1")
    by_transformer = LeadBrutoFactory(pn_con="MISSING", uni_tr_mt="TR1")
    nowhere = LeadBrutoFactory(pn_con="MISSING")
    other_year = LeadBrutoFactory(pn_con="PN1", ano=2023)

    coords = {c.uc_id: c for c in models.LeadComCoordenadas.objects.all()}
    assert (coords[own.uc_id].fonte_coordenada, coords[own.uc_id].lon, coords[own.uc_id].lat) == (
        "proprio", -51.0, -29.0,
    )  # fmt: skip
    assert (coords[by_point.uc_id].fonte_coordenada, coords[by_point.uc_id].lon) == ("ponto_notavel", -51.1)
    assert (coords[by_transformer.uc_id].fonte_coordenada, coords[by_transformer.uc_id].lat) == ("transformador", -29.3)
    assert coords[nowhere.uc_id].fonte_coordenada is None and coords[nowhere.uc_id].geom is None
    # Points belong to a year: a 2023 unit does not take a 2024 point.
    assert coords[other_year.uc_id].fonte_coordenada is None


def test_detailed_view_computes_yearly_figures_and_descriptions() -> None:
    PontoNotavelFactory(cod_id="PN9", geom=Point(-51.2, -30.0, srid=4674))
    lead = LeadBrutoFactory(pn_con="PN9", cnae_id="4711-3/02", classe_consumo_id="CO1", pac=75.0)
    add_monthly(
        lead,
        energia=[1000.5] * 12,
        demanda=[10, 12, 30, 11, 10, 10, 10, 10, 10, 10, 10, 10],
        dic=[0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 6],
        fic=[1] * 12,
    )
    models.LeadEnrichmentLog.objects.create(uc=lead, etapa="cnpj", resultado="failed")
    models.LeadEnrichmentLog.objects.create(uc=lead, etapa="cnpj", resultado="success")
    models.LeadEnrichmentLog.objects.create(uc=lead, etapa="cnae", resultado="success")

    row = models.LeadCompletoDetalhado.objects.get(uc_id=lead.uc_id)
    assert row.energia_anual_kwh == pytest.approx(12006.0)
    assert row.demanda_pico_kw == 30
    assert row.media_dic == pytest.approx(1.0)
    assert row.media_fic == pytest.approx(1.0)
    assert row.enriquecimento_status == "success"  # the latest cnpj attempt succeeded
    assert row.classe_consumo_descricao == "Comercial" and row.tipo_cliente == "PJ"
    assert row.cnae_descricao.startswith("Comércio varejista de mercadorias em geral")
    assert row.segmento_mercado is None  # set by enrichment, not by the view
    assert (row.municipio_nome, row.uf) == ("Porto Alegre", "RS")
    assert (row.fonte_coordenada, row.lat, row.lon) == ("ponto_notavel", -30.0, -51.2)


def test_product_example_queries_run_verbatim_with_search_path() -> None:
    big = LeadBrutoFactory(pac=20000.0, camada="UCAT", classe_consumo_id="IN")
    small = LeadBrutoFactory(pac=20000.0)
    add_monthly(big, dic=[11.0] * 12, fic=[0.0] * 12)
    add_monthly(small, dic=[1.0] * 12, fic=[16.0] * 12)
    models.LeadEnrichmentLog.objects.create(uc=big, etapa="cnpj", resultado="success")
    models.LeadEnrichmentLog.objects.create(uc=small, etapa="cnpj", resultado="partial")

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = intel_lead, public")
        cursor.execute(
            "SELECT * FROM vw_lead_completo_detalhado WHERE enriquecimento_status = 'success' AND pac > 15000;"
        )
        columns = [c.name for c in cursor.description]
        first = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        cursor.execute("SELECT * FROM vw_lead_completo_detalhado WHERE media_dic > 10 OR media_fic > 15;")
        second = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    assert [r["uc_id"] for r in first] == [big.uc_id]
    assert sorted(r["uc_id"] for r in second) == sorted([big.uc_id, small.uc_id])


def test_cnae_description_view_joins_hierarchy() -> None:
    lead = LeadBrutoFactory(cnae_id="3511-5/01")
    row = run(
        "SELECT cnae_divisao, cnae_secao, cnae_descricao FROM intel_lead.vw_lead_com_cnae_desc WHERE uc_id = %s",
        [lead.uc_id],
    )
    assert row == [("35", "D", "Geração de energia elétrica")]


def test_municipality_code_must_have_seven_digits() -> None:
    assert "municipio_cod_ibge_7_digitos" in rejected(
        "INSERT INTO intel_lead.municipio (cod_ibge, nome, uf, regiao, capital, cod_tom) "
        "VALUES ('123', 'x', 'RS', '', false, '')"
    )
