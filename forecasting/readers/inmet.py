"""INMET automatic station hourly files ("Dados Históricos") and API records, pure Python.

Eight metadata lines (`REGIAO:;SE`, ..., `CODIGO (WMO):;A701`, `LATITUDE:;-23,48`...), then a `;` header
and one row per hour in UTC. Two layouts: 2006-2018 (`DATA (YYYY-MM-DD);HORA (UTC)`, `2018-01-01`,
`00:00`, missing `-9999`) and 2019 on (`Data;Hora UTC`, `2019/01/01`, `0000 UTC`, missing empty).
Decimal comma; UTF-8 or Latin-1 (INMET's originals).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

COLUMNS = {
    "precipitacao_mm": "PRECIPITAÇÃO TOTAL, HORÁRIO (mm)",
    "temperatura_c": "TEMPERATURA DO AR - BULBO SECO, HORARIA (°C)",
    "umidade_pct": "UMIDADE RELATIVA DO AR, HORARIA (%)",
    "radiacao_kj_m2": "RADIACAO GLOBAL (Kj/m²)",
    "vento_ms": "VENTO, VELOCIDADE HORARIA (m/s)",
}


class InmetFormatError(ValueError):
    """Not an INMET station file; the message names the line and the problem."""


@dataclass(frozen=True)
class Observacao:
    estacao: str
    instante: datetime  # UTC
    valores: dict[str, float | None]


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _number(value: str) -> float | None:
    value = value.strip()
    if value in ("", "-9999"):
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def _instant(day: str, hour: str) -> datetime:
    day = day.strip().replace("/", "-")
    hour = hour.strip().removesuffix(" UTC").replace(":", "")
    return datetime.strptime(f"{day} {hour[:2]}:{hour[2:4]}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def read(raw: bytes) -> tuple[str, Iterator[Observacao]]:
    """(station code, observations)."""
    lines = decode(raw).splitlines()
    meta = dict([*line.split(";", 1), ""][:2] for line in lines[:8])
    code = next((v.strip() for k, v in meta.items() if k.upper().startswith("CODIGO")), "")
    if not code:
        raise InmetFormatError("lines 1-8: no 'CODIGO (WMO):' metadata line")
    header = [h.strip() for h in lines[8].split(";")]
    normal = [h.upper().replace("Á", "A").replace("Ã", "A") for h in header]
    try:
        day_col = next(i for i, h in enumerate(normal) if h.startswith("DATA"))
        hour_col = next(i for i, h in enumerate(normal) if h.startswith("HORA"))
    except StopIteration:
        raise InmetFormatError(f"line 9: no date/hour columns in {header[:3]}") from None
    positions = {}
    for name, title in COLUMNS.items():
        wanted = title.upper().replace("Á", "A").replace("Ã", "A")
        positions[name] = next((i for i, h in enumerate(normal) if h == wanted), None)

    def rows() -> Iterator[Observacao]:
        for number, row in enumerate(csv.reader(io.StringIO("\n".join(lines[9:])), delimiter=";"), start=10):
            if not row or not row[0].strip():
                continue
            try:
                instant = _instant(row[day_col], row[hour_col])
            except (ValueError, IndexError):
                raise InmetFormatError(f"line {number}: bad date/hour {row[:2]}") from None
            values = {k: (_number(row[i]) if i is not None and i < len(row) else None) for k, i in positions.items()}
            yield Observacao(code, instant, values)

    return code, rows()


# INMET API (apitempo.inmet.gov.br/estacao/<start>/<end>/<code>): a JSON list of hourly records with
# string values or null, `DT_MEDICAO` `YYYY-MM-DD` and `HR_MEDICAO` `HHMM`, both UTC.
API_FIELDS = {
    "precipitacao_mm": "CHUVA",
    "temperatura_c": "TEM_INS",
    "umidade_pct": "UMD_INS",
    "radiacao_kj_m2": "RAD_GLO",
    "vento_ms": "VEN_VEL",
}


def read_api(records: object) -> list[Observacao]:
    """Observations from the INMET API's JSON records; a record without a station, date or hour is an error."""
    if not isinstance(records, list):
        raise InmetFormatError(f"expected a JSON list of records, got {type(records).__name__}")
    out = []
    for number, record in enumerate(records):
        if not isinstance(record, dict) or not all(record.get(k) for k in ("CD_ESTACAO", "DT_MEDICAO", "HR_MEDICAO")):
            raise InmetFormatError(f"record {number}: needs CD_ESTACAO, DT_MEDICAO and HR_MEDICAO")
        try:
            instant = _instant(str(record["DT_MEDICAO"]), str(record["HR_MEDICAO"]).zfill(4))
        except ValueError:
            raise InmetFormatError(
                f"record {number}: bad date/hour {record['DT_MEDICAO']} {record['HR_MEDICAO']}"
            ) from None
        values = {name: _number(str(record.get(key) or "")) for name, key in API_FIELDS.items()}
        out.append(Observacao(str(record["CD_ESTACAO"]).strip(), instant, values))
    return out
