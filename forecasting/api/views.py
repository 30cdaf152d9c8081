from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from forecasting import selectors, services, tasks
from forecasting.models import ModeloVersao
from ingestion import services as ingestion
from youon import formatos

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
            202: OpenApiResponse(description="too large for a request: queued; `tarefa` is its status URL"),
            400: OpenApiResponse(description="the input names a field that is wrong, or the problem is over the limit"),
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
        variables, rows = problem.tamanho()
        size = variables + rows
        if size > settings.DESPACHO_MAX:
            n = formatos.numero
            raise ValidationError(
                {
                    "detail": f"o problema tem {n(variables)} variáveis e {n(rows)} restrições ({n(size)} ao todo); "
                    f"o limite é {n(settings.DESPACHO_MAX)}: reduza horas, usinas ou segmentos"
                }
            )
        if size > settings.DESPACHO_SINCRONO_MAX:
            # A job's hard time limit bounds how long it can be open: older ones have ended, one way or another.
            window = timedelta(seconds=settings.DESPACHO_TEMPO_MAX_S + 600)
            running = ingestion.tarefas_em_andamento(dono=request.user, tipo="despacho", desde=window)
            if running >= settings.DESPACHO_JOBS_POR_USUARIO:
                raise Throttled(
                    detail=f"você já tem {running} despachos na fila ou em andamento; o limite é "
                    f"{settings.DESPACHO_JOBS_POR_USUARIO}: aguarde um terminar"
                )
            job = tasks.dispatch_solve.delay(body.validated_data, carga)
            ingestion.tarefa_registrar(tarefa_id=job.id, dono=request.user, tipo="despacho")
            url = reverse("tarefa-detail", args=[job.id], request=request)
            return Response(
                {"tarefa": url, "variaveis": variables, "restricoes": rows}, status=status.HTTP_202_ACCEPTED
            )
        code, answer = services.dispatch_answer(
            problem, ano_pld=body.validated_data["ano_pld"], time_limit=30, work_max=settings.DESPACHO_SINCRONO_MAX
        )
        return Response(answer, status=code)
