from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django_filters as df
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework import serializers as serializers_
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from leads import models, selectors, services, tasks
from leads.filters import ANO_MAX, ANO_MIN, LeadFilter, StrictBooleanFilter, ascii_digits
from youon.lib.db import serial_plans
from youon.lib.pagination import AggregateCursorPagination, StrictCursorPagination

from . import serializers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SchemaOnlyFilterBackend(DjangoFilterBackend):
    """Documents LeadFilter in the OpenAPI schema; the selector (lead_list) applies it."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        return queryset


def _user_id(request: Request) -> int:
    """The authenticated user's id (every view here requires a login)."""
    if request.user.pk is None:
        raise NotAuthenticated()
    return int(request.user.pk)


ORDERING = OpenApiParameter(
    "ordering",
    str,
    description="uc_id (padrão) ou uma coluna numérica da lista; '-' para decrescente. Ordenada por uma coluna, "
    "a lista traz só as unidades que a têm; as exportações trazem as sem valor no fim.",
    enum=list(selectors.ORDERINGS),
)


def _filter_parameters() -> list[OpenApiParameter]:
    """LeadFilter's parameters, for the endpoints besides the list that take them (GeoJSON, CSV, XLSX)."""
    parameters = []
    for name, spec in LeadFilter.base_filters.items():
        kind: Any = OpenApiTypes.STR
        if isinstance(spec, df.NumberFilter):
            kind = OpenApiTypes.NUMBER
        elif isinstance(spec, StrictBooleanFilter):
            kind = OpenApiTypes.BOOL
        parameters.append(OpenApiParameter(name, kind, description=str(spec.extra.get("help_text", ""))))
    return parameters


FILTERS = _filter_parameters()
EXPORT_LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1},
    description="no máximo este número de linhas, na ordem de `ordering` (page_size também é aceito)",
)


# A POST body: the list's parameters by name (text, numbers, booleans, lists of them; `poligono` a GeoJSON
# object), as in the query string.
BODY = {"application/json": {"type": "object", "additionalProperties": True}}


class TooManyExports(APIException):
    status_code = 429
    default_code = "exportacoes_em_andamento"


def body_params(data: Any, *, given: set[str], query_only: set[str]) -> QueryDict:
    """A POST body's parameters as a QueryDict of text values: strings, numbers and booleans as text,
    lists as repeated values, a GeoJSON object (the polygon) as its JSON."""
    if isinstance(data, QueryDict):  # a form body: every value of a repeated name
        data = {k: data.getlist(k) for k in data}
    if not isinstance(data, dict):
        raise ValidationError({"detail": "o corpo deve ser um objeto JSON com os parâmetros da lista"})
    out = QueryDict(mutable=True)
    errors: dict[str, str] = {}
    for name, value in data.items():
        if name in given:
            errors[name] = "dado no endereço e no corpo: use um dos dois"
            continue
        if name in query_only:
            errors[name] = "vai no endereço (como no `next` da resposta), não no corpo"
            continue
        values = value if isinstance(value, list) else [value]
        texts = []
        for item in values:
            if isinstance(item, dict):
                texts.append(json.dumps(item))
            elif isinstance(item, bool):
                texts.append("true" if item else "false")
            elif isinstance(item, (str, int, float)):
                texts.append(str(item))
            else:
                errors[name] = "esperado texto, número, booleano, lista deles ou, para poligono, um objeto GeoJSON"
                break
        out.setlist(name, texts)
    if errors:
        raise ValidationError(errors)
    return out


@extend_schema_view(
    list=extend_schema(
        parameters=[ORDERING],
        description=(
            "Units (leads), filtered; cursor pagination (`next`/`previous`), no total count. Example: "
            "`?uf=RS&tipo_cliente=PJ&pac_min=500&ordering=-energia_anual_kwh`."
        ),
    ),
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT, description="A unit, its 12 months and enrichment log."),
    create=extend_schema(
        request=BODY,
        responses={200: serializers.LeadPageSerializer},
        description=(
            "The list with its parameters in a JSON body (the same names as the query string's; `poligono` as "
            "a GeoJSON object): a polygon too long for a URL. Cursor and page_size stay in the URL; the next "
            "page is the same body posted to `next`."
        ),
    ),
)
class LeadViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):  # type: ignore[type-arg]
    serializer_class = serializers.LeadSerializer
    pagination_class = StrictCursorPagination
    filterset_class = LeadFilter
    filter_backends = [SchemaOnlyFilterBackend]
    lookup_field = "uc_id"
    lookup_value_regex = r"[^/]+"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with serial_plans():  # a page reads tens of rows: parallel workers cost more than they save
            return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """POST: the list, its parameters in the body (a polygon too long for a URL)."""
        return self.list(request, *args, **kwargs)

    def _params(self) -> QueryDict:
        """The request's parameters: the query string, and on POST the JSON or form body's too (the same
        names; a polygon as a GeoJSON object or text). A name in both is a 400. Cursor and page size stay
        in the query string, so a POST client sends the same body to the `next` URL."""
        cached = getattr(self, "_merged_params", None)
        if cached is not None:
            return cached
        merged = self.request.query_params.copy()
        if self.request.method == "POST":
            # The list's pages are the paginator's, read from the URL; an export's limit may be in the body.
            query_only = {"cursor", "page_size"} if self.action == "create" else {"cursor"}
            extra = body_params(self.request.data, given=set(merged), query_only=query_only)
            for name in extra:
                merged.setlist(name, extra.getlist(name))
        self._merged_params: QueryDict = merged
        return merged

    def get_queryset(self) -> Any:
        return selectors.lead_list(params=self._params(), ordering=self._ordering())

    def _ordering(self) -> str:
        return selectors.list_ordering(self._params())

    def retrieve(self, request: Request, uc_id: str) -> Response:
        try:
            detail = selectors.lead_detail(uc_id=int(uc_id))
        except (models.LeadBruto.DoesNotExist, ValueError, OverflowError):
            raise NotFound(f"nenhuma unidade com uc_id {uc_id!r} (um inteiro de até 19 dígitos)") from None
        return Response(serializers.LeadDetailSerializer(detail).data)

    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": selectors.GEOJSON_MAX_FEATURES, "default": 1000},
                description=f"features, at most {selectors.GEOJSON_MAX_FEATURES}",
            ),
        ],
        request=BODY,
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
        description="The filtered units as a GeoJSON FeatureCollection (located units only), for maps.",
    )
    @action(detail=False, methods=["get", "post"])
    def geojson(self, request: Request) -> HttpResponse:
        raw = self._params().get("limit", "1000")
        if not ascii_digits(raw) or not 1 <= int(raw) <= selectors.GEOJSON_MAX_FEATURES:
            raise ValidationError({"limit": f"must be an integer between 1 and {selectors.GEOJSON_MAX_FEATURES}"})
        body = selectors.lead_geojson(queryset=self.get_queryset(), limit=int(raw))
        return HttpResponse(body, content_type="application/geo+json")

    def _export_job(self, request: Request, formato: str) -> Response | None:
        """A job instead of a direct answer when the export is above its synchronous threshold (XLSX,
        built in memory, has a lower one than streamed CSV)."""
        threshold = settings.EXPORT_SYNC_MAX_ROWS if formato == "csv" else settings.EXPORT_XLSX_SYNC_MAX_ROWS
        limit = selectors.export_limit(self._params())
        if limit is not None and limit <= threshold:
            return None
        if not selectors.lead_count_exceeds(queryset=self.get_queryset(), limit=threshold):
            return None
        # Every value of a repeated parameter, joined as the filters read them (classe=CO1&classe=CO2).
        filtros = {k: ",".join(self._params().getlist(k)) for k in self._params() if k != "cursor"}
        try:
            job = services.export_create(user_id=_user_id(request), formato=formato, filtros=filtros)
        except services.ExportLimitError as exc:
            raise TooManyExports(str(exc)) from exc
        transaction.on_commit(lambda: tasks.export_write.delay(str(job.pk)))
        url = reverse("exportacao-detail", args=[job.pk], request=request)
        return Response({"exportacao": url, "status": job.status}, status=202)

    def _export_sql(self, request: Request) -> tuple[str, tuple[Any, ...]]:
        return selectors.lead_export_sql(params=self._params())

    @extend_schema(
        parameters=[*FILTERS, ORDERING, EXPORT_LIMIT],
        request=BODY,
        responses={(200, "text/csv"): OpenApiTypes.STR, 202: OpenApiTypes.OBJECT},
        description=(
            "The filtered units as CSV, streamed by PostgreSQL (COPY ... TO STDOUT). Above "
            "EXPORT_SYNC_MAX_ROWS units: 202 with the URL of an export job (see /api/v1/exportacoes/)."
        ),
    )
    @action(detail=False, methods=["get", "post"], url_path="csv")
    def export_csv(self, request: Request) -> StreamingHttpResponse | Response:
        job = self._export_job(request, "csv")
        if job is not None:
            return job
        query, params = self._export_sql(request)

        def stream() -> Iterator[bytes]:
            with (
                connection.cursor() as cursor,
                selectors.export_copy(cursor, query, params) as copy,
            ):
                buffer = bytearray(services.csv_header())
                for block in copy:  # COPY hands out about a row at a time: send ~1 MiB writes
                    buffer += block
                    if len(buffer) >= 1 << 20:
                        yield bytes(buffer)
                        buffer.clear()
                yield bytes(buffer)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="leads.csv"'
        return response

    @extend_schema(
        parameters=[*FILTERS, ORDERING, EXPORT_LIMIT],
        request=BODY,
        responses={(200, XLSX): OpenApiTypes.BINARY, 202: OpenApiTypes.OBJECT},
        description="The filtered units as XLSX; above EXPORT_SYNC_MAX_ROWS units, 202 with an export job.",
    )
    @action(detail=False, methods=["get", "post"], url_path="xlsx")
    def export_xlsx(self, request: Request) -> HttpResponse | Response:
        job = self._export_job(request, "xlsx")
        if job is not None:
            return job
        query, params = self._export_sql(request)
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            services.xlsx_write(Path(handle.name), query, params)
            body = Path(handle.name).read_bytes()
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="leads.xlsx"'
        return response


class ExportacaoSerializer(serializers_.ModelSerializer):  # type: ignore[type-arg]
    arquivo_url = serializers_.SerializerMethodField()

    class Meta:
        model = models.Exportacao
        fields = ["id", "formato", "filtros", "status", "linhas_escritas", "erro", "criado_em", "finalizado_em",
                  "arquivo_url"]  # fmt: skip
        read_only_fields = ["id", "status", "linhas_escritas", "erro", "criado_em", "finalizado_em"]

    def get_arquivo_url(self, obj: models.Exportacao) -> str | None:
        if obj.status != "completed":
            return None
        return reverse("exportacao-arquivo", args=[obj.pk], request=self.context.get("request"))

    def validate_filtros(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(v, str | int | float | bool) for v in value.values()):
            raise serializers_.ValidationError('an object of list parameters, e.g. {"uf": "RS"}')
        return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()}


class ExportacaoViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Export jobs of the current user: another user's job answers 404."""

    serializer_class = ExportacaoSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return models.Exportacao.objects.none()
        return models.Exportacao.objects.filter(dono_id=self.request.user.pk)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            job = services.export_create(
                user_id=_user_id(self.request), formato=data["formato"], filtros=data.get("filtros", {})
            )
        except services.ExportLimitError as exc:
            raise TooManyExports(str(exc)) from exc
        serializer.instance = job
        transaction.on_commit(lambda: tasks.export_write.delay(str(job.pk)))

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def arquivo(self, request: Request, pk: str) -> FileResponse:
        job = self.get_object()
        if job.status != "completed" or not Path(job.arquivo).exists():
            raise NotFound("the file is not ready")
        return FileResponse(Path(job.arquivo).open("rb"), as_attachment=True, filename=f"leads-{job.pk}.{job.formato}")


class AggregateViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):  # type: ignore[type-arg]
    """Rows of a materialized summary, filtered by exact values of a few columns, ordered by any figure."""

    filters: dict[str, str] = {}
    orderings: tuple[str, ...] = ()
    pagination_class = AggregateCursorPagination

    def get_queryset(self) -> Any:
        serializer: Any = self.get_serializer_class()
        queryset = serializer.Meta.model.objects.all()
        known = {*self.filters, "ordering", "cursor", "page_size", "format"}
        unknown = sorted(set(self.request.query_params) - known)
        if unknown:  # a filter this summary does not have would otherwise be silently ignored
            raise ValidationError({name: f"parâmetro desconhecido; os aceitos são {', '.join(sorted(known))}"
                                   for name in unknown})  # fmt: skip
        for param, field in self.filters.items():
            value = self.request.query_params.get(param)
            if value is not None:
                if param == "uf":
                    value = value.upper()
                schema = _PARAM_SCHEMAS[param]
                if schema["type"] == "integer" and not ascii_digits(value):
                    raise ValidationError({param: f"{value!r} não é um inteiro"})
                if schema["type"] == "integer" and not schema["minimum"] <= int(value) <= schema["maximum"]:
                    raise ValidationError({param: f"deve estar entre {schema['minimum']} e {schema['maximum']}"})
                if "enum" in _PARAM_SCHEMAS[param] and value not in _PARAM_SCHEMAS[param]["enum"]:
                    raise ValidationError({param: f"{value!r} não é um de {', '.join(_PARAM_SCHEMAS[param]['enum'])}"})
                queryset = queryset.filter(**{field: value})
        ordering = self.request.query_params.get("ordering")
        if ordering:
            if ordering.lstrip("-") not in self.orderings:
                accepted = ", ".join(f"{field}, -{field}" for field in self.orderings)
                raise ValidationError({"ordering": f"{ordering!r} não é uma ordenação aceita: {accepted}"})
            # Cursor pages need a value to resume from: rows without the figure are left out of this order.
            queryset = queryset.filter(**{f"{ordering.lstrip('-')}__isnull": False})
        return queryset


def _aggregate_ordering(orderings: tuple[str, ...]) -> OpenApiParameter:
    return OpenApiParameter(
        "ordering",
        str,
        enum=[f"{sign}{field}" for field in orderings for sign in ("", "-")],
        description="ordena por uma das colunas numéricas ('-' decrescente); sem ela, pela chave",
    )


_PARAM_SCHEMAS: dict[str, dict[str, Any]] = {
    "ano": {"type": "integer", "minimum": ANO_MIN, "maximum": ANO_MAX},
    "distribuidora": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "camada": {"type": "string", "enum": ["UCAT", "UCMT", "UCBT"]},
    "uf": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "municipio": {"type": "string", "pattern": "^[0-9]{7}$"},
    "segmento": {"type": "string", "maxLength": 40},
}


def _aggregate_params(filters: dict[str, str], orderings: tuple[str, ...]) -> list[OpenApiParameter]:
    return [
        *(
            OpenApiParameter(name, _PARAM_SCHEMAS[name], description=f"igual a {field}")
            for name, field in filters.items()
        ),
        _aggregate_ordering(orderings),
    ]


_MUNICIPIO_FILTERS = {"uf": "uf", "ano": "ano", "municipio": "municipio_id"}
_DISTRIBUIDORA_FILTERS = {"distribuidora": "distribuidora_id", "ano": "ano", "camada": "camada"}
_SEGMENTO_FILTERS = {"distribuidora": "distribuidora_id", "ano": "ano", "segmento": "segmento_mercado_id"}
_FIGURES = ("n_ucs", "energia_anual_kwh", "pac_total_kw", "media_dic", "media_fic")
_MUNICIPIO_ORDERINGS = (*_FIGURES, "n_ativas", "n_pj")
_DISTRIBUIDORA_ORDERINGS = (*_FIGURES, "n_ativas", "n_livres", "n_com_gd")
_SEGMENTO_ORDERINGS = (*_FIGURES, "n_livres")


@extend_schema_view(list=extend_schema(parameters=_aggregate_params(_MUNICIPIO_FILTERS, _MUNICIPIO_ORDERINGS)))
class ResumoMunicipioViewSet(AggregateViewSet):
    serializer_class = serializers.ResumoMunicipioSerializer
    filters = _MUNICIPIO_FILTERS
    orderings = _MUNICIPIO_ORDERINGS


@extend_schema_view(list=extend_schema(parameters=_aggregate_params(_DISTRIBUIDORA_FILTERS, _DISTRIBUIDORA_ORDERINGS)))
class ResumoDistribuidoraViewSet(AggregateViewSet):
    serializer_class = serializers.ResumoDistribuidoraSerializer
    filters = _DISTRIBUIDORA_FILTERS
    orderings = _DISTRIBUIDORA_ORDERINGS


@extend_schema_view(list=extend_schema(parameters=_aggregate_params(_SEGMENTO_FILTERS, _SEGMENTO_ORDERINGS)))
class ResumoSegmentoViewSet(AggregateViewSet):
    serializer_class = serializers.ResumoSegmentoSerializer
    filters = _SEGMENTO_FILTERS
    orderings = _SEGMENTO_ORDERINGS


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
            # Codes may hold a slash (CNAE 4711-3/02, sent as 4711-3%2F02 or 4711-3/02).
            "lookup_value_regex": r"[^?#]+?",
            "serializer_class": serializers.domain_serializer(model_class),
            "permission_classes": [permissions.IsAuthenticated],
        },
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("distribuidora", {"type": "integer"}, description="segmentos de uma distribuidora"),
            OpenApiParameter("ano", {"type": "integer"}, description="segmentos de um ano"),
        ],
        description="Segmentos automáticos (k-means sobre perfil de carga, porte, tipo e local) da pontuação em "
        "vigor, com rótulo e métricas; as unidades de um segmento: /api/v1/leads/?segmento_automatico=ID.",
    )
)
class SegmentoViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    serializer_class = serializers.SegmentoSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        queryset = models.SegmentoAutomatico.objects.filter(execucao__ativa=True).select_related("execucao")
        # A run over every distributor (or year) covers the one asked for.
        for param, field in (("distribuidora", "execucao__distribuidora_id"), ("ano", "execucao__ano")):
            value = self.request.query_params.get(param)
            if value is not None:
                if not ascii_digits(value):
                    raise ValidationError({param: f"{value!r} não é um inteiro"})
                queryset = queryset.filter(Q(**{field: int(value)}) | Q(**{f"{field}__isnull": True}))
        return queryset.order_by("-execucao__calculado_em", "numero")
