from __future__ import annotations

from typing import Any

from celery.result import AsyncResult
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from ingestion import services, tasks
from ingestion.models import ImportStatus, TarefaFila
from youon.lib.permissions import IsStaffFromAllowedNetwork, ReadOrStaffWrite

from . import serializers


class ImportStatusViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Import reports (`import_status`); staff start imports with POST."""

    queryset = ImportStatus.objects.select_related("distribuidora").order_by("-id")
    serializer_class = serializers.ImportStatusSerializer
    permission_classes = [ReadOrStaffWrite]

    @extend_schema(
        request=serializers.ImportRequestSerializer,
        responses={202: OpenApiResponse(description="queued: status URLs of the layers, or of the catalog job")},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = serializers.ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("item_id"):
            job = tasks.bdgd_fetch_and_import.delay(data["item_id"], data["force"])
            services.tarefa_registrar(tarefa_id=job.id, dono=request.user, tipo="importacao_catalogo")
            url = reverse("tarefa-detail", args=[job.id], request=request)
            return Response({"tarefa": url, "item_id": data["item_id"]}, status=status.HTTP_202_ACCEPTED)
        try:
            statuses = services.bdgd_import_async(path=data["arquivo"], layers=data.get("camadas"), force=data["force"])
        except services.BdgdImportError as exc:  # told with the path under DATA_DIR, not the server's
            message = serializers.without_server_paths(str(exc))
            return Response({"arquivo": [message]}, status=status.HTTP_400_BAD_REQUEST)
        urls = [reverse("importacao-detail", args=[s.pk], request=request) for s in statuses]
        return Response({"importacoes": urls}, status=status.HTTP_202_ACCEPTED)


class RefreshViewsViewSet(viewsets.ViewSet):
    """Staff: refresh the materialized summaries on Celery."""

    permission_classes = [IsStaffFromAllowedNetwork]

    @extend_schema(request=None, responses={202: OpenApiResponse(description="queued")})
    def create(self, request: Request) -> Response:
        from leads.tasks import views_refresh

        job = views_refresh.delay()
        services.tarefa_registrar(tarefa_id=job.id, dono=request.user, tipo="atualizar_resumos")
        return Response({"tarefa": reverse("tarefa-detail", args=[job.id], request=request)}, status=202)


class TaskStatusViewSet(viewsets.ViewSet):
    """The state of a Celery job the user queued (a dispatch, an import of a catalog item, a summary
    refresh); another user's job, or an unknown id, is a 404."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"[^/]+"

    @extend_schema(
        responses={
            200: OpenApiResponse(description="{id, tipo, estado, resultado, erro}"),
            404: OpenApiResponse(description="no job of yours has this id"),
        }
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        job = TarefaFila.objects.filter(pk=pk, dono_id=request.user.pk).first()
        if job is None:
            raise NotFound("nenhuma tarefa sua tem este id")
        result = AsyncResult(pk)
        outcome = result.result if result.successful() else None
        error = str(result.result) if result.failed() else None
        return Response({"id": pk, "tipo": job.tipo, "estado": result.state, "resultado": outcome, "erro": error})
