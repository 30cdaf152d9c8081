from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from forecasting import models, services

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_load_import_is_idempotent_and_reports_gaps() -> None:
    path = FIXTURES / "ons" / "CURVA_CARGA_2024_slice.csv"
    report = services.load_import(path=path)
    assert report["valores"] == 192 and report["gravadas"] == 192
    assert report["horas_ausentes"] == {"N": 0, "NE": 0, "S": 0, "SE": 0}
    assert models.CargaHoraria.objects.count() == 192
    assert services.load_import(path=path)["gravadas"] == 0
    first = models.CargaHoraria.objects.filter(subsistema="SE").order_by("instante").first()
    assert first.instante.isoformat() == "2024-01-01T03:00:00+00:00" and first.carga_mw == pytest.approx(34981.614)


def test_missing_values_stay_missing() -> None:
    services.load_import(path=FIXTURES / "ons" / "CURVA_CARGA_2018_dst_slice.csv")
    assert not models.CargaHoraria.objects.filter(carga_mw__lte=0).exists()
    assert models.CargaHoraria.objects.filter(subsistema="S").count() == 14  # 15 rows, one non-existent hour


def test_weather_import_and_command_errors(tmp_path: Path) -> None:
    report = services.weather_import(path=FIXTURES / "inmet" / "INMET_SE_SP_A701_2022_slice.CSV")
    assert (report["estacao"], report["linhas"]) == ("A701", 48)
    assert services.weather_import(path=FIXTURES / "inmet" / "INMET_SE_SP_A701_2022_slice.CSV")["gravadas"] == 0
    bad = tmp_path / "x.csv"
    bad.write_text("nope;nope\n")
    with pytest.raises(CommandError, match="expected header"):
        call_command("import_ons", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_inmet", str(tmp_path / "absent.csv"))
