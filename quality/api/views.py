"""The quality endpoints, /api/v1/qualidade/...: indicators and anomalies (any analyst), and each user's
own alert rules, events and notifications (another user's answer 404)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from quality import selectors, services
from quality.models import EventoAlerta, Notificacao, RegraAlerta, TipoAnomalia
from youon.lib.pagination import AggregateCursorPagination, StrictCursorPagination

from . import serializers


def _user_id(request: Request) -> int:
    if request.user.pk is None:
        raise NotAuthenticated()
    return int(request.user.pk)


class IdCursorPagination(StrictCursorPagination):
    ordering = "-id"

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        return ("-id",)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "nivel", str, enum=list(selectors.NIVEIS), description="uf, municipio, distribuidora ou conjunto"
            ),
            OpenApiParameter("regiao", str, description="código da região: RS, 4320909, 401 ou 401:12722"),
            OpenApiParameter("ano", {"type": "integer", "minimum": 2000, "maximum": 2100}),
            OpenApiParameter("mes", {"type": "integer", "minimum": 0, "maximum": 12}, description="0 = o ano"),
            OpenApiParameter("uf", str, description="regiões desta UF (níveis uf e municipio)"),
            OpenApiParameter("distribuidora", {"type": "integer", "minimum": 1}, description="código ANEEL"),
            OpenApiParameter(
                "ordering", str, enum=[f"{s}{f}" for f in selectors.INDICADOR_ORDERINGS for s in ("", "-")]
            ),
        ],
        description="DIC/FIC por região, ano e mês: unidades, média, p90, parcela acima do limite (o limite ANEEL do "
        "conjunto, senão o limiar dos parâmetros), meses sem rede, limites DEC/FEC do conjunto e a variação contra o "
        "ano anterior. Meses omitidos pela BDGD (DIC = FIC = 0) contam como 0.",
    )
)
class IndicadorViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):  # type: ignore[type-arg]
    serializer_class = serializers.IndicadorSerializer
    pagination_class = AggregateCursorPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return selectors.indicador_list(params=self.request.query_params)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "tipo", str, description=f"tipos, separados por vírgula: {', '.join(TipoAnomalia.values)}"
            ),
            OpenApiParameter("severidade_min", {"type": "integer", "minimum": 1, "maximum": 3}),
            OpenApiParameter("distribuidora", {"type": "integer", "minimum": 1}),
            OpenApiParameter("ano", {"type": "integer", "minimum": 2000, "maximum": 2100}),
            OpenApiParameter("uc_id", str, description="as anomalias de uma unidade"),
        ],
        description="Anomalias de consumo por unidade (tipo, severidade 1–3, explicação), as mais recentes primeiro. "
        "A lista de unidades filtra por elas: /api/v1/leads/?anomalia=queda_abrupta.",
    )
)
class AnomaliaViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):  # type: ignore[type-arg]
    serializer_class = serializers.AnomaliaSerializer
    pagination_class = IdCursorPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return selectors.anomalia_list(params=self.request.query_params)


def _owned(view: Any, queryset: Any, field: str) -> Any:
    """Rows of the current user only: another user's id answers 404."""
    if getattr(view, "swagger_fake_view", False):
        return queryset.none()
    return queryset.filter(**{field: _user_id(view.request)})


@extend_schema_view(
    create=extend_schema(
        description="Uma regra: região (uf, municipio, distribuidora, conjunto com `regiao`, ou "
        "poligono com `poligono` GeoJSON), métrica, limiar e canais (e-mail, resumo diário). Avaliada "
        "após cada importação e toda noite; cada evento é notificado uma vez."
    ),
)
class RegraViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    serializer_class = serializers.RegraSerializer
    pagination_class = IdCursorPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return RegraAlerta.objects.none()
        return selectors.regras_do_usuario(user_id=_user_id(self.request))

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.rule_save(data=serializer.validated_data, dono_id=_user_id(self.request))

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.rule_save(data=serializer.validated_data, regra=serializer.instance)

    def perform_destroy(self, instance: RegraAlerta) -> None:
        services.rule_delete(regra=instance)


class EventoViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Events of the current user's rules."""

    serializer_class = serializers.EventoSerializer
    pagination_class = IdCursorPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return _owned(self, EventoAlerta.objects.select_related("regra"), "regra__dono_id")


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("lida", str, description="true/false, 1/0 ou sim/não")]),
)
class NotificacaoViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                         viewsets.GenericViewSet):  # type: ignore[type-arg]  # fmt: skip
    """The current user's notifications; PATCH {"lida": true} marks one read."""

    serializer_class = serializers.NotificacaoSerializer
    pagination_class = IdCursorPagination
    filter_backends: list[Any] = []
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> Any:
        rows = _owned(self, Notificacao.objects.select_related("evento__regra"), "usuario_id")
        if self.action == "list":
            unknown = sorted(set(self.request.query_params) - {"lida", "cursor", "page_size", "format"})
            if unknown:
                raise ValidationError(
                    {n: "parâmetro desconhecido; os aceitos são lida, cursor, page_size" for n in unknown}
                )
            if (raw := self.request.query_params.get("lida")) is not None:
                from leads.filters import StrictBooleanField

                try:
                    rows = rows.filter(lida=StrictBooleanField().clean(raw))
                except DjangoValidationError as exc:
                    raise ValidationError({"lida": exc.messages}) from None
        return rows

    @extend_schema(request=serializers.MarcarLidasSerializer, responses={200: {"type": "object"}})
    @action(detail=False, methods=["post"], url_path="marcar-lidas")
    def marcar_lidas(self, request: Request) -> Response:
        body = serializers.MarcarLidasSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changed = services.notifications_mark_read(user_id=_user_id(request), ids=body.validated_data.get("ids"))
        return Response({"marcadas": changed})
