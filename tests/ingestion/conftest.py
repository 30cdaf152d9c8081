from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from youon.lib.db import own_connection

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bdgd"
MUX_2024 = FIXTURES / "Mux_Energia_401_2024-12-31_V11_20250806-1857.gdb.zip"
MUX_2021 = FIXTURES / "muxenergia_2021_V10_partial.gdb.zip"


def committed(sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    """Run SQL on a connection of its own, committed at once (imports only see committed rows)."""
    with own_connection(autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _wipe() -> None:
    """Imports commit on their own connection: remove what they wrote, outside the test transaction."""
    committed("DELETE FROM intel_lead.lead_bruto")
    committed("DELETE FROM intel_lead.lead_unidade")
    committed("DELETE FROM intel_lead.ponto_notavel")
    committed("DELETE FROM intel_lead.import_status")


@pytest.fixture
def clean_imports(transactional_db: None) -> Iterator[None]:
    """Imports swap a layer's tables under exclusive locks: the test's own reads must not sit in an open
    transaction meanwhile, so these tests run without one."""
    _wipe()
    yield
    _wipe()
