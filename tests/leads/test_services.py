from __future__ import annotations

import pytest
from django.db import connection

from leads import models, services
from tests.factories import LeadBrutoFactory, add_monthly

pytestmark = pytest.mark.django_db


def test_reference_counts() -> None:
    assert models.Distribuidora.objects.count() == 114
    assert models.Distribuidora.objects.get(cod_aneel=401).nome == "Mux_Energia"
    # 5,570 municipalities of the 2022 census plus Boa Esperança do Norte (MT), installed in 2025.
    assert models.Municipio.objects.count() == 5571
    assert models.Municipio.objects.filter(uf="SP").count() == 645
    assert models.Municipio.objects.get(cod_ibge="4314902").nome == "Porto Alegre"
    # IBGE's xlsx stops before its last subclass; 9900-8/00 comes from the Receita CNAE table.
    assert models.Cnae.objects.filter(alias_de__isnull=True).count() == 1332
    assert models.Cnae.objects.order_by().values("divisao").distinct().count() == 87
    assert models.Cnae.objects.filter(segmento__isnull=True).count() == 0


def test_every_dda_code_the_schema_uses_is_loaded() -> None:
    import csv

    from leads.refdata import DATA_DIR

    expected: dict[str, set[str]] = {}
    with (DATA_DIR / "dda_2022-09.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            expected.setdefault(row["tabela"], set()).add(row["cod_id"])
    loaded = {
        "TCLASUBCLA": set(models.ClasseConsumo.objects.values_list("codigo", flat=True)),
        "TGRUTEN": set(models.GrupoTensao.objects.values_list("codigo", flat=True)),
        "TGRUTAR": set(models.GrupoTarifario.objects.values_list("codigo", flat=True)),
        "TFASCON": set(models.TipoSistema.objects.values_list("codigo", flat=True)),
        "TTEN": set(models.Tensao.objects.values_list("codigo", flat=True)),
    }
    for tabela, codes in loaded.items():
        assert expected[tabela] <= codes, tabela
    assert models.Tensao.objects.get(codigo="49").volts == 13800


def test_old_codes_are_aliases_of_their_successor() -> None:
    industrial = models.ClasseConsumo.objects.get(codigo="I")
    assert industrial.alias_de_id == "IN" and industrial.tipo_cliente == "PJ"
    assert models.ClasseConsumo.objects.get(codigo="RE1").tipo_cliente == "PF"
    assert models.ClasseConsumo.objects.get(codigo="0").tipo_cliente is None
    old_cnae = models.Cnae.objects.get(subclasse="1610-2/01")
    assert old_cnae.alias_de_id == "1610-2/03" and old_cnae.divisao == "16"


def test_cnae_maps_to_market_segment() -> None:
    assert models.Cnae.objects.get(subclasse="6311-9/00").segmento_id == "tic_datacenter"
    assert models.Cnae.objects.get(subclasse="2441-5/01").segmento_id == "industria_intensiva"
    assert models.Cnae.objects.get(subclasse="8610-1/01").segmento_id == "saude"


def test_reference_load_is_idempotent() -> None:
    counts = services.reference_load()
    assert all(changed == 0 for _, changed in counts.values()), counts
    assert counts["cnae"][0] == models.Cnae.objects.count()


def test_reference_load_restores_an_edited_row() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL intel_lead.allow_domain_changes = on")
        cursor.execute("UPDATE intel_lead.municipio SET nome = 'X' WHERE cod_ibge = '4314902'")
        cursor.execute("RESET intel_lead.allow_domain_changes")
    counts = services.reference_load()
    assert counts["municipio"][1] == 1
    assert models.Municipio.objects.get(cod_ibge="4314902").nome == "Porto Alegre"


def test_views_refresh_summarises_units() -> None:
    a = LeadBrutoFactory(pac=10.0)
    b = LeadBrutoFactory(pac=5.0, situacao="DS", classe_consumo_id="CO1", ceg_gd="GD.RS.000.001")
    add_monthly(a, energia=[10.0] * 12, dic=[2.0] * 12, fic=[1.0] * 12)
    add_monthly(b, energia=[1.0] * 12, dic=[4.0] * 12, fic=[3.0] * 12)
    assert services.views_refresh() == [
        "resumo_energia_por_municipio", "resumo_distribuidora_ano", "resumo_segmento", "mapa_celula",
        "mapa_celula_resumo",
    ]  # fmt: skip

    municipio = models.ResumoEnergiaMunicipio.objects.get(municipio_id="4314902", ano=2024)
    assert (municipio.n_ucs, municipio.n_ativas, municipio.n_pj) == (2, 1, 1)
    assert municipio.energia_anual_kwh == pytest.approx(132.0)
    assert municipio.media_dic == pytest.approx(3.0)
    distribuidora = models.ResumoDistribuidoraAno.objects.get(chave="401:2024:UCBT")
    assert (distribuidora.n_ucs, distribuidora.n_com_gd, distribuidora.pac_total_kw) == (2, 1, 15.0)
    segmento = models.ResumoSegmento.objects.get(chave="401:2024:-")
    assert (segmento.n_ucs, segmento.energia_anual_kwh) == (2, pytest.approx(132.0))
