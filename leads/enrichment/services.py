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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ..models import LeadIdentidade, Resultado, Revisao
from . import match

logger = logging.getLogger(__name__)

ETAPAS = ("municipio", "ccee", "gd", "cnpj")
ETAPAS_IDENTIDADE = ("ccee", "gd", "cnpj")
ENRICH_LOCK = 0xE1C4  # advisory lock of an enrichment run over a layer (with the distributor as second key)
MAX_CANDIDATOS_MUNICIPIO = 20  # subclass candidates of a municipality kept per unit (same CEP first)
# A municipality with fewer establishments gives no CEP share worth using (the matcher's default instead).
MIN_ESTABELECIMENTOS_TF = 1000

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
            if step in ETAPAS_IDENTIDADE and not outcome.get("ignorada"):
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

# Only rows whose result or details differ from the unit's latest of the step.
_LOG_CHANGED = """
    INSERT INTO intel_lead.lead_enrichment_log (uc_id, etapa, resultado, detalhes, executado_em)
    SELECT t.uc_id, t.etapa, t.resultado::intel_lead.resultado_enum, t.detalhes, now()
    FROM ({source}) t
    LEFT JOIN LATERAL (
        SELECT g.resultado, g.detalhes FROM intel_lead.lead_enrichment_log g
        WHERE g.uc_id = t.uc_id AND g.etapa = t.etapa ORDER BY g.executado_em DESC, g.id DESC LIMIT 1
    ) ultimo ON true
    WHERE ultimo.resultado IS NULL OR ultimo.resultado::text <> t.resultado OR ultimo.detalhes <> t.detalhes"""


def _log_copy(rows: Iterable[tuple[int, str, str, dict[str, Any]]]) -> int:
    """Write decided rows (uc_id, etapa, resultado, detalhes) to the log through a COPY into a temporary
    table; returns the rows written (only the changed ones)."""
    with connection.cursor() as cursor:
        cursor.execute(_STAGE)
        cursor.execute("TRUNCATE enr_resultado")
        with cursor.cursor.copy("COPY enr_resultado (uc_id, etapa, resultado, detalhes) FROM STDIN") as copy:
            for uc_id, etapa, resultado, detalhes in rows:
                copy.write_row((uc_id, etapa, resultado, json.dumps(detalhes, ensure_ascii=False, default=str)))
        cursor.execute(_LOG_CHANGED.format(source="SELECT * FROM enr_resultado"))
        return cursor.rowcount


def _log_select(select: str, args: Sequence[Any]) -> int:
    """Write the rows a SELECT (uc_id, etapa, resultado, detalhes) decides, in one INSERT … SELECT."""
    with connection.cursor() as cursor:
        cursor.execute(_LOG_CHANGED.format(source=select), args)
        return cursor.rowcount


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
    SELECT u.uc_id, u.municipio_id AS mun, nullif(u.cnae7, '') AS cnae7,
           CASE WHEN length(u.cep) = 7 THEN '0' || u.cep WHEN length(u.cep) = 8 AND u.cep <> '00000000' THEN u.cep END
               AS cep8,
           u.bairro, u.demanda_kw, u.ano
    FROM ({units}) u
    WHERE u.empresa AND NOT EXISTS ({reviewed})
      AND NOT EXISTS (SELECT 1 FROM (SELECT DISTINCT ON (g.etapa) g.resultado FROM intel_lead.lead_enrichment_log g
                                     WHERE g.uc_id = u.uc_id AND g.etapa IN ('gd', 'ccee')
                                     ORDER BY g.etapa, g.executado_em DESC, g.id DESC) x
                      WHERE x.resultado = 'success')"""

# Blocking (cnpj_matching.md §4 step 3): same municipality and CEP with the same CNAE class, or the CNAE
# among the secondaries; and the same subclass anywhere in the municipality (same CEP, then same CEP
# prefix first), at most MAX_CANDIDATOS_MUNICIPIO of those.
_BLOCKS = """
    CREATE TEMP TABLE enr_bloco ON COMMIT DROP AS
    SELECT u.uc_id, e.cnpj FROM enr_unidade u JOIN intel_lead.cnpj_estabelecimento e
        ON e.municipio_ibge = u.mun AND e.cep = u.cep8 AND left(e.cnae_principal, 5) = left(u.cnae7, 5)
    UNION
    SELECT u.uc_id, e.cnpj FROM enr_unidade u JOIN intel_lead.cnpj_estabelecimento e
        ON e.municipio_ibge = u.mun AND e.cep = u.cep8 AND e.cnae_secundarias @> ARRAY[u.cnae7]::varchar[]
    UNION
    SELECT u.uc_id, x.cnpj FROM enr_unidade u CROSS JOIN LATERAL (
        SELECT e.cnpj FROM intel_lead.cnpj_estabelecimento e
        WHERE e.municipio_ibge = u.mun AND e.cnae_principal = u.cnae7
        ORDER BY e.cep = u.cep8 DESC NULLS LAST, left(e.cep, 5) = left(u.cep8, 5) DESC NULLS LAST, e.cnpj
        LIMIT {limit}) x"""

_CANDIDATES = """
    SELECT b.uc_id, e.cnpj, e.cnae_principal, e.cnae_secundarias, e.cep, nullif(e.bairro, ''), e.municipio_ibge,
           e.data_inicio,
           emp.porte, CASE WHEN s.cnpj_basico IS NOT NULL THEN s.opcao_mei::text IN ('S', 's', 'true') END AS mei,
           nullif(e.nome_fantasia, ''), emp.razao_social
    FROM enr_bloco b
    JOIN intel_lead.cnpj_estabelecimento e ON e.cnpj = b.cnpj
    LEFT JOIN intel_lead.cnpj_empresa emp ON emp.cnpj_basico = e.cnpj_basico
    LEFT JOIN intel_lead.cnpj_simples s ON s.cnpj_basico = e.cnpj_basico
    ORDER BY b.uc_id, e.cnpj"""


def active_release() -> date | None:
    """The reference date of the CNPJ release in use (status 'ativa'), if one was imported."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(referencia) FROM intel_lead.cnpj_release WHERE status = 'ativa'")
        row = cursor.fetchone()
    return row[0] if row else None


def _frequencies(
    cursor: Any, cnaes: list[str], ceps: list[tuple[str, str]]
) -> tuple[dict[str, float], dict[tuple[str, str], int], dict[str, int]]:
    """Share of active establishments per primary subclass (the u-value of a subclass agreement), the
    number of establishments per (municipality, CEP) of the candidates (a CEP hundreds share is generic)
    and per municipality (the u-value of a CEP agreement, where the municipality has enough of them)."""
    cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'intel_lead.cnpj_estabelecimento'::regclass")
    total = int(cursor.fetchone()[0])
    if total < 1_000_000:  # never analysed, or small enough to count
        cursor.execute("SELECT count(*) FROM intel_lead.cnpj_estabelecimento")
        total = int(cursor.fetchone()[0])
    cursor.execute(
        "SELECT cnae_principal, count(*) FROM intel_lead.cnpj_estabelecimento "
        "WHERE cnae_principal = ANY(%s) GROUP BY 1",
        [cnaes],
    )
    freq = {c: n / max(total, 1) for c, n in cursor.fetchall()}
    per_cep: dict[tuple[str, str], int] = {}
    per_mun: dict[str, int] = {}
    if ceps:
        cursor.execute(
            "SELECT e.municipio_ibge, e.cep, count(*) FROM intel_lead.cnpj_estabelecimento e "
            "JOIN unnest(%s::text[], %s::text[]) AS k(mun, cep) ON e.municipio_ibge = k.mun AND e.cep = k.cep "
            "GROUP BY 1, 2",
            [[m for m, _ in ceps], [c for _, c in ceps]],
        )
        per_cep = {(m, c.strip()): int(n) for m, c, n in cursor.fetchall()}
        cursor.execute(
            "SELECT municipio_ibge, count(*) FROM intel_lead.cnpj_estabelecimento WHERE municipio_ibge = ANY(%s) "
            "GROUP BY 1",
            [sorted({m for m, _ in ceps})],
        )
        per_mun = {m: int(n) for m, n in cursor.fetchall()}
    return freq, per_cep, per_mun


def _cep_share(
    per_cep: dict[tuple[str, str], int], per_mun: dict[str, int], mun: str | None, cep: str | None
) -> float | None:
    """The share of its municipality's establishments in this CEP, where the municipality has enough of them
    for a share to mean something (else None: the matcher's default)."""
    if mun is None or not cep or per_mun.get(mun, 0) < MIN_ESTABELECIMENTOS_TF:
        return None
    return per_cep.get((mun, cep.strip()), 1) / per_mun[mun]


def _step_cnpj(distribuidora: int | None, ano: int | None, params: match.Parametros | None = None) -> dict[str, Any]:
    release = active_release()
    if release is None:
        return {"ignorada": "nenhuma versão do cadastro CNPJ da Receita está ativa (manage.py import_cnpj)"}
    scope, args = _scope(distribuidora, ano)
    units: dict[int, match.Unidade] = {}
    candidates: dict[int, list[match.Candidato]] = defaultdict(list)
    names: dict[str, tuple[str | None, str | None]] = {}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS enr_unidade, enr_bloco")
        cursor.execute(
            "CREATE TEMP TABLE enr_unidade ON COMMIT DROP AS "
            + _CNPJ_UNITS.format(units=_UNITS.format(scope=scope), reviewed=_REVIEWED),
            args,
        )
        cursor.execute("ANALYZE enr_unidade")
        cursor.execute("SELECT uc_id, cnae7, cep8, bairro, demanda_kw, ano FROM enr_unidade")
        for uc_id, cnae, cep, bairro, kw, year in cursor.fetchall():
            units[uc_id] = match.Unidade(uc_id, cnae, cep, bairro, None if kw is None else float(kw), year)
        cursor.execute(_BLOCKS.format(limit=MAX_CANDIDATOS_MUNICIPIO))
        cursor.execute(_CANDIDATES)
        rows = cursor.fetchall()
        cnaes = sorted({r[2] for r in rows if r[2]})
        ceps = sorted({(r[6], r[4]) for r in rows if r[4] and r[6] is not None})
        freq, per_cep, per_mun = _frequencies(cursor, cnaes, ceps)
    for uc_id, cnpj, cnae, secundarias, cep, bairro, mun, inicio, porte, mei, fantasia, razao in rows:
        candidates[uc_id].append(
            match.Candidato(
                cnpj=cnpj,
                cnae_principal=cnae,
                cnae_secundarias=tuple(secundarias or ()),
                cep=match.cep8(cep),
                bairro=bairro,
                porte=porte,
                mei=mei,
                data_inicio=inicio,
                cnae_freq=freq.get(cnae),
                cep_n=per_cep.get((mun, cep.strip())) if mun is not None and cep else None,
                cep_share=_cep_share(per_cep, per_mun, mun, cep),
            )
        )
        names[cnpj] = (razao, fantasia)
    decisions = match.decide_all(((u, candidates.get(uc_id, [])) for uc_id, u in units.items()), params)
    referencia = release.isoformat()

    def rows_out() -> Iterable[tuple[int, str, str, dict[str, Any]]]:
        for d in decisions:
            detail = d.as_json()
            if d.motivo == "sem_candidatos" and units[d.uc_id].cnae is None and units[d.uc_id].cep is None:
                detail["motivo"] = "sem_dados"
            for c in detail["candidatos"]:
                c["razao_social"], c["nome_fantasia"] = names.get(c["cnpj"], (None, None))
            detail["release"] = referencia
            yield d.uc_id, "cnpj", d.resultado, detail

    written = _log_copy(rows_out())
    results: dict[str, int] = defaultdict(int)
    reasons: dict[str, int] = defaultdict(int)
    for d in decisions:
        results[d.resultado] += 1
        if d.motivo:
            reasons[d.motivo] += 1
    return {"unidades": len(units), "candidatos": len(rows), "resultados": dict(results), "motivos": dict(reasons),
            "escritas": written, "release": referencia}  # fmt: skip


# --- identities ---------------------------------------------------------------------------------------

# The unit's identity from the latest row of each identity step: a success first (GD, then CCEE, then
# the probabilistic match), then a partial, then a failure (kept for its candidates and reason).
_IDENTITIES = """
    INSERT INTO intel_lead.lead_identidade (uc_id, distribuidora_id, ano, cnpj, cnpj_basico, metodo, resultado, motivo,
                                            probabilidade, margem, candidatos, release, razao_social, nome_fantasia,
                                            porte, mei, atualizado_em)
    SELECT y.uc_id, y.distribuidora_id, y.ano, y.cnpj, y.cnpj_basico, y.metodo, y.resultado, y.motivo, y.probabilidade,
           y.margem, y.candidatos, y.release, coalesce(emp.razao_social, y.nome_rota), est.nome_fantasia, emp.porte,
           CASE WHEN s.cnpj_basico IS NOT NULL THEN s.opcao_mei::text IN ('S', 's', 'true') END, now()
    FROM (
        SELECT DISTINCT ON (x.uc_id) x.uc_id, x.distribuidora_id, x.ano,
               CASE WHEN x.resultado = 'success' THEN x.cnpj END AS cnpj,
               coalesce(x.detalhes->>'cnpj_basico', CASE WHEN x.resultado = 'success' THEN left(x.cnpj, 8) END)
                   AS cnpj_basico,
               CASE x.etapa WHEN 'cnpj' THEN 'probabilistico' ELSE x.etapa END AS metodo, x.resultado,
               coalesce(x.detalhes->>'motivo', '') AS motivo, (x.detalhes->>'probabilidade')::float AS probabilidade,
               (x.detalhes->>'margem')::float AS margem, coalesce(x.detalhes->'candidatos', '[]'::jsonb) AS candidatos,
               (x.detalhes->>'release')::date AS release,
               CASE WHEN x.resultado = 'success' THEN coalesce(x.detalhes->>'titular', x.detalhes->>'nome') END
                   AS nome_rota
        -- The steps' own rows (their details name the method), with a well-formed CNPJ.
        FROM (SELECT DISTINCT ON (g.uc_id, g.etapa) g.uc_id, g.etapa, g.resultado, g.detalhes, u.distribuidora_id,
                     u.ano, substring(g.detalhes->>'cnpj' FROM '^[0-9A-Z]{{12}}[0-9]{{2}}$') AS cnpj
              FROM intel_lead.lead_enrichment_log g JOIN intel_lead.lead_unidade u ON u.uc_id = g.uc_id
              WHERE g.etapa IN ('gd', 'ccee', 'cnpj') AND g.detalhes ? 'metodo' {scope}
              ORDER BY g.uc_id, g.etapa, g.executado_em DESC, g.id DESC) x
        ORDER BY x.uc_id, CASE x.resultado WHEN 'success' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END,
                 CASE x.etapa WHEN 'gd' THEN 0 WHEN 'ccee' THEN 1 ELSE 2 END
    ) y
    LEFT JOIN intel_lead.cnpj_empresa emp ON emp.cnpj_basico = y.cnpj_basico
    LEFT JOIN intel_lead.cnpj_estabelecimento est ON est.cnpj = y.cnpj
    LEFT JOIN intel_lead.cnpj_simples s ON s.cnpj_basico = y.cnpj_basico
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


def _identities_rebuild(distribuidora: int | None, ano: int | None) -> int:
    """Rebuild the scope's identities from the log (reviewed ones stay); returns the rows changed."""
    scope, args = _scope(distribuidora, ano, alias="u")
    with connection.cursor() as cursor:
        cursor.execute(_IDENTITIES.format(scope=scope), args)
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
