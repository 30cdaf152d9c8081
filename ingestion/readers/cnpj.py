"""Receita Federal's CNPJ open data ("Dados Abertos CNPJ"), read in place from the published zips.

A monthly release is a folder of zips: `Estabelecimentos0..9.zip`, `Empresas0..9.zip`, `Simples.zip`
and lookups (`Cnaes.zip`, `Municipios.zip`...). Each zip holds one member named like
`K3241.K03200Y0.D51108.ESTABELE` (`.EMPRECSV`, `F.K03200$W.SIMPLES.CSV.D51108`): `;`-separated, every
field double-quoted, no header, ISO-8859-1 (a UTF-8 or UTF-16 BOM is honoured), CRLF.

Rows come out as tuples of PostgreSQL text input (`'2016-11-25'`, `'t'`, `'{4930202,7711000}'`,
`'10000.00'`) or None, in the column order of the matching table (`*_COLUMNS`), ready for COPY.
Quirks handled: dates `''`, `'0'`, `'00000000'` or impossible → null; decimal-comma capital; 7-digit
CEPs left-padded; CNAEs that lost their leading zero padded; stray quotes inside a field kept; NUL
bytes dropped; TOM municipality codes → IBGE through the table the caller passes. A line with another
number of fields, or a key that is not a CNPJ, fails with file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .tabular import Member, ReaderError, lines, split_quoted

Kind = Literal["estabelecimentos", "empresas", "simples"]
Row = tuple[str | None, ...]

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
ATIVA = "02"
MAX_CAPITAL = 10**16  # numeric(18,2)

_KIND_PATTERNS: tuple[tuple[re.Pattern[str], Kind], ...] = (
    (re.compile(r"ESTABELE|^Estabelecimentos", re.IGNORECASE), "estabelecimentos"),
    (re.compile(r"EMPRECSV|^Empresas", re.IGNORECASE), "empresas"),
    (re.compile(r"SIMPLES", re.IGNORECASE), "simples"),
)
_MEMBER_DATE = re.compile(r"\.D(\d)(\d{2})(\d{2})(?:\.|$)")
_BASICO = re.compile(r"[0-9A-Z]{8}")
_CNPJ = re.compile(r"[0-9A-Z]{12}[0-9]{2}")
_DIGITS = re.compile(r"[0-9]+")


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


@dataclass
class Stats:
    """What a file read gave: lines read, rows kept, and the quirks fixed on the way."""

    linhas: int = 0
    linhas_mantidas: int = 0
    fixes: dict[str, int] = field(default_factory=dict)

    def fix(self, what: str) -> None:
        self.fixes[what] = self.fixes.get(what, 0) + 1


class _Dates:
    """Receita's `AAAAMMDD` dates → ISO, cached (a release has a few thousand distinct days)."""

    def __init__(self, stats: Stats) -> None:
        self.cache: dict[str, str | None] = {"": None, "0": None, "00000000": None}
        self.stats = stats

    def __call__(self, value: str) -> str | None:
        try:
            return self.cache[value]
        except KeyError:
            pass
        iso: str | None = None
        if len(value) == 8 and value.isdigit():
            try:
                parsed = date(int(value[:4]), int(value[4:6]), int(value[6:]))
                iso = parsed.isoformat() if parsed.year >= 1800 else None
            except ValueError:
                iso = None
        if iso is None:
            self.stats.fix("data_invalida")
        if len(self.cache) < 100_000:
            self.cache[value] = iso
        return iso


def _fields(
    member: Member, kind: Kind, stats: Stats, *, somente_ativos: bool = False
) -> Iterator[tuple[int, list[str]]]:
    count = FIELDS[kind]
    separators = count - 1
    for number, line in lines(member, encoding="latin-1"):
        stats.linhas += 1
        if not line:
            continue
        # Most establishments are not active: a count and a split of the first fields tell, before the
        # whole line is split (the layout is still checked on every line).
        if somente_ativos and line[0] == '"' and line.count('";"') == separators:
            if line.split('";"', 6)[5] not in (ATIVA, "2"):
                continue
        fields = split_quoted(line)
        if len(fields) != count:
            raise ReaderError(
                f"{member.label}, linha {number}: {len(fields)} campos, o layout de {kind} da Receita tem {count}"
            )
        yield number, fields


def _cnae(value: str) -> str | None:
    value = value.strip()
    if not value or not value.isdigit() or len(value) > 7:
        return None
    return value.zfill(7)


def estabelecimentos(
    member: Member, *, tom_ibge: Mapping[str, str], stats: Stats | None = None, somente_ativos: bool = True
) -> Iterator[Row]:
    """Establishments of one `ESTABELE` file (active ones only unless told otherwise), as
    ESTABELECIMENTO_COLUMNS rows. `tom_ibge` maps Receita's 4-digit TOM codes to 7-digit IBGE codes."""
    stats = stats if stats is not None else Stats()
    dates = _Dates(stats)
    for number, f in _fields(member, "estabelecimentos", stats, somente_ativos=somente_ativos):
        situacao = f[5].strip()
        if somente_ativos and situacao not in (ATIVA, "2"):
            continue
        cnpj = f"{f[0]}{f[1]}{f[2]}".strip()
        if not _CNPJ.fullmatch(cnpj) or not situacao.isdigit():
            raise ReaderError(f"{member.label}, linha {number}: CNPJ {cnpj!r} ou situação {situacao!r} inválidos")
        cnae = _cnae(f[11])
        if cnae is None:
            raise ReaderError(f"{member.label}, linha {number}: CNAE principal {f[11]!r} inválido")
        secundarias = [c for c in (_cnae(s) for s in f[12].split(",")) if c] if f[12] else []
        cep = f[18].strip()
        if cep:
            if not cep.isdigit() or len(cep) > 8:
                stats.fix("cep_invalido")
                cep = ""
            elif len(cep) < 8:
                stats.fix("cep_completado")
                cep = cep.zfill(8)
        tom = f[20].strip().zfill(4)
        ibge = tom_ibge.get(tom)
        if ibge is None:
            stats.fix("municipio_sem_ibge")
        stats.linhas_mantidas += 1
        yield (
            cnpj,
            cnpj[:8],
            "t" if f[3].strip() == "1" else "f",
            f[4].strip(),
            situacao,
            dates(f[6].strip()),
            dates(f[10].strip()),
            cnae,
            "{" + ",".join(secundarias) + "}",
            f[13].strip(),
            f[14].strip(),
            f[15].strip(),
            f[16].strip(),
            f[17].strip(),
            cep or None,
            f[19].strip(),
            tom,
            ibge,
            (f[21] + f[22]).strip(),
            (f[23] + f[24]).strip(),
            f[27].strip(),
        )


def _small(value: str) -> str | None:
    """A code of up to four digits as written (`'0050'`: PostgreSQL reads it as 50), or null."""
    return value if value.isdigit() and len(value) <= 4 else None


def _capital(value: str, stats: Stats) -> str | None:
    """`'10000,00'` (or `'1.234,56'`) → `'10000.00'`; negative or beyond numeric(18,2) → null."""
    value = value.strip()
    if not value:
        return None
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    try:
        amount = float(value)
    except ValueError:
        stats.fix("capital_invalido")
        return None
    if not 0 <= amount < MAX_CAPITAL:
        stats.fix("capital_fora_da_faixa")
        return None
    return value


def empresas(member: Member, *, stats: Stats | None = None) -> Iterator[Row]:
    """Companies of one `EMPRECSV` file, as EMPRESA_COLUMNS rows."""
    stats = stats if stats is not None else Stats()
    for number, f in _fields(member, "empresas", stats):
        basico = f[0].strip()
        if not _BASICO.fullmatch(basico):
            raise ReaderError(f"{member.label}, linha {number}: CNPJ básico {basico!r} inválido")
        porte = f[5].strip()
        stats.linhas_mantidas += 1
        yield (
            basico,
            f[1].strip(),
            _small(f[2].strip()),
            _small(f[3].strip()),
            _capital(f[4], stats),
            porte if porte.isdigit() and len(porte) <= 2 else None,
            f[6].strip(),
        )


def _flag(value: str) -> str | None:
    value = value.strip().upper()
    return "t" if value == "S" else "f" if value == "N" else None


def simples(member: Member, *, stats: Stats | None = None) -> Iterator[Row]:
    """Simples Nacional / MEI options of one `SIMPLES` file, as SIMPLES_COLUMNS rows."""
    stats = stats if stats is not None else Stats()
    dates = _Dates(stats)
    for number, f in _fields(member, "simples", stats):
        basico = f[0].strip()
        if not _BASICO.fullmatch(basico):
            raise ReaderError(f"{member.label}, linha {number}: CNPJ básico {basico!r} inválido")
        stats.linhas_mantidas += 1
        yield (
            basico,
            _flag(f[1]),
            dates(f[2].strip()),
            dates(f[3].strip()),
            _flag(f[4]),
            dates(f[5].strip()),
            dates(f[6].strip()),
        )


def rows(member: Member, kind: Kind, *, tom_ibge: Mapping[str, str], stats: Stats) -> Iterator[Row]:
    """The rows of a data file of the given register."""
    if kind == "estabelecimentos":
        return estabelecimentos(member, tom_ibge=tom_ibge, stats=stats)
    if kind == "empresas":
        return empresas(member, stats=stats)
    return simples(member, stats=stats)


def columns(kind: Kind) -> tuple[str, ...]:
    return {"estabelecimentos": ESTABELECIMENTO_COLUMNS, "empresas": EMPRESA_COLUMNS, "simples": SIMPLES_COLUMNS}[kind]


def digits(value: str) -> str:
    """Only the digits of a code (`'29.144.700/0001-04'` → `'29144700000104'`)."""
    return "".join(_DIGITS.findall(value))
