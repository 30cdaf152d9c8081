"""The analysts' map (/mapa/): units as vector tiles, a heat map, a choropleth, filters and selections.

The page is rendered here with the choices of its filters; static/leads/mapa.js draws it and reads the
map's API (tiles, resumo, municipios, selecoes, the list and its export jobs) with the session.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse

from . import filters, models, selectors, tiles, tiles_rede

# The consumer classes by their two letters (the `classe` filter takes them for every subclass).
CLASSES = {
    "RE": "Residencial", "CO": "Comercial", "IN": "Industrial", "RU": "Rural", "PP": "Poder público",
    "IP": "Iluminação pública", "SP": "Serviço público", "CP": "Consumo próprio",
}  # fmt: skip
ORDENACOES = {
    "energia_anual_kwh": "energia anual", "demanda_pico_kw": "demanda de pico", "pac": "PAC",
    "media_dic": "DIC médio", "media_fic": "FIC médio", "score_acl": "score ACL",
    "score_arbitragem": "score arbitragem", "score_backup": "score backup", "score_gtd": "score GTD",
}  # fmt: skip


def _classes() -> list[tuple[str, str]]:
    known = filters._classes()
    return [(code, name) for code, name in CLASSES.items() if code.lower() in known]


@login_required
def mapa(request: HttpRequest) -> HttpResponse:
    """The map page: its filters' choices and where its data comes from (the rest is mapa.js)."""
    anos = sorted(set(models.ResumoDistribuidoraAno.objects.values_list("ano", flat=True)), reverse=True)
    config: dict[str, Any] = {
        "base": settings.MAPA_BASE_URL,
        "atribuicao": settings.MAPA_BASE_ATTRIBUTION,
        "pontos_zoom": tiles.POINT_MIN_ZOOM,
        "tiles": reverse("lead-tile", kwargs={"z": 0, "x": 0, "y": 0}).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt"),
        "rede": reverse("lead-rede", kwargs={"z": 0, "x": 0, "y": 0}).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt"),
        "rede_zoom": tiles_rede.NETWORK_MIN_ZOOM,
        "resumo": reverse("lead-resumo"),
        "municipios": reverse("lead-municipios"),
        "lista": reverse("lead-list"),
        "selecoes": reverse("selecao-mapa-list"),
        "exportacoes": reverse("exportacao-list"),
        "contornos": static("youon/geo/municipios/"),
        "admin_unidade": (
            reverse("admin:leads_leadbruto_change", args=[0]).replace("/0/", "/{id}/") if request.user.is_staff else ""
        ),
        "csrf": get_token(request),
        "fontes_coordenada": dict(models.FonteCoordenada.choices),
        # The outlines a blank base shows, and the choropleth's states when no UF is chosen.
        "ufs_com_dados": sorted(set(models.ResumoEnergiaMunicipio.objects.values_list("uf", flat=True))),
    }
    segmentos = list(models.SegmentoMercado.objects.values_list("codigo", "nome"))
    config.update(segmentos=[c for c, _ in segmentos], nomes_segmentos=[n for _, n in segmentos])
    context = {
        "config": config,
        "distribuidoras": selectors.distribuidoras_com_dados(),
        "anos": anos,
        "ufs": filters.UFS,
        "classes": _classes(),
        "segmentos": segmentos,
        "grupos_tensao": list(models.GrupoTensao.objects.values_list("codigo", "descricao")),
        "ofertas": models.Oferta.choices,
        "ordenacoes": ORDENACOES,
        "importacoes": reverse("admin:ingestion_importstatus_changelist") if request.user.is_staff else None,
    }
    return render(request, "leads/mapa.html", context)
