"""Receita Federal's CNPJ open data ("Dados Abertos CNPJ"): the files of a release and their layout.

A monthly release is a folder of zips: `Estabelecimentos0..9.zip`, `Empresas0..9.zip`, `Simples.zip`
and lookups (`Cnaes.zip`, `Municipios.zip`...). Each zip holds one member named like
`K3241.K03200Y0.D51108.ESTABELE` (`.EMPRECSV`, `F.K03200$W.SIMPLES.CSV.D51108`): `;`-separated, every
field double-quoted, no header, ISO-8859-1 (a UTF-8 or UTF-16 BOM is honoured), CRLF.

PostgreSQL parses the lines (`ingestion.cnpj_sql`); here are which register a file holds, the month
its name carries, how many fields its layout has and the columns of the table each register fills.
Quirks the typing handles: dates `''`, `'0'`, `'00000000'` or impossible → null; decimal-comma
capital; 7-digit CEPs left-padded; CNAEs that lost their leading zero padded; stray quotes inside a
field kept; NUL bytes dropped; TOM municipality codes → IBGE. A line with another number of fields,
or a key that is not a CNPJ, fails with file and line.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from .tabular import Member

Kind = Literal["estabelecimentos", "empresas", "simples"]

ESTABELECIMENTO_COLUMNS = (
    "cnpj", "cnpj_basico", "matriz", "nome_fantasia", "situacao", "data_situacao", "data_inicio",
    "cnae_principal", "cnae_secundarias", "tipo_logradouro", "logradouro", "numero", "complemento", "bairro",
    "cep", "uf", "municipio_tom", "municipio_ibge", "telefone1", "telefone2", "email",
)  # fmt: skip
EMPRESA_COLUMNS = (
    "cnpj_basico", "razao_social", "natureza_juridica", "qualificacao_responsavel", "capital_social", "porte",
    "ente_federativo",
)  # fmt: skip
SIMPLES_COLUMNS = (
    "cnpj_basico", "opcao_simples", "data_opcao_simples", "data_exclusao_simples", "opcao_mei", "data_opcao_mei",
    "data_exclusao_mei",
)  # fmt: skip
FIELDS: dict[Kind, int] = {"estabelecimentos": 30, "empresas": 7, "simples": 7}
MAX_CAPITAL = 10**16  # numeric(18,2)

_KIND_PATTERNS: tuple[tuple[re.Pattern[str], Kind], ...] = (
    (re.compile(r"ESTABELE|^Estabelecimentos", re.IGNORECASE), "estabelecimentos"),
    (re.compile(r"EMPRECSV|^Empresas", re.IGNORECASE), "empresas"),
    (re.compile(r"SIMPLES", re.IGNORECASE), "simples"),
)
_MEMBER_DATE = re.compile(r"\.D(\d)(\d{2})(\d{2})(?:\.|$)")


def kind_of(member: Member) -> Kind | None:
    """Which register a data file holds, from its member name (or the zip's name); None for lookups
    and partners (`Cnaes`, `Municipios`, `Socios`...), which the platform does not load."""
    for candidate in (member.name or "", member.path.name):
        base = candidate.rsplit("/", 1)[-1]
        for pattern, kind in _KIND_PATTERNS:
            if pattern.search(base):
                return kind
    return None


def member_month(member: Member, *, today: date | None = None) -> date | None:
    """The release month a member's name carries (`D51108` → 2025-11-01: one digit of the year, the
    latest year not after today's that ends in it), or None."""
    match = _MEMBER_DATE.search(member.name or member.path.name)
    if not match:
        return None
    digit, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    current = (today or date.today()).year
    year = current - ((current - digit) % 10)
    return date(year, month, 1)


def columns(kind: Kind) -> tuple[str, ...]:
    return {"estabelecimentos": ESTABELECIMENTO_COLUMNS, "empresas": EMPRESA_COLUMNS, "simples": SIMPLES_COLUMNS}[kind]
