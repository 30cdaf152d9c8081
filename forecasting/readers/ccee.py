"""CCEE hourly PLD files ("PLD Horário", PLD_HORARIO_<YYYY>.csv, Dados Abertos CCEE), pure Python.

`;`-separated, Latin-1 (CCEE's files) or UTF-8; header
`MES_REFERENCIA;SUBMERCADO;PERIODO_COMERCIALIZACAO;DIA;HORA;PLD_HORA` (older extracts lack
PERIODO_COMERCIALIZACAO); `MES_REFERENCIA` is `YYYYMM`, `DIA` the day of the month, `HORA` the local
hour 0..23 (America/Sao_Paulo), `PLD_HORA` R$/MWh with a decimal point (CCEE's files) or a decimal comma
(spreadsheet exports, `1.234,50`). Submarkets by name: SUDESTE, SUL, NORDESTE, NORTE.
An empty or non-positive price is missing (the PLD has a positive floor): reported, never stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from .inmet import decode
from .ons import Relatorio, local_to_utc

SUBMERCADOS = {
    "SUDESTE": "SE",
    "SUDESTE/CENTRO-OESTE": "SE",
    "SE": "SE",
    "SE/CO": "SE",
    "SUL": "S",
    "S": "S",
    "NORDESTE": "NE",
    "NE": "NE",
    "NORTE": "N",
    "N": "N",
}
REQUIRED = ("MES_REFERENCIA", "SUBMERCADO", "DIA", "HORA", "PLD_HORA")


class CceeFormatError(ValueError):
    """Not a CCEE hourly PLD file; the message names the line and the problem."""


@dataclass(frozen=True)
class Pld:
    submercado: str  # SE, S, NE, N
    instante: datetime  # UTC start of the local hour
    pld: float  # R$/MWh


def _price(raw: str) -> float:
    raw = raw.strip()
    if "," in raw:  # decimal comma, maybe with thousands dots
        raw = raw.replace(".", "").replace(",", ".")
    return float(raw)


def read(raw: bytes, report: Relatorio | None = None) -> Iterator[Pld]:
    """Hours with a price; empty and non-positive ones are counted in `report`."""
    report = report if report is not None else Relatorio()
    text = decode(raw)
    dialect = ";" if text.partition("\n")[0].count(";") else ","
    rows = csv.reader(io.StringIO(text), delimiter=dialect)
    header = [h.strip().upper() for h in next(rows, [])]
    absent = [name for name in REQUIRED if name not in header]
    if absent:
        raise CceeFormatError(f"line 1: missing column(s) {', '.join(absent)}; got {dialect.join(header)!r}")
    at = {name: header.index(name) for name in REQUIRED}
    seen: set[tuple[str, datetime]] = set()
    for number, row in enumerate(rows, start=2):
        if not row or not any(v.strip() for v in row):
            continue
        if len(row) != len(header):
            raise CceeFormatError(f"line {number}: expected {len(header)} fields, got {len(row)}")
        name = row[at["SUBMERCADO"]].strip().upper()
        submercado = SUBMERCADOS.get(name)
        if submercado is None:
            raise CceeFormatError(f"line {number}: unknown submarket {name!r}")
        month, day, hour = (row[at[c]].strip() for c in ("MES_REFERENCIA", "DIA", "HORA"))
        try:
            naive = datetime(int(month[:4]), int(month[4:6]), int(day), int(hour))
            if len(month) != 6:
                raise ValueError
        except ValueError:
            raise CceeFormatError(
                f"line {number}: MES_REFERENCIA={month!r} DIA={day!r} HORA={hour!r} is not a date and hour"
            ) from None
        report.linhas += 1
        utc, exists = local_to_utc(naive, seen, submercado)
        if not exists:
            report.horas_inexistentes += 1
            continue
        value = row[at["PLD_HORA"]].strip()
        try:
            price = report.positive(value, submercado, _price)
        except ValueError:
            raise CceeFormatError(f"line {number}: PLD_HORA {value!r} is not a number") from None
        if price is not None:
            yield Pld(submercado, utc, price)
