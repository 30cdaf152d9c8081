"""Reads of intel_lead for the API, the map pages and exports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet

from . import models
from .filters import LeadFilter

# Orderings a list accepts: a nullable field lists only units that have it (cursor pagination needs values).
ORDERINGS = {
    "energia_anual_kwh": "energia_anual_kwh",
    "-energia_anual_kwh": "energia_anual_kwh",
    "pac": "pac",
    "-pac": "pac",
    "media_dic": "media_dic",
    "-media_dic": "media_dic",
    "uc_id": None,
}
# Columns of CSV/XLSX exports, in order.
EXPORT_COLUMNS = [
    "uc_id", "cod_id", "distribuidora_id", "ano", "camada", "situacao", "classe_consumo_id", "cnae_id",
    "segmento_mercado_id", "grupo_tensao_id", "grupo_tarifario_id", "municipio_id", "bairro", "cep", "pac",
    "carga_instalada_kw", "demanda_contratada_kw", "energia_anual_kwh", "demanda_pico_kw", "media_dic", "media_fic",
    "livre", "ceg_gd", "fonte_coordenada",
]  # fmt: skip
GEOJSON_MAX_FEATURES = 10_000
GEOJSON_PRECISION = 6  # decimal places of degrees: about 0.1 m

LIST_RELATED = ("distribuidora", "municipio", "classe_consumo", "segmento_mercado")


def lead_list(*, params: Mapping[str, Any], ordering: str = "uc_id") -> QuerySet[models.LeadBruto]:
    """Units matching the filters, with what the list shows; ValidationError names a bad parameter."""
    if ordering not in ORDERINGS:
        raise ValidationError({"ordering": f"{ordering!r} is not one of {', '.join(ORDERINGS)}"})
    queryset = models.LeadBruto.objects.select_related(*LIST_RELATED)
    filterset = LeadFilter(data=params, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({name: "; ".join(str(e) for e in errors) for name, errors in filterset.errors.items()})
    queryset = filterset.qs
    if ORDERINGS[ordering]:
        queryset = queryset.filter(**{f"{ORDERINGS[ordering]}__isnull": False})
    return queryset


@dataclass(frozen=True)
class LeadDetail:
    lead: models.LeadBruto
    energia: list[models.LeadEnergiaMensal]
    demanda: list[models.LeadDemandaMensal]
    qualidade: list[models.LeadQualidadeMensal]
    enriquecimento: list[models.LeadEnrichmentLog]


def lead_detail(*, uc_id: int) -> LeadDetail:
    """One unit with its domains, monthly series and enrichment log (raises LeadBruto.DoesNotExist).

    The registry names the unit's layer first, so each query reads that layer's table alone instead of
    probing every layer's (a national database holds about a thousand).
    """
    unidade = models.LeadUnidade.objects.filter(uc_id=uc_id).first()
    if unidade is None:
        raise models.LeadBruto.DoesNotExist(f"no unit {uc_id}")
    lead = models.LeadBruto.objects.select_related(
        *LIST_RELATED, "cnae", "grupo_tensao", "grupo_tarifario", "modalidade_tarifaria", "tipo_sistema"
    ).get(uc_id=uc_id, camada=unidade.camada, **unidade.layer)
    months = {"uc_id": uc_id, **lead.monthly_layer}
    return LeadDetail(
        lead=lead,
        energia=list(models.LeadEnergiaMensal.objects.filter(**months).order_by("mes")),
        demanda=list(models.LeadDemandaMensal.objects.filter(**months).order_by("mes")),
        qualidade=quality_months(lead, models.LeadQualidadeMensal.objects.filter(**months).order_by("mes")),
        enriquecimento=list(models.LeadEnrichmentLog.objects.filter(uc_id=uc_id).order_by("-executado_em")),
    )


def quality_months(
    lead: models.LeadBruto, rows: Iterable[models.LeadQualidadeMensal]
) -> list[models.LeadQualidadeMensal]:
    """The unit's quality months as published: the importer leaves out a month that says nothing (DIC =
    FIC = 0, not without network), so for a unit with quality figures a missing month is that."""
    stored = {row.mes: row for row in rows}
    if lead.media_dic is None and lead.media_fic is None:
        return list(stored.values())
    return [
        stored.get(mes)
        or models.LeadQualidadeMensal(uc=lead, mes=mes, dic_h=0.0, fic=0.0, semrede=False, **lead.monthly_layer)
        for mes in range(1, 13)
    ]


def lead_geojson(*, queryset: QuerySet[models.LeadBruto], limit: int) -> bytes:
    """A GeoJSON FeatureCollection of located units, built by PostgreSQL (ST_AsGeoJSON)."""
    located = queryset.filter(coordenada__isnull=False).order_by().values("uc_id")[:limit]
    inner, params = located.query.sql_with_params()
    sql = f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
            'type', 'Feature',
            'id', l.uc_id::text,
            'geometry', ST_AsGeoJSON(l.coordenada, {GEOJSON_PRECISION}, 0)::json,
            'properties', json_build_object(
                'camada', l.camada, 'classe', l.classe_consumo_id, 'cnae', l.cnae_id,
                'segmento', l.segmento_mercado_id, 'municipio', l.municipio_id, 'pac', l.pac,
                'energia_anual_kwh', l.energia_anual_kwh, 'media_dic', l.media_dic, 'media_fic', l.media_fic,
                'livre', l.livre, 'fonte_coordenada', l.fonte_coordenada)
        )), '[]'::json))::text
        FROM intel_lead.lead_bruto l WHERE l.uc_id IN ({inner})"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0].encode()


def lead_export_sql(*, params: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """SQL (and its parameters) of the filtered units' export columns, for COPY ... TO STDOUT."""
    queryset = lead_list(params=params).order_by().values(*EXPORT_COLUMNS)
    return queryset.query.sql_with_params()


def lead_count_exceeds(*, queryset: QuerySet[models.LeadBruto], limit: int) -> bool:
    """Whether a list holds more than `limit` units, counting no further than that."""
    return queryset.order_by().values("uc_id")[: limit + 1].count() > limit
