"""Delimited text files as the public registers publish them, read in place (inside their zips when
zipped), line by line: pure Python, bounded memory, no Django.

What every source shares: the encoding is sniffed from a byte-order mark (UTF-8, UTF-16 LE/BE) and is
otherwise the source's own (Latin-1 for Receita, UTF-8 for CCEE and ANEEL); NUL bytes are dropped; a
zip that is truncated or damaged fails with the file and the line it got to. Errors are one line that
names the file and the line (`Estabelecimentos0.zip/K3241.K03200Y0.D51108.ESTABELE, linha 12: ...`).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class ReaderError(ValueError):
    """A file that cannot be read as its source publishes it; the message is one line naming file and line."""


@dataclass(frozen=True)
class Member:
    """One data file: a path on disk, or a member inside a zip."""

    path: Path
    name: str | None = None  # the member inside the zip, None for a plain file
    size: int = 0  # uncompressed bytes
    crc: int = 0  # the zip's CRC-32 of the member (0 for a plain file)

    @property
    def label(self) -> str:
        return f"{self.path.name}/{self.name}" if self.name else self.path.name


def members(path: str | Path) -> list[Member]:
    """The data files of `path`: a zip's members (folders left out), or the file itself."""
    path = Path(path)
    if not path.is_file():
        raise ReaderError(f"{path}: arquivo não encontrado")
    if not zipfile.is_zipfile(path):
        if path.suffix.lower() == ".zip":
            raise ReaderError(f"{path.name}: zip truncado ou danificado (sem diretório central)")
        return [Member(path, None, path.stat().st_size)]
    try:
        with zipfile.ZipFile(path) as archive:
            return [
                Member(path, info.filename, info.file_size, info.CRC)
                for info in archive.infolist()
                if not info.is_dir()
            ]
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReaderError(f"{path.name}: zip truncado ou danificado ({exc})") from exc


def _decoding(head: bytes, default: str) -> tuple[str, int]:
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return default, 0


@contextmanager
def binary(member: Member) -> Iterator[IO[bytes]]:
    if member.name is None:
        with member.path.open("rb") as handle:
            yield handle
        return
    try:
        archive = zipfile.ZipFile(member.path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReaderError(f"{member.path.name}: zip truncado ou danificado ({exc})") from exc
    with archive, archive.open(member.name) as handle:
        yield handle


def lines(member: Member, *, encoding: str = "latin-1") -> Iterator[tuple[int, str]]:
    """(line number from 1, text without the line end) of a data file, decoded and without NUL bytes.

    A damaged zip raises ReaderError naming the line reached.
    """
    number, chosen = 0, encoding
    try:
        with binary(member) as raw:
            buffered = cast(io.BufferedReader, raw)  # both a file opened "rb" and a zip member can peek
            chosen, skip = _decoding(buffered.peek(4)[:4], encoding)
            if skip:
                buffered.read(skip)
            text = io.TextIOWrapper(buffered, encoding=chosen, errors="strict", newline="\n")
            for number, line in enumerate(text, start=1):
                if "\x00" in line:
                    line = line.replace("\x00", "")
                yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise ReaderError(f"{member.label}, linha {number + 1}: não é texto {chosen} ({exc.reason})") from exc
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ReaderError(
            f"{member.label}, linha {number + 1}: zip truncado ou danificado ({exc or type(exc).__name__})"
        ) from exc


def _text_lines(member: Member, encoding: str) -> Iterator[tuple[int, str]]:
    """Like `lines`, but with `encoding="auto"` each line is UTF-8 unless it is not, then Latin-1 (open
    data portals re-export files in either; a BOM still decides)."""
    if encoding != "auto":
        yield from lines(member, encoding=encoding)
        return
    number = 0
    try:
        with binary(member) as raw:
            buffered = cast(io.BufferedReader, raw)
            chosen, _ = _decoding(buffered.peek(4)[:4], "auto")
            if chosen != "auto":
                yield from lines(member, encoding=chosen)
                return
            for number, data in enumerate(buffered, start=1):
                try:
                    line = data.decode("utf-8")
                except UnicodeDecodeError:
                    line = data.decode("cp1252", errors="replace")
                if "\x00" in line:
                    line = line.replace("\x00", "")
                yield number, line.rstrip("\r\n")
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ReaderError(
            f"{member.label}, linha {number + 1}: zip truncado ou danificado ({exc or type(exc).__name__})"
        ) from exc


def records(
    member: Member, *, required: Sequence[str], delimiter: str = ";", encoding: str = "auto", layout: str = ""
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) of a delimited file with a header row; the header must hold the
    `required` columns (case and surrounding quotes ignored), else one error naming what is missing."""
    numbered = _text_lines(member, encoding)
    header: list[str] | None = None
    current = 0

    def text() -> Iterator[str]:
        nonlocal current
        for current, line in numbered:  # noqa: B007
            if line.strip():
                yield line

    parsed = csv.reader(text(), delimiter=delimiter, quotechar='"', strict=False)
    try:
        for row in parsed:
            if header is None:
                header = [name.strip().strip('"').strip().upper() for name in row]
                missing = [name for name in required if name.upper() not in header]
                if missing:
                    raise ReaderError(
                        f"{member.label}, linha {current}: não é o layout {layout or 'esperado'} "
                        f"(faltam as colunas {', '.join(missing)})"
                    )
                continue
            if len(row) != len(header):
                raise ReaderError(f"{member.label}, linha {current}: {len(row)} campos, o cabeçalho tem {len(header)}")
            yield current, dict(zip(header, (value.strip() for value in row), strict=True))
    except csv.Error as exc:
        raise ReaderError(f"{member.label}, linha {current}: {exc}") from exc
    if header is None:
        raise ReaderError(f"{member.label}: arquivo vazio")
