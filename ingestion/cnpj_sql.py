"""Receita's CNPJ files parsed by PostgreSQL: each data file's raw lines are COPYed into a staging
table, then split, checked, typed and filtered into the new table by one INSERT … SELECT; a bad line
stops it, and one query names the file's first bad line.

Python only moves bytes: the zip member is streamed as it is (Latin-1, or UTF-8 after a UTF-8 BOM;
UTF-16 is transcoded), without NUL bytes and carriage returns, as one column per line (CSV with a
quote and a delimiter that never occur, so nothing in a line is interpreted). A line is split where
Receita's layout separates fields, on `";"` (a stray quote or a `;` inside a field stays in it; a
line not quoted throughout is split on `;`). The quirks `ingestion.readers.cnpj` describes are
handled in SQL the same way: dates `''`, `'0'`, `'00000000'` or impossible → null (a table of the
valid days), decimal-comma capital, 7-digit CEPs padded, CNAEs that lost their leading zero padded,
TOM municipality codes → IBGE.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from typing import Any, cast

import psycopg
from psycopg import sql

from .readers import cnpj as reader
from .readers.tabular import BOMS, Member, ReaderError, binary

CHUNK = 1 << 20
STAGE = "cnpj_linha"
_DROPPED = b"\x00\x01\x02\r"  # NUL bytes (Receita's files have some), the COPY's own quote and delimiter
_CONTEXT_LINE = re.compile(r"line (\d+)")

# Setup of the import's connection: the staging table and the lookups the typed SELECTs join.
SETUP = (
    f"CREATE TEMP TABLE {STAGE} (n bigint GENERATED ALWAYS AS IDENTITY, linha text) ON COMMIT DROP",
    # Every valid day a Receita date can name (`AAAAMMDD`, from 1800 as the reader had it).
    "CREATE TEMP TABLE cnpj_dia ON COMMIT DROP AS SELECT to_char(d, 'YYYYMMDD') AS t, d::date AS d "
    "FROM generate_series('1800-01-01'::date, '2199-12-31'::date, interval '1 day') d",
    "CREATE TEMP TABLE cnpj_tom ON COMMIT DROP AS SELECT DISTINCT ON (cod_tom) cod_tom AS tom, cod_ibge "
    "FROM intel_lead.municipio WHERE cod_tom <> '' ORDER BY cod_tom, cod_ibge",
    "ANALYZE cnpj_dia",
    "ANALYZE cnpj_tom",
)

# A line's fields (`f`), split once (OFFSET 0 keeps the planner from splitting per field reference).
_FIELDS = f"""
    SELECT n, CASE WHEN length(linha) >= 2 AND left(linha, 1) = '"' AND right(linha, 1) = '"'
                   THEN string_to_array(substr(linha, 2, length(linha) - 2), '";"')
                   ELSE ARRAY(SELECT CASE WHEN length(x) >= 2 AND left(x, 1) = '"' AND right(x, 1) = '"'
                                          THEN substr(x, 2, length(x) - 2) ELSE x END
                              FROM unnest(string_to_array(linha, ';')) WITH ORDINALITY AS u(x, o) ORDER BY o)
              END AS f
    FROM {STAGE} WHERE linha <> '' OFFSET 0"""

_ATIVO = "trim(f[6]) IN ('02', '2')"
_CNPJ = "trim(f[1] || f[2] || f[3])"

# What makes a line bad: another number of fields than the layout's, a key that is not a CNPJ, an
# establishment's primary CNAE that is not one (only active establishments are typed, and checked).
_BAD: dict[reader.Kind, str] = {
    "estabelecimentos": f"""cardinality(f) <> 30 OR ({_ATIVO} AND ({_CNPJ} !~ '^[0-9A-Z]{{12}}[0-9]{{2}}$'
                                                         OR trim(f[12]) !~ '^[0-9]{{1,7}}$'))""",
    "empresas": "cardinality(f) <> 7 OR trim(f[1]) !~ '^[0-9A-Z]{8}$'",
    "simples": "cardinality(f) <> 7 OR trim(f[1]) !~ '^[0-9A-Z]{8}$'",
}
# The first bad line: its number and what the message shows.
_SHOWN: dict[reader.Kind, str] = {
    "estabelecimentos": f"n::text, cardinality(f)::text, {_CNPJ}, trim(f[6]), f[12]",
    "empresas": "n::text, cardinality(f)::text, trim(f[1])",
    "simples": "n::text, cardinality(f)::text, trim(f[1])",
}
CHECKS = {
    kind: f"SELECT (SELECT ARRAY[{_SHOWN[kind]}] FROM ({_FIELDS}) p WHERE {bad} ORDER BY n LIMIT 1)"
    for kind, bad in _BAD.items()
}


def _kept(kind: reader.Kind) -> str:
    """The lines typed: a bad one stops the statement (`cnpj_linha_invalida`), else active ones (for
    establishments) or all."""
    keep = _ATIVO if kind == "estabelecimentos" else "true"
    return f"CASE WHEN {_BAD[kind]} THEN intel_lead.cnpj_linha_invalida(n) ELSE {keep} END"


def _small(field: str, digits: int) -> str:
    return f"CASE WHEN trim({field}) ~ '^[0-9]{{1,{digits}}}$' THEN trim({field})::smallint END"


def _flag(field: str) -> str:
    return f"CASE upper(trim({field})) WHEN 'S' THEN true WHEN 'N' THEN false END"


def _days(fields: dict[str, str]) -> str:
    """Hash joins to the valid days, one per date field (alias → field)."""
    return "".join(f" LEFT JOIN cnpj_dia {alias} ON {alias}.t = trim({field})" for alias, field in fields.items())


_CAPITAL = "CASE WHEN strpos(x, ',') > 0 THEN replace(replace(x, '.', ''), ',', '.') ELSE x END"

SELECTS: dict[reader.Kind, str] = {
    "estabelecimentos": f"""
        SELECT p.cnpj, left(p.cnpj, 8), trim(f[4]) = '1', trim(f[5]), trim(f[6])::smallint, d7.d, d11.d,
               lpad(trim(f[12]), 7, '0'),
               CASE WHEN f[13] = '' THEN '{{}}'::text[]
                    WHEN f[13] ~ '^[0-9]{{7}}(,[0-9]{{7}})*$' THEN string_to_array(f[13], ',')
                    ELSE ARRAY(SELECT lpad(trim(c), 7, '0') FROM unnest(string_to_array(f[13], ','))
                               WITH ORDINALITY AS s(c, o) WHERE trim(c) ~ '^[0-9]{{1,7}}$' ORDER BY o) END,
               trim(f[14]), trim(f[15]), trim(f[16]), trim(f[17]), trim(f[18]),
               CASE WHEN trim(f[19]) ~ '^[0-9]{{1,8}}$' THEN lpad(trim(f[19]), 8, '0') END, trim(f[20]), p.tom,
               m.cod_ibge, trim(f[22] || f[23]), trim(f[24] || f[25]), trim(f[28])
        FROM (SELECT f, {_CNPJ} AS cnpj,
                     CASE WHEN length(trim(f[21])) < 4 THEN lpad(trim(f[21]), 4, '0') ELSE trim(f[21]) END AS tom
              FROM ({_FIELDS}) q WHERE {_kept("estabelecimentos")} OFFSET 0) p
        LEFT JOIN cnpj_tom m ON m.tom = p.tom {_days({"d7": "f[7]", "d11": "f[11]"})}""",
    "empresas": f"""
        SELECT trim(f[1]), trim(f[2]), {_small("f[3]", 4)}, {_small("f[4]", 4)},
               CASE WHEN {_CAPITAL} ~ '^[0-9]+([.][0-9]*)?$' AND ({_CAPITAL})::numeric < {reader.MAX_CAPITAL}
                    THEN ({_CAPITAL})::numeric END,
               {_small("f[6]", 2)}, trim(f[7])
        FROM (SELECT f, trim(f[5]) AS x FROM ({_FIELDS}) q WHERE {_kept("empresas")} OFFSET 0) p""",
    "simples": f"""
        SELECT trim(f[1]), {_flag("f[2]")}, d3.d, d4.d, {_flag("f[5]")}, d6.d, d7.d
        FROM (SELECT f FROM ({_FIELDS}) q WHERE {_kept("simples")} OFFSET 0) p
        {_days({"d3": "f[3]", "d4": "f[4]", "d6": "f[6]", "d7": "f[7]"})}""",
}


def _encoding(head: bytes) -> tuple[str, str | None, int]:
    """From a file's first bytes: the COPY's encoding, the codec that transcodes it to UTF-8 here (for
    UTF-16, which PostgreSQL does not read) or None, and the byte-order mark's length."""
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return "UTF8", (None if encoding == "utf-8" else encoding), len(bom)
    return "LATIN1", None, 0


def stage(cur: psycopg.Cursor[Any], member: Member, progress: Callable[[int], None] | None = None) -> int:
    """COPY a data file's lines into the staging table (emptied first); returns the lines read.

    A damaged zip raises ReaderError naming the line reached; so does text that is not in the
    encoding its BOM announces."""
    cur.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(sql.Identifier(STAGE)))
    lines, encoding = 0, "LATIN1"
    try:
        with binary(member) as raw:
            buffered = cast(io.BufferedReader, raw)
            encoding, codec, skip = _encoding(buffered.peek(4)[:4])
            buffered.read(skip)
            decoder = codecs.getincrementaldecoder(codec)() if codec else None
            statement = sql.SQL(
                "COPY {} (linha) FROM STDIN WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01', ENCODING {})"
            ).format(sql.Identifier(STAGE), sql.Literal(encoding))
            with cur.copy(statement) as copy:
                while chunk := buffered.read(CHUNK):
                    if decoder is not None:
                        chunk = decoder.decode(chunk).encode("utf-8")
                    copy.write(chunk.translate(None, _DROPPED))
                    lines += chunk.count(b"\n")
                    if progress:
                        progress(lines)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ReaderError(
            f"{member.label}, linha {lines + 1}: zip truncado ou danificado ({exc or type(exc).__name__})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ReaderError(f"{member.label}, linha {lines + 1}: não é texto {exc.encoding} ({exc.reason})") from exc
    except (psycopg.errors.CharacterNotInRepertoire, psycopg.errors.UntranslatableCharacter) as exc:
        found = _CONTEXT_LINE.search(exc.diag.context or "")
        where = f"linha {found.group(1)}" if found else f"linha {lines + 1}"
        raise ReaderError(f"{member.label}, {where}: não é texto {encoding} ({exc.diag.message_primary})") from exc
    return int(cur.rowcount)


def check(cur: psycopg.Cursor[Any], kind: reader.Kind, member: Member) -> None:
    """Raise ReaderError naming the staged file's first bad line (see `_BAD`), if it has one."""
    cur.execute(CHECKS[kind])
    row = cur.fetchone()
    bad = row[0] if row else None
    if bad is None:
        return
    where = f"{member.label}, linha {bad[0]}"
    if int(bad[1]) != reader.FIELDS[kind]:
        raise ReaderError(f"{where}: {bad[1]} campos, o layout de {kind} da Receita tem {reader.FIELDS[kind]}")
    if kind != "estabelecimentos":
        raise ReaderError(f"{where}: CNPJ básico {bad[2]!r} inválido")
    if not re.fullmatch(r"[0-9A-Z]{12}[0-9]{2}", bad[2]):
        raise ReaderError(f"{where}: CNPJ {bad[2]!r} ou situação {bad[3]!r} inválidos")
    raise ReaderError(f"{where}: CNAE principal {bad[4]!r} inválido")


def insert(cur: psycopg.Cursor[Any], kind: reader.Kind, member: Member, table: str, schema: str) -> int:
    """Split, type and filter the staged lines of `member` into `table`; returns the rows written.

    A bad line stops the statement: its effects are undone and ReaderError names the file's first."""
    statement = sql.SQL("INSERT INTO {} ({}) ").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, reader.columns(kind)))
    ) + sql.SQL(SELECTS[kind])
    cur.execute("SAVEPOINT linhas")
    try:
        cur.execute(statement)
        written = int(cur.rowcount)
    except psycopg.errors.RaiseException:
        cur.execute("ROLLBACK TO SAVEPOINT linhas")
        check(cur, kind, member)
        raise
    cur.execute("RELEASE SAVEPOINT linhas")
    return written
