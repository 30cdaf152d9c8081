"""CCEE's open dataset "Parcela de carga – consumo" (every free-market consumer load, monthly), read
in place (a CSV, or a zip of CSVs): pure Python, no Django.

Layout: `;`-separated, a header row, no quotes, decimal point (a decimal comma is accepted too),
`MES_REFERENCIA` as `AAAAMM`, `DATA_MIGRACAO` as `dd/mm/aaaa`, `CNPJ_CARGA` 14 digits. The portal
exports UTF-8 (with or without BOM) or Latin-1. Rows come out as tuples of PostgreSQL text input in
the order of `COLUMNS` (the `ccee_carga` table's); municipalities are resolved from CIDADE + UF
through the name table the caller passes (`Municipios`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .tabular import Member, ReaderError, records

Row = tuple[str | None, ...]

COLUMNS = (
    "mes_referencia", "cod_perfil_agente", "sigla_perfil_agente", "nome_empresarial", "cod_parcela_carga",
    "sigla_parcela_carga", "cnpj", "cidade", "uf", "municipio_ibge", "ramo_atividade", "submercado",
    "data_migracao", "sigla_perfil_conectado", "capacidade_mw", "consumo_acl_mwh", "consumo_total_mwh",
)  # fmt: skip
REQUIRED = (
    "MES_REFERENCIA", "COD_PERF_AGENTE", "SIGLA_PERFIL_AGENTE", "NOME_EMPRESARIAL", "COD_PARCELA_CARGA",
    "SIGLA_PARCELA_CARGA", "CNPJ_CARGA", "CIDADE", "ESTADO_UF", "RAMO_ATIVIDADE", "SUBMERCADO", "DATA_MIGRACAO",
    "SIGLA_PERFIL_AGENTE_CONECTADO", "CAPACIDADE_CARGA", "CONSUMO_ACL", "CONSUMO_TOTAL",
)  # fmt: skip
KEY = ("mes_referencia", "cod_parcela_carga")
_MONTH = re.compile(r"(\d{4})-?(\d{2})")
_BR_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE]-?\d+)?")


def municipality_key(uf: str, name: str) -> tuple[str, str]:
    """(UF, name without accents, upper case, single spaces, no hyphens or apostrophes): how a city
    written by hand (`SERRANÓPOLIS`, `Alta Floresta D'Oeste`) meets the IBGE table's name."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[-'`´]", " ", plain.upper())
    return uf.strip().upper(), " ".join(plain.split())


class Municipios:
    """IBGE codes by (UF, name); a name not found exactly gets the closest name of its UF when that one is
    close enough (CCEE's cities are typed by hand: `ÁGUA LINDAS DE GOIÁS` for Águas Lindas de Goiás)."""

    def __init__(self, codes: Mapping[tuple[str, str], str], *, cutoff: float = 0.9) -> None:
        self.codes = {municipality_key(uf, name): code for (uf, name), code in codes.items()}
        self.by_uf: dict[str, list[str]] = {}
        for uf, name in self.codes:
            self.by_uf.setdefault(uf, []).append(name)
        self.cutoff = cutoff
        self.cache: dict[tuple[str, str], str | None] = {}

    def get(self, uf: str, name: str) -> str | None:
        key = municipality_key(uf, name)
        if key in self.codes:
            return self.codes[key]
        if key not in self.cache:
            close = difflib.get_close_matches(key[1], self.by_uf.get(key[0], []), n=1, cutoff=self.cutoff)
            self.cache[key] = self.codes[(key[0], close[0])] if close else None
        return self.cache[key]


@dataclass
class Stats:
    linhas: int = 0
    sem_municipio: set[tuple[str, str]] = field(default_factory=set)


def _number(value: str, label: str, number: int, column: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    if not _NUMBER.fullmatch(value):
        raise ReaderError(f"{label}, linha {number}: {column} {value!r} não é um número")
    return value


def _integer(value: str, label: str, number: int, column: str) -> str:
    if not value.isdigit():
        raise ReaderError(f"{label}, linha {number}: {column} {value!r} não é um código numérico")
    return str(int(value))


def cargas(member: Member, *, municipios: Municipios, stats: Stats | None = None) -> Iterator[Row]:
    """The load parcels of one CCEE file, as COLUMNS rows."""
    stats = stats if stats is not None else Stats()
    label = member.label
    for number, r in records(member, required=REQUIRED, layout="da CCEE (parcela de carga – consumo)"):
        month = _MONTH.fullmatch(r["MES_REFERENCIA"])
        if not month or not 1 <= int(month.group(2)) <= 12:
            raise ReaderError(f"{label}, linha {number}: MES_REFERENCIA {r['MES_REFERENCIA']!r} não é AAAAMM")
        migracao = None
        if r["DATA_MIGRACAO"]:
            day = _BR_DATE.fullmatch(r["DATA_MIGRACAO"][:10])
            if not day:
                raise ReaderError(f"{label}, linha {number}: DATA_MIGRACAO {r['DATA_MIGRACAO']!r} não é dd/mm/aaaa")
            migracao = f"{day.group(3)}-{day.group(2)}-{day.group(1)}"
        cnpj = re.sub(r"\D", "", r["CNPJ_CARGA"])
        if cnpj and len(cnpj) < 14:
            cnpj = cnpj.zfill(14)  # a spreadsheet round trip drops the leading zeros
        if cnpj and len(cnpj) != 14:
            raise ReaderError(f"{label}, linha {number}: CNPJ_CARGA {r['CNPJ_CARGA']!r} não tem 14 dígitos")
        cidade, uf = r["CIDADE"], r["ESTADO_UF"].upper()[:2]
        ibge = municipios.get(uf, cidade)
        if ibge is None and cidade:
            stats.sem_municipio.add((uf, cidade))
        stats.linhas += 1
        yield (
            f"{month.group(1)}-{month.group(2)}-01",
            _integer(r["COD_PERF_AGENTE"], label, number, "COD_PERF_AGENTE"),
            r["SIGLA_PERFIL_AGENTE"],
            r["NOME_EMPRESARIAL"],
            _integer(r["COD_PARCELA_CARGA"], label, number, "COD_PARCELA_CARGA"),
            r["SIGLA_PARCELA_CARGA"],
            cnpj or None,
            cidade,
            uf or None,
            ibge,
            r["RAMO_ATIVIDADE"],
            r["SUBMERCADO"],
            migracao,
            r["SIGLA_PERFIL_AGENTE_CONECTADO"],
            _number(r["CAPACIDADE_CARGA"], label, number, "CAPACIDADE_CARGA"),
            _number(r["CONSUMO_ACL"], label, number, "CONSUMO_ACL"),
            _number(r["CONSUMO_TOTAL"], label, number, "CONSUMO_TOTAL"),
        )
