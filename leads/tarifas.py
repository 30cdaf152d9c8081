"""ANEEL's "Tarifas de Aplicação" CSV (dataset tarifas-distribuidoras-energia-eletrica), read as
published (no Django).

The file: `;`-separated, every field quoted, decimal comma (zero as `",00"`), ISO dates, values in R$/MWh
(`DscUnidadeTerciaria` MWh) or R$/kW (kW); its encoding changes between releases (UTF-8 with or without
a BOM, UTF-16 with a BOM, or Windows-1252), so it is sniffed. About 300,000 rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

COLUMNS = {
    "SigAgente": "agente",
    "NumCNPJDistribuidora": "cnpj",
    "DscREH": "reh",
    "DatInicioVigencia": "inicio",
    "DatFimVigencia": "fim",
    "DscBaseTarifaria": "base",
    "DscSubGrupo": "subgrupo",
    "DscModalidadeTarifaria": "modalidade",
    "DscClasse": "classe",
    "DscSubClasse": "subclasse",
    "DscDetalhe": "detalhe",
    "NomPostoTarifario": "posto",
    "DscUnidadeTerciaria": "unidade",
    "SigAgenteAcessante": "acessante",
    "VlrTUSD": "tusd",
    "VlrTE": "te",
}
KEY = ("agente", "inicio", "base", "subgrupo", "modalidade", "classe", "subclasse", "detalhe", "posto", "unidade",
       "acessante")  # fmt: skip
FIELDS = (*KEY, "cnpj", "reh", "fim", "tusd", "te")


class TarifaError(ValueError):
    """The file is not the dataset or a line is wrong; the message names the file and the line."""


@dataclass(frozen=True)
class Linha:
    agente: str
    inicio: date
    base: str
    subgrupo: str
    modalidade: str
    classe: str
    subclasse: str
    detalhe: str
    posto: str
    unidade: str
    acessante: str
    cnpj: str
    reh: str
    fim: date | None
    tusd: float
    te: float

    def row(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in FIELDS)


def decode(raw: bytes, name: str) -> str:
    """The text of the file: BOMs first, then UTF-8, then Windows-1252 (what ANEEL's releases use)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise TarifaError(f"{name}: not UTF-8, UTF-16 nor Windows-1252 text") from exc


def number(text: str) -> float:
    """'1.234,56' → 1234.56, ',00' → 0.0 (the dataset's decimal comma)."""
    cleaned = text.strip().replace(".", "").replace(",", ".")
    if not re.fullmatch(r"-?\d*\.?\d+", cleaned):
        raise ValueError(f"{text!r} is not a number")
    return float(cleaned)


def optional_day(text: str) -> date | None:
    return day(text) if text.strip() else None


def day(text: str) -> date:
    text = text.strip()
    if re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):
        d, m, y = text.split("/")
        text = f"{y}-{m}-{d}"
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def read(path: Path) -> Iterator[Linha]:
    """The rows of a tariff file; TarifaError names the file and line of the first bad one."""
    text = decode(path.read_bytes(), path.name)
    reader = csv.reader(io.StringIO(text.replace("\x00", "")), delimiter=";", quotechar='"')
    header = next(reader, None)
    if header is None:
        raise TarifaError(f"{path.name}: empty file")
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise TarifaError(f"{path.name}: not ANEEL's tariff dataset (missing columns {', '.join(missing)})")
    index = {COLUMNS[c]: header.index(c) for c in COLUMNS}
    for number_, fields in enumerate(reader, start=2):
        if not fields or fields == [""]:
            continue
        if len(fields) != len(header):
            raise TarifaError(f"{path.name}:{number_}: {len(fields)} fields, the header has {len(header)}")
        value = {name: fields[i].strip() for name, i in index.items()}
        try:
            yield Linha(
                agente=value["agente"], inicio=day(value["inicio"]), base=value["base"], subgrupo=value["subgrupo"],
                modalidade=value["modalidade"], classe=value["classe"], subclasse=value["subclasse"],
                detalhe=value["detalhe"], posto=value["posto"], unidade=value["unidade"],
                acessante=value["acessante"], cnpj=re.sub(r"\D", "", value["cnpj"]), reh=value["reh"][:200],
                fim=optional_day(value["fim"]), tusd=number(value["tusd"]), te=number(value["te"]),
            )  # fmt: skip
        except ValueError as exc:
            raise TarifaError(f"{path.name}:{number_}: {exc}") from None
