"""Writes of the forecasting app: hourly load and weather, re-import idempotent."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from django.db import transaction

from youon.lib.db import copy_upsert

from .readers import inmet, ons


@transaction.atomic
def load_import(*, path: Path) -> dict[str, object]:
    """Import an ONS hourly load file; returns its report (values, empty, non-positive, missing hours).

    Idempotent: re-importing the same file changes nothing; a corrected file updates the hours it changes.
    """
    report = ons.Relatorio()
    rows = list(ons.read(path.read_text(encoding="utf-8-sig"), report))
    written = copy_upsert(
        table=("public", "forecasting_cargahoraria"),
        key=("subsistema", "instante"),
        columns=("subsistema", "instante", "carga_mw"),
        rows=[(r.subsistema, r.instante, r.carga_mw) for r in rows],
    )
    gaps = {s: len(ons.missing_hours(sorted(r.instante for r in rows if r.subsistema == s))) for s in ons.SUBSISTEMAS}
    return {**asdict(report), "por_subsistema": dict(report.por_subsistema), "horas_ausentes": gaps,
            "gravadas": written}  # fmt: skip


@transaction.atomic
def weather_import(*, path: Path) -> dict[str, object]:
    """Import an INMET station file (either layout, UTF-8 or Latin-1). Idempotent."""
    code, observations = inmet.read(path.read_bytes())
    columns = ("estacao", "instante", *inmet.COLUMNS)
    rows = [(o.estacao, o.instante, *(o.valores[c] for c in inmet.COLUMNS)) for o in observations]
    written = copy_upsert(
        table=("public", "forecasting_observacaohoraria"), key=("estacao", "instante"), columns=columns, rows=rows
    )
    missing_temperature = sum(1 for r in rows if r[columns.index("temperatura_c")] is None)
    return {"estacao": code, "linhas": len(rows), "sem_temperatura": missing_temperature, "gravadas": written}
