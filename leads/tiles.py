"""Vector tiles (MVT) of the units for the map, built by PostGIS over the list's own queryset.

Below POINT_MIN_ZOOM a tile holds square cells (count and energy of the units in each) instead of
points: read from the materialized view `mapa_celula` when no filter is given, computed from the
filtered units otherwise. Tiles are cached in Redis under a data version that imports and the
summaries' refresh change, so a new import never serves an old tile.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, FloatField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from . import selectors

POINT_MIN_ZOOM = 12
MAX_ZOOM = 22
BANDS = (4, 6, 8, 10)  # zoom bands of mapa_celula (see 0015_mapa_selecoes.sql)
CELLS_PER_TILE = 32
WORLD_M = 40075016.685578488  # Web Mercator's extent
VERSION_KEY = "mapa:versao"
LAYER_UNITS = "unidades"
LAYER_CELLS = "celulas"
# Properties rounded to what the map shows: whole kWh, hundredths otherwise. A tile stores each distinct
# value once, so rounded values repeat and a dense tile stays small.
KWH = "round(energia_anual_kwh)::bigint"


def _cents(column: str) -> str:
    return f"round({column}::numeric, 2)::float8"


@dataclass(frozen=True)
class Tile:
    body: bytes  # empty: no feature
    etag: str


def check_tile(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise ValidationError({"z": f"zoom {z} fora de 0–{MAX_ZOOM}"})
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise ValidationError({"x": f"no zoom {z}, x e y vão de 0 a {2**z - 1} (recebido x={x}, y={y})"})


def band(z: int) -> int:
    """The precomputed band whose cells a tile at zoom z shows (cells at most 8 px wide)."""
    return max(b for b in BANDS if b <= max(z, BANDS[0]))


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's lon/lat bounds, widened by a 64/4096 buffer (what ST_AsMVTGeom keeps around a tile)."""
    n = 2**z
    pad = 64 / 4096

    def lon(v: float) -> float:
        return max(-180.0, min(180.0, v / n * 360 - 180))

    def lat(v: float) -> float:
        v = max(0.0, min(float(n), v))
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * v / n))))

    return lon(x - pad), lat(y + 1 + pad), lon(x + 1 + pad), lat(y - pad)


def data_version() -> str:
    """The version tiles are cached under: the last completed import and the refresh counter."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(max(id), 0), coalesce(max(finalizado_em)::text, '') FROM intel_lead.import_status "
            "WHERE status = 'completed'"
        )
        last_id, last_end = cursor.fetchone()
    return f"{last_id}.{last_end}.{cache.get(VERSION_KEY, 0)}"


def tiles_invalidate() -> None:
    """A new data version: every cached tile is stale (called after imports and refreshes)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, timeout=None)


def _filters(params: Mapping[str, Any]) -> dict[str, str]:
    return {k: v for k, v in params.items() if v not in ("", None)}


def tile_key(z: int, x: int, y: int, params: Mapping[str, Any], version: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(_filters(params).items()))
    digest = hashlib.sha1(f"{version}|{z}/{x}/{y}|{query}".encode()).hexdigest()
    return f"mapa:tile:{digest}"


def _point_sql(params: Mapping[str, Any], box: Polygon, limit: int) -> tuple[str, tuple[Any, ...]]:
    queryset = (
        selectors.lead_list(params=params)
        .filter(coordenada__bboverlaps=box)
        .annotate(
            score=Greatest(
                *(F(name) for name in selectors.SCORE_FIELDS), output_field=FloatField()
            ),  # the best offer's
            g=RawSQL("ST_Transform(coordenada, 3857)", []),
        )
        .order_by(F("energia_anual_kwh").desc(nulls_last=True), "uc_id")
        .values(
            "uc_id", "classe_consumo_id", "segmento_mercado_id", "grupo_tensao_id", "energia_anual_kwh",
            "demanda_pico_kw", "media_dic", "media_fic", "livre", "score", "g",
        )[:limit]
    )  # fmt: skip
    return selectors.sql_of(queryset, empty=lambda: queryset.none().extra(where=["false"]))


def _cell_sql(params: Mapping[str, Any], box: Polygon, lado: float) -> tuple[str, tuple[Any, ...]]:
    queryset = (
        selectors.lead_list(params=params)
        .filter(coordenada__bboverlaps=box)
        .annotate(g=RawSQL("ST_Transform(coordenada, 3857)", []))
        .order_by()
        .values("g", "energia_anual_kwh")
    )
    inner, inner_params = selectors.sql_of(queryset, empty=lambda: queryset.none().extra(where=["false"]))
    sql = f"""
        SELECT count(*)::int AS unidades, coalesce(sum(energia_anual_kwh), 0)::float8 AS energia_anual_kwh,
               ST_SetSRID(ST_MakePoint((floor(ST_X(g) / %s) + 0.5) * %s, (floor(ST_Y(g) / %s) + 0.5) * %s), 3857)
                   AS g
        FROM ({inner}) p GROUP BY floor(ST_X(g) / %s), floor(ST_Y(g) / %s)"""
    return sql, (*(lado,) * 4, *inner_params, lado, lado)


def tile_build(*, z: int, x: int, y: int, params: Mapping[str, Any]) -> bytes:
    """The MVT of one tile (empty bytes when no unit is in it); ValidationError names a bad parameter."""
    check_tile(z, x, y)
    params = _filters(params)
    box = Polygon.from_bbox(tile_bounds(z, x, y))
    box.srid = 4674
    envelope = "ST_TileEnvelope(%s, %s, %s)"
    if z >= POINT_MIN_ZOOM:
        inner, inner_params = _point_sql(params, box, settings.MAPA_TILE_MAX_FEATURES)
        layer, columns = LAYER_UNITS, "uc_id::text AS uc_id, " + ", ".join(
            ("classe_consumo_id AS classe", "segmento_mercado_id AS segmento", "grupo_tensao_id AS grupo_tensao",
             f"{KWH} AS energia_anual_kwh", *(f"{_cents(c)} AS {c}" for c in ("demanda_pico_kw", "media_dic",
             "media_fic")), "livre", f"{_cents('score')} AS score"))  # fmt: skip
    else:
        b = band(z)
        lado = WORLD_M / 2**b / CELLS_PER_TILE
        layer, columns = LAYER_CELLS, f"unidades, {KWH} AS energia_anual_kwh"
        if params:
            inner, inner_params = _cell_sql(params, box, lado)
        else:
            inner = (
                "SELECT unidades, energia_anual_kwh, geom AS g FROM intel_lead.mapa_celula "
                f"WHERE banda = %s AND geom && {envelope}"
            )
            inner_params = (b, z, x, y)
    sql = f"""
        SELECT ST_AsMVT(t, %s, 4096, 'geom') FROM (
            SELECT {columns}, ST_AsMVTGeom(q.g, {envelope}, 4096, 64, true) AS geom FROM ({inner}) q
        ) t WHERE geom IS NOT NULL"""
    with connection.cursor() as cursor:
        cursor.execute(sql, (layer, z, x, y, *inner_params))
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] else b""


def tile_get(*, z: int, x: int, y: int, params: Mapping[str, Any]) -> Tile:
    """A tile from the Redis cache, or built and cached under the current data version."""
    check_tile(z, x, y)
    key = tile_key(z, x, y, params, data_version())
    body = cache.get(key)
    if body is None:
        body = tile_build(z=z, x=x, y=y, params=params)
        cache.set(key, body, timeout=settings.MAPA_TILE_CACHE_SECONDS)
    return Tile(body=body, etag=f'"{key.rsplit(":", 1)[1]}"')
