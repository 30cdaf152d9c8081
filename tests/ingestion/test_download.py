"""Downloads against a local HTTP server that serves ArcGIS item metadata and data, with Range support."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from ingestion import catalog
from ingestion.readers.hub import CatalogError
from tests.conftest import http_server
from tests.ingestion.conftest import MUX_2021

ITEM = "0123456789abcdef0123456789abcdef"
PAYLOAD = MUX_2021.read_bytes()
NAME = "muxenergia_2021_V10_partial.gdb.zip"


class Items(BaseHTTPRequestHandler):
    cut_after: int | None = None  # send only this many bytes, then drop the connection
    ranges: list[str] = []

    def do_GET(self) -> None:
        if self.path.startswith(f"/{ITEM}?"):
            body = json.dumps({"id": ITEM, "name": NAME, "size": len(PAYLOAD), "type": "File Geodatabase"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path != f"/{ITEM}/data":
            body = json.dumps({"error": {"code": 400, "message": "Item does not exist or is inaccessible."}}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        start = 0
        header = self.headers.get("Range")
        Items.ranges.append(header or "")
        if header:
            start = int(header.removeprefix("bytes=").rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD) - start))
        self.end_headers()
        body = PAYLOAD[start:]
        if Items.cut_after is not None:
            self.wfile.write(body[: Items.cut_after])
            self.wfile.flush()
            self.connection.close()
            return
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def items_url() -> Iterator[str]:
    Items.cut_after, Items.ranges = None, []
    with http_server(Items) as base, override_settings(BDGD_ITEMS_URL=base, BDGD_HTTP_TIMEOUT=5):
        yield base


def test_interrupted_download_resumes_and_checks_size(items_url: str, tmp_path: Path) -> None:
    Items.cut_after = 400_000
    with pytest.raises(CatalogError, match=r"download parou em [0-9,]+ bytes .*; rode de novo para continuar"):
        catalog.bdgd_download(item_id=ITEM, dest_dir=tmp_path)
    partial = tmp_path / f"{NAME}.part"
    kept = partial.stat().st_size  # whole 64 KiB chunks received before the cut
    assert 300_000 < kept <= 400_000 and not (tmp_path / NAME).exists()

    Items.cut_after = None
    seen: list[int] = []
    result = catalog.bdgd_download(item_id=ITEM, dest_dir=tmp_path, progress=lambda done, total: seen.append(done))
    assert result.resumed_from == kept and Items.ranges[-1] == f"bytes={kept}-"
    assert (tmp_path / NAME).read_bytes() == PAYLOAD and not partial.exists()
    assert seen[-1] == len(PAYLOAD)

    again = catalog.bdgd_download(item_id=ITEM, dest_dir=tmp_path)
    assert again.skipped and len(Items.ranges) == 2


def test_download_command_reports_bad_ids(items_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError, match="not an ArcGIS item id"):
        call_command("download_bdgd", "nope")
    with pytest.raises(CommandError, match="Item does not exist"):
        call_command("download_bdgd", "f" * 32, "--dest", str(tmp_path))
    call_command("download_bdgd", ITEM, "--dest", str(tmp_path), verbosity=0)
    assert f"{NAME} ({len(PAYLOAD):,} bytes): downloaded" in capsys.readouterr().out


@pytest.mark.usefixtures("clean_imports")
def test_fetch_task_downloads_and_imports_on_its_worker(items_url: str, tmp_path: Path) -> None:
    from ingestion import tasks
    from ingestion.models import ImportStatus

    with override_settings(DATA_DIR=tmp_path):
        ids = tasks.bdgd_fetch_and_import.run(ITEM)
    statuses = {s.camada: s for s in ImportStatus.objects.filter(pk__in=ids)}
    assert statuses["PONNOT"].status == "completed" and statuses["UCMT"].status == "completed"
    assert statuses["UCBT"].erro == "UCBT_tab is not in this geodatabase"
    assert {s.item_id for s in statuses.values()} == {ITEM}
    assert (tmp_path / "bdgd" / NAME).read_bytes() == PAYLOAD
