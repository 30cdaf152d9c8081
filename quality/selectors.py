"""Reads of the quality app: indicators, anomalies, a unit's quality against its limit, the page's lists."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery

from leads import filters
from leads.models import Distribuidora, LeadUnidade, Municipio

from .models import (
    Anomalia,
    IndicadorQualidade,
    LimiteContinuidade,
    Metrica,
    ParametrosQualidade,
    RegraAlerta,
    Severidade,
    TipoAnomalia,
    TipoRegiao,
)  # fmt: skip

NIVEIS = ("uf", "municipio", "distribuidora", "conjunto")
INDICADOR_ORDERINGS = ("dic_medio", "dic_p90", "fic_medio", "fic_p90", "pct_acima_dic", "pct_acima_fic", "n_ucs",
                       "variacao_dic_pct", "variacao_fic_pct")  # fmt: skip
INDICADOR_PARAMS = ("nivel", "regiao", "ano", "mes", "uf", "distribuidora")
PAGE_PARAMS = {"ordering", "cursor", "page_size", "format"}


def _unknown(params: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValidationError(
            {n: f"parâmetro desconhecido; os aceitos são {', '.join(sorted(known))}" for n in unknown}
        )


def _integer(name: str, raw: str, low: int, high: int) -> int:
    if not filters.ascii_digits(raw) or not low <= int(raw) <= high:
        raise ValidationError({name: f"{raw!r} não é um inteiro entre {low} e {high}"})
    return int(raw)


def indicador_list(*, params: Mapping[str, Any]) -> QuerySet[IndicadorQualidade]:
    """Rows of the indicators, filtered by exact values; `ordering` by a figure (rows without it left out).
    ValidationError names a bad parameter."""
    _unknown(params, {*INDICADOR_PARAMS, *PAGE_PARAMS})
    rows = IndicadorQualidade.objects.all()
    if (nivel := params.get("nivel")) is not None:
        if nivel not in NIVEIS:
            raise ValidationError({"nivel": f"{nivel!r} não é um de {', '.join(NIVEIS)}"})
        rows = rows.filter(nivel=nivel)
    if (regiao := params.get("regiao")) is not None:
        rows = rows.filter(regiao=regiao.upper() if re.fullmatch(r"[A-Za-z]{2}", regiao) else regiao)
    if (ano := params.get("ano")) is not None:
        rows = rows.filter(ano=_integer("ano", ano, filters.ANO_MIN, filters.ANO_MAX))
    if (mes := params.get("mes")) is not None:
        rows = rows.filter(mes=_integer("mes", mes, 0, 12))
    if (uf := params.get("uf")) is not None:
        if uf.upper() not in filters.UFS:
            raise ValidationError({"uf": f"{uf!r} não é uma UF"})
        rows = rows.filter(uf=uf.upper())
    if (dist := params.get("distribuidora")) is not None:
        rows = rows.filter(distribuidora_id=_integer("distribuidora", dist, 1, 2**31 - 1))
    if ordering := params.get("ordering"):
        if ordering.lstrip("-") not in INDICADOR_ORDERINGS:
            accepted = ", ".join(f"{f}, -{f}" for f in INDICADOR_ORDERINGS)
            raise ValidationError({"ordering": f"{ordering!r} não é uma ordenação aceita: {accepted}"})
        rows = rows.filter(**{f"{ordering.lstrip('-')}__isnull": False})
    return rows


ANOMALIA_PARAMS = ("tipo", "severidade_min", "distribuidora", "ano", "uc_id")


def anomalia_list(*, params: Mapping[str, Any], user_id: int | None = None) -> QuerySet[Anomalia]:
    """Anomalies, filtered; most recent first. ValidationError names a bad parameter."""
    _unknown(params, {*ANOMALIA_PARAMS, "cursor", "page_size", "format"})
    rows = Anomalia.objects.all()
    if tipo := params.get("tipo"):
        known = {filters.fold(v): (v,) for v in TipoAnomalia.values}
        try:
            rows = rows.filter(tipo__in=filters.resolve([t.strip() for t in tipo.split(",")], known))
        except ValidationError as exc:
            raise ValidationError({"tipo": exc.messages}) from None
    if (sev := params.get("severidade_min")) is not None:
        rows = rows.filter(severidade__gte=_integer("severidade_min", sev, 1, 3))
    if (dist := params.get("distribuidora")) is not None:
        rows = rows.filter(distribuidora_id=_integer("distribuidora", dist, 1, 2**31 - 1))
    if (ano := params.get("ano")) is not None:
        rows = rows.filter(ano=_integer("ano", ano, filters.ANO_MIN, filters.ANO_MAX))
    if (uc := params.get("uc_id")) is not None:
        if not re.fullmatch(r"-?[0-9]{1,19}", uc) or not -(2**63) <= int(uc) < 2**63:
            raise ValidationError({"uc_id": f"{uc!r} não é um uc_id (inteiro de até 19 dígitos)"})
        rows = rows.filter(uc_id=int(uc))
    return rows


def anomalias_da_unidade(*, uc_id: int) -> list[dict[str, Any]]:
    """A unit's anomalies as the unit's detail shows them, most severe first."""
    return [
        {"tipo": a.tipo, "tipo_descricao": a.get_tipo_display(), "severidade": a.severidade,
         "severidade_descricao": Severidade(a.severidade).label, "mes": a.mes, "escore": a.escore,
         "valor": a.valor, "referencia": a.referencia, "explicacao": a.explicacao, "detectada_em": a.detectada_em}
        for a in Anomalia.objects.filter(uc_id=uc_id).order_by("-severidade", "-escore")
    ]  # fmt: skip


def qualidade_da_unidade(*, uc_id: int, media_dic: float | None, media_fic: float | None) -> dict[str, Any] | None:
    """A unit's yearly DIC/FIC against its set's limit (imported from ANEEL), else the parameters'
    threshold: how far above it is (ratio > 1 means above)."""
    if media_dic is None and media_fic is None:
        return None
    unidade = LeadUnidade.objects.filter(uc_id=uc_id).first()
    from leads.models import LeadBruto

    conj = (
        LeadBruto.objects.filter(uc_id=uc_id, **unidade.layer, camada=unidade.camada)
        .values_list("conj", flat=True)
        .first()
        if unidade
        else None
    )
    limits = {}
    if unidade is not None and conj is not None:
        limits = dict(LimiteContinuidade.objects.filter(distribuidora_id=unidade.distribuidora_id, ano=unidade.ano,
                                                        conj=conj).values_list("indicador", "valor"))  # fmt: skip
    params = ParametrosQualidade.atual()
    out: dict[str, Any] = {"conjunto": conj}
    for name, mean, individual, collective, default in (
        ("dic", media_dic, "DIC", "DEC", params.limiar_dic_anual_h),
        ("fic", media_fic, "FIC", "FEC", params.limiar_fic_anual),
    ):
        annual = (mean or 0.0) * 12
        if individual in limits:
            limit, source = limits[individual], f"limite {individual} do conjunto {conj} (ANEEL)"
        elif collective in limits:
            limit, source = limits[collective], f"limite {collective} do conjunto {conj} (ANEEL), referência coletiva"
        else:
            limit, source = default, "limiar dos parâmetros de qualidade (sem limite importado do conjunto)"
        out[name] = {"anual": annual, "limite": limit, "referencia": source,
                     "razao": annual / limit if limit else None, "acima": annual > limit}  # fmt: skip
    return out


def piores_regioes(*, nivel: str, ano: int | None, n: int = 10) -> list[IndicadorQualidade]:
    """The regions of a level with the highest yearly mean DIC in `ano` (default: the latest year)."""
    rows = IndicadorQualidade.objects.filter(nivel=nivel, mes=0)
    ano = ano or rows.order_by("-ano").values_list("ano", flat=True).first()
    return list(rows.filter(ano=ano).order_by("-dic_medio", "chave")[:n]) if ano else []


def serie_mensal(*, nivel: str, regiao: str, ano: int) -> list[IndicadorQualidade]:
    return list(IndicadorQualidade.objects.filter(nivel=nivel, regiao=regiao, ano=ano, mes__gte=1).order_by("mes"))


def anomalias_por_tipo() -> list[dict[str, Any]]:
    rows = Anomalia.objects.values("tipo").annotate(n=Count("id"), unidades=Count("uc_id", distinct=True))
    labels = dict(TipoAnomalia.choices)
    return [{**r, "descricao": labels.get(r["tipo"], r["tipo"])} for r in rows.order_by("-n")]


# --- Rule input ------------------------------------------------------------------------------------


def regiao_normalizar(tipo: str, valor: str) -> str:
    """The code a rule stores for a region given as people write it; ValidationError says what is wrong."""
    valor = (valor or "").strip()
    if not valor:
        raise ValidationError("informe a região")
    if tipo == TipoRegiao.UF:
        if valor.upper() not in filters.UFS:
            raise ValidationError(f"{valor!r} não é uma UF")
        return valor.upper()
    if tipo == TipoRegiao.MUNICIPIO:
        codes = filters.municipio_codes([valor])
        if len(codes) != 1:
            raise ValidationError(f"{valor!r} nomeia {len(codes)} municípios: indique a UF (Nome/UF) ou o código")
        return codes[0]
    if tipo == TipoRegiao.DISTRIBUIDORA:
        codes = filters.resolve([valor], filters._distribuidoras(), "distribuidoras")
        return str(codes[0])
    if tipo == TipoRegiao.CONJUNTO:
        match = re.fullmatch(r"([0-9]{1,9})\s*:\s*([0-9]{1,9})", valor)
        if not match:
            raise ValidationError(f"{valor!r}: um conjunto é distribuidora:CONJ, p. ex. 401:12722")
        if not Distribuidora.objects.filter(cod_aneel=int(match.group(1))).exists():
            raise ValidationError(f"a distribuidora {match.group(1)} não está nos dados de referência")
        return f"{int(match.group(1))}:{int(match.group(2))}"
    raise ValidationError(f"{tipo!r} não é um tipo de região com código")


def poligono_ler(value: Any) -> MultiPolygon:
    """A GeoJSON Polygon or MultiPolygon (object or text, lon/lat) as a MultiPolygon in SIRGAS 2000."""
    try:
        data = json.loads(value) if isinstance(value, str) else dict(value)
        if data.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValidationError("esperado um Polygon ou MultiPolygon GeoJSON")
        filters._check_crs(data.pop("crs", None))
        geometry = GEOSGeometry(json.dumps(data))
    except (ValueError, GEOSException, TypeError, AttributeError):
        raise ValidationError("não é um GeoJSON válido") from None
    if geometry.num_coords > filters.MAX_POLYGON_VERTICES:
        raise ValidationError(f"mais de {filters.MAX_POLYGON_VERTICES} vértices")
    if not geometry.valid:
        raise ValidationError(f"polígono inválido: {geometry.valid_reason}")
    multi = geometry if isinstance(geometry, MultiPolygon) else MultiPolygon(geometry)
    multi.srid = 4674
    return multi


@dataclass(frozen=True)
class RegraValida:
    tipo_regiao: str
    regiao: str
    poligono: MultiPolygon | None
    metrica: str
    limiar: float
    tipo_anomalia: str
    oferta: str


def regra_validar(data: Mapping[str, Any], *, dono_id: int | None = None) -> RegraValida:
    """A rule's region, metric and threshold checked together; ValidationError maps each field to its problem.
    A rule on a saved map selection (`selecao`, one of `dono_id`'s) takes its polygon from it."""
    errors: dict[str, str] = {}
    tipo, metrica = data.get("tipo_regiao"), data.get("metrica")
    regiao, poligono = "", None
    selecao = data.get("selecao")
    if selecao is not None and (tipo != TipoRegiao.POLIGONO or getattr(selecao, "dono_id", None) != dono_id):
        errors["selecao"] = (
            "uma seleção salva é a região de uma regra do tipo poligono"
            if tipo != TipoRegiao.POLIGONO
            else "seleção não encontrada entre as suas"
        )
    try:
        if tipo == TipoRegiao.POLIGONO and selecao is not None and "selecao" not in errors:
            poligono = selecao.geometria
        elif tipo == TipoRegiao.POLIGONO:
            if data.get("poligono") in (None, ""):
                raise ValidationError("uma região do tipo poligono precisa de `poligono` (GeoJSON) ou `selecao`")
            poligono = poligono_ler(data["poligono"])
        else:
            regiao = regiao_normalizar(str(tipo), str(data.get("regiao") or ""))
    except ValidationError as exc:
        errors["poligono" if tipo == TipoRegiao.POLIGONO else "regiao"] = "; ".join(exc.messages)
    limiar = data.get("limiar")
    tipo_anomalia, oferta = str(data.get("tipo_anomalia") or ""), str(data.get("oferta") or "")
    if metrica == Metrica.ANOMALIA:
        if tipo_anomalia not in TipoAnomalia.values:
            errors["tipo_anomalia"] = f"a métrica anomalia precisa de um tipo: {', '.join(TipoAnomalia.values)}"
        if limiar is not None and limiar not in (1, 2, 3):
            errors["limiar"] = "para anomalias o limiar é a severidade mínima: 1, 2 ou 3"
    elif tipo_anomalia:
        errors["tipo_anomalia"] = "só para a métrica anomalia"
    if metrica == Metrica.NOVO_LEAD:
        if oferta not in ("", "acl", "arbitragem", "backup", "gtd"):
            errors["oferta"] = "acl, arbitragem, backup, gtd ou vazio (a melhor oferta)"
        if limiar is not None and not 0 <= limiar <= 100:
            errors["limiar"] = "um score entre 0 e 100"
    elif oferta:
        errors["oferta"] = "só para a métrica novo_lead"
    if errors:
        raise ValidationError(errors)
    return RegraValida(str(tipo), regiao, poligono, str(metrica), float(limiar or 0), tipo_anomalia, oferta)


def regras_do_usuario(*, user_id: int) -> QuerySet[RegraAlerta]:
    """The user's rules with their event counts and, for a municipality, its name and UF."""
    municipio = Municipio.objects.filter(cod_ibge=OuterRef("regiao"))
    return (
        RegraAlerta.objects.filter(dono_id=user_id)
        .select_related("selecao")
        .annotate(
            n_eventos=Count("eventos"),
            municipio_nome=Subquery(municipio.values("nome")[:1]),
            municipio_uf=Subquery(municipio.values("uf")[:1]),
        )
    )
