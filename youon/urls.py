from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path, re_path
from django.views.defaults import bad_request, page_not_found
from django.views.defaults import server_error as default_server_error
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework_simplejwt.views import TokenBlacklistView, TokenRefreshView, TokenVerifyView

from forecasting.views import operacoes
from leads.views import mapa
from quality.views import notificacoes, qualidade

from .views import TokenObtainView, api_not_found, inicio


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """JSON for the API (clients parse it), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Não encontrado."}, status=404)
    return page_not_found(request, exception)


def bad_request_error(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django itself refuses (SuspiciousOperation, BadRequest, e.g. a GeoJSON whose CRS is an
    external link): JSON with the reason for the API."""
    if request.path.startswith("/api/"):
        detail = f"Requisição inválida: {exception}" if str(exception) else "Requisição inválida."
        return JsonResponse({"detail": detail}, status=400)
    return bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Erro interno; foi registrado."}, status=500)
    return default_server_error(request)


handler400 = bad_request_error
handler404 = not_found
handler500 = server_error


admin.site.site_header = "You.On Intelligence"
admin.site.site_title = "You.On Intelligence"
admin.site.index_title = "Administração"
admin.site.site_url = "/"

urlpatterns = [
    path("", inicio, name="inicio"),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("mapa/", mapa, name="mapa"),
    path("operacoes/", operacoes, name="operacoes"),
    path("qualidade/", qualidade, name="qualidade"),
    path("qualidade/notificacoes/", notificacoes, name="notificacoes"),
    path("contas/login/", auth_views.LoginView.as_view(), name="login"),
    path("contas/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("youon.api_urls")),
    path("api/token/", TokenObtainView.as_view(), name="token_obtain_pair"),
    path("api/token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
    path("api/token/verify/", TokenVerifyView.as_view(), name="token_verify"),
    path("api/token/blacklist/", TokenBlacklistView.as_view(), name="token_blacklist"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start script as a file: the page needs no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    re_path(r"^api/(?P<path>.*)$", api_not_found),
]
