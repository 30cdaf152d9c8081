"""ANEEL's BDGD catalog over HTTP (the network side of readers/hub.py)."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings

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
