from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from forecasting import selectors
from forecasting.models import ModeloVersao
from forecasting.optimisation import dispatch

from . import serializers


class PrevisaoViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Day-ahead load forecasts: the latest issued day, and forecast against actual over a range."""

    serializer_class = serializers.PrevisaoSerializer
    filter_backends: list[Any] = []

    @extend_schema(parameters=[serializers.IntervaloSerializer], responses=serializers.PrevisaoSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Forecast vs actual for `serie` in [inicio, fim) (ISO 8601), one row per hour."""
        query = serializers.IntervaloSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.forecast_vs_actual(**query.validated_data)
        return Response(self.get_serializer(rows, many=True).data)

    @extend_schema(parameters=[serializers.SerieSerializer], responses=serializers.PrevisaoSerializer(many=True))
    @action(detail=False)
    def ultima(self, request: Request) -> Response:
        """The most recently issued forecast day of `serie` (24 hours)."""
        query = serializers.SerieSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(self.get_serializer(selectors.forecast_latest(**query.validated_data), many=True).data)


class ModeloVersaoViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Model versions with their holdout metrics, gate results and status (candidate, active, retired)."""

    queryset = ModeloVersao.objects.order_by("-id")
    serializer_class = serializers.ModeloVersaoSerializer
    filter_backends: list[Any] = []


class DespachoViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Optimal hourly dispatch (hydro, thermal, interchanges) for the inputs given."""

    serializer_class = serializers.DespachoSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        responses={
            200: OpenApiResponse(description="dispatch per plant, flows, deficits, cost, CMO per subsystem and hour"),
            400: OpenApiResponse(description="the input names a field that is wrong"),
            422: OpenApiResponse(description="infeasible: the limits that cannot all hold"),
        }
    )
    def create(self, request: Request) -> Response:
        body = serializers.DespachoSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        carga = body.validated_data.get("carga")
        if carga is None and body.validated_data["horas"] == 24 and (day := selectors.forecast_day_latest()):
            carga = day.carga
        if carga is None:
            raise ValidationError({"carga": "required unless horas is 24 and every subsystem has an issued forecast"})
        problem = body.problem(carga)
        try:
            result = dispatch.solve(problem, time_limit=30)
        except dispatch.Infeasible as exc:
            return Response(
                {"detail": str(exc), "limites": [{"limite": n, "violacao": g} for n, g in exc.limits]},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(
            {
                **asdict(result),
                "sanidade_cmo": dispatch.cmo_sanity(result.cmo, body.validated_data["ano_pld"]),
                "avisos": _warnings(result, carga),
            }
        )


# Above this share of the load met by deficit, the plan says the plants given cannot carry the load.
DEFICIT_WARNING_SHARE = 0.05


def _warnings(result: dispatch.Resultado, carga: dict[str, list[float]]) -> list[str]:
    """What a reader of the plan must know before trusting its cost and CMO."""
    load = sum(sum(values) for values in carga.values())
    deficit = sum(sum(values) for values in result.deficit.values())
    if load <= 0 or deficit <= 0:
        return []
    share = deficit / load
    words = f"{share:.1%}".replace(".", ",")
    if share >= DEFICIT_WARNING_SHARE:
        return [
            f"o déficit atende {words} da carga: as usinas e interligações dadas não bastam, e custo e CMO "
            "refletem o custo do déficit, não a operação"
        ]
    return [f"há déficit em algumas horas ({words} da carga)"]
