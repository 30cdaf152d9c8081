from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from leads import models, selectors
from leads.filters import LeadFilter
from youon.lib.pagination import KeyCursorPagination, StrictCursorPagination

from . import serializers

CSV_COLUMNS = [
    "uc_id", "cod_id", "distribuidora_id", "ano", "camada", "situacao", "classe_consumo_id", "cnae_id",
    "segmento_mercado_id", "grupo_tensao_id", "grupo_tarifario_id", "municipio_id", "bairro", "cep", "pac",
    "carga_instalada_kw", "demanda_contratada_kw", "energia_anual_kwh", "demanda_pico_kw", "media_dic", "media_fic",
    "livre", "ceg_gd", "fonte_coordenada",
]  # fmt: skip


class SchemaOnlyFilterBackend(DjangoFilterBackend):
    """Documents LeadFilter in the OpenAPI schema; the selector (lead_list) applies it."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        return queryset


def _django_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


ORDERING = OpenApiParameter(
    "ordering",
    str,
    description="uc_id (default), energia_anual_kwh, pac or media_dic; '-' for descending",
    enum=list(selectors.ORDERINGS),
)


@extend_schema_view(
    list=extend_schema(
        parameters=[ORDERING],
        description=(
            "Units (leads), filtered; cursor pagination (`next`/`previous`), no total count. Example: "
            "`?uf=RS&tipo_cliente=PJ&pac_min=500&ordering=-energia_anual_kwh`."
        ),
    ),
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT, description="A unit, its 12 months and enrichment log."),
)
class LeadViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):  # type: ignore[type-arg]
    serializer_class = serializers.LeadSerializer
    pagination_class = StrictCursorPagination
    filterset_class = LeadFilter
    filter_backends = [SchemaOnlyFilterBackend]
    lookup_field = "uc_id"
    lookup_value_regex = r"-?\d{1,19}"

    def get_queryset(self) -> Any:
        try:
            return selectors.lead_list(params=self.request.query_params, ordering=self._ordering())
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc

    def _ordering(self) -> str:
        return self.request.query_params.get("ordering", "uc_id")

    def retrieve(self, request: Request, uc_id: str) -> Response:
        try:
            detail = selectors.lead_detail(uc_id=int(uc_id))
        except (models.LeadBruto.DoesNotExist, ValueError, OverflowError):
            raise NotFound("no unit with this uc_id") from None
        return Response(serializers.LeadDetailSerializer(detail).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": selectors.GEOJSON_MAX_FEATURES, "default": 1000},
                description=f"features, at most {selectors.GEOJSON_MAX_FEATURES}",
            )
        ],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
        description="The filtered units as a GeoJSON FeatureCollection (located units only), for maps.",
    )
    @action(detail=False, methods=["get"])
    def geojson(self, request: Request) -> HttpResponse:
        raw = request.query_params.get("limit", "1000")
        if not raw.isdigit() or not 1 <= int(raw) <= selectors.GEOJSON_MAX_FEATURES:
            raise ValidationError({"limit": f"must be an integer between 1 and {selectors.GEOJSON_MAX_FEATURES}"})
        body = selectors.lead_geojson(queryset=self.get_queryset(), limit=int(raw))
        return HttpResponse(body, content_type="application/geo+json")

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="The filtered units as CSV, streamed by PostgreSQL (COPY ... TO STDOUT).",
    )
    @action(detail=False, methods=["get"], url_path="csv")
    def export_csv(self, request: Request) -> StreamingHttpResponse:
        queryset = self.get_queryset().order_by().values(*CSV_COLUMNS)
        query, params = queryset.query.sql_with_params()

        def stream() -> Iterator[bytes]:
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)", params) as copy,
            ):
                for block in copy:
                    yield bytes(block)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="leads.csv"'
        return response


class AggregateViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):  # type: ignore[type-arg]
    """Rows of a materialized summary, filtered by exact values of a few columns."""

    filters: dict[str, str] = {}
    pagination_class = KeyCursorPagination

    def get_queryset(self) -> Any:
        queryset = self.serializer_class.Meta.model.objects.all().order_by("chave")
        for param, field in self.filters.items():
            value = self.request.query_params.get(param)
            if value is not None:
                if _PARAM_SCHEMAS[param]["type"] == "integer" and not value.isdigit():
                    raise ValidationError({param: f"{value!r} is not an integer"})
                if "enum" in _PARAM_SCHEMAS[param] and value not in _PARAM_SCHEMAS[param]["enum"]:
                    raise ValidationError(
                        {param: f"{value!r} is not one of {', '.join(_PARAM_SCHEMAS[param]['enum'])}"}
                    )
                queryset = queryset.filter(**{field: value})
        return queryset


_PARAM_SCHEMAS: dict[str, dict[str, Any]] = {
    "ano": {"type": "integer", "minimum": 2000, "maximum": 2100},
    "distribuidora": {"type": "integer", "minimum": 1},
    "camada": {"type": "string", "enum": ["UCAT", "UCMT", "UCBT"]},
    "uf": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "municipio": {"type": "string", "pattern": "^[0-9]{7}$"},
    "segmento": {"type": "string", "maxLength": 40},
}


def _aggregate_params(filters: dict[str, str]) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(name, _PARAM_SCHEMAS[name], description=f"exact {field}") for name, field in filters.items()
    ]


_MUNICIPIO_FILTERS = {"uf": "uf", "ano": "ano", "municipio": "municipio_id"}
_DISTRIBUIDORA_FILTERS = {"distribuidora": "distribuidora_id", "ano": "ano", "camada": "camada"}
_SEGMENTO_FILTERS = {"distribuidora": "distribuidora_id", "ano": "ano", "segmento": "segmento_mercado_id"}


@extend_schema_view(list=extend_schema(parameters=_aggregate_params(_MUNICIPIO_FILTERS)))
class ResumoMunicipioViewSet(AggregateViewSet):
    serializer_class = serializers.ResumoMunicipioSerializer
    filters = _MUNICIPIO_FILTERS


@extend_schema_view(list=extend_schema(parameters=_aggregate_params(_DISTRIBUIDORA_FILTERS)))
class ResumoDistribuidoraViewSet(AggregateViewSet):
    serializer_class = serializers.ResumoDistribuidoraSerializer
    filters = _DISTRIBUIDORA_FILTERS


@extend_schema_view(list=extend_schema(parameters=_aggregate_params(_SEGMENTO_FILTERS)))
class ResumoSegmentoViewSet(AggregateViewSet):
    serializer_class = serializers.ResumoSegmentoSerializer
    filters = _SEGMENTO_FILTERS


DOMAIN_MODELS = {
    "distribuidoras": models.Distribuidora,
    "municipios": models.Municipio,
    "grupos-tensao": models.GrupoTensao,
    "grupos-tarifarios": models.GrupoTarifario,
    "modalidades-tarifarias": models.ModalidadeTarifaria,
    "tipos-sistema": models.TipoSistema,
    "classes-consumo": models.ClasseConsumo,
    "segmentos": models.SegmentoMercado,
    "cnaes": models.Cnae,
    "tensoes": models.Tensao,
}


def domain_viewset(model_class: type[Any]) -> type[viewsets.ReadOnlyModelViewSet]:  # type: ignore[type-arg]
    """A read-only endpoint of a domain table."""
    return type(
        f"{model_class.__name__}ViewSet",
        (viewsets.ReadOnlyModelViewSet,),
        {
            "queryset": model_class.objects.all(),
            "serializer_class": serializers.domain_serializer(model_class),
            "permission_classes": [permissions.IsAuthenticated],
        },
    )
