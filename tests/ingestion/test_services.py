from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection
from osgeo import ogr

from ingestion import services
from ingestion.models import ImportStatus
from leads import models
from leads.keys import stable_id
from tests.ingestion.conftest import MUX_2021, MUX_2024, committed
from tests.ingestion.helpers import unit, write_ucbt_gdb, zip_gdb

pytestmark = pytest.mark.usefixtures("clean_imports")


def scalar(sql: str, params: list[object] | None = None) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def file_monthly_sums(path: Path, layer: str, prefix: str) -> dict[int, float]:
    """What the file itself says: the sum of each month's column, read by GDAL."""
    ds = ogr.Open(f"/vsizip/{path}")
    sums: dict[int, float] = defaultdict(float)
    for feature in ds.GetLayerByName(layer):
        for m in range(1, 13):
            sums[m] += feature.GetField(f"{prefix}_{m:02d}") or 0.0
    return sums


def db_monthly_energy(camada: str, ano: int) -> dict[int, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.mes, sum(e.energia_total_kwh) FROM intel_lead.lead_energia_mensal e "
            "JOIN intel_lead.lead_bruto l USING (uc_id) WHERE l.camada = %s AND l.ano = %s GROUP BY e.mes",
            [camada, ano],
        )
        return dict(cursor.fetchall())


def test_mux_2024_imports_exactly() -> None:
    outcome = services.bdgd_import(path=MUX_2024)
    by_layer = {s.camada: s for s in outcome.statuses}
    assert [s.status for s in outcome.statuses] == ["completed"] * 4
    assert (outcome.info.distribuidora, outcome.info.ano, outcome.info.modelo) == (401, 2024, "V11")

    assert models.LeadBruto.objects.filter(camada="UCBT", ano=2024).count() == 12963
    assert models.LeadBruto.objects.filter(camada="UCMT", ano=2024).count() == 37
    assert models.PontoNotavel.objects.filter(fonte="PONNOT").count() == 4848
    assert models.PontoNotavel.objects.filter(fonte="UNTRMT").count() == 273
    assert models.PontoNotavel.objects.filter(ficticio=True).count() == 586

    ucbt = by_layer["UCBT"]
    assert (ucbt.linhas_lidas, ucbt.linhas_inseridas, ucbt.linhas_mescladas, ucbt.linhas_rejeitadas) == (
        13300, 12963, 337, 0,
    )  # fmt: skip
    assert ucbt.relatorio["localizacao"] == {"ponto_notavel": 12963, "transformador": 0, "sem_localizacao": 0}
    assert ucbt.relatorio["chave"] == "COD_ID"
    # Codes outside CNAE 2.3 are reported, and the units are kept with the code.
    assert ucbt.relatorio["codigos_desconhecidos"]["CNAE"]["9412-0/00"] == 3
    assert models.LeadBruto.objects.filter(codigos_desconhecidos__CNAE="9412-0/00").count() == 3
    assert by_layer["UCMT"].linhas_mescladas == 3

    # Every unit located, through the view the product reads.
    assert models.LeadComCoordenadas.objects.filter(fonte_coordenada__isnull=True).count() == 0
    assert models.LeadComCoordenadas.objects.filter(fonte_coordenada="ponto_notavel").count() == 13000

    # The yearly figures written with the units agree with their monthly rows.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM intel_lead.lead_bruto l WHERE abs(l.energia_anual_kwh - "
            "(SELECT sum(energia_total_kwh) FROM intel_lead.lead_energia_mensal e WHERE e.uc_id = l.uc_id)) > 1e-6 "
            "OR abs(l.media_dic - coalesce((SELECT sum(dic_h) FROM intel_lead.lead_qualidade_mensal q "
            "WHERE q.uc_id = l.uc_id), 0) / 12) > 1e-9 OR l.energia_anual_kwh IS NULL"
        )
        assert cursor.fetchone()[0] == 0

    # The units are stored in the order of their coordinates' B-tree (a space-filling curve), so a map
    # tile or a drawn area reads a few contiguous pages. A unit that did not fit at the end of a page may
    # fill the room left in an earlier one: a few steps back, at most one per page.
    backwards = scalar(
        "SELECT count(*) FROM (SELECT coordenada, lag(coordenada) OVER (ORDER BY ctid) AS antes "
        "FROM intel_lead.lead_bruto WHERE camada = 'UCBT' AND ano = 2024) s WHERE antes > coordenada"
    )
    pages = scalar(
        "SELECT count(DISTINCT (ctid::text::point)[0]) FROM intel_lead.lead_bruto WHERE camada = 'UCBT' AND ano = 2024"
    )
    assert backwards < pages < 12963 / 10

    # Quality months that say nothing (DIC = FIC = 0, not without network) are left out; what is stored
    # sums, month by month, to what the file says, and the API gives the twelve months as published.
    stored_quality = scalar("SELECT count(*) FROM intel_lead.lead_qualidade_mensal WHERE origem = 'UCBT'")
    assert 0 < stored_quality < 0.5 * 12 * 12963
    assert not scalar(
        "SELECT count(*) FROM intel_lead.lead_qualidade_mensal WHERE dic_h = 0 AND fic = 0 AND semrede IS FALSE"
    )
    expected_dic = file_monthly_sums(MUX_2024, "UCBT_tab", "DIC")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mes, sum(dic_h) FROM intel_lead.lead_qualidade_mensal WHERE origem = 'UCBT' GROUP BY mes"
        )
        stored_dic = dict(cursor.fetchall())
    assert {m: round(stored_dic.get(m, 0.0), 6) for m in range(1, 13)} == {
        m: round(expected_dic[m], 6) for m in range(1, 13)
    }
    from leads.selectors import lead_detail

    sparse = scalar(
        "SELECT uc_id FROM intel_lead.lead_bruto l WHERE camada = 'UCBT' AND (SELECT count(*) FROM "
        "intel_lead.lead_qualidade_mensal q WHERE q.uc_id = l.uc_id) BETWEEN 1 AND 11 LIMIT 1"
    )
    months = lead_detail(uc_id=sparse).qualidade
    assert [q.mes for q in months] == list(range(1, 13))
    lead = models.LeadBruto.objects.get(uc_id=sparse)
    assert sum(q.dic_h for q in months) / 12 == pytest.approx(lead.media_dic)
    peak = models.LeadBruto.objects.filter(camada="UCMT").order_by("-demanda_pico_kw").first()
    assert peak.demanda_pico_kw == max(d.demanda_total_kw for d in peak.demanda_mensal.all())

    # Monthly energy equals, to the kWh, the sums GDAL computes from the file.
    for camada, layer in (("UCBT", "UCBT_tab"), ("UCMT", "UCMT_tab")):
        expected = file_monthly_sums(MUX_2024, layer, "ENE")
        stored = db_monthly_energy(camada, 2024)
        assert {m: round(v) for m, v in stored.items()} == {m: round(v) for m, v in expected.items()}, camada
        assert (
            scalar(
                "SELECT count(*) FROM intel_lead.lead_energia_mensal e JOIN intel_lead.lead_bruto l USING (uc_id) "
                "WHERE l.camada = %s",
                [camada],
            )
            == 12 * models.LeadBruto.objects.filter(camada=camada).count()
        )


def test_duplicated_units_are_merged_with_attributes_of_the_active_row() -> None:
    ds = ogr.Open(f"/vsizip/{MUX_2024}")
    rows: dict[str, list[ogr.Feature]] = defaultdict(list)
    for feature in ds.GetLayerByName("UCBT_tab"):
        rows[feature.GetField("COD_ID")].append(feature)
    cod_id, features = next(
        (k, v) for k, v in rows.items() if len(v) > 1 and {f.GetField("SIT_ATIV") for f in v} == {"AT", "DS"}
    )
    services.bdgd_import(path=MUX_2024, layers=["PONNOT", "UCBT"])

    lead = models.LeadBruto.objects.get(uc_id=stable_id(401, cod_id, 2024, "UCBT"))
    active = next(f for f in features if f.GetField("SIT_ATIV") == "AT")
    assert lead.situacao == "AT"
    assert lead.classe_consumo_id == active.GetField("CLAS_SUB")
    assert lead.pn_con == active.GetField("PN_CON")
    energy = {e.mes: e.energia_total_kwh for e in lead.energia_mensal.all()}
    for m in range(1, 13):
        assert energy[m] == pytest.approx(sum(f.GetField(f"ENE_{m:02d}") for f in features))


def test_units_carry_normalised_attributes() -> None:
    services.bdgd_import(path=MUX_2024, layers=["PONNOT", "UCMT"])
    ucmt = models.LeadBruto.objects.filter(camada="UCMT")
    with_demand = ucmt.filter(demanda_contratada_kw__gt=0).first()
    assert with_demand is not None and with_demand.pac == with_demand.demanda_contratada_kw
    without = ucmt.filter(demanda_contratada_kw__isnull=True).first()
    if without is not None:
        assert without.pac == without.carga_instalada_kw
    lead = ucmt.first()
    assert lead.no_pac and lead.no_pac != str(lead.pac)  # the BDGD's PAC is a node code
    assert lead.municipio_id == "4320909" and lead.grupo_tensao_id == "MT"
    assert models.LeadDemandaMensal.objects.filter(uc__camada="UCMT").count() == 12 * ucmt.count()


def test_reimport_is_a_noop_unless_forced_and_keeps_ids() -> None:
    services.bdgd_import(path=MUX_2024, layers=["PONNOT", "UCMT"])
    ids = set(models.LeadBruto.objects.values_list("uc_id", flat=True))
    again = services.bdgd_import(path=MUX_2024, layers=["UCMT"])
    assert again.statuses[0].relatorio["sem_alteracao"] is True
    forced = services.bdgd_import(path=MUX_2024, layers=["UCMT"], force=True)
    assert forced.statuses[0].relatorio["unidades_atualizadas"] == 37
    assert set(models.LeadBruto.objects.values_list("uc_id", flat=True)) == ids


def test_v10_file_imports_what_it_holds_and_reports_the_missing_layer() -> None:
    outcome = services.bdgd_import(path=MUX_2021)
    by_layer = {s.camada: s for s in outcome.statuses}
    assert by_layer["PONNOT"].status == "completed" and by_layer["PONNOT"].linhas_inseridas == 4636
    assert by_layer["UCMT"].status == "completed" and by_layer["UCAT"].status == "completed"
    assert by_layer["UCBT"].status == "failed"
    assert by_layer["UCBT"].erro == "UCBT_tab is not in this geodatabase"
    ucmt = by_layer["UCMT"]
    assert ucmt.relatorio["chave"].startswith("PAC")
    assert "TIP_SIST" in ucmt.relatorio["colunas_ausentes"] and "COD_ID" in ucmt.relatorio["colunas_ausentes"]
    assert ucmt.linhas_lidas == 33
    assert models.LeadBruto.objects.filter(ano=2021, camada="UCMT").count() == ucmt.linhas_inseridas
    assert models.LeadBruto.objects.filter(ano=2021, cod_id="84471").exists()  # keyed on the node code
    assert models.LeadBruto.objects.filter(ano=2021, tip_sist__isnull=False).count() == 0


def test_bad_paths_fail_with_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(services.BdgdImportError, match="no such file or folder"):
        services.bdgd_import(path=tmp_path / "absent.gdb.zip")
    text = tmp_path / "notes.gdb.zip"
    text.write_text("not a zip")
    with pytest.raises(services.BdgdImportError, match="not a readable File Geodatabase"):
        services.bdgd_import(path=text)
    truncated = tmp_path / "Mux_Energia_401_2024-12-31_V11_20250806-1857.gdb.zip"
    truncated.write_bytes(MUX_2024.read_bytes()[:2_000_000])
    with pytest.raises(services.BdgdImportError, match="not a readable File Geodatabase"):
        services.bdgd_import(path=truncated)
    assert ImportStatus.objects.count() == 0
    with pytest.raises(services.BdgdImportError, match="unknown layer"):
        services.bdgd_import(path=MUX_2024, layers=["UGBT"])


def test_wrong_column_type_fails_the_layer_and_keeps_previous_data(tmp_path: Path) -> None:
    good = zip_gdb(write_ucbt_gdb(tmp_path, [unit("a"), unit("b")]))
    assert services.bdgd_import(path=good, layers=["UCBT"]).statuses[0].status == "completed"
    bad = write_ucbt_gdb(
        tmp_path, [unit("c", ENE_01="12")], types={"ENE_01": "text"}, name="Bad_401_2024-12-31_V11_20250102-0000.gdb"
    )
    status = services.bdgd_import(path=bad, layers=["UCBT"]).statuses[0]
    assert status.status == "failed"
    assert status.erro == "UCBT_tab.ENE_01 is String, expected real (Real)"
    assert sorted(models.LeadBruto.objects.values_list("cod_id", flat=True)) == ["a", "b"]


def test_missing_required_column_fails_the_layer(tmp_path: Path) -> None:
    gdb = write_ucbt_gdb(tmp_path, [unit("a")], drop=("CLAS_SUB", "DIC_05"))
    status = services.bdgd_import(path=gdb, layers=["UCBT"]).statuses[0]
    assert (status.status, status.erro) == ("failed", "UCBT_tab lacks required column(s): CLAS_SUB, DIC_05")
    assert not models.LeadBruto.objects.exists()


def test_quirks_blank_text_placeholder_dates_unknown_codes_and_keys(tmp_path: Path) -> None:
    rows = [
        unit("x1", DAT_CON="01/01/2000", BRR=" ", CLAS_SUB="I"),
        unit("x2", DAT_CON="31/02/2020", CLAS_SUB="ZZ", FAS_CON="ABCN", TEN_FORN="0", CNAE="4711-3/02"),
        unit(" ", CLAS_SUB="RE1"),  # no unit code: rejected and counted
    ]
    gdb = write_ucbt_gdb(tmp_path, rows)
    status = services.bdgd_import(path=gdb, layers=["UCBT"]).statuses[0]
    assert status.status == "completed", status.erro
    assert (status.linhas_lidas, status.linhas_inseridas, status.linhas_rejeitadas) == (3, 2, 1)
    x1 = models.LeadBruto.objects.get(cod_id="x1")
    assert x1.bairro is None and x1.data_conexao_placeholder and str(x1.data_conexao) == "2000-01-01"
    assert x1.classe_consumo_id == "I" and x1.segmento_mercado_id is None
    x2 = models.LeadBruto.objects.get(cod_id="x2")
    assert x2.data_conexao is None  # 31/02 is not a date
    assert x2.classe_consumo_id is None and x2.codigos_desconhecidos == {"CLAS_SUB": "ZZ"}
    assert x2.tensao_fornecimento is None and x2.tipo_sistema_id == "ABCN"
    assert x2.segmento_mercado_id == "varejo"  # from the CNAE
    assert status.relatorio["codigos_desconhecidos"] == {"CLAS_SUB": {"ZZ": 1}}
    assert status.relatorio["localizacao"]["sem_localizacao"] == 2  # no PONNOT imported for this file


def test_reimport_of_a_changed_file_updates_units_in_place_and_keeps_their_enrichment(tmp_path: Path) -> None:
    first = write_ucbt_gdb(
        tmp_path, [unit("keep", CLAS_SUB="RE1"), unit("gone")], name="A_401_2024-12-31_V11_20250101-0000.gdb"
    )
    services.bdgd_import(path=first, layers=["UCBT"])
    keep, gone = stable_id(401, "keep", 2024, "UCBT"), stable_id(401, "gone", 2024, "UCBT")
    for uc in (keep, gone):
        committed(
            "INSERT INTO intel_lead.lead_enrichment_log (uc_id, etapa, resultado, detalhes, executado_em) "
            "VALUES (%s, 'cnpj', 'success', '{}', now())",
            [uc],
        )
    second = write_ucbt_gdb(
        tmp_path, [unit("keep", CLAS_SUB="CO1", ENE_01=7.0), unit("new")], name="A_401_2024-12-31_V11_20250202-0000.gdb"
    )
    report = services.bdgd_import(path=second, layers=["UCBT"]).statuses[0].relatorio
    assert (report["unidades"], report["unidades_atualizadas"], report["unidades_removidas"]) == (2, 1, 1)
    assert sorted(models.LeadBruto.objects.values_list("cod_id", flat=True)) == ["keep", "new"]
    kept = models.LeadBruto.objects.get(uc_id=keep)
    assert kept.classe_consumo_id == "CO1" and kept.energia_anual_kwh == pytest.approx(7.0 + 11 * 100.0)
    assert models.LeadEnergiaMensal.objects.filter(uc_id=keep).count() == 12
    assert committed("SELECT uc_id FROM intel_lead.lead_enrichment_log ORDER BY uc_id") == [(keep,)]
