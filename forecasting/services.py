"""Writes of the forecasting app: hourly load and weather, re-import idempotent."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from django.db import connection, transaction

from .readers import inmet, ons


def _upsert(table: str, key: tuple[str, ...], columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> int:
    """COPY rows into a temporary table, then insert or update by key in one statement."""
    others = [c for c in columns if c not in key]
    with connection.cursor() as cursor:
        pg = cursor.cursor
        pg.execute(f"DROP TABLE IF EXISTS staging_{table}")  # an earlier import in the same transaction
        pg.execute(
            f"CREATE TEMP TABLE staging_{table} ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        with pg.copy(f"COPY staging_{table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        pg.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM staging_{table} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in others)} "
            f"WHERE ({', '.join(f'{table}.{c}' for c in others)}) IS DISTINCT FROM "
            f"({', '.join(f'EXCLUDED.{c}' for c in others)})"
        )
        return pg.rowcount


@transaction.atomic
def load_import(*, path: Path) -> dict[str, object]:
    """Import an ONS hourly load file; returns its report (values, empty, non-positive, missing hours).

    Idempotent: re-importing the same file changes nothing; a corrected file updates the hours it changes.
    """
    report = ons.Relatorio()
    rows = list(ons.read(path.read_text(encoding="utf-8-sig"), report))
    written = _upsert(
        "forecasting_cargahoraria",
        ("subsistema", "instante"),
        ("subsistema", "instante", "carga_mw"),
        [(r.subsistema, r.instante, r.carga_mw) for r in rows],
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
    written = _upsert("forecasting_observacaohoraria", ("estacao", "instante"), columns, rows)
    missing_temperature = sum(1 for r in rows if r[columns.index("temperatura_c")] is None)
    return {"estacao": code, "linhas": len(rows), "sem_temperatura": missing_temperature, "gravadas": written}
