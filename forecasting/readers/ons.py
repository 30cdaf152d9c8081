"""ONS "Curva de Carga Horária" files (CURVA_CARGA_<YYYY>.csv), pure Python.

`;`-separated, header `id_subsistema;nom_subsistema;din_instante;val_cargaenergiahomwmed`, local time
(America/Sao_Paulo) `YYYY-MM-DD HH:MM:SS`, the hour's mean load in MW, four rows per hour (N, NE, S, SE).
Quirks of the real files: empty values; `0E-8` (and any value <= 0) meaning missing, not a zero load;
a row at the spring-forward hour that does not exist on the local clock; hours absent altogether.
Missing values are reported and left out, never invented.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("America/Sao_Paulo")
UTC = ZoneInfo("UTC")
SUBSISTEMAS = ("N", "NE", "S", "SE")
HEADER = ["id_subsistema", "nom_subsistema", "din_instante", "val_cargaenergiahomwmed"]


class OnsFormatError(ValueError):
    """A file that is not an ONS hourly load CSV; the message names the line and the problem."""


@dataclass(frozen=True)
class Carga:
    subsistema: str
    instante: datetime  # timezone-aware, UTC
    carga_mw: float


@dataclass
class Relatorio:
    linhas: int = 0
    valores: int = 0
    vazios: int = 0
    nao_positivos: int = 0  # 0E-8 and friends: missing, not zero
    horas_inexistentes: int = 0  # spring-forward hour on the local clock
    por_subsistema: Counter[str] = field(default_factory=Counter)

    def positive(self, raw: str, key: str, parse: Callable[[str], float] = float) -> float | None:
        """The value of a row of `key` (subsystem or submarket) that must be positive: empty and
        non-positive ones are counted and come back None, kept ones are counted by key. Raises
        ValueError for what is not a finite number; the reader names the line."""
        if raw == "":
            self.vazios += 1
            return None
        value = parse(raw)
        if not math.isfinite(value):
            raise ValueError(raw)
        if value <= 0:
            self.nao_positivos += 1
            return None
        self.valores += 1
        self.por_subsistema[key] += 1
        return value


def local_to_utc(naive: datetime, seen: set[tuple[str, datetime]], subsistema: str) -> tuple[datetime, bool]:
    """The UTC instant of a local wall-clock time; (instant, exists). A repeated local hour (DST end)
    maps to its first occurrence, then to the second when the same subsystem repeats it."""
    fold = 1 if (subsistema, naive) in seen else 0
    seen.add((subsistema, naive))
    aware = naive.replace(tzinfo=LOCAL, fold=fold)
    roundtrip = aware.astimezone(UTC).astimezone(LOCAL).replace(tzinfo=None)
    return aware.astimezone(UTC), roundtrip == naive


def _hours(
    text: str, header: list[str], subsystems: tuple[str, ...], report: Relatorio
) -> Iterator[tuple[int, str, datetime, list[str]]]:
    """(line number, subsystem, UTC instant, value fields) of each row of an ONS `;` file of `header`
    whose first column is the subsystem and third the local time; rows are counted in `report`, the
    non-existent spring-forward hour too (and skipped). Anything else raises OnsFormatError."""
    rows = csv.reader(io.StringIO(text), delimiter=";")
    found = next(rows, None)
    if found is None or [h.strip().lower() for h in found] != header:
        raise OnsFormatError(f"line 1: expected header {';'.join(header)}, got {';'.join(found or [])!r}")
    seen: set[tuple[str, datetime]] = set()
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise OnsFormatError(f"line {number}: expected {len(header)} fields, got {len(row)}")
        subsistema, instante = row[0].strip(), row[2].strip()
        if subsistema not in subsystems:
            raise OnsFormatError(f"line {number}: unknown subsystem {subsistema!r}")
        try:
            naive = datetime.strptime(instante, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise OnsFormatError(f"line {number}: {instante!r} is not YYYY-MM-DD HH:MM:SS") from None
        report.linhas += 1
        utc, exists = local_to_utc(naive, seen, subsistema)
        if not exists:
            report.horas_inexistentes += 1
            continue
        yield number, subsistema, utc, [v.strip() for v in row[3:]]


def read(text: str, report: Relatorio | None = None) -> Iterator[Carga]:
    """Rows with a value; everything else is counted in `report`."""
    report = report if report is not None else Relatorio()
    for number, subsistema, utc, (valor,) in _hours(text, HEADER, SUBSISTEMAS, report):
        try:
            mw = report.positive(valor, subsistema)
        except ValueError:
            raise OnsFormatError(f"line {number}: {valor!r} is not a number") from None
        if mw is not None:
            yield Carga(subsistema, utc, mw)


def missing_hours(instants: list[datetime]) -> list[datetime]:
    """UTC hours absent between the first and last instant of a sorted list."""
    if not instants:
        return []
    present = set(instants)
    hour, last, gaps = instants[0], instants[-1], []
    while hour <= last:
        if hour not in present:
            gaps.append(hour)
        hour += timedelta(hours=1)
    return gaps


# --- "Balanço de Energia nos Subsistemas" (BALANCO_ENERGIA_SUBSISTEMA_<YYYY>.csv) -------------------
#
# `;`-separated, header `id_subsistema;nom_subsistema;din_instante;val_gerhidraulica;val_gertermica;
# val_gereolica;val_gersolar;val_carga;val_intercambio`, local time, MW means of the hour; a row per
# subsystem and hour plus a ready-made SIN row; ids space-padded (`SE `, `N  `). An empty value is
# missing. Generation can truly be zero (solar at night, calm wind), so a zero generation is kept; a
# zero or negative load is missing, as in the load files. The interchange is signed (+ = export).

BALANCO_HEADER = [
    "id_subsistema",
    "nom_subsistema",
    "din_instante",
    "val_gerhidraulica",
    "val_gertermica",
    "val_gereolica",
    "val_gersolar",
    "val_carga",
    "val_intercambio",
]
BALANCO_FIELDS = ("hidraulica_mw", "termica_mw", "eolica_mw", "solar_mw", "carga_mw", "intercambio_mw")


@dataclass(frozen=True)
class Balanco:
    subsistema: str  # N, NE, S, SE or SIN
    instante: datetime  # UTC
    valores: dict[str, float | None]  # BALANCO_FIELDS → MW, None where missing


def read_balanco(text: str, report: Relatorio | None = None) -> Iterator[Balanco]:
    """Hours of the energy balance; `report` counts rows, empty values and non-existent local hours."""
    report = report if report is not None else Relatorio()
    for number, subsistema, utc, fields in _hours(text, BALANCO_HEADER, (*SUBSISTEMAS, "SIN"), report):
        values: dict[str, float | None] = {}
        for column, name, raw in zip(BALANCO_HEADER[3:], BALANCO_FIELDS, fields, strict=True):
            if raw == "":
                report.vazios += 1
                values[name] = None
                continue
            try:
                values[name] = float(raw)
                if not math.isfinite(values[name]):  # type: ignore[arg-type]
                    raise ValueError(raw)
            except ValueError:
                raise OnsFormatError(f"line {number}: {column} {raw!r} is not a number") from None
        if values["carga_mw"] is not None and values["carga_mw"] <= 0:
            report.nao_positivos += 1
            values["carga_mw"] = None
        report.valores += 1
        report.por_subsistema[subsistema] += 1
        yield Balanco(subsistema, utc, values)
