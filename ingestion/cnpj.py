"""Receita's CNPJ open data into intel_lead: one monthly release at a time, swapped in atomically.

A release is loaded on a connection of its own, in one transaction: new tables beside the live ones
(`cnpj_estabelecimento_novo` ...) are filled by PostgreSQL from each file's raw lines, streamed from the
zip by COPY (`ingestion.cnpj_sql`), indexed like the live ones and analysed; then, with a short lock
timeout (retried), the live tables are renamed away, the new ones renamed in and the release marked
`ativa` (and, after the commit, vacuumed). Readers see the previous release or the new one,
never a mix; a failure anywhere rolls the transaction back, so the previous release stays active and
nothing is half-loaded. The `cnpj_release` row is written on Django's connection (autocommit), so an
import in progress or failed is visible while the data transaction runs or after it rolled back.

Dependent views over these tables would follow the renamed tables and block the swap: read them
directly (or through functions) instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.utils import timezone
from psycopg import sql
from psycopg.types.json import Jsonb

from leads.models import CnpjRelease, StatusRelease
from youon.lib.db import own_connection

from . import cnpj_sql, downloads
from .readers import cnpj as reader
from .readers.tabular import Member, ReaderError, members

logger = logging.getLogger(__name__)

SCHEMA = "intel_lead"
TABLES: dict[reader.Kind, str] = {
    "estabelecimentos": "cnpj_estabelecimento",
    "empresas": "cnpj_empresa",
    "simples": "cnpj_simples",
}
LOCK_KEY = 0x434E504A  # "CNPJ": one release import at a time
_MONTH_FOLDER = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?!\d)")

Progress = Callable[[str, int], None]


class CnpjImportError(Exception):
    """A release that cannot be imported; the message is the one line the operator sees."""


@dataclass
class Release:
    """The data files of one release, classified, with the month they are for."""

    referencia: date
    arquivos: dict[reader.Kind, list[Member]]
    origem: str

    @property
    def assinatura(self) -> str:
        """Names, sizes and CRC-32s of the data files: the same files give the same signature."""
        digest = hashlib.sha256()
        for kind in sorted(self.arquivos):
            for member in sorted(self.arquivos[kind], key=lambda m: m.label):
                digest.update(f"{kind}|{member.label}|{member.size}|{member.crc}\n".encode())
        return digest.hexdigest()


@dataclass
class ImportResult:
    release: CnpjRelease
    skipped: bool
    linhas: dict[str, int] = field(default_factory=dict)
    segundos: float = 0.0
    etapas: dict[str, float] = field(default_factory=dict)


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".zip", ".csv")))
        elif path.exists():
            files.append(path)
        else:
            raise CnpjImportError(f"{path}: arquivo ou pasta não encontrado")
    return files


def release_from_paths(paths: Sequence[str | Path], *, referencia: date | None = None) -> Release:
    """Classify the files of a release (folders are listed; lookups and partners are left out) and find
    its month: given, else a `YYYY-MM` folder in the paths, else the date in the members' names."""
    files: dict[reader.Kind, list[Member]] = {"estabelecimentos": [], "empresas": [], "simples": []}
    try:
        for path in _expand(paths):
            for member in members(path):
                kind = reader.kind_of(member)
                if kind is not None:
                    files[kind].append(member)
    except ReaderError as exc:
        raise CnpjImportError(str(exc)) from exc
    missing = [kind for kind, found in files.items() if not found]
    if missing:
        raise CnpjImportError(f"release incompleta: faltam os arquivos de {', '.join(missing)} em {list(paths)}")
    if referencia is None:
        for raw in paths:
            match = _MONTH_FOLDER.search(str(Path(raw).resolve()))
            if match:
                referencia = date(int(match.group(1)), int(match.group(2)), 1)
    if referencia is None:
        months = {m for found in files.values() for m in map(reader.member_month, found) if m}
        if len(months) == 1:
            referencia = months.pop()
        else:
            raise CnpjImportError(
                "mês da release desconhecido: informe --referencia AAAA-MM "
                f"(nomes dos arquivos indicam {sorted(months) or 'nenhum'})"
            )
    return Release(referencia.replace(day=1), files, ", ".join(str(p) for p in paths))


def _copy(
    cur: psycopg.Cursor[Any],
    table: str,
    kind: reader.Kind,
    files: list[Member],
    progress: Progress | None,
) -> int:
    """Each data file staged, checked and typed into `table` by PostgreSQL (`ingestion.cnpj_sql`)."""
    total = 0
    for member in files:

        def reached(lines: int, label: str = member.label) -> None:
            if progress:
                progress(label, lines)

        cnpj_sql.stage(cur, member, reached)
        total += cnpj_sql.insert(cur, kind, member, table, SCHEMA)
    return total


def _indexes(cur: psycopg.Cursor[Any], table: str) -> list[tuple[str, str, bool]]:
    """(name, definition, is primary key) of the live table's indexes."""
    cur.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisprimary FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass ORDER BY c.relname",
        [f"{SCHEMA}.{table}"],
    )
    return [(name, definition, primary) for name, definition, primary in cur.fetchall()]


def _build(cur: psycopg.Cursor[Any], table: str) -> None:
    """Index the new table as the live one is indexed (names suffixed `_novo` until the swap)."""
    for name, definition, primary in _indexes(cur, table):
        new = definition.replace(f"INDEX {name} ON", f"INDEX {name}_novo ON", 1).replace(
            f" ON {SCHEMA}.{table} ", f" ON {SCHEMA}.{table}_novo ", 1
        )
        cur.execute(new)
        if primary:
            cur.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}").format(
                    sql.Identifier(SCHEMA, f"{table}_novo"),
                    sql.Identifier(f"{name}_novo"),
                    sql.Identifier(f"{name}_novo"),
                )
            )
    cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(SCHEMA, f"{table}_novo")))


def _swap_tables(cur: psycopg.Cursor[Any]) -> None:
    for table in TABLES.values():
        names = [name for name, _, _ in _indexes(cur, table)]
        cur.execute(
            sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                sql.Identifier(SCHEMA, table), sql.Identifier(f"{table}_antiga")
            )
        )
        for name in names:
            cur.execute(
                sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                    sql.Identifier(SCHEMA, name), sql.Identifier(f"{name}_antigo")
                )
            )
        cur.execute(
            sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                sql.Identifier(SCHEMA, f"{table}_novo"), sql.Identifier(table)
            )
        )
        for name in names:
            cur.execute(
                sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                    sql.Identifier(SCHEMA, f"{name}_novo"), sql.Identifier(name)
                )
            )
        cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(SCHEMA, f"{table}_antiga")))


def _swap(cur: psycopg.Cursor[Any], release_id: int, counts: dict[str, int], release: Release) -> None:
    """Swap the new tables in and activate the release, asking for the live tables' locks with a short
    timeout and retrying, so a long reader delays the import rather than queueing new readers behind it."""
    attempts = settings.CNPJ_SWAP_ATTEMPTS
    for attempt in range(1, attempts + 1):
        cur.execute("SAVEPOINT troca")
        try:
            cur.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.CNPJ_SWAP_LOCK_TIMEOUT_MS}ms"])
            _swap_tables(cur)
            cur.execute("SELECT set_config('lock_timeout', '0', true)")
            break
        except psycopg.errors.LockNotAvailable:
            cur.execute("ROLLBACK TO SAVEPOINT troca")
            if attempt == attempts:
                raise
            logger.info("CNPJ swap waits for readers (attempt %d of %d)", attempt, attempts)
            time.sleep(min(attempt, 5) * 0.2)
    cur.execute(
        "UPDATE intel_lead.cnpj_release SET status = 'substituida' WHERE status = 'ativa' AND id <> %s", [release_id]
    )
    cur.execute(
        "UPDATE intel_lead.cnpj_release SET status = 'ativa', concluida_em = now(), erro = '', "
        "estabelecimentos = %s, empresas = %s, simples = %s, assinatura = %s, arquivos = %s WHERE id = %s",
        [
            counts["estabelecimentos"],
            counts["empresas"],
            counts["simples"],
            release.assinatura,
            Jsonb(
                [
                    {"tipo": kind, "nome": m.label, "bytes": m.size, "crc": m.crc}
                    for kind, found in release.arquivos.items()
                    for m in found
                ]
            ),
            release_id,
        ],
    )


def _message(exc: BaseException) -> str:
    if isinstance(exc, psycopg.errors.UniqueViolation):
        detail = exc.diag.message_detail or ""
        return f"chave repetida na release ({detail or exc})"
    if isinstance(exc, psycopg.Error):
        return f"banco recusou a carga: {str(exc).splitlines()[0]}"
    return str(exc)


def cnpj_import_release(
    *,
    paths: Sequence[str | Path],
    referencia: date | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Load a release of Receita's CNPJ open data and make it the active one.

    Idempotent: the active release with the same month and the same files (names, sizes, CRCs) is a
    no-op unless `force`. A release older than the active one is refused unless `force`. One import at
    a time (advisory lock). On failure the release row is `falhou` with the one-line error, the
    previous release stays active and CnpjImportError is raised.
    """
    started = time.monotonic()
    release = release_from_paths(paths, referencia=referencia)
    assinatura = release.assinatura
    active = CnpjRelease.objects.filter(status=StatusRelease.ATIVA).first()
    if active and not force:
        if active.referencia == release.referencia and active.assinatura == assinatura:
            return ImportResult(active, skipped=True)
        if active.referencia > release.referencia:
            raise CnpjImportError(
                f"release {release.referencia:%Y-%m} é mais antiga que a ativa ({active.referencia:%Y-%m}); "
                "nada foi alterado (use --force para carregá-la)"
            )
    row, _ = CnpjRelease.objects.get_or_create(
        referencia=release.referencia, defaults={"origem": release.origem, "status": StatusRelease.CARREGANDO}
    )
    reloading_active = row.status == StatusRelease.ATIVA
    updates: dict[str, Any] = {
        "origem": release.origem,
        "iniciada_em": timezone.now(),
        "concluida_em": None,
        "erro": "",
    }
    if not reloading_active:
        updates["status"] = StatusRelease.CARREGANDO
    CnpjRelease.objects.filter(pk=row.pk).update(**updates)
    counts: dict[str, int] = {}
    etapas: dict[str, float] = {}
    try:
        with own_connection() as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            locked = cur.fetchone()
            if not locked or not locked[0]:
                raise CnpjImportError("outra carga do CNPJ está em andamento; tente mais tarde")
            cur.execute(
                "SELECT set_config('maintenance_work_mem', %s, true)", [settings.CNPJ_IMPORT_MAINTENANCE_WORK_MEM]
            )
            for statement in cnpj_sql.SETUP:
                cur.execute(statement)
            for kind, table in TABLES.items():
                cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(SCHEMA, f"{table}_novo")))
                cur.execute(
                    sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").format(
                        sql.Identifier(SCHEMA, f"{table}_novo"), sql.Identifier(SCHEMA, table)
                    )
                )
                lap = time.monotonic()
                counts[kind] = _copy(cur, f"{table}_novo", kind, release.arquivos[kind], progress)
                etapas[f"{kind}.copy"] = round(time.monotonic() - lap, 2)
                lap = time.monotonic()
                _build(cur, table)
                etapas[f"{kind}.indices"] = round(time.monotonic() - lap, 2)
            lap = time.monotonic()
            _swap(cur, row.pk, counts, release)
            conn.commit()
            etapas["troca_e_commit"] = round(time.monotonic() - lap, 2)
        # The visibility map of the new tables (INSERT … SELECT leaves it empty): the matcher's blocks
        # are index-only scans, and a later anti-wraparound vacuum has less to do.
        lap = time.monotonic()
        with own_connection(autocommit=True) as vacuum:
            vacuum.execute(
                sql.SQL("VACUUM {}").format(sql.SQL(", ").join(sql.Identifier(SCHEMA, t) for t in TABLES.values()))
            )
        etapas["vacuum"] = round(time.monotonic() - lap, 2)
    except (CnpjImportError, ReaderError, psycopg.Error) as exc:
        message = _message(exc)
        failed: dict[str, Any] = {"erro": message, "concluida_em": timezone.now()}
        if not reloading_active:
            failed["status"] = StatusRelease.FALHOU
        CnpjRelease.objects.filter(pk=row.pk).update(**failed)
        raise CnpjImportError(message) from exc
    row.refresh_from_db()
    return ImportResult(row, skipped=False, linhas=counts, segundos=time.monotonic() - started, etapas=etapas)


def active_release() -> CnpjRelease | None:
    """The release the establishment tables hold now."""
    return CnpjRelease.objects.filter(status=StatusRelease.ATIVA).first()


# --- Receita's site: the latest monthly folder, downloaded with resume ---

_WANTED = re.compile(r"^(Estabelecimentos\d*|Empresas\d*|Simples)\.zip$", re.IGNORECASE)


@dataclass(frozen=True)
class RemoteRelease:
    referencia: date
    url: str
    arquivos: list[str]


def cnpj_latest_release(*, base_url: str | None = None) -> RemoteRelease:
    """The newest `YYYY-MM/` folder of Receita's index and the zips the platform loads from it
    (establishments, companies, Simples; partners and lookups are not needed)."""
    base = base_url or settings.CNPJ_BASE_URL
    timeout = settings.CNPJ_HTTP_TIMEOUT
    try:
        months = [(month, link) for link in downloads.links(base, timeout=timeout) if (month := month_of(link))]
        if not months:
            raise CnpjImportError(f"{base}: nenhuma pasta AAAA-MM/ no índice da Receita")
    except downloads.DownloadError as exc:
        raise CnpjImportError(str(exc)) from exc
    referencia, folder = max(months)
    return RemoteRelease(referencia, folder, release_files(folder))


def download_dir() -> Path:
    return Path(settings.CNPJ_DOWNLOAD_DIR or Path(settings.DATA_DIR) / "cnpj")


def cnpj_download(
    *, urls: Sequence[str], folder: Path, progress: Callable[[str, int, int], None] | None = None
) -> list[Path]:
    """Download a release's zips into `folder`, resuming partial files; returns their paths."""
    try:
        return [
            downloads.download(url, folder, timeout=settings.CNPJ_HTTP_TIMEOUT, progress=progress).path for url in urls
        ]
    except downloads.DownloadError as exc:
        raise CnpjImportError(str(exc)) from exc


def cnpj_fetch_release(
    *,
    base_url: str | None = None,
    force: bool = False,
    download_progress: Callable[[str, int, int], None] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Find the latest release on Receita's site, download it (resuming) and import it.

    A release already active is neither downloaded nor imported again (unless `force`).
    """
    remote = cnpj_latest_release(base_url=base_url)
    active = active_release()
    if active and active.referencia >= remote.referencia and not force:
        return ImportResult(active, skipped=True)
    folder = download_dir() / f"{remote.referencia:%Y-%m}"
    paths = cnpj_download(urls=remote.arquivos, folder=folder, progress=download_progress)
    return cnpj_import_release(paths=paths, referencia=remote.referencia, force=force, progress=progress)


def month_of(url: str) -> date | None:
    """The release month of a `.../YYYY-MM/` address, or None."""
    match = re.search(r"(\d{4})-(\d{2})/?$", url)
    return date(int(match.group(1)), int(match.group(2)), 1) if match and 1 <= int(match.group(2)) <= 12 else None


def release_files(folder_url: str) -> list[str]:
    """The zips the platform loads from a release folder's index."""
    try:
        found = downloads.links(folder_url, timeout=settings.CNPJ_HTTP_TIMEOUT)
    except downloads.DownloadError as exc:
        raise CnpjImportError(str(exc)) from exc
    files = [link for link in found if _WANTED.match(link.rsplit("/", 1)[-1])]
    if not files:
        raise CnpjImportError(f"{folder_url}: a pasta não tem Estabelecimentos/Empresas/Simples .zip")
    return files
