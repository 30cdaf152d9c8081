from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from osgeo import ogr

from ingestion import services
from ingestion.readers import bdgd
from leads import models

pytestmark = pytest.mark.usefixtures("clean_imports")


def test_sample_has_real_layer_names_types_and_quirks(tmp_path: Path) -> None:
    out = tmp_path / "Amostra_401_2098-12-31_V11_20990101-0000.gdb.zip"
    call_command("make_sample_bdgd", "--ucs", "400", "--ano", "2098", "--out", str(out))
    dataset = bdgd.open_dataset(out)
    info = bdgd.file_info(out, dataset)
    assert (info.distribuidora, info.ano, info.modelo) == (401, 2098, "V11")
    reader = bdgd.layer_reader(dataset, "UCBT")  # validates names and types against the real dictionary
    assert reader is not None and reader.rows > 400
    real = bdgd.open_dataset(
        Path(__file__).resolve().parents[1]
        / "fixtures"
        / "bdgd"
        / "Mux_Energia_401_2024-12-31_V11_20250806-1857.gdb.zip"
    )
    fields = lambda ds: [(f.GetName(), f.GetType()) for f in ds.GetLayerByName("UCBT_tab").schema]  # noqa: E731
    assert fields(dataset) == fields(real)
    layer = dataset.GetLayerByName("PONNOT")
    assert layer.GetGeomType() == ogr.wkbPoint and layer.GetSpatialRef().GetAuthorityCode(None) == "4674"

    outcome = services.bdgd_import(path=out, layers=["PONNOT", "UCBT"])
    ucbt = outcome.statuses[1]
    assert ucbt.status == "completed", ucbt.erro
    assert ucbt.linhas_inseridas == 400 and ucbt.linhas_mescladas == ucbt.linhas_lidas - 400 > 0
    routes = ucbt.relatorio["localizacao"]
    assert routes["sem_localizacao"] == 0 and routes["transformador"] > 0
    assert models.LeadBruto.objects.filter(ano=2098, municipio__uf="RS").count() == 400
