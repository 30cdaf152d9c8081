"""An import request names a file under DATA_DIR only (after `..` and symlinks are resolved), and the
reports show clients that path, never where the file lies on the server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.ingestion.conftest import MUX_2021
from tests.leads.test_api import token_client


@pytest.fixture
def staff(db: None, settings, tmp_path: Path) -> APIClient:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "dados"
    (tmp_path / "dados" / "bdgd").mkdir(parents=True)
    shutil.copy(MUX_2021, tmp_path / "dados" / "bdgd" / MUX_2021.name)
    (tmp_path / "fora.gdb.zip").write_bytes(MUX_2021.read_bytes())
    (tmp_path / "dados" / "atalho.gdb.zip").symlink_to(tmp_path / "fora.gdb.zip")
    return token_client("equipe", staff=True)


@pytest.mark.parametrize(
    "arquivo",
    ["../fora.gdb.zip", "bdgd/../../fora.gdb.zip", "atalho.gdb.zip", str(MUX_2021), "/etc/passwd.gdb.zip"],
)
def test_a_file_outside_data_dir_is_refused(staff: APIClient, arquivo: str) -> None:
    response = staff.post("/api/v1/importacoes/", {"arquivo": arquivo, "camadas": ["UCMT"]}, format="json")
    assert response.status_code == 400, response.content[:300]
    assert "DATA_DIR" in response.json()["arquivo"][0]


def test_a_file_under_data_dir_is_imported_and_shown_by_its_path_there(staff: APIClient, tmp_path: Path) -> None:
    response = staff.post("/api/v1/importacoes/", {"arquivo": f"bdgd/{MUX_2021.name}", "camadas": ["UCMT"]},
                          format="json")  # fmt: skip
    assert response.status_code == 202, response.content[:300]
    report = staff.get(response.json()["importacoes"][0]).json()
    assert report["arquivo"] == f"bdgd/{MUX_2021.name}"
    listed = staff.get("/api/v1/importacoes/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert all(str(tmp_path) not in row["arquivo"] for row in rows)


def test_a_failed_import_tells_its_error_without_server_paths(staff: APIClient, tmp_path: Path) -> None:
    from ingestion.models import ImportStatus

    job = ImportStatus.objects.create(
        distribuidora_id=401,
        ano=2021,
        camada="UCMT",
        status="failed",
        arquivo=str(tmp_path / "dados" / "bdgd" / "x.gdb.zip"),
        erro=f"{tmp_path}/dados/bdgd/x.gdb.zip: no such file; {tmp_path}/fora.gdb.zip too",
    )
    erro = staff.get(f"/api/v1/importacoes/{job.pk}/").json()["erro"]
    assert erro == "bdgd/x.gdb.zip: no such file; fora.gdb.zip too" and str(tmp_path) not in erro
