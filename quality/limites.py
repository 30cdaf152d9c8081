"""ANEEL's open dataset of continuity limits per set of consumer units ("Limites de DEC e FEC" of the
indicadores-coletivos-de-continuidade-dec-e-fec package), read as published (no Django).

The file: `;`-separated, decimal comma, one row per agent, set, indicator and year: `SigAgente`,
`NumCNPJ`, `IdeConjUndConsumidoras` (the set's code, the BDGD's `CONJ`), `DscConjUndConsumidoras`,
`SigIndicador` (DEC, FEC; DIC and FIC where a release carries them), `AnoLimiteQualidade`, `VlrLimite`
(the yearly limit). Other indicators (DMIC, DICRI...) are skipped; encodings as the tariff dataset's.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from leads.filters import fold
from leads.tarifas import TarifaError, decode, number

COLUMNS = ("SigAgente", "IdeConjUndConsumidoras", "DscConjUndConsumidoras", "SigIndicador", "AnoLimiteQualidade",
           "VlrLimite")  # fmt: skip
INDICADORES = ("DEC", "FEC", "DIC", "FIC")


class LimiteError(ValueError):
    """The file is not the dataset or a line is wrong; the message names the file and the line."""


@dataclass(frozen=True)
class Limite:
    agente: str
    conj: int
    conjunto_nome: str
    indicador: str
    ano: int
    valor: float


def agent_key(name: str) -> str:
    """How an agent's name is matched to a distributor's: case, accents, spaces and punctuation aside."""
    return re.sub(r"[^a-z0-9]", "", fold(name))


def read(path: Path) -> list[Limite]:
    """The limits of DEC, FEC, DIC and FIC in the file; LimiteError names the file and line of a bad one."""
    try:
        text = decode(path.read_bytes(), path.name)
    except TarifaError as exc:
        raise LimiteError(str(exc)) from None
    reader = csv.reader(io.StringIO(text.replace("\x00", "")), delimiter=";", quotechar='"')
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise LimiteError(f"{path.name}: arquivo vazio")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise LimiteError(
            f"{path.name}: não é o conjunto de dados de limites de continuidade da ANEEL (faltam as colunas "
            f"{', '.join(missing)})"
        )
    index = {c: header.index(c) for c in COLUMNS}
    out = []
    for line, fields in enumerate(reader, start=2):
        if not fields or fields == [""]:
            continue
        if len(fields) != len(header):
            raise LimiteError(f"{path.name}:{line}: {len(fields)} campos, o cabeçalho tem {len(header)}")
        value = {c: fields[i].strip() for c, i in index.items()}
        indicador = value["SigIndicador"].upper()
        if indicador not in INDICADORES:
            continue
        try:
            if not re.fullmatch(r"\d+", value["IdeConjUndConsumidoras"]):
                raise ValueError(f"conjunto {value['IdeConjUndConsumidoras']!r} não é um código numérico")
            if not re.fullmatch(r"(19|20)\d\d", value["AnoLimiteQualidade"]):
                raise ValueError(f"ano {value['AnoLimiteQualidade']!r} não é um ano")
            limite = number(value["VlrLimite"])
            if limite < 0:
                raise ValueError(f"limite negativo {value['VlrLimite']!r}")
        except ValueError as exc:
            raise LimiteError(f"{path.name}:{line}: {exc}") from None
        out.append(Limite(agente=value["SigAgente"], conj=int(value["IdeConjUndConsumidoras"]),
                          conjunto_nome=value["DscConjUndConsumidoras"][:200], indicador=indicador,
                          ano=int(value["AnoLimiteQualidade"]), valor=limite))  # fmt: skip
    return out
