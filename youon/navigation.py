"""The site's sections, in the header of every page (site pages and the admin)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Secao:
    nome: str
    url_name: str
    descricao: str
    staff: bool = False  # shown to staff only


SECOES = (
    Secao("Mapa", "mapa", "Unidades no mapa: densidade de consumo, seleção por polígono e exportação."),
    Secao("Qualidade", "qualidade", "DIC/FIC por região, anomalias de consumo e alertas."),
    Secao("Operações", "operacoes", "Previsão horária de carga e despacho otimizado."),
    Secao("Importações", "admin:ingestion_importstatus_changelist", "Importações da BDGD e seus relatórios.", True),
    Secao("Admin", "admin:index", "Unidades, pontos notáveis, domínios e importações.", True),
    Secao("API", "swagger-ui", "Documentação da API REST (JWT) com filtros e exportações."),
)


@dataclass(frozen=True)
class Link:
    nome: str
    url: str
    descricao: str
    ativo: bool


def secoes(request: HttpRequest) -> list[Link]:
    """The sections this user can open; a section whose page the site does not serve is left out."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = []
    for secao in SECOES:
        if secao.staff and not user.is_staff:
            continue
        try:
            url = reverse(secao.url_name)
        except NoReverseMatch:
            continue
        links.append(Link(secao.nome, url, secao.descricao, request.path.startswith(url)))
    return links


def navegacao(request: HttpRequest) -> dict[str, object]:
    """Context processor: the header's links."""
    return {"secoes": secoes(request)}
