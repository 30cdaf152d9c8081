"""Filters of the unit lists (API, GeoJSON, exports): django-filter over lead_bruto.

Geography filters act on the unit's final coordinate (`coordenada`, written by the importer: its own
point, else its notable point, else its transformer), which has a GiST index.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import django_filters as df
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point, Polygon
from django.contrib.gis.measure import D
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from . import models

MAX_POLYGON_VERTICES = 10_000
MAX_RADIUS_M = 500_000


def _cnae_filter(queryset: QuerySet[models.LeadBruto], name: str, value: str) -> QuerySet[models.LeadBruto]:
    """Exact subclass (`4711-3/02`), or a prefix: division (`47`), group (`47.1` or `471`), class (`4711-3`)."""
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d/\d{2}", value):
        return queryset.filter(cnae_id=value)
    digits = re.sub(r"[.\-/]", "", value)
    if not re.fullmatch(r"\d{2,7}", digits):
        raise ValidationError({"cnae": f"{value!r} is not a CNAE subclass (NNNN-N/NN) nor a division/group prefix"})
    if len(digits) == 2:
        return queryset.filter(cnae__divisao=digits)
    subclass_prefix = digits[:4] + ("-" + digits[4] if len(digits) > 4 else "")
    if len(digits) > 5:
        subclass_prefix += "/" + digits[5:]
    return queryset.filter(cnae__subclasse__startswith=subclass_prefix)


class LeadFilter(df.FilterSet):
    distribuidora = df.NumberFilter(field_name="distribuidora_id", help_text="ANEEL code, e.g. 401")
    ano = df.NumberFilter(help_text="reference year, e.g. 2024")
    camada = df.ChoiceFilter(choices=models.Origem.choices, help_text="UCAT, UCMT or UCBT")
    uf = df.CharFilter(field_name="municipio__uf", help_text="state, e.g. RS")
    municipio = df.CharFilter(field_name="municipio_id", help_text="IBGE 7-digit code, e.g. 4314902")
    classe = df.CharFilter(field_name="classe_consumo_id", help_text="BDGD class/subclass, e.g. CO1")
    tipo_cliente = df.ChoiceFilter(
        field_name="classe_consumo__tipo_cliente", choices=models.TipoCliente.choices, help_text="PF or PJ"
    )
    grupo_tensao = df.CharFilter(field_name="grupo_tensao_id", help_text="BT, MT or AT")
    grupo_tarifario = df.CharFilter(field_name="grupo_tarifario_id", help_text="tariff subgroup, e.g. A4")
    cnae = df.CharFilter(method=_cnae_filter, help_text="subclass 4711-3/02, or a prefix: 47, 47.1, 4711-3")
    segmento = df.CharFilter(field_name="segmento_mercado_id", help_text="market segment code, e.g. varejo")
    livre = df.BooleanFilter(help_text="already a free-market (ACL) consumer")
    situacao = df.ChoiceFilter(choices=models.Situacao.choices, help_text="AT (active) or DS (deactivated)")
    possui_gd = df.BooleanFilter(field_name="ceg_gd", lookup_expr="isnull", exclude=True, help_text="has a DG plant")
    pac_min = df.NumberFilter(field_name="pac", lookup_expr="gte", help_text="PAC (kW) at least")
    pac_max = df.NumberFilter(field_name="pac", lookup_expr="lte", help_text="PAC (kW) at most")
    energia_min = df.NumberFilter(field_name="energia_anual_kwh", lookup_expr="gte", help_text="annual kWh at least")
    energia_max = df.NumberFilter(field_name="energia_anual_kwh", lookup_expr="lte", help_text="annual kWh at most")
    demanda_min = df.NumberFilter(field_name="demanda_pico_kw", lookup_expr="gte", help_text="peak kW at least")
    demanda_max = df.NumberFilter(field_name="demanda_pico_kw", lookup_expr="lte", help_text="peak kW at most")
    media_dic_min = df.NumberFilter(field_name="media_dic", lookup_expr="gte", help_text="mean monthly DIC (h)")
    media_dic_max = df.NumberFilter(field_name="media_dic", lookup_expr="lte")
    media_fic_min = df.NumberFilter(field_name="media_fic", lookup_expr="gte", help_text="mean monthly FIC")
    media_fic_max = df.NumberFilter(field_name="media_fic", lookup_expr="lte")
    bbox = df.CharFilter(method="filter_bbox", help_text="min_lon,min_lat,max_lon,max_lat (SIRGAS 2000)")
    poligono = df.CharFilter(method="filter_polygon", help_text='GeoJSON Polygon, e.g. {"type":"Polygon",...}')
    lat = df.NumberFilter(method="filter_noop", help_text="with lon and raio_m: centre of a radius search")
    lon = df.NumberFilter(method="filter_noop")
    raio_m = df.NumberFilter(method="filter_noop", help_text="radius in metres around lat/lon (max 500 km)")

    class Meta:
        model = models.LeadBruto
        fields: list[str] = []

    def filter_noop(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset  # lat/lon/raio_m act together, in filter_queryset

    def filter_bbox(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        try:
            minx, miny, maxx, maxy = (float(v) for v in value.split(","))
        except ValueError:
            raise ValidationError({"bbox": "expected four numbers: min_lon,min_lat,max_lon,max_lat"}) from None
        if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
            raise ValidationError({"bbox": "expected min_lon < max_lon within ±180 and min_lat < max_lat within ±90"})
        box = Polygon.from_bbox((minx, miny, maxx, maxy))
        box.srid = 4674
        return queryset.filter(coordenada__bboverlaps=box)

    def filter_polygon(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        try:
            data = json.loads(value)
            if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
                raise ValidationError({"poligono": "expected a GeoJSON Polygon or MultiPolygon"})
            geometry = GEOSGeometry(json.dumps(data))
            geometry.srid = 4674  # GeoJSON is lon/lat; SIRGAS 2000 and WGS 84 agree to the metre
        except (ValueError, GEOSException, TypeError):
            raise ValidationError({"poligono": "not valid GeoJSON"}) from None
        if geometry.num_coords > MAX_POLYGON_VERTICES:
            raise ValidationError({"poligono": f"more than {MAX_POLYGON_VERTICES} vertices"})
        if not geometry.valid:
            raise ValidationError({"poligono": f"invalid polygon: {geometry.valid_reason}"})
        return queryset.filter(coordenada__intersects=geometry)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        lat, lon, radius = (self.form.cleaned_data.get(k) for k in ("lat", "lon", "raio_m"))
        given = [v is not None for v in (lat, lon, radius)]
        if any(given) and not all(given):
            raise ValidationError({"raio_m": "a radius search needs lat, lon and raio_m together"})
        if all(given):
            lat, lon, radius = float(lat), float(lon), float(radius)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValidationError({"lat": "lat must be within ±90 and lon within ±180"})
            if not (0 < radius <= MAX_RADIUS_M):
                raise ValidationError({"raio_m": f"raio_m must be > 0 and at most {MAX_RADIUS_M}"})
            centre = Point(lon, lat, srid=4674)
            # The GiST index narrows to a box in degrees; the spheroid distance then decides.
            dlat = radius / 110_574
            dlon = radius / max(111_320 * math.cos(math.radians(lat)), 1.0)
            box = Polygon.from_bbox((lon - dlon, lat - dlat, lon + dlon, lat + dlat))
            box.srid = 4674
            queryset = queryset.filter(coordenada__bboverlaps=box, coordenada__distance_lte=(centre, D(m=radius)))
        return queryset
