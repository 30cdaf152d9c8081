"""ANEEL's BDGD catalog and downloads over HTTP (the network side of readers/hub.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from django.conf import settings

from . import downloads
from .downloads import Download
from .readers import hub


def _get_json(url: str, params: dict[str, object]) -> dict[str, Any]:
    try:
        response = requests.get(url, params=params, timeout=settings.BDGD_HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except requests.RequestException as exc:
        raise hub.CatalogError(f"ANEEL catalog at {url}: {exc}") from exc
    except ValueError as exc:
        raise hub.CatalogError(f"ANEEL catalog at {url}: the answer is not JSON") from exc


def catalog_list(*, distribuidora: int | None = None, ano: int | None = None) -> list[hub.CatalogItem]:
    """The published BDGDs (latest republication of each distributor-date), optionally filtered."""
    items = (
        item
        for page in hub.pages(_get_json, settings.BDGD_HUB_URL)
        for item in map(hub.parse_feature, page["features"])
        if item is not None
    )
    return [
        item
        for item in hub.latest(items)
        if (distribuidora is None or item.distribuidora == distribuidora) and (ano is None or item.ano == ano)
    ]


def _item_metadata(item_id: str) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9a-f]{32}", item_id):
        raise hub.CatalogError(f"{item_id!r} is not an ArcGIS item id (32 hexadecimal digits)")
    meta = _get_json(f"{settings.BDGD_ITEMS_URL.rstrip('/')}/{item_id}", {"f": "json"})
    if "error" in meta:
        raise hub.CatalogError(f"item {item_id}: {meta['error'].get('message', meta['error'])}")
    if not meta.get("name") or not isinstance(meta.get("size"), int):
        raise hub.CatalogError(f"item {item_id}: its metadata has no file name or size")
    return meta


def bdgd_download(
    *, item_id: str, dest_dir: Path | None = None, progress: Callable[[int, int], None] | None = None
) -> Download:
    """Download an item's file into dest_dir (default DATA_DIR/bdgd), resuming a partial download.

    The file is written as `<name>.part` and renamed only when its size equals the size ANEEL declares;
    a complete file already there is not downloaded again. `progress(done, total)` is called as bytes arrive.
    """
    meta = _item_metadata(item_id)
    folder = dest_dir or Path(settings.DATA_DIR) / "bdgd"
    url = f"{settings.BDGD_ITEMS_URL.rstrip('/')}/{item_id}/data"
    try:
        return downloads.resume(url, folder / Path(meta["name"]).name, size=int(meta["size"]),
                                timeout=settings.BDGD_HTTP_TIMEOUT, progress=progress)  # fmt: skip
    except downloads.DownloadError as exc:
        raise hub.CatalogError(f"item {item_id}: {exc}") from exc
