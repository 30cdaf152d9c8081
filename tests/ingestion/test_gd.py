"""ANEEL's GD plants: the reader (real layout, constructed rows), CEG normalisation against the BDGD's
`CEG_GD`, and the idempotent import."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from osgeo import ogr

from ingestion import registros
from ingestion.readers import gd
from ingestion.readers.tabular import members
from leads.models import GdEmpreendimento

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GD = FIXTURES / "gd" / "empreendimento-geracao-distribuida.zip"
MUX_2024 = FIXTURES / "bdgd" / "Mux_Energia_401_2024-12-31_V11_20250806-1857.gdb.zip"
CARGAS = FIXTURES / "ccee" / "ccee_parcela_carga_consumo_2025_GO_sample.csv"


def _csv() -> str:
    with zipfile.ZipFile(GD) as archive:
        return archive.read("empreendimento-geracao-distribuida.csv").decode("latin-1")


def _bdgd_cegs() -> set[str]:
    dataset = ogr.Open(f"/vsizip/{MUX_2024}")
    cegs: set[str] = set()
    for layer in ("UCBT_tab", "UCMT_tab"):
        for feature in dataset.GetLayerByName(layer):
            value = feature.GetField("CEG_GD")
            if value and value.strip():
                cegs.add(gd.ceg(value))
    return cegs


def test_rows_in_the_real_layout() -> None:
    stats = gd.Stats()
    rows = {r[0]: dict(zip(gd.COLUMNS, r, strict=True)) for r in gd.empreendimentos(members(GD)[0], stats=stats)}
    assert stats.linhas == 6 and stats.pj == 4
    plant = rows["GD.RS.001.707.181"]
    assert plant["cpf_cnpj"] == "12345678000195" and plant["tipo_consumidor"] == "PJ"
    assert plant["potencia_kw"] == "300.00" and plant["data_conexao"] == "2021-03-15"
    assert (plant["municipio_ibge"], plant["uf"]) == ("4320909", "RS")
    assert plant["fonte"] == "Radiação solar" and plant["distribuidora_cnpj"] == "11111111000191"
    assert rows["GD.RS.000.374.543"]["cpf_cnpj"] == "***.456.789-**"  # ANEEL's mask kept: no identity from a CPF


def test_cegs_meet_the_bdgd_units_ceg_gd() -> None:
    plants = {r[0] for r in gd.empreendimentos(members(GD)[0])}
    assert plants <= _bdgd_cegs()
    assert gd.ceg(" gd.rs.001.707.181 ") == gd.ceg("GDRS001707181") == "GD.RS.001.707.181"


def test_import_is_idempotent(db: None, tmp_path: Path) -> None:
    call_command("import_gd", str(GD), verbosity=0)
    plant = GdEmpreendimento.objects.get(cod_empreendimento="GD.RS.001.707.181")
    assert plant.cpf_cnpj == "12345678000195" and plant.potencia_kw == Decimal("300.000")
    assert GdEmpreendimento.objects.count() == 6
    again = registros.gd_import(sources=[GD])
    assert (again.linhas, again.alteradas) == (6, 0)
    revised = tmp_path / "empreendimento-geracao-distribuida.csv"
    revised.write_bytes(_csv().replace('"300,00"', '"310,50"').encode("latin-1"))
    assert registros.gd_import(sources=[revised]).alteradas == 1
    assert GdEmpreendimento.objects.get(pk="GD.RS.001.707.181").potencia_kw == Decimal("310.500")


def test_another_layout_or_a_bad_value_changes_nothing(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^ccee_parcela_carga_consumo_2025_GO_sample.csv, linha 1: não é o layout "
                       r"da ANEEL \(empreendimentos de GD\) \(faltam as colunas NumCNPJDistribuidora, "):  # fmt: skip
        call_command("import_gd", str(CARGAS), verbosity=0)
    bad = tmp_path / "gd.csv"
    bad.write_bytes(_csv().replace('"26,16"', '"26 kW"').encode("latin-1"))
    with pytest.raises(registros.RegistroImportError) as error:
        registros.gd_import(sources=[bad])
    assert str(error.value) == "gd.csv, linha 6: MdaPotenciaInstaladaKW '26 kW' não é um número"
    assert GdEmpreendimento.objects.count() == 0
