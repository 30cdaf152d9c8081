"""ANEEL's catalog of published BDGDs on its ArcGIS Hub (OGC API Records), parsed without Django.

Listing: `GET {base}/api/search/v1/collections/dataset/items?type=File%20Geodatabase&limit=100&startindex=N`.
Each feature's title is the file stem (`<Name>_<CodANEEL>_<YYYY-MM-DD>_<Model>_<YYYYMMDD-HHMM>`), its tags
carry `Extra` for extraordinary releases. A distributor-date republished later supersedes the earlier item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .bdgd import FILE_NAME

PAGE_SIZE = 100
LIST_PATH = "/api/search/v1/collections/dataset/items"
DOWNLOAD_URL = "https://www.arcgis.com/sharing/rest/content/items/{item_id}/data"


class CatalogError(Exception):
    """The catalog answered something the platform cannot read; the message says what."""


@dataclass(frozen=True)
class CatalogItem:
    item_id: str
    title: str
    distribuidora: int
    nome: str
    data_base: str
    modelo: str
    gerado: str
    extra: bool

    @property
    def ano(self) -> int:
        return int(self.data_base[:4])

    @property
    def download_url(self) -> str:
        return DOWNLOAD_URL.format(item_id=self.item_id)


def parse_feature(feature: dict[str, Any]) -> CatalogItem | None:
    """A catalog item, or None for a feature that is not a BDGD geodatabase."""
    props = feature.get("properties") or {}
    title = str(props.get("title") or props.get("name") or "")
    match = FILE_NAME.match(title)
    if not match or not feature.get("id"):
        return None
    tags = props.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    data_base = match["data"]
    return CatalogItem(
        item_id=str(feature["id"]),
        title=title,
        distribuidora=int(match["cod"]),
        nome=match["nome"],
        data_base=data_base,
        modelo=match["modelo"].upper(),
        gerado=match["gerado"],
        extra="Extra" in tags or not data_base.endswith("-12-31"),
    )


def pages(get_json: Callable[[str, dict[str, object]], dict[str, Any]], base_url: str) -> Iterator[dict[str, Any]]:
    """Every page of the listing, following `startindex` until a short page."""
    start = 1
    while True:
        page = get_json(
            base_url.rstrip("/") + LIST_PATH,
            {"type": "File Geodatabase", "limit": PAGE_SIZE, "startindex": start},
        )
        if not isinstance(page, dict) or not isinstance(page.get("features"), list):
            raise CatalogError(f"catalog page at startindex={start} is not an OGC FeatureCollection")
        yield page
        if len(page["features"]) < PAGE_SIZE:
            return
        start += PAGE_SIZE


def latest(items: Iterable[CatalogItem]) -> list[CatalogItem]:
    """One item per distributor and reference date: the latest generation wins."""
    best: dict[tuple[int, str], CatalogItem] = {}
    for item in items:
        key = (item.distribuidora, item.data_base)
        if key not in best or item.gerado > best[key].gerado:
            best[key] = item
    return sorted(best.values(), key=lambda i: (i.distribuidora, i.data_base))
