"""Downloads of open-data files: written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import requests


class DownloadError(Exception):
    """The URL could not be fetched; the message names it."""


def download(url: str, target: Path, *, timeout: float) -> Path:
    """GET `url` into `target` through a `.part` file renamed at the end (an interrupted download leaves
    no half file under the final name)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with requests.get(url, stream=True, timeout=timeout) as response:
            response.raise_for_status()
            with partial.open("wb") as out:
                for chunk in response.iter_content(1 << 20):
                    out.write(chunk)
    except requests.RequestException as exc:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{url}: {exc}") from exc
    partial.replace(target)
    return target


def file_name(url: str, default: str) -> str:
    """The file name at the end of `url` when it looks like a data file, else `default`."""
    tail = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return tail if tail.lower().endswith((".csv", ".gz", ".zip")) else default
