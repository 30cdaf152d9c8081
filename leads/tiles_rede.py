"""Vector tiles (MVT) of the distribution network at street zoom: the BDGD's notable points (PONNOT) and
MT/BT transformers (UNTRMT), with how many of the filtered layer's units hang from each.

Only from NETWORK_MIN_ZOOM (below it the points are too dense to read: the tile is empty). Cached like the
units' tiles, under the same data version, so an import never serves an old tile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection

from . import tiles

NETWORK_MIN_ZOOM = 15
LAYER = "rede"
PARAMS = ("distribuidora", "ano")


def _params(params: Mapping[str, Any]) -> dict[str, int]:
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise ValidationError({unknown[0]: f"parâmetro desconhecido; aceitos: {', '.join(PARAMS)}"})
    out = {}
    for name in PARAMS:
        value = params.get(name)
        if value is None or value == "":
            continue
        try:
            out[name] = int(value)
        except (TypeError, ValueError):
            raise ValidationError({name: f"número inteiro esperado, recebido {value!r}"}) from None
    return out


def network_tile_build(*, z: int, x: int, y: int, params: Mapping[str, Any]) -> bytes:
    """The MVT of one tile of notable points and transformers (empty bytes when none or below the zoom)."""
    tiles.check_tile(z, x, y)
    filters = _params(params)
    if z < NETWORK_MIN_ZOOM:
        return b""
    where = "".join(f" AND p.{name}{'_id' if name == 'distribuidora' else ''} = %({name})s" for name in filters)
    west, south, east, north = tiles.tile_bounds(z, x, y)
    sql = f"""
        SELECT ST_AsMVT(t, %(layer)s, 4096, 'geom') FROM (
            SELECT p.cod_id, p.fonte, p.tipo, p.distribuidora_id AS distribuidora, p.ano, p.ficticio,
                   (SELECT count(*) FROM intel_lead.lead_bruto l
                    WHERE l.distribuidora_id = p.distribuidora_id AND l.ano = p.ano
                      AND CASE p.fonte WHEN 'PONNOT' THEN l.pn_con ELSE l.uni_tr_mt END = p.cod_id)::int AS unidades,
                   ST_AsMVTGeom(ST_Transform(p.geom, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true)
                       AS geom
            FROM intel_lead.ponto_notavel p
            WHERE p.geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4674) {where}
            ORDER BY p.fonte DESC, p.pn_id  -- transformers first: they are fewer and say more
            LIMIT %(limit)s
        ) t WHERE geom IS NOT NULL"""
    values: dict[str, Any] = {"layer": LAYER, "z": z, "x": x, "y": y, "west": west, "south": south, "east": east,
                              "north": north, "limit": settings.MAPA_TILE_MAX_FEATURES, **filters}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] else b""


def network_tile_get(*, z: int, x: int, y: int, params: Mapping[str, Any]) -> tiles.Tile:
    """A network tile from the Redis cache, or built and cached under the current data version."""
    tiles.check_tile(z, x, y)
    filters = _params(params)
    query = "&".join(f"{k}={v}" for k, v in sorted(filters.items()))
    digest = hashlib.sha1(f"{tiles.data_version()}|rede|{z}/{x}/{y}|{query}".encode()).hexdigest()
    key = f"mapa:rede:{digest}"
    body = cache.get(key)
    if body is None:
        body = network_tile_build(z=z, x=x, y=y, params=filters)
        cache.set(key, body, timeout=settings.MAPA_TILE_CACHE_SECONDS)
    return tiles.Tile(body=body, etag=f'"{digest}"')
