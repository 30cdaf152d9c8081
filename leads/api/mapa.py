"""The map's endpoints: vector tiles, totals of a drawn area, and saved selections."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leads import models, selectors, tiles, tiles_rede
from leads.filters import LeadFilter, polygon_parse

from .views import FILTERS, _user_id

MVT = "application/vnd.mapbox-vector-tile"


class TileView(APIView):
    """GET /api/v1/leads/tiles/{z}/{x}/{y}.mvt with the list's filters in the query string."""

    @extend_schema(
        parameters=FILTERS,
        responses={(200, MVT): OpenApiTypes.BINARY, 204: None, 304: None},
        description=(
            "A Mapbox vector tile of the filtered units: layer `unidades` (points with uc_id, classe, segmento, "
            f"grupo_tensao, energia_anual_kwh, demanda_pico_kw, media_dic, media_fic, livre, score) from zoom "
            f"{tiles.POINT_MIN_ZOOM}, layer `celulas` (unidades, energia_anual_kwh per cell) below it. At most "
            "MAPA_TILE_MAX_FEATURES points per tile, the largest consumers first. 204 when the tile is empty."
        ),
    )
    def get(self, request: Request, z: str, x: str, y: str) -> HttpResponse:
        tile = tiles.tile_get(z=int(z), x=int(x), y=int(y), params=request.query_params.dict())
        return _tile_response(request, tile)


def _tile_response(request: Request, tile: tiles.Tile) -> HttpResponse:
    headers = {"Cache-Control": f"private, max-age={settings.MAPA_TILE_CACHE_SECONDS}", "ETag": tile.etag}
    if request.headers.get("If-None-Match") == tile.etag:
        return HttpResponse(status=304, headers=headers)
    if not tile.body:
        return HttpResponse(status=204, headers=headers)
    return HttpResponse(tile.body, content_type=MVT, headers=headers)


class RedeTileView(APIView):
    """GET /api/v1/leads/rede/{z}/{x}/{y}.mvt: notable points and transformers at street zoom."""

    @extend_schema(
        parameters=[
            OpenApiParameter("distribuidora", int, description="ANEEL code of the distributor"),
            OpenApiParameter("ano", int, description="BDGD year"),
        ],
        responses={(200, MVT): OpenApiTypes.BINARY, 204: None, 304: None},
        description=(
            "A Mapbox vector tile, layer `rede`: the BDGD's notable points (fonte PONNOT) and MT/BT transformers "
            "(UNTRMT) with cod_id, tipo, distribuidora, ano, ficticio and `unidades` (units of that layer hanging "
            f"from it). Empty (204) below zoom {tiles_rede.NETWORK_MIN_ZOOM}; at most MAPA_TILE_MAX_FEATURES "
            "points, transformers first."
        ),
    )
    def get(self, request: Request, z: str, x: str, y: str) -> HttpResponse:
        tile = tiles_rede.network_tile_get(z=int(z), x=int(x), y=int(y), params=request.query_params.dict())
        return _tile_response(request, tile)


class ResumoView(APIView):
    """GET /api/v1/leads/resumo/: the totals of the filtered units inside a polygon or circle."""

    @extend_schema(
        parameters=FILTERS,
        responses={200: OpenApiTypes.OBJECT},
        description=(
            "Units, annual energy, peak demand and mean DIC/FIC of the filtered units, by class and by segment. "
            "The area: `poligono` (GeoJSON or WKT, a rectangle is a polygon) or a circle (`lat`, `lon`, `raio_m`)."
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.lead_resumo(params=request.query_params.dict()))


@extend_schema_field(
    {"type": "object", "description": "GeoJSON Polygon ou MultiPolygon (lon/lat), ou o texto WKT de um"}
)
class GeometryField(serializers.Field):  # type: ignore[type-arg]
    """A polygon as GeoJSON (object or text) or WKT in, GeoJSON out; stored as a MultiPolygon."""

    def to_internal_value(self, data: Any) -> MultiPolygon:
        import json

        text = json.dumps(data) if isinstance(data, dict) else str(data)
        try:
            geometry = polygon_parse(text)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return geometry if isinstance(geometry, MultiPolygon) else MultiPolygon(geometry, srid=geometry.srid)

    def to_representation(self, value: GEOSGeometry) -> Any:
        import json

        return json.loads(value.geojson)


class SelecaoSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    geometria = GeometryField()

    class Meta:
        model = models.SelecaoMapa
        fields = ["id", "nome", "geometria", "filtros", "criado_em", "atualizado_em"]
        read_only_fields = ["criado_em", "atualizado_em"]

    def validate_filtros(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise serializers.ValidationError("esperado um objeto {parâmetro: valor} dos filtros da lista")
        filtros = {str(k): str(v) for k, v in value.items()}
        unknown = sorted(set(filtros) - set(LeadFilter.base_filters) - {"ordering"})
        if unknown:
            raise serializers.ValidationError(f"filtros desconhecidos: {', '.join(unknown)}")
        try:
            selectors.lead_list(params=filtros)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return filtros

    def validate_nome(self, value: str) -> str:
        user = self.context["request"].user
        others = models.SelecaoMapa.objects.filter(dono=user, nome=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError("você já tem uma seleção com este nome")
        return value


class SelecaoViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Saved map selections (area and filters); a user sees and changes only their own (another's: 404)."""

    serializer_class = SelecaoSerializer
    pagination_class = None

    queryset = models.SelecaoMapa.objects.none()  # the schema's model; requests read get_queryset

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return models.SelecaoMapa.objects.none()
        return models.SelecaoMapa.objects.filter(dono_id=_user_id(self.request))

    def perform_create(self, serializer: Any) -> None:
        serializer.save(dono_id=_user_id(self.request))


class MunicipiosView(APIView):
    """GET /api/v1/leads/municipios/?uf=..: per-municipality figures of the filtered units (the choropleth)."""

    @extend_schema(
        parameters=FILTERS,
        responses={200: OpenApiTypes.OBJECT},
        description=(
            "For each municipality of the given UF(s) with filtered units: `codigo` (IBGE), `unidades`, "
            "`energia_anual_kwh`, `media_dic`, `media_fic`, `pct_livre` (free-market share, %) and "
            "`melhor_score` (the best offer score of its units). `uf` is required."
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.municipio_figuras(params=request.query_params.dict()))
