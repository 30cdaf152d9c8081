"""HTTP downloads of the public registers' files: resumable (HTTP Range into a `.part` file) and
directory listings of plain HTML indexes (Apache/nginx `autoindex`, as Receita publishes its releases)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests


class DownloadError(Exception):
    """A download or listing that failed; the message names the address and what went wrong."""


@dataclass(frozen=True)
class Download:
    path: Path
    size: int
    resumed_from: int
    skipped: bool


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def links(url: str, *, timeout: float) -> list[str]:
    """Absolute addresses of the links of an HTML index page (parent and sort links left out)."""
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise DownloadError(f"{url}: {exc}") from exc
    parser = _Links()
    parser.feed(response.text)
    base = url if url.endswith("/") else f"{url}/"
    found: list[str] = []
    for href in parser.hrefs:
        if href.startswith(("?", "#", "../", "/")) and not href.startswith(urlparse(base).path):
            continue
        absolute = urljoin(base, href)
        if absolute.startswith(base) and absolute != base and absolute not in found:
            found.append(absolute)
    return found


def download(
    url: str, folder: Path, *, timeout: float, progress: Callable[[str, int, int], None] | None = None
) -> Download:
    """Download `url` into `folder` under its own name, resuming a `.part` left by an earlier attempt.

    The size comes from a HEAD request (see `resume` for the rest). `progress(name, done, total)` follows
    the bytes."""
    name = Path(urlparse(url).path).name
    try:
        head = requests.head(url, timeout=timeout, allow_redirects=True)
        head.raise_for_status()
    except requests.RequestException as exc:
        raise DownloadError(f"{url}: {exc}") from exc
    size = int(head.headers.get("Content-Length") or -1)
    report = (lambda done, total: progress(name, done, total)) if progress else None
    return resume(url, folder / name, size=size if size >= 0 else None, timeout=timeout, progress=report)


def resume(
    url: str, target: Path, *, size: int | None, timeout: float, progress: Callable[[int, int], None] | None = None
) -> Download:
    """Download `url` into `target` through `<target>.part`, resuming what an earlier attempt left there
    (HTTP Range; from the start if the server ignores it). A complete `target` of `size` bytes is not
    downloaded again; the `.part` is renamed only once it holds `size` bytes (when known).
    `progress(done, total)` follows the bytes (total -1 when unknown)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.part")
    if size is not None and target.exists() and target.stat().st_size == size:
        return Download(target, size, 0, skipped=True)
    start = partial.stat().st_size if partial.exists() else 0
    if size is not None and start > size:
        partial.unlink()
        start = 0
    headers = {"Range": f"bytes={start}-"} if start else {}
    try:
        with requests.get(url, headers=headers, stream=True, timeout=timeout) as response:
            response.raise_for_status()
            if start and response.status_code != 206:
                start = 0  # the server ignored the range: start over
            done = start
            with partial.open("ab" if start else "wb") as handle:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    handle.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, -1 if size is None else size)
    except requests.RequestException as exc:
        got = partial.stat().st_size if partial.exists() else 0
        raise DownloadError(f"{url}: download parou em {got:,} bytes ({exc}); rode de novo para continuar") from exc
    got = partial.stat().st_size
    if size is not None and got != size:
        if got > size:
            partial.unlink()
        raise DownloadError(f"{url}: {got:,} bytes recebidos, o servidor declara {size:,}; rode de novo para continuar")
    partial.replace(target)
    return Download(target, got, start, skipped=False)
