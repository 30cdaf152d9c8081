"""factory_boy factories for intel_lead rows. Domain rows come from the real reference data."""

from __future__ import annotations

from datetime import date

import factory
from django.contrib.gis.geos import Point

from leads import models, services
from leads.keys import stable_id

MUX = 401  # Mux Energia, ANEEL code 401 (RS)
PORTO_ALEGRE = "4314902"


class PontoNotavelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PontoNotavel

    cod_id = factory.Sequence(lambda n: f"PN{n:06d}")
    distribuidora_id = MUX
    ano = 2024
    fonte = models.FontePonto.PONNOT
    tipo = "POS"
    geom = factory.LazyFunction(lambda: Point(-51.2, -30.0, srid=4674))
    pn_id = factory.LazyAttribute(lambda o: stable_id(o.distribuidora_id, o.cod_id, o.ano, o.fonte))


class LeadBrutoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LeadBruto

    cod_id = factory.Sequence(lambda n: f"{n:064x}")
    distribuidora_id = MUX
    ano = 2024
    camada = models.Camada.UCBT
    situacao = models.Situacao.ATIVA
    classe_consumo_id = "RE1"
    grupo_tensao_id = "BT"
    grupo_tarifario_id = "B1"
    municipio_id = PORTO_ALEGRE
    uc_id = factory.LazyAttribute(lambda o: stable_id(o.distribuidora_id, o.cod_id, o.ano, o.camada))


def add_monthly(
    lead: models.LeadBruto,
    *,
    energia: list[float] | None = None,
    dic: list[float] | None = None,
    fic: list[float] | None = None,
    demanda: list[float] | None = None,
) -> None:
    """Monthly rows for a unit (one value per month, January first), and its yearly figures."""
    layer = lead.monthly_layer
    if energia:
        models.LeadEnergiaMensal.objects.bulk_create(
            models.LeadEnergiaMensal(uc=lead, mes=m, energia_total_kwh=v, **layer)
            for m, v in enumerate(energia, start=1)
        )
    if demanda:
        models.LeadDemandaMensal.objects.bulk_create(
            models.LeadDemandaMensal(uc=lead, mes=m, demanda_total_kw=v, **layer)
            for m, v in enumerate(demanda, start=1)
        )
    if dic or fic:
        n = len(dic or fic or [])
        models.LeadQualidadeMensal.objects.bulk_create(
            models.LeadQualidadeMensal(
                uc=lead, mes=m + 1, dic_h=(dic or [None] * n)[m], fic=(fic or [None] * n)[m], **layer
            )
            for m in range(n)
        )
    services.annual_figures_refresh(uc_ids=[lead.uc_id])


class ModeloVersaoFactory(factory.django.DjangoModelFactory):
    """A registered model version; its artefact folder is not read unless a test trains one."""

    class Meta:
        model = "forecasting.ModeloVersao"

    status = "candidato"
    artefato = "/nenhum"
    motivo = "test"
    janela_inicio = date(2023, 1, 1)
    janela_fim = date(2024, 10, 27)
    dados_hash = "h"
