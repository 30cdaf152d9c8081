from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.ingestion.conftest import MUX_2021, MUX_2024

pytestmark = pytest.mark.usefixtures("clean_imports")


def test_import_command_reports_layers_and_fails_on_the_missing_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError, match="1 layer\\(s\\) failed: UCBT"):
        call_command("import_bdgd", str(MUX_2021))
    out = capsys.readouterr().out
    assert "distributor 401, 2021" in out
    assert "UCBT" in out and "FAILED: UCBT_tab is not in this geodatabase" in out
    assert "key PAC (o arquivo não tem COD_ID)" in out


def test_import_command_missing_path_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"absent\.gdb\.zip: no such file or folder$"):
        call_command("import_bdgd", str(tmp_path / "absent.gdb.zip"))


def test_import_command_enriches_the_layer_unless_told_not_to(capsys: pytest.CaptureFixture[str]) -> None:
    from leads.models import LeadEnrichmentLog

    call_command("import_bdgd", str(MUX_2024), "--layers", "PONNOT,UCMT", "--no-enrich")
    assert "enrichment:" not in capsys.readouterr().out and not LeadEnrichmentLog.objects.exists()
    call_command("import_bdgd", str(MUX_2024), "--layers", "PONNOT,UCMT", "--force")
    assert "enrichment: municipio 37" in capsys.readouterr().out
    assert LeadEnrichmentLog.objects.filter(etapa="municipio").count() == 37
