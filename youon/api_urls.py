"""The REST API, /api/v1/."""

from __future__ import annotations

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from forecasting.api import views as forecasting_views
from ingestion.api.views import ImportStatusViewSet, RefreshViewsViewSet, TaskStatusViewSet
from leads.api import mapa, views
from quality.api import views as quality_views

router = DefaultRouter()
router.register("leads/selecoes", mapa.SelecaoViewSet, basename="selecao-mapa")
router.register("leads", views.LeadViewSet, basename="lead")
router.register("agregados/municipios", views.ResumoMunicipioViewSet, basename="agregado-municipio")
router.register("agregados/distribuidoras", views.ResumoDistribuidoraViewSet, basename="agregado-distribuidora")
router.register("agregados/segmentos", views.ResumoSegmentoViewSet, basename="agregado-segmento")
for prefix, model_class in views.DOMAIN_MODELS.items():
    router.register(f"dominios/{prefix}", views.domain_viewset(model_class), basename=f"dominio-{prefix}")
router.register("segmentos", views.SegmentoViewSet, basename="segmento")
router.register("exportacoes", views.ExportacaoViewSet, basename="exportacao")
router.register("importacoes", ImportStatusViewSet, basename="importacao")
router.register("atualizar-resumos", RefreshViewsViewSet, basename="atualizar-resumos")
router.register("tarefas", TaskStatusViewSet, basename="tarefa")
router.register("qualidade/indicadores", quality_views.IndicadorViewSet, basename="qualidade-indicador")
router.register("qualidade/anomalias", quality_views.AnomaliaViewSet, basename="qualidade-anomalia")
router.register("qualidade/regras", quality_views.RegraViewSet, basename="qualidade-regra")
router.register("qualidade/eventos", quality_views.EventoViewSet, basename="qualidade-evento")
router.register("qualidade/notificacoes", quality_views.NotificacaoViewSet, basename="qualidade-notificacao")
router.register("previsoes", forecasting_views.PrevisaoViewSet, basename="previsao")
router.register("modelos", forecasting_views.ModeloVersaoViewSet, basename="modelo")
router.register("despacho", forecasting_views.DespachoViewSet, basename="despacho")

# Before the router's: leads/<uc_id>/ would take `resumo`.
urlpatterns = [
    re_path(
        r"^leads/tiles/(?P<z>\d{1,2})/(?P<x>\d{1,9})/(?P<y>\d{1,9})\.mvt$", mapa.TileView.as_view(), name="lead-tile"
    ),
    re_path(
        r"^leads/rede/(?P<z>\d{1,2})/(?P<x>\d{1,9})/(?P<y>\d{1,9})\.mvt$", mapa.RedeTileView.as_view(), name="lead-rede"
    ),
    path("leads/resumo/", mapa.ResumoView.as_view(), name="lead-resumo"),
    path("leads/municipios/", mapa.MunicipiosView.as_view(), name="lead-municipios"),
    *router.urls,
]
