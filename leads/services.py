"""Writes to intel_lead: reference data and the materialized summaries."""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import connection, transaction
from psycopg import sql

from . import refdata

logger = logging.getLogger(__name__)

MATERIALIZED_VIEWS = ("resumo_energia_por_municipio", "resumo_distribuidora_ano", "resumo_segmento")


def _upsert(rows: refdata.DomainRows) -> int:
    """COPY rows into a temporary copy of the table, then insert new keys and update changed rows.

    Must run in a transaction with intel_lead.allow_domain_changes on (updates hit the domain trigger).
    """
    target = sql.Identifier("intel_lead", rows.table)
    staging = sql.Identifier(f"staging_{rows.table}")
    columns = sql.SQL(", ").join(map(sql.Identifier, rows.columns))
    key = sql.Identifier(rows.columns[0])
    others = [sql.Identifier(c) for c in rows.columns[1:]]
    statement = sql.SQL(
        "INSERT INTO {target} ({columns}) SELECT {columns} FROM {staging} "
        "ON CONFLICT ({key}) DO UPDATE SET {assign} WHERE ({current}) IS DISTINCT FROM ({incoming})"
    ).format(
        target=target,
        columns=columns,
        staging=staging,
        key=key,
        assign=sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=c) for c in others),
        current=sql.SQL(", ").join(sql.SQL("{t}.{c}").format(t=target, c=c) for c in others),
        incoming=sql.SQL(", ").join(sql.SQL("EXCLUDED.{c}").format(c=c) for c in others),
    )
    with connection.cursor() as cursor:
        pg = cursor.cursor
        pg.execute(
            sql.SQL("CREATE TEMP TABLE {staging} (LIKE {target} INCLUDING DEFAULTS) ON COMMIT DROP").format(
                staging=staging, target=target
            )
        )
        with pg.copy(sql.SQL("COPY {staging} ({columns}) FROM STDIN").format(staging=staging, columns=columns)) as copy:
            for row in rows.rows:
                copy.write_row(row)
        pg.execute(statement)
        changed = pg.rowcount
    return changed


@transaction.atomic
def reference_load(*, data_dir: Path = refdata.DATA_DIR) -> dict[str, tuple[int, int]]:
    """Load every domain table from the shipped reference files; returns {table: (rows, inserted or changed)}.

    Idempotent: a second run changes nothing. Runs in one transaction with the domain-table opt-in
    (`SET LOCAL intel_lead.allow_domain_changes = on`), so a failure leaves the previous data.
    Codes that disappeared from the files are kept: units may still reference them.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL intel_lead.allow_domain_changes = on")
    counts: dict[str, tuple[int, int]] = {}
    for rows in refdata.all_tables(data_dir):
        counts[rows.table] = (len(rows.rows), _upsert(rows))
        logger.info("reference %s: %d rows, %d inserted or changed", rows.table, *counts[rows.table])
    return counts


def views_refresh(*, concurrently: bool = True) -> list[str]:
    """Refresh the materialized summaries (CONCURRENTLY: readers keep the old rows meanwhile).

    Each refresh commits on its own; concurrent refreshes of the same view wait for each other.
    """
    refreshed = []
    with connection.cursor() as cursor:
        for name in MATERIALIZED_VIEWS:
            mode = sql.SQL("CONCURRENTLY ") if concurrently else sql.SQL("")
            cursor.cursor.execute(
                sql.SQL("REFRESH MATERIALIZED VIEW {mode}{view}").format(
                    mode=mode, view=sql.Identifier("intel_lead", name)
                )
            )
            refreshed.append(name)
    return refreshed


def annual_figures_refresh(*, uc_ids: list[int] | None = None) -> int:
    """Recompute the yearly figures on lead_bruto from the monthly tables (all units, or these).

    The importer writes them with the monthly rows; call this after writing monthly rows any other way.
    """
    where = "WHERE u.uc_id = ANY(%s)" if uc_ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE intel_lead.lead_bruto l
            SET energia_anual_kwh = a.energia, demanda_pico_kw = a.pico, media_dic = a.dic, media_fic = a.fic
            FROM (
                SELECT u.uc_id,
                       (SELECT sum(energia_total_kwh)
                          FROM intel_lead.lead_energia_mensal WHERE uc_id = u.uc_id) AS energia,
                       (SELECT max(greatest(demanda_total_kw, demanda_ponta_kw, demanda_fora_ponta_kw))
                          FROM intel_lead.lead_demanda_mensal WHERE uc_id = u.uc_id) AS pico,
                       (SELECT avg(dic_h) FROM intel_lead.lead_qualidade_mensal WHERE uc_id = u.uc_id) AS dic,
                       (SELECT avg(fic) FROM intel_lead.lead_qualidade_mensal WHERE uc_id = u.uc_id) AS fic
                FROM intel_lead.lead_bruto u {where}
            ) a
            WHERE a.uc_id = l.uc_id""",
            [uc_ids] if uc_ids is not None else [],
        )
        return cursor.rowcount
