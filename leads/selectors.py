"""Reads of intel_lead for the API, the map pages and exports."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Combinable, RawSQL
from django.db.models.functions import Cast, Greatest

from . import filters, models
from .filters import LeadFilter

# Orderings a list accepts: every numeric column it shows, ascending or descending. A nullable column
# lists only units that have it (cursor pagination needs values); exports put the units without it last.
SCORE_FIELDS = ("score_acl", "score_arbitragem", "score_backup", "score_gtd")
ORDER_FIELDS = ("energia_anual_kwh", "pac", "demanda_pico_kw", "media_dic", "media_fic", *SCORE_FIELDS)
ORDERINGS: dict[str, str | None] = {
    **{f"{sign}{field}": field for field in ORDER_FIELDS for sign in ("", "-")},
    "uc_id": None,
    "-uc_id": None,
}
# Parameters a list takes besides its filters; anything else is refused, not ignored.
LIST_PARAMS = frozenset({"ordering", "cursor", "page_size", "limit", "format"})


@dataclass(frozen=True)
class ExportColumn:
    header: str
    value: Any  # a field path, or an expression annotated under `x_<header>`
    kind: str = "text"  # text (identifiers and codes stay text in XLSX), number


def _wgs84(axis: str) -> RawSQL:
    """The final coordinate's latitude (Y) or longitude (X) in WGS 84, 6 decimals (about 0.1 m).

    SIRGAS 2000 (EPSG:4674, the BDGD's datum) goes to WGS 84 by a null transformation (its TOWGS84 is all
    zeros): ST_Transform would return the same numbers at a few microseconds a row. Rounded in float
    arithmetic: a cast to numeric and back costs about a second a column per million rows."""
    return RawSQL(f"round(ST_{axis}(coordenada) * 1e6) / 1e6", [], FloatField())


def _sim_nao(yes: Q | Combinable, no: Q | Combinable) -> Case:
    """'sim', 'não', or empty when the source says neither."""
    return Case(
        When(yes, then=Value("sim")), When(no, then=Value("não")), default=Value(None), output_field=CharField()
    )


# The joins the export columns read (one LEFT JOIN each, instead of a correlated subquery per column
# and row): the unit's identity unless staff rejected it, and its CCEE free-market load.
def export_relations() -> dict[str, FilteredRelation]:
    """New instances each time: a query writes its aliases into the FilteredRelation it is given."""
    return {
        "x_identidade": FilteredRelation("identidades", condition=~Q(identidades__revisao=models.Revisao.REJEITADA)),
        "x_mercado_livre": FilteredRelation("mercados_livres"),
    }


def _identidade(field: str, *, estabelecimento: bool = False) -> F | Case:
    """A column of the unit's identity (none when staff rejected it); `estabelecimento`: only when the
    establishment itself is named (a success, or confirmed by staff), not just the company."""
    if not estabelecimento:
        return F(f"x_identidade__{field}")
    named = Q(x_identidade__resultado=models.Resultado.SUCCESS) | Q(x_identidade__revisao=models.Revisao.CONFIRMADA)
    return Case(When(named, then=F(f"x_identidade__{field}")), default=Value(None))


_LIVRE_CCEE = Exists(models.LeadMercadoLivre.objects.filter(uc_id=OuterRef("uc_id")))


# Columns of CSV/XLSX exports (API, export jobs and the admin), in order: codes with their descriptions,
# the place by name, the final coordinate in WGS 84 (6 decimals, about 0.1 m) and booleans as sim/não.
EXPORT_FIELDS = [
    ExportColumn("uc_id", Cast("uc_id", CharField())),
    ExportColumn("cod_id", "cod_id"),
    ExportColumn("distribuidora", Cast("distribuidora_id", CharField())),
    ExportColumn("distribuidora_nome", "distribuidora__nome"),
    ExportColumn("ano", "ano", "number"),
    ExportColumn("camada", "camada"),
    ExportColumn("situacao", "situacao"),
    ExportColumn("classe", "classe_consumo_id"),
    ExportColumn("classe_descricao", "classe_consumo__descricao"),
    ExportColumn("tipo_cliente", "classe_consumo__tipo_cliente"),
    ExportColumn("cnae", "cnae_id"),
    ExportColumn("cnae_descricao", "cnae__descricao"),
    ExportColumn("segmento", "segmento_mercado_id"),
    ExportColumn("segmento_nome", "segmento_mercado__nome"),
    ExportColumn("grupo_tensao", "grupo_tensao_id"),
    ExportColumn("grupo_tarifario", "grupo_tarifario_id"),
    ExportColumn("modalidade_tarifaria", "modalidade_tarifaria_id"),
    ExportColumn("municipio", "municipio_id"),
    ExportColumn("municipio_nome", "municipio__nome"),
    ExportColumn("uf", "municipio__uf"),
    ExportColumn("bairro", "bairro"),
    ExportColumn("cep", "cep"),
    ExportColumn("pac_kw", "pac", "number"),
    ExportColumn("carga_instalada_kw", "carga_instalada_kw", "number"),
    ExportColumn("demanda_contratada_kw", "demanda_contratada_kw", "number"),
    ExportColumn("energia_anual_kwh", "energia_anual_kwh", "number"),
    ExportColumn("demanda_pico_kw", "demanda_pico_kw", "number"),
    ExportColumn("media_dic_h", "media_dic", "number"),
    ExportColumn("media_fic", "media_fic", "number"),
    ExportColumn("livre", _sim_nao(Q(livre=True) | Q(x_mercado_livre__uc__isnull=False), Q(livre=False))),
    ExportColumn("data_migracao_acl", "x_mercado_livre__data_migracao"),
    ExportColumn("identidade_resultado", _identidade("resultado")),
    ExportColumn("identidade_metodo", _identidade("metodo")),
    ExportColumn("identidade_probabilidade", _identidade("probabilidade"), "number"),
    ExportColumn("cnpj", _identidade("cnpj", estabelecimento=True)),
    ExportColumn("cnpj_basico", _identidade("cnpj_basico")),
    ExportColumn("razao_social", _identidade("razao_social")),
    ExportColumn("nome_fantasia", _identidade("nome_fantasia", estabelecimento=True)),
    ExportColumn("porte", _identidade("porte"), "number"),
    ExportColumn("mei", _sim_nao(Q(x_identidade__mei=True), Q(x_identidade__mei=False))),
    ExportColumn("possui_gd", _sim_nao(Q(ceg_gd__isnull=False), Q(ceg_gd__isnull=True))),
    ExportColumn("ceg_gd", "ceg_gd"),
    ExportColumn("lat", _wgs84("Y"), "number"),
    ExportColumn("lon", _wgs84("X"), "number"),
    ExportColumn("fonte_coordenada", "fonte_coordenada"),
    ExportColumn("melhor_oferta", "scores__melhor_oferta"),
    ExportColumn("score_acl", "scores__score_acl", "number"),
    ExportColumn("economia_acl_rs_ano", "scores__valor_acl", "number"),
    ExportColumn("score_arbitragem", "scores__score_arbitragem", "number"),
    ExportColumn("margem_arbitragem_rs_ano", "scores__valor_arbitragem", "number"),
    ExportColumn("payback_arbitragem_anos", "scores__payback_arbitragem", "number"),
    ExportColumn("score_backup", "scores__score_backup", "number"),
    ExportColumn("valor_backup_rs_ano", "scores__valor_backup", "number"),
    ExportColumn("score_gtd", "scores__score_gtd", "number"),
]
EXPORT_COLUMNS = [column.header for column in EXPORT_FIELDS]
GEOJSON_MAX_FEATURES = 10_000
GEOJSON_PRECISION = 6  # decimal places of degrees: about 0.1 m

LIST_RELATED = ("distribuidora", "municipio", "classe_consumo", "segmento_mercado")
# What a page of the list reads: the columns it shows and the related names it prints (codes travel as
# ids), not every column of the unit and its domains.
LIST_COLUMNS = (
    "uc_id", "cod_id", "distribuidora_id", "ano", "camada", "situacao", "classe_consumo_id", "cnae_id",
    "segmento_mercado_id", "grupo_tensao_id", "grupo_tarifario_id", "municipio_id", "pac", "energia_anual_kwh",
    "demanda_pico_kw", "media_dic", "media_fic", "livre", "ceg_gd", "fonte_coordenada", "coordenada",
    "municipio__nome", "municipio__uf", "classe_consumo__tipo_cliente",
)  # fmt: skip


def list_ordering(params: Mapping[str, Any]) -> str:
    """The list's order: `ordering`, else the offer's score when `oferta` is given, else uc_id."""
    ordering = params.get("ordering")
    if ordering:
        return str(ordering)
    oferta = str(params.get("oferta") or "").strip().lower()
    return f"-score_{oferta}" if oferta in models.Oferta.values else "uc_id"


def lead_list(*, params: Mapping[str, Any], ordering: str = "uc_id") -> QuerySet[models.LeadBruto]:
    """Units matching the filters, with what the list shows; ValidationError names a bad parameter."""
    check_ordering(ordering)
    unknown = sorted(set(params) - set(LeadFilter.base_filters) - LIST_PARAMS)
    if unknown:
        accepted = ", ".join(sorted([*LeadFilter.base_filters, *LIST_PARAMS]))
        raise ValidationError({name: f"parâmetro desconhecido; os aceitos são {accepted}" for name in unknown})
    queryset = (
        models.LeadBruto.objects.select_related("municipio", "classe_consumo")
        .only(*LIST_COLUMNS)
        .annotate(
            **{name: F(f"scores__{name}") for name in (*SCORE_FIELDS, "melhor_oferta")},
            segmento_automatico=F("scores__segmento_id"),
            livre_ccee=_LIVRE_CCEE,
        )
    )
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
    score: models.LeadScore | None = None
    identidade: models.LeadIdentidade | None = None
    mercado_livre: models.LeadMercadoLivre | None = None


def lead_detail(*, uc_id: int) -> LeadDetail:
    """One unit with its domains, monthly series and enrichment log (raises LeadBruto.DoesNotExist).

    The registry names the unit's layer first, so each query reads that layer's table alone instead of
    probing every layer's (a national database holds about a thousand).
    """
    unidade = models.LeadUnidade.objects.filter(uc_id=uc_id).first()
    if unidade is None:
        raise models.LeadBruto.DoesNotExist(f"no unit {uc_id}")
    with transaction.atomic(), connection.cursor() as cursor:
        # The unit by its key, then its domains in the order written: weighing every order of the ten
        # tables took 10 of the statement's 11 ms (planning), the row itself 0.3.
        cursor.execute("SET LOCAL join_collapse_limit = 1")
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
        score=models.LeadScore.objects.select_related("execucao", "segmento").filter(uc_id=uc_id).first(),
        identidade=models.LeadIdentidade.objects.filter(uc_id=uc_id).first(),
        mercado_livre=models.LeadMercadoLivre.objects.filter(uc_id=uc_id).first(),
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


def sql_of(queryset: QuerySet[Any], *, empty: Callable[[], QuerySet[Any]]) -> tuple[str, tuple[Any, ...]]:
    """The SQL of `queryset`; when Django knows it matches nothing (a filter value outside its column's
    range, e.g. a year of 99999 in a smallint), the SQL of `empty()`: the same columns, no rows."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return empty().query.sql_with_params()


GEOJSON_PROPERTIES = (
    "camada", "classe_consumo_id", "cnae_id", "segmento_mercado_id", "municipio_id", "pac", "energia_anual_kwh",
    "media_dic", "media_fic", "livre", "fonte_coordenada",
)  # fmt: skip


def lead_geojson(*, queryset: QuerySet[models.LeadBruto], limit: int) -> bytes:
    """A GeoJSON FeatureCollection of located units, built by PostgreSQL (ST_AsGeoJSON).

    The features come from the filtered rows themselves, in one pass: looking the units up again by
    uc_id through the parent table would probe the primary key of every layer's partition."""
    located = queryset.filter(coordenada__isnull=False).order_by().values("uc_id", "coordenada", *GEOJSON_PROPERTIES)
    inner, params = sql_of(
        located[:limit],
        empty=lambda: queryset.model.objects.values("uc_id", "coordenada", *GEOJSON_PROPERTIES).extra(where=["false"]),
    )
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
        FROM ({inner}) l"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0].encode()


def check_ordering(ordering: str) -> None:
    if ordering not in ORDERINGS:
        raise ValidationError({"ordering": f"{ordering!r} não é uma ordenação aceita: {', '.join(ORDERINGS)}"})


def export_limit(params: Mapping[str, Any]) -> int | None:
    """The row limit an export was asked for (`limit`, or the list's `page_size`), or None for all."""
    for name in ("limit", "page_size"):
        raw = str(params.get(name) or "")
        if raw:
            if not filters.ascii_digits(raw) or int(raw) < 1:
                raise ValidationError({name: f"{raw!r} não é um inteiro positivo"})
            return int(raw)
    return None


def export_annotations() -> dict[str, Any]:
    """The export columns as annotations named `x_<header>` (the admin's export reads them too)."""
    return {f"x_{c.header}": F(c.value) if isinstance(c.value, str) else c.value for c in EXPORT_FIELDS}


def export_annotated(queryset: QuerySet[models.LeadBruto]) -> QuerySet[models.LeadBruto]:
    """These units with the export columns annotated (after the joins they read)."""
    return queryset.annotate(**export_relations()).annotate(**export_annotations())


def export_rows(queryset: QuerySet[models.LeadBruto]) -> QuerySet[Any]:
    """The export columns of these units, in EXPORT_COLUMNS order (value lists)."""
    return export_annotated(queryset).values_list(*export_annotations())


def lead_export_sql(*, params: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """SQL (and its parameters) of the filtered units' export columns, for COPY ... TO STDOUT (no header:
    EXPORT_COLUMNS is). In the list's `ordering` (units without the value last) and up to its `limit`."""
    ordering = list_ordering(params)
    check_ordering(ordering)
    queryset = lead_list(params=params)
    field = ORDERINGS[ordering] or "uc_id"
    key = F(field).desc(nulls_last=True) if ordering.startswith("-") else F(field).asc(nulls_last=True)
    queryset = queryset.order_by(key, "uc_id") if field != "uc_id" else queryset.order_by(key)
    limit = export_limit(params)
    rows = export_rows(queryset)
    if limit is not None:
        rows = rows[:limit]
    return sql_of(rows, empty=lambda: export_rows(models.LeadBruto.objects.extra(where=["false"])))


@contextmanager
def export_copy(cursor: Any, query: str, params: tuple[Any, ...]) -> Iterator[psycopg.Copy]:
    """COPY ... TO STDOUT (CSV) of an export query on a Django cursor, with what sorting a million wide
    rows needs: work_mem for a sort in memory, and no parallel workers (the leader would merge and pass
    on every wide row by itself). The settings are reset after it (undone by the rollback on an error)."""
    raw = cursor.cursor
    raw.execute("SET work_mem = '256MB'")
    raw.execute("SET max_parallel_workers_per_gather = 0")
    try:
        with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            yield copy
    finally:
        if raw.connection.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
            raw.execute("RESET work_mem")
            raw.execute("RESET max_parallel_workers_per_gather")


def lead_count_exceeds(*, queryset: QuerySet[models.LeadBruto], limit: int) -> bool:
    """Whether a list holds more than `limit` units, counting no further than that."""
    return queryset.order_by().values("uc_id")[: limit + 1].count() > limit


def distribuidoras_com_dados() -> list[tuple[int, str]]:
    """(code, name) of the distributors with units: imported layers, and rows written by hand (the
    DEFAULT partition, small). Reads no layer's table."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.cod_aneel, d.nome FROM intel_lead.distribuidora d
            WHERE d.cod_aneel IN (
                SELECT distribuidora_id FROM intel_lead.import_status WHERE status = 'completed'
                UNION SELECT distribuidora_id FROM intel_lead.lead_bruto_default)
            ORDER BY d.nome"""
        )
        return list(cursor.fetchall())


def lead_search(term: str) -> Q:
    """What a unit search means: the exact COD_ID or notable point, a municipality by name (or Nome/UF),
    a CNAE by code or prefix, or CNAE descriptions holding every word. Each is resolved in its small
    table first, so the condition on the units is on indexed columns."""
    condition = Q(cod_id=term) | Q(pn_con=term)
    try:
        condition |= Q(municipio_id__in=filters.municipio_search(term))
    except ValidationError:
        pass
    if re.fullmatch(r"[\d.\-/]{2,9}", term):
        try:
            condition |= filters.cnae_condition([term])
        except ValidationError:
            pass
    else:
        words = [filters.fold(w) for w in term.split() if len(w) > 2]
        if words:
            cnaes = [
                subclasse
                for subclasse, descricao in models.Cnae.objects.values_list("subclasse", "descricao")
                if all(w in filters.fold(descricao) for w in words)
            ]
            if cnaes:
                condition |= Q(cnae_id__in=cnaes)
    return condition


# --- Scoring inputs -------------------------------------------------------------------------------

DEFAULT_PEAK_WINDOW = (18.0, 21.0)
# The modality a unit's bill most likely has (the BDGD does not say): Azul at 69 kV and above (A1–A3),
# Verde below (A3a, A4, AS), Convencional for low voltage.
MODALIDADE_PROVAVEL = {"A1": "Azul", "A2": "Azul", "A3": "Azul", "A3a": "Verde", "A4": "Verde", "AS": "Verde"}


def curve_peaks(
    *, distribuidora: int | None = None, ano: int | None = None
) -> list[tuple[int, int, str, float, float]]:
    """(distributor, year, TIP_CC, peak share, peak ratio) of every stored typical curve, over its
    distributor's peak window (JanelaPonta; 18–21 h where none is recorded)."""
    from . import scoring

    windows = {
        j.distribuidora_id: (j.inicio.hour + j.inicio.minute / 60, j.fim.hour + j.fim.minute / 60)
        for j in models.JanelaPonta.objects.all()
    }
    curves: dict[tuple[int, int, str], dict[str, list[float]]] = {}
    rows = models.CurvaCarga.objects.all()
    if distribuidora is not None:
        rows = rows.filter(distribuidora_id=distribuidora)
    if ano is not None:
        rows = rows.filter(ano=ano)
    for dist, year, cod, tipo, values in rows.values_list("distribuidora_id", "ano", "cod_id", "tipo_dia", "potencias"):
        curves.setdefault((dist, year, cod), {})[tipo] = values
    out = []
    for (dist, year, cod), days in curves.items():
        if "DU" not in days:
            continue
        start, end = windows.get(dist, DEFAULT_PEAK_WINDOW)
        share, ratio = scoring.ponta_da_curva(days, inicio_h=start, fim_h=end, ano=year)
        out.append((dist, year, cod, share, ratio))
    return out


def _agent_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", filters.fold(name))


def tariffs_in_force(*, on: date) -> list[dict[str, Any]]:
    """Per distributor and tariff subgroup, the energy tariffs (R$/MWh, TUSD + TE and TE alone, peak and
    off-peak) of the modality its units most likely have, from the rows in force on `on` (else the
    latest before it). A distributor is matched to ANEEL's SigAgente by name (case, accents, spaces
    and punctuation aside)."""
    by_agent = {_agent_key(nome): cod for cod, nome in models.Distribuidora.objects.values_list("cod_aneel", "nome")}
    rows = (
        models.Tarifa.objects.filter(base="Tarifa de Aplicação", unidade="MWh", acessante="Não se aplica",
                                     inicio__lte=on)
        .filter(Q(fim__isnull=True) | Q(fim__gte=on) | Q(inicio__gte=date(on.year - 1, 1, 1)))
        .order_by("agente", "subgrupo", "modalidade", "posto", "-inicio")
    )  # fmt: skip
    latest: dict[tuple[str, str, str, str], models.Tarifa] = {}
    for row in rows:
        key = (row.agente, row.subgrupo, row.modalidade, row.posto)
        if key not in latest or (row.classe == "Não se aplica" and latest[key].classe != "Não se aplica"):
            latest.setdefault(key, row)
    out: dict[tuple[int, str], dict[str, Any]] = {}
    for (agente, subgrupo, modalidade, posto), row in latest.items():
        cod = by_agent.get(_agent_key(agente))
        wanted = MODALIDADE_PROVAVEL.get(subgrupo, "Convencional")
        if cod is None or modalidade != wanted:
            continue
        source = f"ANEEL {agente} {subgrupo} {modalidade} {row.inicio}"
        entry = out.setdefault(
            (cod, subgrupo), {"distribuidora_id": cod, "grupo_tarifario": subgrupo, "fonte_tarifa": source}
        )
        total, te = row.tusd + row.te, row.te
        if posto == "Ponta":
            entry.update(tarifa_ponta=total, te_ponta=te)
        elif posto == "Fora ponta":
            entry.update(tarifa_fora_ponta=total, te_fora_ponta=te)
        else:  # a single post (Convencional): the same in and out of the peak
            entry.update(tarifa_ponta=total, te_ponta=te, tarifa_fora_ponta=total, te_fora_ponta=te)
    return [e for e in out.values() if "tarifa_ponta" in e and "tarifa_fora_ponta" in e]


# resumo/ of a drawn area and nothing else reads the cells of mapa_celula_resumo (0017_mapa_celula_resumo.sql)
# once those wholly inside it hold this many units; a smaller area is totalled from its units.
RESUMO_CELLS_MIN_UNITS = 20_000
RESUMO_CELL_M = 305.748113140705  # the view's cell side in EPSG:3857 metres (band 12)
RESUMO_TOTALS = ("unidades", "energia_anual_kwh", "demanda_pico_kw", "media_dic", "media_fic")
# The border's cells: the area's outline sampled every 0.001 degree along its own (lon/lat) edges, each
# sample's cell and its eight neighbours, so every cell the outline crosses is among them. A cell of the
# view off the border whose centre is inside lies wholly inside: its sums are taken as they are, found per
# row of cells (iy) as the runs of ix whose centres a horizontal line through them has inside the area.
# The units of the border's cells (read by runs of adjacent cells, each unit in its cell by the view's
# floor()) are kept when inside.
RESUMO_CELLS_SQL = """
WITH area AS (SELECT g, ST_Transform(g, 3857) AS m FROM (SELECT ST_GeomFromEWKB(%(area)s) AS g) a),
borda AS MATERIALIZED (
    SELECT DISTINCT floor(ST_X(p) / %(lado)s)::int + dx AS ix, floor(ST_Y(p) / %(lado)s)::int + dy AS iy
    FROM (SELECT ST_Transform((ST_DumpPoints(ST_Segmentize(ST_Boundary(g), 0.001))).geom, 3857) AS p FROM area) s,
         generate_series(-1, 1) dx, generate_series(-1, 1) dy
),
tira AS MATERIALIZED (
    SELECT iy, ceil(ST_XMin(s.geom) / %(lado)s - 0.5)::int AS ix0, floor(ST_XMax(s.geom) / %(lado)s - 0.5)::int AS ix1
    FROM area, generate_series(floor(ST_YMin(area.m) / %(lado)s)::int, floor(ST_YMax(area.m) / %(lado)s)::int) iy,
         ST_Dump(ST_Intersection(area.m, ST_MakeLine(ST_Point(ST_XMin(area.m) - 1, (iy + 0.5) * %(lado)s, 3857),
                                                      ST_Point(ST_XMax(area.m) + 1, (iy + 0.5) * %(lado)s, 3857)))) s
),
dentro AS (
    SELECT nullif(c.classe, '') AS classe, nullif(c.segmento, '') AS segmento, sum(c.unidades) AS unidades,
           sum(c.energia_anual_kwh) AS energia_anual_kwh, sum(c.demanda_pico_kw) AS demanda_pico_kw,
           sum(c.dic_soma) AS dic_soma, sum(c.dic_n) AS dic_n, sum(c.fic_soma) AS fic_soma, sum(c.fic_n) AS fic_n,
           true AS da_celula
    FROM tira t CROSS JOIN LATERAL (  -- a range of the key per run (OFFSET 0: not flattened into a join)
        SELECT * FROM intel_lead.mapa_celula_resumo c WHERE c.iy = t.iy AND c.ix BETWEEN t.ix0 AND t.ix1 OFFSET 0
    ) c
    WHERE NOT EXISTS (SELECT FROM borda b WHERE b.ix = c.ix AND b.iy = c.iy)
    GROUP BY 1, 2
),
corrida AS (  -- runs of adjacent border cells in a row, one box each
    SELECT iy, min(ix) AS ix0, max(ix) AS ix1
    FROM (SELECT ix, iy, ix - row_number() OVER (PARTITION BY iy ORDER BY ix) AS k FROM borda) b
    GROUP BY iy, k
),
caixas AS (
    SELECT array_agg(ST_Expand(ST_Transform(ST_MakeEnvelope(ix0 * %(lado)s, iy * %(lado)s, (ix1 + 1) * %(lado)s,
                     (iy + 1) * %(lado)s, 3857), 4674), 1e-9)) AS a
    FROM corrida
),
unidade AS (
    SELECT u.classe_consumo_id AS classe, u.segmento_mercado_id AS segmento, 1 AS unidades,
           u.energia_anual_kwh, u.demanda_pico_kw, u.media_dic AS dic_soma, (u.media_dic IS NOT NULL)::int AS dic_n,
           u.media_fic AS fic_soma, (u.media_fic IS NOT NULL)::int AS fic_n, false AS da_celula
    FROM intel_lead.lead_bruto u, area
    WHERE u.coordenada && ANY ((SELECT a FROM caixas)::geometry[])
      AND ST_Intersects(u.coordenada, area.g)
      AND (floor(ST_X(ST_Transform(u.coordenada, 3857)) / %(lado)s)::int,
           floor(ST_Y(ST_Transform(u.coordenada, 3857)) / %(lado)s)::int) IN (SELECT ix, iy FROM borda)
),
linha AS (SELECT * FROM dentro UNION ALL SELECT * FROM unidade)
SELECT GROUPING(classe) = 0 AS por_classe, GROUPING(segmento) = 0 AS por_segmento, classe, segmento,
       coalesce(sum(unidades), 0)::bigint, sum(energia_anual_kwh), sum(demanda_pico_kw),
       sum(dic_soma) / nullif(sum(dic_n), 0), sum(fic_soma) / nullif(sum(fic_n), 0),
       coalesce(sum(unidades) FILTER (WHERE da_celula), 0)::bigint
FROM linha GROUP BY GROUPING SETS ((), (classe), (segmento))
"""


def _resumo_by_cells(area: Any) -> dict[str, Any] | None:
    """The totals of every unit in `area` from the summary cells and its border's units, or None when the
    cells wholly inside it hold fewer than RESUMO_CELLS_MIN_UNITS units. The cells are as of the last
    summaries refresh (the one each import runs), the border's units as they are now."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")  # the area's cells, in memory
        cursor.execute(RESUMO_CELLS_SQL, {"area": bytes(area.ewkb), "lado": RESUMO_CELL_M})
        rows = cursor.fetchall()
    total = next(r for r in rows if not r[0] and not r[1])
    if total[9] < RESUMO_CELLS_MIN_UNITS:
        return None
    names = {
        "por_classe": dict(models.ClasseConsumo.objects.values_list("codigo", "descricao")),
        "por_segmento": dict(models.SegmentoMercado.objects.values_list("codigo", "nome")),
    }
    resumo: dict[str, Any] = dict(zip(RESUMO_TOTALS, total[4:9], strict=True))
    for key, column, code in (("por_classe", 0, 2), ("por_segmento", 1, 3)):
        groups = [
            {"codigo": r[code], "nome": names[key].get(r[code]), **dict(zip(RESUMO_TOTALS, r[4:9], strict=True))}
            for r in rows
            if r[column]
        ]
        resumo[key] = sorted(groups, key=lambda g: (-g["unidades"], g["codigo"] is None, g["codigo"] or ""))
    return resumo


def lead_resumo(*, params: Mapping[str, Any]) -> dict[str, Any]:
    """Totals of the filtered units (a drawn area is the `poligono` or lat/lon/raio_m filter): units,
    annual energy, peak demand, mean DIC/FIC, and the same by class and by segment (largest first).

    A large area with no other filter is totalled from the summary cells (see _resumo_by_cells)."""
    queryset = lead_list(params=params).order_by()
    given = {k: v for k, v in params.items() if v not in ("", None)}
    if set(given) == {"poligono"}:
        by_cells = _resumo_by_cells(filters.polygon_parse(str(given["poligono"])))
        if by_cells is not None:
            return by_cells
    totals = {
        "unidades": Count("uc_id"),
        "energia_anual_kwh": Sum("energia_anual_kwh"),
        "demanda_pico_kw": Sum("demanda_pico_kw"),
        "media_dic": Avg("media_dic"),
        "media_fic": Avg("media_fic"),
    }
    resumo: dict[str, Any] = queryset.aggregate(**totals)
    for key, field, name in (
        ("por_classe", "classe_consumo_id", "classe_consumo__descricao"),
        ("por_segmento", "segmento_mercado_id", "segmento_mercado__nome"),
    ):
        rows = queryset.values(codigo=F(field), nome=F(name)).annotate(**totals).order_by("-unidades", "codigo")
        resumo[key] = list(rows)
    return resumo


def municipio_figuras(*, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per municipality, the filtered units' count, annual energy, mean DIC/FIC, share of free-market
    units (%) and best offer score: what the map's choropleth colours. `uf` (one or more) is required,
    so a request reads the units of a few states at most."""
    if not params.get("uf"):
        raise ValidationError({"uf": "obrigatório: a UF (ou UFs, RS,SC) cujos municípios colorir"})
    queryset = lead_list(params=params).order_by()
    best = Greatest(*(F(name) for name in SCORE_FIELDS), output_field=FloatField())
    rows = (
        queryset.values(codigo=F("municipio_id"))
        .annotate(
            unidades=Count("uc_id"),
            energia_anual_kwh=Sum("energia_anual_kwh"),
            media_dic=Avg("media_dic"),
            media_fic=Avg("media_fic"),
            livres=Count("uc_id", filter=Q(livre=True) | Q(livre_ccee=True)),
            melhor_score=Max(best),
        )
        .order_by("codigo")
    )
    out = []
    for row in rows:
        livres = row.pop("livres")
        if row["codigo"]:
            out.append({**row, "pct_livre": round(100 * livres / row["unidades"], 2) if row["unidades"] else None})
    return out
