"""Recorded answers of the public sources (ONS, INMET, CCEE), served from a local HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.conftest import http_server

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Replay(BaseHTTPRequestHandler):
    """Serves `files` (path → body, content type); anything else is a 404, as the sources answer."""

    files: dict[str, tuple[bytes, str]] = {}

    def do_GET(self) -> None:
        body, kind = self.files.get(self.path, (b"not found", "text/plain"))
        self.send_response(200 if self.path in self.files else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def replay_server(settings, tmp_path: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A local server for recorded files (fill `Replay.files`); downloads land in a temporary DATA_DIR."""
    settings.DATA_DIR = tmp_path
    Replay.files = {}
    with http_server(Replay) as base:
        yield base
