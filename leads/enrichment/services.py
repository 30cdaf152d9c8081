"""Enrichment runs: each step reads a layer's units with SQL, decides (SQL or `match`), and writes the
log set-based (one INSERT … SELECT per step); identities and free-market marks are then rebuilt from
the latest log rows in one statement each.

Steps (`ETAPAS`), each logged in lead_enrichment_log with its method in `detalhes`:

- `municipio`: the municipality's population, GDP per capita and IDHM (reference data);
- `ccee`: Grupo A units against CCEE's free-market loads of their municipality (branch and capacity):
  a unit whose loads of one CNPJ alone survive is free, with that CNPJ and its migration date;
- `gd`: a unit's distributed-generation plant (CEG_GD) → ANEEL's register → the holder's CNPJ when it
  is a company (a natural person's CPF is never copied);
- `cnpj`: units of PJ classes or with a CNAE not identified by the exact routes, blocked against the
  active establishments of the current Receita release by municipality + CEP + CNAE, decided by
  `match.decide_all`.

Idempotent: a row is written only where a unit's latest result of the step changed, so a rerun on the
same data writes nothing. Units staff reviewed (lead_identidade.revisao) are left to that review. A step
whose source was never imported (no CCEE loads, no GD register, no active CNPJ release) is skipped and
says so. Results reference lead_unidade: a re-import of the layer keeps those of units still there.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from ..models import LeadIdentidade, Resultado, Revisao
from . import batch, match

logger = logging.getLogger(__name__)

ETAPAS = ("municipio", "ccee", "gd", "cnpj")
ETAPAS_IDENTIDADE = ("ccee", "gd", "cnpj")
ENRICH_LOCK = 0xE1C4  # advisory lock of an enrichment run over a layer (with the distributor as second key)
MAX_CANDIDATOS_MUNICIPIO = 20  # subclass candidates of a municipality kept per unit (same CEP first)
# A municipality with fewer establishments gives no CEP share worth using (the matcher's default instead).
MIN_ESTABELECIMENTOS_TF = 1000
ANALYZE_AFTER = 10_000  # log rows written by a step beyond which the log's statistics are refreshed
# Units decided at a time by the cnpj step (whole groups): its arrays and candidates' texts are held a
# chunk at a time, not a layer's.
CHUNK_UNIDADES = 25_000

# The layer's units, with what every step reads: `scope` narrows to a distributor and/or year.
_UNITS = """
    SELECT l.uc_id, l.distribuidora_id, l.ano, l.camada::text AS camada, l.municipio_id,
           regexp_replace(coalesce(l.cnae_id, ''), '[^0-9]', '', 'g') AS cnae7,
           regexp_replace(coalesce(l.cep, ''), '[^0-9]', '', 'g') AS cep, l.bairro,
           coalesce(nullif(l.demanda_contratada_kw, 0), l.pac) AS demanda_kw, l.livre, l.ceg_gd,
           l.grupo_tensao_id IN ('MT', 'AT') OR l.camada IN ('UCMT', 'UCAT') AS grupo_a,
           cc.tipo_cliente = 'PJ' OR l.cnae_id IS NOT NULL AS empresa
    FROM intel_lead.lead_bruto l
    LEFT JOIN intel_lead.classe_consumo cc ON cc.codigo = l.classe_consumo_id
    WHERE true {scope}"""

_REVIEWED = "SELECT 1 FROM intel_lead.lead_identidade r WHERE r.uc_id = u.uc_id AND r.revisao IS NOT NULL"


class EnrichmentError(RuntimeError):
    """A run that cannot start (an unknown step)."""


class Tempos(dict[str, float]):
    """Seconds spent per phase of a step (summed over its chunks), reported with the step's outcome."""

    @contextmanager
    def fase(self, nome: str) -> Iterator[None]:
        t0 = time.monotonic()
        try:
            yield
        finally:
            self[nome] = self.get(nome, 0.0) + time.monotonic() - t0

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in self.items()}


@dataclass
class Relatorio:
    """What a run did: per step, units considered, rows written and results; or why it was skipped."""

    etapas: dict[str, dict[str, Any]] = field(default_factory=dict)
    duracao_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"etapas": self.etapas, "duracao_s": self.duracao_s}


def etapas_validas(etapas: Iterable[str] | None) -> tuple[str, ...]:
    """The steps asked for, in their run order; EnrichmentError names an unknown one."""
    if etapas is None:
        return ETAPAS
    asked = [e.strip().lower() for e in etapas if e.strip()]
    unknown = [e for e in asked if e not in ETAPAS]
    if unknown or not asked:
        given = ", ".join(unknown) or "(nenhuma)"
        raise EnrichmentError(f"etapa desconhecida: {given}; as válidas são {', '.join(ETAPAS)}")
    return tuple(e for e in ETAPAS if e in asked)


def _scope(distribuidora: int | None, ano: int | None, alias: str = "l") -> tuple[str, list[Any]]:
    where, args = "", []
    for column, value in (("distribuidora_id", distribuidora), ("ano", ano)):
        if value is not None:
            where += f" AND {alias}.{column} = %s"
            args.append(value)
    return where, args


def enrich_layer(
    *, distribuidora: int | None = None, ano: int | None = None, etapas: Iterable[str] | None = None
) -> Relatorio:
    """Run the enrichment steps over a distributor-year (or all units) and rebuild their identities.

    Each step is one transaction under an advisory lock per distributor (runs of one layer do not
    interleave); idempotent (see the module docstring)."""
    steps = etapas_validas(etapas)
    started = time.monotonic()
    report = Relatorio()
    runners: dict[str, Callable[[int | None, int | None], dict[str, Any]]] = {
        "municipio": _step_municipio,
        "ccee": _step_ccee,
        "gd": _step_gd,
        "cnpj": _step_cnpj,
    }
    for step in steps:
        t0 = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ENRICH_LOCK, distribuidora or 0])
            outcome = runners[step](distribuidora, ano)
            if step in ETAPAS_IDENTIDADE and not outcome.get("ignorada") and "identidades" not in outcome:
                outcome["identidades"] = _identities_rebuild(distribuidora, ano)
        outcome["duracao_s"] = round(time.monotonic() - t0, 3)
        report.etapas[step] = outcome
        logger.info("enrichment %s of %s/%s: %s", step, distribuidora, ano, outcome)
    report.duracao_s = round(time.monotonic() - started, 3)
    return report


# --- Writing the log ----------------------------------------------------------------------------------

_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS enr_resultado (uc_id bigint, etapa text, resultado text, detalhes jsonb) "
    "ON COMMIT DROP"
)

# Only rows whose result or details differ from the unit's latest of the step. The latest rows are read
# (materialized) before the first row is written: a lookup per row would also read the rows this
# statement writes, a quadratic cost where the planner believes the log empty (a first run).
# `target` reads `escritas` (the uc_id of each row written).
_LOG_CHANGED = """
    WITH t AS MATERIALIZED ({source}),
    ultimo AS MATERIALIZED (
        SELECT DISTINCT ON (g.uc_id, g.etapa) g.uc_id, g.etapa, g.resultado, g.detalhes
        FROM intel_lead.lead_enrichment_log g JOIN (SELECT DISTINCT uc_id, etapa FROM t) k
             ON k.uc_id = g.uc_id AND k.etapa = g.etapa
        ORDER BY g.uc_id, g.etapa, g.executado_em DESC, g.id DESC),
    escritas AS (
        INSERT INTO intel_lead.lead_enrichment_log (uc_id, etapa, resultado, detalhes, executado_em)
        SELECT t.uc_id, t.etapa, t.resultado::intel_lead.resultado_enum, t.detalhes, now()
        FROM t LEFT JOIN ultimo ON ultimo.uc_id = t.uc_id AND ultimo.etapa = t.etapa
        WHERE ultimo.resultado IS NULL OR ultimo.resultado::text <> t.resultado OR ultimo.detalhes <> t.detalhes
        RETURNING uc_id)
    {target}"""
_COUNT_WRITTEN = "SELECT count(*) FROM escritas"


def _log_copy(rows: Iterable[tuple[int, str, str, dict[str, Any] | str]]) -> int:
    """Write decided rows (uc_id, etapa, resultado, detalhes: a dict or its JSON text) to the log through
    a COPY into a temporary table; returns the rows written (only the changed ones)."""
    with connection.cursor() as cursor:
        cursor.execute(_STAGE)
        cursor.execute("TRUNCATE enr_resultado")
        with cursor.cursor.copy("COPY enr_resultado (uc_id, etapa, resultado, detalhes) FROM STDIN") as copy:
            for uc_id, etapa, resultado, detalhes in rows:
                text = detalhes if isinstance(detalhes, str) else json.dumps(detalhes, ensure_ascii=False, default=str)
                copy.write_row((uc_id, etapa, resultado, text))
    return _log_select("SELECT * FROM enr_resultado", ())


def _log_select(select: str, args: Sequence[Any]) -> int:
    """Write the rows a SELECT (uc_id, etapa, resultado, detalhes) decides, in one INSERT … SELECT."""
    with connection.cursor() as cursor:
        cursor.execute(_LOG_CHANGED.format(source=select, target=_COUNT_WRITTEN), args)
        return int(cursor.fetchone()[0])


def _counts(select: str, args: Sequence[Any]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT resultado, count(*) FROM ({select}) t GROUP BY 1", args)
        return {r: n for r, n in cursor.fetchall()}


def _table_has_rows(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM intel_lead.{name})")
        return bool(cursor.fetchone()[0])


# --- municipio ----------------------------------------------------------------------------------------

_MUNICIPIO = """
    SELECT u.uc_id, 'municipio' AS etapa,
           CASE WHEN m.cod_ibge IS NULL THEN 'failed'
                WHEN m.populacao_2022 IS NULL OR m.pib_per_capita_2022 IS NULL OR m.idhm_2010 IS NULL THEN 'partial'
                ELSE 'success' END AS resultado,
           jsonb_strip_nulls(jsonb_build_object(
               'metodo', 'municipio', 'municipio', m.cod_ibge,
               'motivo', CASE WHEN m.cod_ibge IS NULL THEN 'sem_municipio' END,
               'populacao', m.populacao_2022, 'pib_per_capita', m.pib_per_capita_2022, 'idhm', m.idhm_2010,
               'fonte', 'IBGE (Censo 2022, PIB dos Municípios 2022), PNUD (IDHM 2010)')) AS detalhes
    FROM ({units}) u
    LEFT JOIN intel_lead.municipio m ON m.cod_ibge = u.municipio_id"""


def _step_municipio(distribuidora: int | None, ano: int | None) -> dict[str, Any]:
    scope, args = _scope(distribuidora, ano)
    select = _MUNICIPIO.format(units=_UNITS.format(scope=scope))
    results = _counts(select, args)
    return {"unidades": sum(results.values()), "resultados": results, "escritas": _log_select(select, args)}


# --- gd -----------------------------------------------------------------------------------------------

_GD = """
    SELECT u.uc_id, 'gd' AS etapa,
           CASE WHEN g.cod_empreendimento IS NULL THEN 'failed'
                WHEN length(g.doc) <> 14 THEN 'failed'
                WHEN g.municipio_ibge IS NOT NULL AND u.municipio_id IS NOT NULL
                     AND g.municipio_ibge <> u.municipio_id THEN 'failed'
                ELSE 'success' END AS resultado,
           jsonb_strip_nulls(jsonb_build_object(
               'metodo', 'gd', 'ceg', u.ceg_gd,
               'motivo', CASE WHEN g.cod_empreendimento IS NULL THEN 'gd_nao_encontrada'
                              WHEN length(g.doc) <> 14 THEN 'titular_pessoa_fisica'
                              WHEN g.municipio_ibge IS NOT NULL AND u.municipio_id IS NOT NULL
                                   AND g.municipio_ibge <> u.municipio_id THEN 'municipio_diverge' END,
               -- A company's CNPJ and name only: a natural person's CPF and name are not copied.
               'cnpj', CASE WHEN length(g.doc) = 14 THEN g.doc END,
               'titular', CASE WHEN length(g.doc) = 14 THEN g.titular END,
               'potencia_kw', g.potencia_kw, 'tipo_consumidor', g.tipo_consumidor)) AS detalhes
    FROM ({units}) u
    LEFT JOIN (SELECT cod_empreendimento, regexp_replace(coalesce(cpf_cnpj, ''), '[^0-9]', '', 'g') AS doc, titular,
                      municipio_ibge, potencia_kw, tipo_consumidor
               FROM intel_lead.gd_empreendimento) g ON g.cod_empreendimento = u.ceg_gd
    WHERE u.ceg_gd IS NOT NULL AND NOT EXISTS ({reviewed})"""


def _step_gd(distribuidora: int | None, ano: int | None) -> dict[str, Any]:
    if not _table_has_rows("gd_empreendimento"):
        return {"ignorada": "o cadastro de GD da ANEEL não foi importado (manage.py import_gd)"}
    scope, args = _scope(distribuidora, ano)
    select = _GD.format(units=_UNITS.format(scope=scope), reviewed=_REVIEWED)
    results = _counts(select, args)
    return {"unidades": sum(results.values()), "resultados": results, "escritas": _log_select(select, args)}


# --- ccee ---------------------------------------------------------------------------------------------

_CCEE_LOADS = """
    SELECT c.municipio_ibge, c.cnpj, c.ramo_atividade, c.capacidade_mw, c.data_migracao, c.nome_empresarial
    FROM intel_lead.ccee_carga c
    WHERE c.mes_referencia = (SELECT max(mes_referencia) FROM intel_lead.ccee_carga) AND c.municipio_ibge = ANY(%s)
      AND c.cnpj IS NOT NULL"""


def _step_ccee(distribuidora: int | None, ano: int | None) -> dict[str, Any]:
    if not _table_has_rows("ccee_carga"):
        return {"ignorada": "as cargas do mercado livre da CCEE não foram importadas (manage.py import_ccee_cargas)"}
    scope, args = _scope(distribuidora, ano)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.uc_id, u.municipio_id, u.cnae7, u.demanda_kw, u.livre FROM ({_UNITS.format(scope=scope)}) u "
            f"WHERE u.grupo_a AND NOT EXISTS ({_REVIEWED})",
            args,
        )
        units = cursor.fetchall()
        cursor.execute("SELECT max(mes_referencia)::text FROM intel_lead.ccee_carga")
        referencia = cursor.fetchone()[0]
        municipios = sorted({m for _, m, *_ in units if m})
        cursor.execute(_CCEE_LOADS, [municipios])
        loads: dict[str, list[match.Carga]] = defaultdict(list)
        for mun, cnpj, ramo, mw, migrated, nome in cursor.fetchall():
            kw = None if mw is None else float(mw) * 1000
            loads[mun].append(match.Carga(cnpj.strip(), ramo or None, kw, migrated, nome or None))
    by_mun: dict[str | None, list[match.UnidadeGrupoA]] = defaultdict(list)
    for uc_id, mun, cnae, kw, livre in units:
        unit = match.UnidadeGrupoA(uc_id, cnae or None, None if kw is None else float(kw), bool(livre))
        by_mun[mun or None].append(unit)
    decisions = [d for mun, group in by_mun.items() for d in match.decide_ccee(group, loads[mun] if mun else [])]
    rows = [(d.uc_id, "ccee", d.resultado, {**d.as_json(), "referencia": referencia}) for d in decisions]
    written = _log_copy(rows)
    results: dict[str, int] = defaultdict(int)
    for d in decisions:
        results[d.resultado] += 1
    return {"unidades": len(units), "resultados": dict(results), "escritas": written, "referencia": referencia,
            "livres": _free_market_rebuild(distribuidora, ano)}  # fmt: skip


def _free_market_rebuild(distribuidora: int | None, ano: int | None) -> int:
    """The free-market marks of the scope from the latest `ccee` rows: a success marks the unit (its
    CNPJ, migration date and CCEE month); any other latest result removes a mark."""
    scope, args = _scope(distribuidora, ano, alias="u")
    latest = f"""
        SELECT DISTINCT ON (g.uc_id) g.uc_id, g.resultado, g.detalhes, u.distribuidora_id, u.ano
        FROM intel_lead.lead_enrichment_log g JOIN intel_lead.lead_unidade u ON u.uc_id = g.uc_id
        WHERE g.etapa = 'ccee' {scope} ORDER BY g.uc_id, g.executado_em DESC, g.id DESC"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM intel_lead.lead_mercado_livre m USING ({latest}) x "
            "WHERE x.uc_id = m.uc_id AND x.resultado <> 'success'",
            args,
        )
        cursor.execute(
            f"""INSERT INTO intel_lead.lead_mercado_livre (uc_id, distribuidora_id, ano, cnpj, data_migracao,
                                                           referencia, atualizado_em)
                SELECT x.uc_id, x.distribuidora_id, x.ano, x.detalhes->>'cnpj', (x.detalhes->>'data_migracao')::date,
                       coalesce(x.detalhes->>'referencia', ''), now()
                FROM ({latest}) x WHERE x.resultado = 'success'
                ON CONFLICT (uc_id) DO UPDATE SET cnpj = EXCLUDED.cnpj, data_migracao = EXCLUDED.data_migracao,
                    referencia = EXCLUDED.referencia, atualizado_em = now()
                WHERE (lead_mercado_livre.cnpj, lead_mercado_livre.data_migracao, lead_mercado_livre.referencia)
                      IS DISTINCT FROM (EXCLUDED.cnpj, EXCLUDED.data_migracao, EXCLUDED.referencia)""",
            args,
        )
        cursor.execute(f"SELECT count(*) FROM intel_lead.lead_mercado_livre u WHERE true {scope}", args)
        return int(cursor.fetchone()[0])


# --- cnpj ---------------------------------------------------------------------------------------------

# Units to match: of a PJ class or with a CNAE, not reviewed, not named by an exact route (the latest
# gd or ccee row a success).
_CNPJ_UNITS = """
    SELECT x.*, (dense_rank() OVER (ORDER BY x.mun, x.cnae7, x.cep8) - 1)::int AS g FROM (
        SELECT u.uc_id, u.municipio_id AS mun, nullif(u.cnae7, '')::char(7) AS cnae7,
               (CASE WHEN length(u.cep) = 7 THEN '0' || u.cep WHEN length(u.cep) = 8 AND u.cep <> '00000000' THEN u.cep
                END)::char(8) AS cep8,
               u.bairro, u.demanda_kw, u.ano
        FROM ({units}) u
        WHERE u.empresa AND NOT EXISTS ({reviewed})
          AND NOT EXISTS (SELECT 1 FROM (SELECT DISTINCT ON (g.etapa) g.resultado
                                         FROM intel_lead.lead_enrichment_log g
                                         WHERE g.uc_id = u.uc_id AND g.etapa IN ('gd', 'ccee')
                                         ORDER BY g.etapa, g.executado_em DESC, g.id DESC) x
                          WHERE x.resultado = 'success')
    ) x"""

# A group: units sharing the blocking keys (municipality, CNAE, CEP), hence their candidates.
_GROUPS = """
    CREATE TEMP TABLE enr_grupo ON COMMIT DROP AS
    SELECT DISTINCT g, mun, cnae7, cep8 FROM enr_unidade"""

# Blocking (cnpj_matching.md §4 step 3), once per group, every group at once (the chunks read their
# pairs from here): same municipality and CEP with the same CNAE class, or the CNAE among the
# secondaries; and the same subclass anywhere in the municipality, at most MAX_CANDIDATOS_MUNICIPIO of
# those: the same CEP first, then the same CEP prefix, then the nearest CEPs (two index scans from the
# group's CEP, up and down). `secundaria`: the group's CNAE is among the candidate's secondary ones
# (only asked where the primary may differ: the same-CEP blocks).
_BLOCKS = """
    CREATE TEMP TABLE enr_bloco ON COMMIT DROP AS
    SELECT b.g, b.cnpj, bool_or(b.secundaria) AS secundaria FROM (
        SELECT g.g, e.cnpj, g.cnae7 = ANY(e.cnae_secundarias) AS secundaria
        FROM enr_grupo g JOIN intel_lead.cnpj_estabelecimento e ON e.municipio_ibge = g.mun AND e.cep = g.cep8
        WHERE left(e.cnae_principal, 5) = left(g.cnae7, 5) OR e.cnae_secundarias @> ARRAY[g.cnae7]::varchar[]
        UNION ALL
        SELECT g.g, x.cnpj, false FROM enr_grupo g CROSS JOIN LATERAL (
            SELECT y.cnpj FROM (
                (SELECT e.cnpj, e.cep FROM intel_lead.cnpj_estabelecimento e
                 WHERE e.municipio_ibge = g.mun AND e.cnae_principal = g.cnae7 AND e.cep >= g.cep8
                 ORDER BY e.cep, e.cnpj LIMIT {limit})
                UNION ALL
                (SELECT e.cnpj, e.cep FROM intel_lead.cnpj_estabelecimento e
                 WHERE e.municipio_ibge = g.mun AND e.cnae_principal = g.cnae7 AND e.cep < g.cep8
                 ORDER BY e.cep DESC, e.cnpj DESC LIMIT {limit})
            ) y
            ORDER BY y.cep = g.cep8 DESC, left(y.cep, 5) = left(g.cep8, 5) DESC, abs(y.cep::int - g.cep8::int), y.cnpj
            LIMIT {limit}) x
        WHERE g.cep8 IS NOT NULL
        UNION ALL
        SELECT g.g, x.cnpj, false FROM enr_grupo g CROSS JOIN LATERAL (
            SELECT e.cnpj FROM intel_lead.cnpj_estabelecimento e
            WHERE e.municipio_ibge = g.mun AND e.cnae_principal = g.cnae7 ORDER BY e.cep, e.cnpj LIMIT {limit}) x
        WHERE g.cep8 IS NULL
    ) b GROUP BY b.g, b.cnpj"""

# The distinct establishments blocked, numbered in CNPJ order (byte order: the CNPJ's characters are
# digits and capitals), with what the matcher reads of them: the register is read once a run.
_CANDIDATE_IDS = """
    CREATE TEMP TABLE enr_candidato ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY e.cnpj COLLATE "C") - 1)::int AS i, e.cnpj, e.cnpj_basico, e.cnae_principal,
           e.cep, e.municipio_ibge, e.data_inicio, e.bairro, e.nome_fantasia
    FROM (SELECT DISTINCT cnpj FROM enr_bloco) d JOIN intel_lead.cnpj_estabelecimento e ON e.cnpj = d.cnpj"""

# The frequencies the matcher's u-values come from, counted once per run: establishments per CEP of the
# units' municipalities (a CEP hundreds share is generic; its share of the municipality's, where that
# has MIN_ESTABELECIMENTOS_TF of them) and per primary subclass (its share of all active ones).
_FREQUENCIES = (
    """CREATE TEMP TABLE enr_por_cep ON COMMIT DROP AS
       SELECT e.municipio_ibge AS mun, e.cep, count(*)::int AS n FROM intel_lead.cnpj_estabelecimento e
       WHERE e.municipio_ibge IN (SELECT DISTINCT mun FROM enr_grupo) GROUP BY 1, 2""",
    """CREATE TEMP TABLE enr_por_municipio ON COMMIT DROP AS
       SELECT mun, sum(n)::bigint AS n FROM enr_por_cep GROUP BY 1""",
    """CREATE TEMP TABLE enr_por_cnae ON COMMIT DROP AS
       SELECT e.cnae_principal AS cnae, count(*)::bigint AS n FROM intel_lead.cnpj_estabelecimento e GROUP BY 1""",
    "ANALYZE enr_por_cep, enr_por_municipio, enr_por_cnae",
)

# What the matcher reads of each candidate, with those frequencies (numeric: every candidate at once).
_CANDIDATES = """
    SELECT e.i, e.cnae_principal::int AS cnae, e.cep::int AS cep, emp.porte::int AS porte,
           CASE WHEN s.cnpj_basico IS NOT NULL THEN (s.opcao_mei::text IN ('S', 's', 'true'))::int END AS mei,
           extract(year FROM e.data_inicio)::int AS inicio, pc.n AS cep_n,
           pn.n::float8 / %(total)s AS cnae_freq,
           CASE WHEN pm.n >= %(min_tf)s THEN coalesce(pc.n, 1)::float8 / pm.n END AS cep_share
    FROM enr_candidato e
    LEFT JOIN enr_por_cep pc ON pc.mun = e.municipio_ibge AND pc.cep = e.cep
    LEFT JOIN enr_por_municipio pm ON pm.mun = e.municipio_ibge
    LEFT JOIN enr_por_cnae pn ON pn.cnae = e.cnae_principal
    LEFT JOIN intel_lead.cnpj_empresa emp ON emp.cnpj_basico = e.cnpj_basico
    LEFT JOIN intel_lead.cnpj_simples s ON s.cnpj_basico = e.cnpj_basico"""

# The group × candidate pairs, numbered.
_PAIRS = """
    CREATE TEMP TABLE enr_par ON COMMIT DROP AS
    SELECT b.g, c.i, b.secundaria FROM enr_bloco b JOIN enr_candidato c ON c.cnpj = b.cnpj"""

# A chunk's candidates (those of its groups `chunk`, in their order): texts and the names as the members
# the log's candidates carry (JSON written by PostgreSQL).
_CANDIDATE_TEXT = """
    SELECT e.cnpj, nullif(e.bairro, ''),
           ', "razao_social": ' || coalesce(to_json(emp.razao_social)::text, 'null') || ', "nome_fantasia": '
               || coalesce(to_json(nullif(e.nome_fantasia, ''))::text, 'null')
    FROM enr_candidato e LEFT JOIN intel_lead.cnpj_empresa emp ON emp.cnpj_basico = e.cnpj_basico
    WHERE e.i IN (SELECT g.i FROM enr_par g WHERE {chunk})
    ORDER BY e.i"""

# Every unit's decision, a chunk at a time (COPY); the log's details are written from these columns.
_DECISIONS = """
    CREATE TEMP TABLE enr_decisao (
        uc_id bigint, resultado text, motivo text, cnpj text, cnpj_basico text, probabilidade float8,
        margem float8, p_nenhum float8, n_candidatos int, n_vetados int, candidatos jsonb, vencedor text
    ) ON COMMIT DROP"""
_DECISION_COLUMNS = (
    ("uc_id", "int8"), ("resultado", "text"), ("motivo", "text"), ("cnpj", "text"), ("cnpj_basico", "text"),
    ("probabilidade", "float8"), ("margem", "float8"), ("p_nenhum", "float8"), ("n_candidatos", "int4"),
    ("n_vetados", "int4"), ("candidatos", "jsonb"), ("vencedor", "text"),
)  # fmt: skip

# The guard across units (`match.decide_all`) over the whole layer: chunks decide alone, so a CNPJ
# that would be the success of units in different CEPs of different chunks is shared here.
_SHARED = """
    UPDATE enr_decisao d SET resultado = 'partial', motivo = 'cnpj_compartilhado', cnpj = NULL
    WHERE d.resultado = 'success' AND d.vencedor IN (
        SELECT x.vencedor FROM enr_decisao x JOIN enr_unidade u ON u.uc_id = x.uc_id
        WHERE x.vencedor IS NOT NULL GROUP BY x.vencedor HAVING count(DISTINCT coalesce(u.cep8, '')) > 1)"""

# The log's details (what `match.Decisao.as_json` gives, and the release).
_DECISION_LOG = """
    SELECT d.uc_id, 'cnpj' AS etapa, d.resultado,
           jsonb_build_object('metodo', 'probabilistico', 'versao', %(versao)s::text, 'motivo', d.motivo,
                              'cnpj', d.cnpj, 'cnpj_basico', d.cnpj_basico, 'probabilidade', d.probabilidade,
                              'margem', d.margem, 'p_nenhum', d.p_nenhum, 'n_candidatos', d.n_candidatos,
                              'n_vetados', d.n_vetados, 'candidatos', d.candidatos,
                              'release', %(release)s::text) AS detalhes
    FROM enr_decisao d"""

_NULLS = {"i": "-1", "q": "-1", "d": "'NaN'::float8"}
_SEND = {"i": "int4send", "q": "int8send", "d": "float8send"}
_DTYPES = {"i": ">i4", "q": ">i8", "d": ">f8"}


def _packed(
    cursor: Any, select: str, columns: dict[str, str], order: str, args: dict[str, Any] | None = None
) -> dict[str, npt.NDArray[Any]]:
    """Numeric columns of a SELECT as arrays: PostgreSQL packs the rows into one bytea (`columns` maps
    each column to `i` int4, `q` int8 or `d` float8; a null is -1 or NaN), which numpy reads as it is."""
    packed = " || ".join(f"{_SEND[t]}(coalesce(t.{name}, {_NULLS[t]}))" for name, t in columns.items())
    cursor.execute(f"SELECT string_agg({packed}, ''::bytea ORDER BY {order}) FROM ({select}) t", args)
    row = cursor.fetchone()
    dtype = np.dtype([(name, _DTYPES[t]) for name, t in columns.items()])
    data = np.frombuffer(row[0] if row and row[0] is not None else b"", dtype=dtype)
    return {name: data[name].astype(np.int64 if t != "d" else np.float64) for name, t in columns.items()}


def _establishments(cursor: Any) -> int:
    """Active establishments of the release (the planner's estimate when that is large, else a count)."""
    cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'intel_lead.cnpj_estabelecimento'::regclass")
    total = int(cursor.fetchone()[0])
    if total < 1_000_000:  # never analysed, or small enough to count
        cursor.execute("SELECT count(*) FROM intel_lead.cnpj_estabelecimento")
        total = int(cursor.fetchone()[0])
    return max(total, 1)


def active_release() -> date | None:
    """The reference date of the CNPJ release in use (status 'ativa'), if one was imported."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(referencia) FROM intel_lead.cnpj_release WHERE status = 'ativa'")
        row = cursor.fetchone()
    return row[0] if row else None


def _chunks(sizes: Sequence[int], target: int) -> list[tuple[int, int]]:
    """Ranges of groups [g0, g1) of about `target` units each (whole groups; `sizes` their units)."""
    out, start, units = [], 0, 0
    for g, n in enumerate(sizes):
        units += n
        if units >= target:
            out.append((start, g + 1))
            start, units = g + 1, 0
    if start < len(sizes):
        out.append((start, len(sizes)))
    return out


def _as_is(text: str) -> str:
    """JSON text already written (what `Jsonb` sends as it is)."""
    return text


@dataclass
class _Chunk:
    """What a chunk of groups [g0, g1) reads from PostgreSQL."""

    groups: batch.Grupos
    unit: dict[str, npt.NDArray[Any]]
    bairros: list[str | None]
    pairs: dict[str, npt.NDArray[Any]]
    text: list[tuple[str, str | None, str]]


def _read_chunk(raw: Any, g0: int, g1: int, tempos: Tempos) -> _Chunk:
    """The groups, units, pairs and candidates' texts of groups [g0, g1) (`raw`: a psycopg cursor)."""
    chunk = f"g.g >= {int(g0)} AND g.g < {int(g1)}"
    with tempos.fase("leitura_lotes"):
        group_select = (
            f"SELECT g.g - {int(g0)} AS g, cnae7::int AS cnae, cep8::int AS cep FROM enr_grupo g WHERE {chunk}"
        )
        groups = batch.Grupos(**_packed(raw, group_select, {"cnae": "i", "cep": "i"}, "g"))
        unit_select = (
            f"SELECT uc_id, g.g - {int(g0)} AS grupo, demanda_kw::float8 AS demanda_kw, ano::int AS ano, "
            f"(cnae7 IS NULL AND cep8 IS NULL)::int AS sem_dados FROM enr_unidade g WHERE {chunk}"
        )
        unit_cols = {"uc_id": "q", "grupo": "i", "demanda_kw": "d", "ano": "i", "sem_dados": "i"}
        unit = _packed(raw, unit_select, unit_cols, "uc_id")
        raw.execute(f"SELECT bairro FROM enr_unidade g WHERE {chunk} ORDER BY uc_id")
        bairros = [b for (b,) in raw.fetchall()]
        pair_select = f"SELECT g.g - {int(g0)} AS g, g.i, g.secundaria::int AS secundaria FROM enr_par g WHERE {chunk}"
        pairs = _packed(raw, pair_select, {"g": "i", "i": "i", "secundaria": "i"}, "g, i")
        raw.execute(_CANDIDATE_TEXT.format(chunk=chunk))
        text = raw.fetchall()
    return _Chunk(groups, unit, bairros, pairs, text)


def _decide_chunk(
    read: _Chunk, features: dict[str, npt.NDArray[Any]], params: match.Parametros | None, tempos: Tempos
) -> list[tuple[Any, ...]]:
    """The decisions of a chunk's units (`features`: every candidate's, by number), as enr_decisao rows."""
    with tempos.fase("decisao"):
        # The chunk's candidates, renumbered in their (CNPJ) order.
        pairs, text, unit = read.pairs, read.text, read.unit
        numbers = np.unique(pairs["i"])
        cands = batch.Candidatos(
            cnpj=[r[0] for r in text], bairro=[r[1] for r in text], **{k: v[numbers] for k, v in features.items()}
        )
        units = batch.Unidades(
            uc_id=unit["uc_id"], grupo=unit["grupo"], bairro=read.bairros, demanda_kw=unit["demanda_kw"],
            ano=unit["ano"],
        )  # fmt: skip
        local = np.searchsorted(numbers, pairs["i"])
        lote = batch.decide(units, read.groups, cands, batch.Pares(pairs["g"], local, pairs["secundaria"] == 1), params)
        names = {r[0]: r[2] for r in text}
        del cands, local

        def nomes(cnpj: str) -> str:
            return names.get(cnpj, ', "razao_social": null, "nome_fantasia": null')

        no_data = unit["sem_dados"].tolist()
        rows = []
        for i, uc_id in enumerate(lote.uc_id.tolist()):
            motivo = lote.motivo[i]
            if motivo == "sem_candidatos" and no_data[i]:
                motivo = "sem_dados"
            rows.append((
                uc_id, lote.resultado[i], motivo, lote.cnpj[i], lote.cnpj_basico[i],
                batch.rounded(lote.probabilidade[i], 4), batch.rounded(lote.margem[i], 3),
                batch.rounded(lote.p_nenhum[i], 4),
                lote.total[i], lote.vetados[i], Jsonb(lote.candidatos_texto(i, nomes), _as_is), lote.vencedor[i],
            ))  # fmt: skip
        return rows


def _copy_decisions(raw: Any, rows: list[tuple[Any, ...]], tempos: Tempos) -> None:
    with tempos.fase("copia_decisoes"):
        columns = ", ".join(name for name, _ in _DECISION_COLUMNS)
        with raw.copy(f"COPY enr_decisao ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([t for _, t in _DECISION_COLUMNS])
            for row in rows:
                copy.write_row(row)


def _decide_chunks(
    raw: Any,
    chunks: Sequence[tuple[int, int]],
    features: dict[str, npt.NDArray[Any]],
    params: match.Parametros | None,
    tempos: Tempos,
) -> None:
    """Decide the chunks in turn, PostgreSQL reading the next chunk (in a thread, on this connection)
    while Python decides the current one: the two sides work at once. The connection is used by one
    side at a time (the read is awaited before the decisions are copied)."""
    if not chunks:
        return
    with ThreadPoolExecutor(max_workers=1) as reader:
        upcoming = reader.submit(_read_chunk, raw, *chunks[0], tempos)
        for k in range(len(chunks)):
            read = upcoming.result()
            if k + 1 < len(chunks):
                upcoming = reader.submit(_read_chunk, raw, *chunks[k + 1], tempos)
            rows = _decide_chunk(read, features, params, tempos)
            del read
            with tempos.fase("espera_leitura"):
                wait([upcoming])
            _copy_decisions(raw, rows, tempos)


def _step_cnpj(distribuidora: int | None, ano: int | None, params: match.Parametros | None = None) -> dict[str, Any]:
    release = active_release()
    if release is None:
        return {"ignorada": "nenhuma versão do cadastro CNPJ da Receita está ativa (manage.py import_cnpj)"}
    scope, args = _scope(distribuidora, ano)
    tempos = Tempos()
    referencia = release.isoformat()
    with connection.cursor() as cursor:
        # A chunk's pairs and details are sorted and hashed whole: in memory rather than in batches on disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # Memoize caches per group, and no two groups have the same keys: pure overhead in the blocking.
        cursor.execute("SET LOCAL enable_memoize = off")
        cursor.execute(
            "DROP TABLE IF EXISTS enr_unidade, enr_grupo, enr_bloco, enr_candidato, enr_par, enr_decisao, enr_escrita, "
            "enr_por_cep, enr_por_municipio, enr_por_cnae"
        )
        with tempos.fase("unidades"):
            cursor.execute(
                "CREATE TEMP TABLE enr_unidade ON COMMIT DROP AS "
                + _CNPJ_UNITS.format(units=_UNITS.format(scope=scope), reviewed=_REVIEWED),
                args,
            )
            cursor.execute(_GROUPS)
            cursor.execute("ANALYZE enr_unidade, enr_grupo")
            cursor.execute("SELECT count(*) FROM enr_unidade GROUP BY g ORDER BY g")
            sizes = [n for (n,) in cursor.fetchall()]
        with tempos.fase("frequencias"):
            for statement in _FREQUENCIES:
                cursor.execute(statement)
            frequencies = {"total": _establishments(cursor), "min_tf": MIN_ESTABELECIMENTOS_TF}
        with tempos.fase("bloqueio"):
            cursor.execute(_BLOCKS.format(limit=MAX_CANDIDATOS_MUNICIPIO))
            cursor.execute("ANALYZE enr_bloco")
            cursor.execute(_CANDIDATE_IDS)
            cursor.execute("ANALYZE enr_candidato")
            cursor.execute(_PAIRS)
            cursor.execute("ANALYZE enr_par")
        with tempos.fase("candidatos"):
            candidate_cols = {"cnae": "i", "cep": "i", "porte": "i", "mei": "i", "inicio": "i", "cep_n": "i",
                              "cnae_freq": "d", "cep_share": "d"}  # fmt: skip
            features = _packed(cursor.cursor, _CANDIDATES, candidate_cols, "i", frequencies)
        cursor.execute(_DECISIONS)
        chunks = _chunks(sizes, CHUNK_UNIDADES)
        _decide_chunks(cursor.cursor, chunks, features, params, tempos)
        with tempos.fase("guarda"):
            cursor.execute("ANALYZE enr_decisao")
            cursor.execute(_SHARED)
            cursor.execute("SELECT resultado, motivo, count(*) FROM enr_decisao GROUP BY 1, 2")
            outcomes = cursor.fetchall()
        with tempos.fase("log"):
            cursor.execute("CREATE TEMP TABLE enr_escrita (uc_id bigint) ON COMMIT DROP")
            cursor.execute(
                _LOG_CHANGED.format(source=_DECISION_LOG, target="INSERT INTO enr_escrita SELECT uc_id FROM escritas"),
                {"versao": match.VERSAO, "release": referencia},
            )
            written = cursor.rowcount
            if written > ANALYZE_AFTER:  # the identities are rebuilt from the log next: plan on its new size
                cursor.execute("ANALYZE intel_lead.lead_enrichment_log")
            cursor.execute("ANALYZE enr_escrita")
    results: dict[str, int] = defaultdict(int)
    reasons: dict[str, int] = defaultdict(int)
    for resultado, motivo, n in outcomes:
        results[resultado] += n
        if motivo:
            reasons[motivo] += n
    with tempos.fase("identidades"):
        identities = _identities_rebuild(distribuidora, ano, release=release)
    return {"unidades": sum(sizes), "resultados": dict(results), "motivos": dict(reasons), "escritas": written,
            "release": referencia, "lotes": len(chunks), "identidades": identities,
            "tempos_s": tempos.rounded()}  # fmt: skip


# --- identities ---------------------------------------------------------------------------------------

# The unit's identity from the latest row of each identity step: a success first (GD, then CCEE, then
# the probabilistic match), then a partial, then a failure (kept for its candidates and reason).
_IDENTITIES = """
    INSERT INTO intel_lead.lead_identidade (uc_id, distribuidora_id, ano, cnpj, cnpj_basico, metodo, resultado, motivo,
                                            probabilidade, margem, candidatos, release, razao_social, nome_fantasia,
                                            porte, mei, atualizado_em)
    SELECT y.uc_id, y.distribuidora_id, y.ano, y.cnpj, y.cnpj_basico, y.metodo, y.resultado, y.motivo, y.probabilidade,
           y.margem, {candidatos}, y.release, coalesce(emp.razao_social, y.nome_rota), est.nome_fantasia, emp.porte,
           CASE WHEN s.cnpj_basico IS NOT NULL THEN s.opcao_mei::text IN ('S', 's', 'true') END, now()
    FROM (
        SELECT DISTINCT ON (x.uc_id) x.uc_id, x.distribuidora_id, x.ano,
               CASE WHEN x.resultado = 'success' THEN x.cnpj END AS cnpj,
               coalesce(x.cnpj_basico, CASE WHEN x.resultado = 'success' THEN left(x.cnpj, 8) END) AS cnpj_basico,
               CASE x.etapa WHEN 'cnpj' THEN 'probabilistico' ELSE x.etapa END AS metodo, x.resultado,
               coalesce(x.motivo, '') AS motivo, x.probabilidade, x.margem,
               coalesce(x.candidatos, '[]'::jsonb) AS candidatos, x.release,
               CASE WHEN x.resultado = 'success' THEN coalesce(x.titular, x.nome) END AS nome_rota
        FROM ({latest}) x
        ORDER BY x.uc_id, CASE x.resultado WHEN 'success' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END,
                 CASE x.etapa WHEN 'gd' THEN 0 WHEN 'ccee' THEN 1 ELSE 2 END
    ) y
    LEFT JOIN intel_lead.cnpj_empresa emp ON emp.cnpj_basico = y.cnpj_basico
    LEFT JOIN intel_lead.cnpj_estabelecimento est ON est.cnpj = y.cnpj
    LEFT JOIN intel_lead.cnpj_simples s ON s.cnpj_basico = y.cnpj_basico
    {join}
    ON CONFLICT (uc_id) DO UPDATE SET
        cnpj = EXCLUDED.cnpj, cnpj_basico = EXCLUDED.cnpj_basico, metodo = EXCLUDED.metodo,
        resultado = EXCLUDED.resultado, motivo = EXCLUDED.motivo, probabilidade = EXCLUDED.probabilidade,
        margem = EXCLUDED.margem, candidatos = EXCLUDED.candidatos, release = EXCLUDED.release,
        razao_social = EXCLUDED.razao_social, nome_fantasia = EXCLUDED.nome_fantasia, porte = EXCLUDED.porte,
        mei = EXCLUDED.mei, atualizado_em = now()
    WHERE lead_identidade.revisao IS NULL
      AND (lead_identidade.cnpj, lead_identidade.cnpj_basico, lead_identidade.metodo, lead_identidade.resultado::text,
           lead_identidade.motivo, lead_identidade.candidatos, lead_identidade.release, lead_identidade.razao_social,
           lead_identidade.nome_fantasia, lead_identidade.porte, lead_identidade.mei)
          IS DISTINCT FROM (EXCLUDED.cnpj, EXCLUDED.cnpj_basico, EXCLUDED.metodo, EXCLUDED.resultado::text,
                            EXCLUDED.motivo, EXCLUDED.candidatos, EXCLUDED.release, EXCLUDED.razao_social,
                            EXCLUDED.nome_fantasia, EXCLUDED.porte, EXCLUDED.mei)"""


# The steps' latest rows of each unit (their details name the method), with a well-formed CNPJ; each
# row's details are read once (jsonb_to_record), not once per member.
_LATEST = """
    SELECT DISTINCT ON (g.uc_id, g.etapa) g.uc_id, g.etapa, g.resultado, u.distribuidora_id, u.ano,
           substring(d.cnpj FROM '^[0-9A-Z]{{12}}[0-9]{{2}}$') AS cnpj, d.cnpj_basico, d.motivo,
           d.probabilidade, d.margem, d.candidatos, d.release, d.titular, d.nome
    FROM intel_lead.lead_enrichment_log g JOIN intel_lead.lead_unidade u ON u.uc_id = g.uc_id
    CROSS JOIN LATERAL jsonb_to_record(g.detalhes) AS d(metodo text, cnpj text, cnpj_basico text,
        motivo text, probabilidade float, margem float, candidatos jsonb, release date, titular text,
        nome text)
    WHERE g.etapa IN ({etapas}) AND d.metodo IS NOT NULL {scope} {only}
    ORDER BY g.uc_id, g.etapa, g.executado_em DESC, g.id DESC"""

# The cnpj step's rows just written (enr_escrita) as the log has them, from its decisions (enr_decisao)
# rather than read back from the log; their candidates (the wide column) are joined last, by unit, so
# the sorts and joins before carry narrow rows.
_LATEST_CNPJ = """
    SELECT d.uc_id, 'cnpj' AS etapa, d.resultado::intel_lead.resultado_enum AS resultado, u.distribuidora_id, u.ano,
           substring(d.cnpj FROM '^[0-9A-Z]{{12}}[0-9]{{2}}$') AS cnpj, d.cnpj_basico, d.motivo,
           d.probabilidade, d.margem, NULL::jsonb AS candidatos, '{release}'::date AS release, NULL AS titular,
           NULL AS nome
    FROM enr_decisao d JOIN enr_escrita w ON w.uc_id = d.uc_id JOIN intel_lead.lead_unidade u ON u.uc_id = d.uc_id"""


def _identities_rebuild(distribuidora: int | None, ano: int | None, release: date | None = None) -> int:
    """Rebuild the scope's identities from the log (reviewed ones stay); returns the rows changed.
    `release`: after the cnpj step of that release, only for the units whose rows it just wrote
    (enr_escrita), the only ones whose identity can have changed (an identity is a function of its
    unit's latest rows), their cnpj rows read from the step's decisions."""
    scope, args = _scope(distribuidora, ano, alias="u")
    candidatos, join = "y.candidatos", ""
    if release is None:
        latest = _LATEST.format(etapas="'gd', 'ccee', 'cnpj'", scope=scope, only="")
    else:
        candidatos = "CASE WHEN dc.uc_id IS NULL THEN y.candidatos ELSE dc.candidatos END"
        join = "LEFT JOIN enr_decisao dc ON y.metodo = 'probabilistico' AND dc.uc_id = y.uc_id"
        others = _LATEST.format(
            etapas="'gd', 'ccee'", scope=scope, only="AND g.uc_id IN (SELECT uc_id FROM enr_escrita)"
        )
        latest = f"{_LATEST_CNPJ.format(release=release.isoformat())} UNION ALL ({others})"
    with connection.cursor() as cursor:
        if release is not None:
            # The planner guesses a few hundred latest rows (DISTINCT ON) and sorts the whole register to
            # merge-join the establishments: hash them instead (this is the step's last statement).
            cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(_IDENTITIES.format(latest=latest, candidatos=candidatos, join=join), args)
        return cursor.rowcount


# --- review -------------------------------------------------------------------------------------------


@transaction.atomic
def identity_review(*, uc_ids: Sequence[int], revisao: str, usuario: Any) -> int:
    """Staff confirm or reject the identities of units: the decision wins over later runs (which leave
    reviewed units alone) and is logged as the step `revisao`. Returns the identities reviewed."""
    if revisao not in Revisao.values:
        raise EnrichmentError(f"revisão desconhecida: {revisao!r}; as válidas são {', '.join(Revisao.values)}")
    now = timezone.now()
    identities = list(LeadIdentidade.objects.select_for_update().filter(uc_id__in=uc_ids))
    rows = []
    for identity in identities:
        identity.revisao, identity.revisado_por, identity.revisado_em = revisao, usuario, now
        confirmed = revisao == Revisao.CONFIRMADA
        rows.append((
            identity.uc_id, "revisao", Resultado.SUCCESS.value if confirmed else Resultado.FAILED.value,
            {"metodo": "revisao", "revisao": revisao, "usuario": getattr(usuario, "username", None),
             "cnpj": identity.cnpj, "cnpj_basico": identity.cnpj_basico, "metodo_revisado": identity.metodo},
        ))  # fmt: skip
    LeadIdentidade.objects.bulk_update(identities, ["revisao", "revisado_por", "revisado_em"])
    _log_copy(rows)
    return len(identities)


def layers(distribuidora: int | None = None, ano: int | None = None) -> list[tuple[int, int]]:
    """The distributor-years registered (those an enrichment of everything goes through)."""
    scope, args = _scope(distribuidora, ano, alias="u")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT distribuidora_id, ano FROM intel_lead.lead_unidade u WHERE true {scope} ORDER BY 1, 2",
            args,
        )
        return [(int(d), int(a)) for d, a in cursor.fetchall()]
