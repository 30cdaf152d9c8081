"""Writes of the quality app: the indicators' refresh, anomaly detection, rule evaluation, notifications
by e-mail, and ANEEL's continuity limits."""

from __future__ import annotations

import io
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import connection, transaction
from django.utils import timezone

from leads.models import SCHEMA
from youon.lib import memory
from youon.lib.db import copy_upsert

from . import limites
from .models import Metrica, Notificacao, RegraAlerta, TipoAnomalia, TipoRegiao
from .rules import anomalias

logger = logging.getLogger(__name__)

ANOMALY_LOCK = 0x0A70  # advisory lock of a detection run (they rewrite the same rows)
RULES_LOCK = 0x0A71


def indicators_refresh(*, concurrently: bool = True) -> None:
    """Recompute the regional DIC/FIC indicators (materialized view `indicador_qualidade`).

    CONCURRENTLY: readers keep the previous rows until the new ones are in. Idempotent."""
    mode = "CONCURRENTLY " if concurrently else ""
    with transaction.atomic(), connection.cursor() as cursor:
        # Millions of monthly rows joined to their units and counted: the planner misjudges how many
        # rows the join makes (a partitioned key it cannot see through) and sorts or loops over them;
        # hashing is 2-5x faster at 10^6 units (docs/benchmarks.md). For this statement only.
        cursor.execute("SET LOCAL enable_nestloop = off; SET LOCAL enable_sort = off")
        cursor.execute(f"REFRESH MATERIALIZED VIEW {mode}intel_lead.indicador_qualidade")


# --- Anomalies ---------------------------------------------------------------------------------------

_MESES = range(1, 13)
_FEATURES = f"""
    SELECT l.uc_id, l.distribuidora_id, l.ano, l.camada::text AS camada, l.classe_consumo_id AS classe,
           l.municipio_id AS municipio, l.grupo_tensao_id AS grupo_tensao,
           {", ".join(f"e.e{m}" for m in _MESES)}, {", ".join(f"d.d{m}" for m in _MESES)}
    FROM intel_lead.lead_bruto l
    LEFT JOIN (
        SELECT uc_id, distribuidora_id, ano, origem,
               {", ".join(f"sum(energia_total_kwh) FILTER (WHERE mes = {m}) AS e{m}" for m in _MESES)}
        FROM intel_lead.lead_energia_mensal WHERE true {{monthly}} GROUP BY 1, 2, 3, 4
    ) e ON e.uc_id = l.uc_id AND e.distribuidora_id = l.distribuidora_id AND e.ano = l.ano
       AND e.origem = l.camada::text::intel_lead.origem_enum
    LEFT JOIN (
        SELECT uc_id, distribuidora_id, ano, origem,
               {
    ", ".join(
        f"max(coalesce(demanda_total_kw, greatest(demanda_ponta_kw, demanda_fora_ponta_kw))) "
        f"FILTER (WHERE mes = {m}) AS d{m}"
        for m in _MESES
    )
}
        FROM intel_lead.lead_demanda_mensal WHERE true {{monthly}} GROUP BY 1, 2, 3, 4
    ) d ON d.uc_id = l.uc_id AND d.distribuidora_id = l.distribuidora_id AND d.ano = l.ano
       AND d.origem = l.camada::text::intel_lead.origem_enum
    WHERE true {{units}}"""
_ANOMALY_COLUMNS = ("uc_id", "distribuidora_id", "ano", "camada", "tipo", "severidade", "mes", "escore", "valor",
                    "referencia", "explicacao", "detectada_em")  # fmt: skip


def _scope(distribuidora: int | None, ano: int | None, prefix: str = "") -> tuple[str, list[int]]:
    where, args = "", []
    for column, value in (("distribuidora_id", distribuidora), ("ano", ano)):
        if value is not None:
            where += f" AND {prefix}{column} = %s"
            args.append(value)
    return where, args


def unidades_read(*, distribuidora: int | None = None, ano: int | None = None) -> tuple[Any, anomalias.Unidades]:
    """The units of a scope with their twelve months of energy and demand, read with one COPY: (their
    layer columns as a DataFrame, the detector's input)."""
    import numpy as np
    import pandas as pd

    units_where, args = _scope(distribuidora, ano, "l.")
    monthly_where, _ = _scope(distribuidora, ano)
    query = _FEATURES.format(units=units_where, monthly=monthly_where)
    with tempfile.TemporaryFile() as buffer:
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)",
                                    [*args, *args, *args]) as copy:  # fmt: skip
                for block in copy:
                    buffer.write(block)
        buffer.seek(0)
        frame = pd.read_csv(
            buffer,
            dtype={"classe": "object", "municipio": "object", "grupo_tensao": "object", "camada": "category",
                   **{f"e{m}": "float64" for m in _MESES}, **{f"d{m}": "float32" for m in _MESES}},
        )  # fmt: skip
    memory.release()
    unidades = anomalias.Unidades(
        uc_id=frame["uc_id"].to_numpy(dtype=np.int64),
        classe=frame["classe"].to_numpy(dtype=object),
        municipio=frame["municipio"].to_numpy(dtype=object),
        grupo_tensao=frame["grupo_tensao"].to_numpy(dtype=object),
        energia=frame[[f"e{m}" for m in _MESES]].to_numpy(dtype=np.float64),
        demanda=frame[[f"d{m}" for m in _MESES]].to_numpy(dtype=np.float64),
    )
    return frame[["uc_id", "distribuidora_id", "ano", "camada"]], unidades


def anomalies_detect(*, distribuidora: int | None = None, ano: int | None = None) -> dict[str, int]:
    """Detect the consumption anomalies of every unit (or of a distributor / year) and replace those
    stored for that scope; returns the count per type.

    One DELETE and one COPY in a transaction: readers see the previous anomalies until the new ones are
    in. Idempotent; one run at a time (advisory lock)."""
    import pandas as pd

    camadas, unidades = unidades_read(distribuidora=distribuidora, ano=ano)
    found = anomalias.detectar(unidades)
    del unidades
    found = found.merge(camadas, on="uc_id", how="left")
    now = timezone.now()
    scope, args = _scope(distribuidora, ano)
    with transaction.atomic(), connection.cursor() as cursor:
        pg = cursor.cursor
        pg.execute("SELECT pg_advisory_xact_lock(%s)", [ANOMALY_LOCK])
        pg.execute(f"DELETE FROM intel_lead.anomalia WHERE true {scope}", args)
        columns = ", ".join(_ANOMALY_COLUMNS)
        with pg.copy(f"COPY intel_lead.anomalia ({columns}) FROM STDIN") as copy:
            for row in found.itertuples(index=False):
                copy.write_row((
                    row.uc_id, row.distribuidora_id, row.ano, row.camada, row.tipo, int(row.severidade),
                    None if pd.isna(row.mes) else int(row.mes),
                    float(row.escore), _float(row.valor), _float(row.referencia), row.explicacao, now,
                ))  # fmt: skip
        pg.execute("ANALYZE intel_lead.anomalia")
    counts = {str(k): int(v) for k, v in found["tipo"].value_counts().items()}
    logger.info("anomalies of %d units: %s", found["uc_id"].nunique(), counts)
    return counts


def _float(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


# --- Rules -------------------------------------------------------------------------------------------

# Each metric of a region rule (UF, municipality, distributor, set) on the indicators: the column, the
# period condition, the event key and its sentence.
_REGION_METRICS = {
    Metrica.DIC_MEDIO_MENSAL: ("dic_medio", "i.mes BETWEEN 1 AND 12", "h", "DIC médio"),
    Metrica.FIC_MEDIO_MENSAL: ("fic_medio", "i.mes BETWEEN 1 AND 12", "", "FIC médio"),
    Metrica.DIC_MEDIO_ANUAL: ("dic_medio", "i.mes = 0", "h", "DIC médio anual"),
    Metrica.FIC_MEDIO_ANUAL: ("fic_medio", "i.mes = 0", "", "FIC médio anual"),
    Metrica.PCT_ACIMA_LIMITE: ("pct_acima_dic", "i.mes = 0", "%%", "Parcela de unidades com DIC anual acima do limite"),
}

_NOTIFY = """
    INSERT INTO quality_notificacao (usuario_id, evento_id, lida, email_pendente, resumo, criada_em)
    SELECT r.dono_id, n.id, false, r.email, r.resumo_diario, now()
    FROM novos n JOIN quality_regra_alerta r ON r.id = n.regra_id
    WHERE NOT n.silencioso"""
_EVENT_COLUMNS = "regra_id, chave, titulo, descricao, valor, uc_id, silencioso, criado_em"


def _period(alias: str = "i") -> str:
    a = alias
    return f"CASE WHEN {a}.mes = 0 THEN {a}.ano::text ELSE lpad({a}.mes::text, 2, '0') || '/' || {a}.ano END"


def _num(expr: str) -> str:
    return f"replace(to_char({expr}, 'FM999999990.00'), '.', ',')"


@dataclass
class Avaliacao:
    regras: int
    eventos: int
    notificacoes: int
    duracao_s: float


def rules_evaluate(*, regra_ids: list[int] | None = None) -> Avaliacao:
    """Evaluate the active alert rules (or these) against the current indicators, anomalies and scores:
    record each event a rule finds once (unique per rule and event key) and a notification for its owner.

    Set-based: what the unit-level rules share is found once into analysed temporary tables (the units
    inside each polygon, the anomalies asked for, the units new to each rule), then one statement per
    metric of the region rules and one for each other family of rules. Idempotent: a second run finds the same events
    and records nothing. One run at a time (advisory lock). A new-lead rule tells of units registered after
    the rule was created (lead_unidade.registrada_em), not of those already there."""
    started = time.monotonic()
    which = "AND r.id = ANY(%(ids)s)" if regra_ids is not None else ""
    params: dict[str, Any] = {"ids": regra_ids}
    events = notes = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RULES_LOCK])
        # A rule on a saved map selection follows the selection's current area.
        cursor.execute(
            "UPDATE quality_regra_alerta r SET poligono = s.geometria FROM leads_selecao_mapa s "
            "WHERE r.selecao_id = s.id AND NOT ST_Equals(r.poligono, s.geometria)"
        )
        for statement in _working_tables(which):
            cursor.execute(statement, params)
        statements = [*_region_statements(which), *_polygon_statements(), *_anomaly_statements(which),
                      *_lead_statements()]  # fmt: skip
        for statement in statements:
            cursor.execute(
                f"WITH novos AS ({statement} ON CONFLICT (regra_id, chave) DO NOTHING RETURNING id, regra_id, "
                f"silencioso), notas AS ({_NOTIFY} RETURNING 1) "
                "SELECT (SELECT count(*) FROM novos), (SELECT count(*) FROM notas)",
                params,
            )
            new_events, new_notes = cursor.fetchone()
            events, notes = events + new_events, notes + new_notes
        rules = RegraAlerta.objects.filter(ativa=True)
        if regra_ids is not None:
            rules = rules.filter(pk__in=regra_ids)
        count = rules.update(avaliada_em=timezone.now())
    result = Avaliacao(count, events, notes, round(time.monotonic() - started, 3))
    logger.info("evaluated %d rules: %d events, %d notifications in %.2f s", count, events, notes, result.duracao_s)
    return result


def _region_statements(which: str) -> list[str]:
    out = []
    for metrica, (column, period, unit, label) in _REGION_METRICS.items():
        out.append(f"""
            INSERT INTO quality_evento_alerta ({_EVENT_COLUMNS})
            SELECT r.id, r.metrica || ':' || i.nivel || ':' || i.regiao || ':' || i.ano || ':' || i.mes,
                   left({label!r} || ' em ' || i.nome || ' (' || {_period()} || '): ' || {_num(f"i.{column}")}
                        || ' {unit}', 200),
                   {label!r} || ' de ' || {_num(f"i.{column}")} || ' {unit} em ' || i.nome || ', ' || {_period()}
                   || ', acima do limiar de ' || {_num("r.limiar")} || ' {unit} da regra "' || r.nome || '" ('
                   || i.n_ucs || ' unidades).',
                   i.{column}, NULL, false, now()
            FROM quality_regra_alerta r
            JOIN intel_lead.indicador_qualidade i ON i.nivel = r.tipo_regiao AND i.regiao = r.regiao
            WHERE r.ativa AND r.metrica = '{metrica.value}' AND r.tipo_regiao <> 'poligono' AND {period}
              AND i.{column} > r.limiar {which}""")
    return out


# What the unit-level statements share, found once per evaluation into temporary tables that are analysed,
# so that the planner knows their sizes and hashes where it would otherwise loop: the units inside each
# polygon rule (one spatial index scan per rule), the anomalies some rule asks for with their unit's region
# keys, and the units registered since each new-lead rule was created (by index: they are few).
_UNIT_COLUMNS = """l.cod_id, l.camada AS camada_uc, l.municipio_id, l.distribuidora_id, l.conj, l.coordenada,
                   coalesce(m.nome || '/' || m.uf, '?') AS lugar, m.uf"""
_UNIT_JOIN = """JOIN intel_lead.lead_bruto l ON l.uc_id = {a}.uc_id AND l.distribuidora_id = {a}.distribuidora_id
                    AND l.ano = {a}.ano AND l.camada = {a}.camada
               LEFT JOIN intel_lead.municipio m ON m.cod_ibge = l.municipio_id"""
_REGION_METRIC_LIST = ", ".join(f"'{m.value}'" for m in _REGION_METRICS)
_WORKING_TABLES = {
    "avaliacao_dentro": f"""
        SELECT r.id AS regra_id, l.uc_id, l.ano, l.distribuidora_id, l.conj, l.media_dic, l.media_fic
        FROM quality_regra_alerta r
        JOIN intel_lead.lead_bruto l ON l.coordenada && r.poligono AND ST_Intersects(l.coordenada, r.poligono)
        WHERE r.ativa AND r.tipo_regiao = 'poligono' AND r.metrica IN ({_REGION_METRIC_LIST})
          AND (l.media_dic IS NOT NULL OR l.media_fic IS NOT NULL) {{which}}""",
    "avaliacao_alvo": f"""
        SELECT a.uc_id, a.tipo, a.severidade, a.mes, a.escore, a.explicacao, {_UNIT_COLUMNS}
        FROM intel_lead.anomalia a {_UNIT_JOIN.format(a="a")}
        WHERE EXISTS (SELECT FROM quality_regra_alerta r WHERE r.ativa AND r.metrica = 'anomalia'
                      AND r.tipo_anomalia = a.tipo AND a.severidade >= r.limiar {{which}})""",
    "avaliacao_novas": """
        SELECT r.id AS regra_id, n.uc_id
        FROM quality_regra_alerta r JOIN intel_lead.lead_unidade n ON n.registrada_em > r.criada_em
        WHERE r.ativa AND r.metrica = 'novo_lead' {which}""",
}


def _working_tables(which: str) -> list[str]:
    out = ["ANALYZE quality_regra_alerta"]  # rules come and go; their counts per kind steer every plan below
    for name, query in _WORKING_TABLES.items():
        out += [f"DROP TABLE IF EXISTS pg_temp.{name}",
                f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS {query.format(which=which)}",
                f"ANALYZE {name}"]  # fmt: skip
    return out


_ANNUAL_VALUE = {
    "dic_medio": "avg(coalesce(d.media_dic, 0) * 12)",
    "fic_medio": "avg(coalesce(d.media_fic, 0) * 12)",
    "pct_acima_dic": "100.0 * count(*) FILTER (WHERE coalesce(d.media_dic, 0) * 12 > coalesce(lim.valor, "
    "(SELECT limiar_dic_anual_h FROM intel_lead.parametros_qualidade WHERE id = 1), 16)) / count(*)",
}


def _polygon_statements() -> list[str]:
    """One statement for every polygon rule: from the units inside each polygon, the values of its metric
    per year (and per month for the monthly ones) as rows (regra_id, ano, mes, n_ucs, valor)."""
    sources = []
    for metrica, (column, period, _, _) in _REGION_METRICS.items():
        if period == "i.mes = 0":
            sources.append(f"""
                SELECT d.regra_id, d.ano, 0 AS mes, count(*) AS n_ucs, {_ANNUAL_VALUE[column]} AS valor
                FROM avaliacao_dentro d JOIN quality_regra_alerta r ON r.id = d.regra_id
                     AND r.metrica = '{metrica.value}'
                LEFT JOIN intel_lead.limite_continuidade lim ON lim.indicador = 'DIC'
                     AND lim.distribuidora_id = d.distribuidora_id AND lim.conj = d.conj AND lim.ano = d.ano
                GROUP BY d.regra_id, d.ano""")
        else:
            # The monthly rows joined on uc_id alone (with mes, their key): the layer's other columns add
            # nothing but make the planner expect a handful of rows and loop where it should hash.
            measure = "dic_h" if column == "dic_medio" else "fic"
            sources.append(f"""
                SELECT c.regra_id, c.ano, m.mes, c.n_ucs, coalesce(s.soma, 0) / c.n_ucs AS valor
                FROM contagem c JOIN quality_regra_alerta r ON r.id = c.regra_id AND r.metrica = '{metrica.value}'
                CROSS JOIN generate_series(1, 12) m(mes)
                LEFT JOIN (
                    SELECT d.regra_id, d.ano, x.mes, sum(x.{measure}) AS soma
                    FROM avaliacao_dentro d JOIN quality_regra_alerta r ON r.id = d.regra_id
                         AND r.metrica = '{metrica.value}'
                    JOIN intel_lead.lead_qualidade_mensal x ON x.uc_id = d.uc_id
                    GROUP BY d.regra_id, d.ano, x.mes
                ) s ON s.regra_id = c.regra_id AND s.ano = c.ano AND s.mes = m.mes""")
    labels = " ".join(f"WHEN '{m.value}' THEN {label!r}" for m, (_, _, _, label) in _REGION_METRICS.items())
    units = " ".join(f"WHEN '{m.value}' THEN '{unit}'" for m, (_, _, unit, _) in _REGION_METRICS.items())
    label, unit = f"(CASE r.metrica {labels} END)", f"(CASE r.metrica {units} END)"
    return [
        f"""
        INSERT INTO quality_evento_alerta ({_EVENT_COLUMNS})
        WITH contagem AS (SELECT regra_id, ano, count(*) AS n_ucs FROM avaliacao_dentro GROUP BY regra_id, ano)
        SELECT r.id, r.metrica || ':poligono:' || i.ano || ':' || i.mes,
               left({label} || ' no polígono de "' || r.nome || '" (' || {_period()} || '): '
                    || {_num("i.valor")} || ' ' || {unit}, 200),
               {label} || ' de ' || {_num("i.valor")} || ' ' || {unit} || ' nas ' || i.n_ucs
               || ' unidades do polígono da regra "' || r.nome || '", ' || {_period()} || ', acima do limiar de '
               || {_num("r.limiar")} || ' ' || {unit} || '.',
               i.valor, NULL, false, now()
        FROM ({" UNION ALL ".join(sources)}) i JOIN quality_regra_alerta r ON r.id = i.regra_id
        WHERE i.valor > r.limiar"""
    ]


# How a rule's region selects a unit `u` (with its municipality's UF `u.uf`): one branch per kind, each a
# hash join on the region's key (the polygon, a spatial test).
_UNIT_REGION = {
    TipoRegiao.UF: "u.uf = r.regiao",
    TipoRegiao.MUNICIPIO: "u.municipio_id = r.regiao",
    TipoRegiao.DISTRIBUIDORA: "u.distribuidora_id::text = r.regiao",
    TipoRegiao.CONJUNTO: "u.distribuidora_id || ':' || u.conj = r.regiao",
    TipoRegiao.POLIGONO: "u.coordenada && r.poligono AND ST_Intersects(u.coordenada, r.poligono)",
}
_TIPO_LABEL = "CASE u.tipo " + " ".join(f"WHEN '{v}' THEN '{label}'" for v, label in TipoAnomalia.choices) + " END"


def _anomaly_statements(which: str) -> list[str]:
    """One statement for every anomaly rule: the anomalies asked for, matched to the rules kind by kind."""
    branches = " UNION ALL ".join(
        f"SELECT r.id AS regra_id, u.* FROM avaliacao_alvo u JOIN quality_regra_alerta r "
        f"ON r.tipo_anomalia = u.tipo AND u.severidade >= r.limiar AND {condition} "
        f"WHERE r.ativa AND r.metrica = 'anomalia' AND r.tipo_regiao = '{kind.value}' {which}"
        for kind, condition in _UNIT_REGION.items()
    )
    return [
        f"""
        INSERT INTO quality_evento_alerta ({_EVENT_COLUMNS})
        SELECT r.id, 'anomalia:' || u.uc_id || ':' || u.tipo || ':' || coalesce(u.mes, 0),
               left({_TIPO_LABEL} || ': unidade ' || left(u.cod_id, 16) || ' de ' || u.lugar, 200),
               u.explicacao || ' Unidade ' || u.cod_id || ' (' || u.camada_uc || ', ' || u.lugar
               || '), severidade ' || u.severidade || '; regra "' || r.nome || '".',
               u.escore, u.uc_id, false, now()
        FROM ({branches}) u JOIN quality_regra_alerta r ON r.id = u.regra_id"""
    ]


def _score(alias: str) -> str:
    a = alias
    return (f"CASE r.oferta WHEN 'acl' THEN {a}.score_acl WHEN 'arbitragem' THEN {a}.score_arbitragem "
            f"WHEN 'backup' THEN {a}.score_backup WHEN 'gtd' THEN {a}.score_gtd "
            f"ELSE greatest({a}.score_acl, {a}.score_arbitragem, {a}.score_backup, {a}.score_gtd) END")  # fmt: skip


def _lead_statements() -> list[str]:
    """One statement for every new-lead rule: the units registered since it was created, their scores
    and region."""
    score = _score("u")
    region = " ".join(f"WHEN '{kind.value}' THEN {condition}" for kind, condition in _UNIT_REGION.items())
    return [
        f"""
        INSERT INTO quality_evento_alerta ({_EVENT_COLUMNS})
        SELECT r.id, 'novo_lead:' || u.uc_id,
               left('Nova unidade com score ' || {score} || ': ' || left(u.cod_id, 16) || ' em ' || u.lugar, 200),
               'A unidade ' || u.cod_id || ' (' || u.camada_uc || ', ' || u.lugar || ') tem score ' || {score}
               || coalesce(' para ' || nullif(r.oferta, ''), ' na melhor oferta') || ', acima de '
               || {_num("r.limiar")} || ' (regra "' || r.nome || '").',
               {score}, u.uc_id, false, now()
        FROM (
            SELECT n.regra_id, s.uc_id, s.score_acl, s.score_arbitragem, s.score_backup, s.score_gtd,
                   {_UNIT_COLUMNS}
            FROM avaliacao_novas n JOIN intel_lead.lead_score s ON s.uc_id = n.uc_id {_UNIT_JOIN.format(a="s")}
        ) u JOIN quality_regra_alerta r ON r.id = u.regra_id
        WHERE {score} >= r.limiar AND CASE r.tipo_regiao {region} END"""
    ]


def rule_save(*, data: dict[str, Any], dono_id: int | None = None, regra: RegraAlerta | None = None) -> RegraAlerta:
    """Create a rule for `dono_id` (or change `regra`) from validated fields, then evaluate it at once: what
    it finds now is told now, not at the next import. Runs in one transaction: a rule that fails to
    evaluate is not kept."""
    with transaction.atomic():
        if regra is None:
            if dono_id is None:
                raise ValueError("a new rule needs its owner (dono_id)")
            regra = RegraAlerta.objects.create(dono_id=dono_id, **data)
        else:
            for name, value in data.items():
                setattr(regra, name, value)
            regra.save()
        rules_evaluate(regra_ids=[regra.pk])
    regra.refresh_from_db()
    return regra


def rule_delete(*, regra: RegraAlerta) -> None:
    """Delete a rule with its events and notifications."""
    regra.delete()


# --- Notifications -------------------------------------------------------------------------------------


def notifications_mark_read(*, user_id: int, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all, or these) as read; returns how many changed."""
    rows = Notificacao.objects.filter(usuario_id=user_id, lida=False)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(lida=True)


def emails_send() -> int:
    """Send one e-mail per pending notification of rules that mail each event; returns how many were sent.

    Each notification is claimed (`FOR UPDATE SKIP LOCKED`) and marked sent in the transaction that sends
    it: a failure leaves it pending for the next run, and two runs never send the same one."""
    sent = 0
    with get_connection() as mail:
        while True:
            with transaction.atomic():
                note = (
                    Notificacao.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("evento", "usuario")
                    .filter(email_pendente=True, resumo=False)
                    .order_by("pk")
                    .first()
                )
                if note is None:
                    return sent
                if note.usuario.email:
                    send_mail(
                        f"[You.On] {note.evento.titulo}",
                        f"{note.evento.descricao}\n\nVeja todas as suas notificações em {settings.SITE_URL}/qualidade/"
                        "notificacoes/",
                        None, [note.usuario.email], connection=mail,
                    )  # fmt: skip
                    sent += 1
                note.email_pendente, note.email_enviado_em = False, timezone.now()
                note.save(update_fields=["email_pendente", "email_enviado_em"])


def digest_send() -> int:
    """Send each user one e-mail with their pending digest notifications; returns how many e-mails.

    A user's notifications are claimed and marked sent in the transaction that sends them."""
    users = list(
        Notificacao.objects.filter(email_pendente=True, resumo=True).values_list("usuario_id", flat=True).distinct()
    )
    sent = 0
    with get_connection() as mail:
        for user_id in users:
            with transaction.atomic():
                notes = list(
                    Notificacao.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("evento", "usuario")
                    .filter(usuario_id=user_id, email_pendente=True, resumo=True)
                    .order_by("pk")
                )
                if not notes:
                    continue
                email = notes[0].usuario.email
                if email:
                    body = io.StringIO()
                    body.write(f"{len(notes)} alertas desde o último resumo:\n\n")
                    for note in notes:
                        body.write(f"- {note.evento.titulo}\n  {note.evento.descricao}\n")
                    body.write(f"\nVeja todas as suas notificações em {settings.SITE_URL}/qualidade/notificacoes/\n")
                    send_mail(f"[You.On] Resumo diário: {len(notes)} alertas", body.getvalue(), None, [email],
                              connection=mail)  # fmt: skip
                    sent += 1
                Notificacao.objects.filter(pk__in=[n.pk for n in notes]).update(
                    email_pendente=False, email_enviado_em=timezone.now()
                )
    return sent


# --- After an import ------------------------------------------------------------------------------


@dataclass
class Atualizacao:
    anomalias: dict[str, int]
    avaliacao: Avaliacao
    emails: int
    duracao_s: float


def quality_refresh(*, distribuidora: int | None = None, ano: int | None = None) -> Atualizacao:
    """After an import (or nightly): the indicators, the anomalies of the scope, every rule, the e-mails.
    Idempotent: a second run changes nothing and notifies nothing."""
    started = time.monotonic()
    indicators_refresh()
    counts = anomalies_detect(distribuidora=distribuidora, ano=ano)
    avaliacao = rules_evaluate()
    emails = emails_send()
    return Atualizacao(counts, avaliacao, emails, round(time.monotonic() - started, 2))


# --- Continuity limits ---------------------------------------------------------------------------------


def limits_import(*, path: Path) -> dict[str, int]:
    """Load ANEEL's continuity limits file (DEC/FEC, and DIC/FIC where present) for the sets of the
    distributors in the reference data, in one transaction; refreshes the indicators.

    Idempotent (the same file again changes nothing); a bad line raises LimiteError naming it and nothing
    is written. Rows of agents that match no distributor are counted, not stored."""
    from leads.models import Distribuidora

    rows = limites.read(path)
    by_agent: dict[str, int] = {
        limites.agent_key(nome): cod for cod, nome in Distribuidora.objects.values_list("cod_aneel", "nome")
    }
    for code, nomes in Distribuidora.objects.values_list("cod_aneel", "nomes"):
        for nome in nomes or []:
            by_agent.setdefault(limites.agent_key(nome), code)
    kept: dict[tuple[int, int, int, str], tuple[object, ...]] = {}
    unknown: set[str] = set()
    for row in rows:
        cod = by_agent.get(limites.agent_key(row.agente))
        if cod is None:
            unknown.add(row.agente)
            continue
        kept[(cod, row.conj, row.ano, row.indicador)] = (cod, row.conj, row.ano, row.indicador, row.valor,
                                                          row.conjunto_nome, row.agente)  # fmt: skip
    with transaction.atomic():
        changed = copy_upsert(
            table=(SCHEMA, "limite_continuidade"),
            key=("distribuidora_id", "conj", "ano", "indicador"),
            columns=("distribuidora_id", "conj", "ano", "indicador", "valor", "conjunto_nome", "agente"),
            rows=kept.values(),
        )
    if changed:
        indicators_refresh()
    return {"linhas": len(rows), "guardadas": len(kept), "inseridas_ou_alteradas": changed,
            "agentes_desconhecidos": len(unknown)}  # fmt: skip


def limits_fetch(*, url: str) -> dict[str, object]:
    """Download ANEEL's continuity limits file and load it."""
    from youon.lib import http

    target = Path(settings.DATA_DIR) / "aneel" / http.file_name(url, "limites-continuidade.csv")
    path = http.download(url, target, timeout=settings.TARIFAS_HTTP_TIMEOUT)
    return {"url": url, **limits_import(path=path)}
