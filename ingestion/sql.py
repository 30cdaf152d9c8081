"""SQL that turns a staged BDGD layer into intel_lead rows (no Django).

The layer is first COPYed as it is into a staging table `stg` (one column per BDGD column of the
layer's spec, lower case, plus `rn`, the row's position in the file). These statements then
normalise it inside the import's transaction: one unit per key, codes checked against the domain
tables, monthly values summed over a unit's rows and spread into the monthly tables.
Parameters: %(dist)s, %(ano)s, %(camada)s.
"""

from __future__ import annotations

from .readers.bdgd import MONTHS, LayerSpec

_PG_TYPES = {"text": "text", "int": "bigint", "real": "double precision", "wkb": "double precision"}

# Domain checks: (BDGD column, join alias, domain table, key column). '0' is "not informed", not unknown.
_DOMAINS = (
    ("CLAS_SUB", "cc", "classe_consumo", "codigo"),
    ("CNAE", "cn", "cnae", "subclasse"),
    ("GRU_TEN", "gt", "grupo_tensao", "codigo"),
    ("GRU_TAR", "gtar", "grupo_tarifario", "codigo"),
    ("FAS_CON", "ts", "tipo_sistema", "codigo"),
    ("TEN_FORN", "ten", "tensao", "codigo"),
    ("MUN", "mu", "municipio", "cod_ibge"),
)
# Coded columns checked against a fixed list instead of a table.
_ENUMS = (("SIT_ATIV", ("AT", "DS")), ("ARE_LOC", ("UB", "NU")))

# Market segment when the unit has no (known) CNAE: from its consumer class (%% escapes: parametrised SQL).
_SEGMENT_BY_CLASS = """CASE
        WHEN cc.codigo LIKE 'RE%%' OR cc.codigo = 'RU3' THEN 'residencial'
        WHEN cc.codigo = 'IP' THEN 'iluminacao_publica'
        WHEN cc.codigo LIKE 'PP%%' THEN 'setor_publico'
        WHEN cc.codigo IN ('SP2', 'RU6') THEN 'saneamento'
        WHEN cc.codigo LIKE 'RU%%' THEN 'agronegocio'
    END"""


def staging_table(spec: LayerSpec, name: str = "stg", *, unlogged: bool = False) -> str:
    """The table a layer is COPYed into: temporary (dropped at commit), or `unlogged`, a working table of the
    import (dropped at its end, or by the next import of the layer if this one is killed). A unit layer is
    staged unlogged: PostgreSQL's parallel workers can read it (never a temporary table), so the merge
    of a million rows uses both cores (7.0 s -> 5.6 s measured), and other connections can too."""
    columns = ", ".join(f"{s} {_PG_TYPES[c.kind]}" for c in spec.columns for s in c.staging)
    if unlogged:
        return f"CREATE UNLOGGED TABLE {name} (rn bigint, {columns})"
    return f"CREATE TEMP TABLE {name} (rn bigint, {columns}) ON COMMIT DROP"


def copy_into(spec: LayerSpec, name: str = "stg") -> str:
    columns = ", ".join(s for c in spec.columns for s in c.staging)
    return f"COPY {name} (rn, {columns}) FROM STDIN (FORMAT csv)"


def _has(spec: LayerSpec, column: str) -> bool:
    return any(c.name == column for c in spec.columns)


def _col(spec: LayerSpec, column: str, alias: str = "u") -> str:
    return f"{alias}.{column.lower()}" if _has(spec, column) else "NULL"


def _code(spec: LayerSpec, column: str) -> str:
    """The column's code, NULL when blank or '0' (not informed)."""
    return f"nullif({_col(spec, column)}, '0')"


def units(spec: LayerSpec, key: str, mensal: str, stg: str) -> list[str]:
    """Statements that build `mensal`: one row per key with its summed monthly values and `rn`, the staged
    row whose attributes the unit takes (its last active row in the file, else its last row with a
    status, else its last row).

    `mensal` is an unlogged working table (not temporary), so the monthly tables can be built from it on
    another connection at the same time; the units' attributes are read from `stg` joined on `rn`. It is
    written in uc_id order, so that the monthly rows spread from a scan of it come out in (uc_id, mes)
    order, as their primary key reads them, without sorting twelve rows per unit.
    """
    monthly = [c for c in spec.columns if c.kind == "real" and c.name[-2:] in MONTHS]
    sums = ", ".join(f"sum({c.staging[0]}) AS {c.staging[0]}" for c in monthly)
    semred = ", max(semred) AS semred" if _has(spec, "SEMRED") else ""
    chosen = "coalesce(max(rn) FILTER (WHERE sit_ativ = 'AT'), max(rn) FILTER (WHERE sit_ativ IS NOT NULL), max(rn))"
    return [
        # Without statistics the planner takes the staged layer for a few hundred rows and sizes the
        # grouping's hash table for them: it then spills to disk in batches (a second a million rows).
        f"ANALYZE {stg}",
        f"""CREATE UNLOGGED TABLE {mensal} AS
            SELECT intel_lead.hash_id(%(dist)s, {key}, %(ano)s, %(camada)s) AS uc_id, {key} AS k,
                   {chosen} AS rn, {sums}{semred}
            FROM {stg} WHERE {key} IS NOT NULL GROUP BY {key}
            ORDER BY 1""",
        f"ANALYZE {mensal} (rn)",
    ]


def _over_months(function: str, *templates: str) -> str:
    """The sum or mean over the twelve monthly values of `mensal`, NULLs ignored (as an aggregate over the
    monthly rows would), as plain arithmetic: no subquery per unit."""
    values = [f"({' + '.join(t.format(m=m) for t in templates)})" for m in MONTHS]
    total = " + ".join(f"coalesce({v}, 0)" for v in values)
    known = f"num_nonnulls({', '.join(values)})"
    if function == "sum":
        return f"(CASE WHEN {known} > 0 THEN {total} END)"
    return f"(({total}) / nullif({known}, 0))"


def annual_figures(spec: LayerSpec) -> dict[str, str]:
    """The yearly columns of lead_bruto, from the unit's summed monthly values (alias m = mensal)."""
    if _has(spec, "ENE_P_01"):
        energia = _over_months("sum", "m.ene_p_{m}", "m.ene_f_{m}")
        pico = "greatest(" + ", ".join(f"m.dem_p_{m}, m.dem_f_{m}" for m in MONTHS) + ")"
    else:
        energia = _over_months("sum", "m.ene_{m}")
        pico = "greatest(" + ", ".join(f"m.dem_{m}" for m in MONTHS) + ")" if _has(spec, "DEM_01") else "NULL"
    return {
        "energia_anual_kwh": energia,
        "demanda_pico_kw": pico,
        "media_dic": _over_months("avg", "m.dic_{m}"),
        "media_fic": _over_months("avg", "m.fic_{m}"),
    }


def insert_units(spec: LayerSpec, target: str, mensal: str, stg: str, previous: str | None) -> str:
    """INSERT of the layer's units into its new table; `previous` (the table it replaces) gives own points."""
    joins = "\n".join(
        f"LEFT JOIN intel_lead.{table} {alias} ON {alias}.{pk} = {_code(spec, column)}"
        for column, alias, table, pk in _DOMAINS
    )
    tests = [
        (column, f"{_code(spec, column)} IS NOT NULL AND {alias}.{pk} IS NULL") for column, alias, _, pk in _DOMAINS
    ] + [(column, f"{_code(spec, column)} NOT IN ({', '.join(repr(v) for v in values)})") for column, values in _ENUMS]
    unknown_pairs = ", ".join(f"'{column}', CASE WHEN {test} THEN {_col(spec, column)} END" for column, test in tests)
    # Built only for the rare unit with an unknown code: a JSON object per unit costs seconds a million units.
    unknown = (
        f"CASE WHEN {' OR '.join(f'coalesce({test}, false)' for _, test in tests)} "
        f"THEN jsonb_strip_nulls(jsonb_build_object({unknown_pairs})) ELSE '{{}}'::jsonb END"
    )
    dem_cont = _col(spec, "DEM_CONT")
    annual = annual_figures(spec)
    # A DD/MM/YYYY that names a day of the calendar (31/02 does not), tested with integer arithmetic: date
    # functions per unit cost 2.6 s a million units, this 1.1 s (the same dates for every day of 1900-2099).
    day, month, year = "substr(u.dat_con, 1, 2)::int", "substr(u.dat_con, 4, 2)", "substr(u.dat_con, 7, 4)::int"
    leap = f"({year} %% 4 = 0 AND ({year} %% 100 <> 0 OR {year} %% 400 = 0))::int"
    date_ok = (
        "u.dat_con ~ '^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[12][0-9]{3}$' "
        f"AND {day} <= CASE WHEN {month} = '02' THEN 28 + {leap} WHEN {month} IN ('04', '06', '09', '11') THEN 30 "
        "ELSE 31 END"
    )
    date = f"make_date({year}, {month}::int, {day})"
    columns = [
        "uc_id", "cod_id", "distribuidora_id", "ano", "camada", "data_conexao", "data_conexao_placeholder", "cnae_id",
        "grupo_tensao_id", "grupo_tarifario_id", "tipo_sistema_id", "situacao", "classe_consumo_id",
        "segmento_mercado_id", "municipio_id", "bairro", "cep", "pac", "pn_con", "carga_instalada_kw",
        "demanda_contratada_kw", "tensao_fornecimento", "area_localizacao", "livre", "ceg_gd", "no_pac", "ctmt",
        "uni_tr_mt", "uni_tr_at", "sub", "conj", "tip_sist", "tip_cc", "codigos_desconhecidos", *annual,
        "coordenada", "fonte_coordenada",
    ]  # fmt: skip
    # A unit's own point (set after import, never by the BDGD) is kept across re-imports and wins.
    own = f"LEFT JOIN {previous} o ON o.uc_id = m.uc_id AND o.geom IS NOT NULL" if previous else ""
    geom = "o.geom" if previous else "NULL::geometry"
    return f"""
        INSERT INTO {target} ({", ".join(columns)}, geom)
        SELECT m.uc_id, m.k, %(dist)s, %(ano)s,
               %(camada)s::intel_lead.camada_enum,
               CASE WHEN {date_ok} THEN {date} END,
               coalesce(u.dat_con = '01/01/2000', false),
               cn.subclasse, gt.codigo, gtar.codigo, ts.codigo,
               CASE WHEN u.sit_ativ IN ('AT', 'DS') THEN u.sit_ativ END,
               cc.codigo, coalesce(cn.segmento_id, {_SEGMENT_BY_CLASS}), mu.cod_ibge, u.brr, u.cep,
               CASE WHEN {dem_cont} > 0 THEN {dem_cont} ELSE u.car_inst END,
               u.pn_con, u.car_inst, nullif({dem_cont}, 0), {_code(spec, "TEN_FORN")},
               CASE WHEN u.are_loc IN ('UB', 'NU') THEN u.are_loc END,
               u.liv = 1, u.ceg_gd, u.pac, u.ctmt, {_col(spec, "UNI_TR_MT")}, u.uni_tr_at, u.sub, u.conj, u.tip_sist,
               u.tip_cc, {unknown}, {", ".join(annual.values())},
               coalesce({geom}, pn.geom, tr.geom),
               CASE WHEN {geom} IS NOT NULL THEN 'proprio' WHEN pn.geom IS NOT NULL THEN 'ponto_notavel'
                    WHEN tr.geom IS NOT NULL THEN 'transformador' END,
               {geom}
        FROM {mensal} m
        JOIN {stg} u ON u.rn = m.rn
        {joins}
        {own}
        -- The final coordinate, by the rule of the view lead_com_coordenadas (the BDGD gives no own point).
        LEFT JOIN intel_lead.ponto_notavel pn ON pn.distribuidora_id = %(dist)s AND pn.ano = %(ano)s
             AND pn.fonte = 'PONNOT' AND pn.cod_id = u.pn_con
        LEFT JOIN intel_lead.ponto_notavel tr ON tr.distribuidora_id = %(dist)s AND tr.ano = %(ano)s
             AND tr.fonte = 'UNTRMT' AND tr.cod_id = {_col(spec, "UNI_TR_MT")}
        -- In the order of the geometry's B-tree (a space-filling curve): units near each other share pages,
        -- so a map tile or a drawn area reads a few contiguous pages instead of one page per unit.
        ORDER BY coalesce({geom}, pn.geom, tr.geom), 1"""


def insert_monthly(spec: LayerSpec, targets: dict[str, str], mensal: str, stg: str) -> dict[str, str]:
    """INSERTs of the monthly tables from `mensal` (contracted demand from the unit's row in `stg`).

    `targets` maps each parent (lead_energia_mensal, ...) to the new table to fill. A layer without
    demand columns (UCBT) gets no demand statement: its demand table stays empty.
    """

    def values(*exprs_by_month: str) -> str:
        rows = []
        for i, m in enumerate(MONTHS, start=1):
            rows.append("(" + ", ".join([str(i), *(e.format(m=m) for e in exprs_by_month)]) + ")")
        return ", ".join(rows)

    layer = "%(camada)s::intel_lead.origem_enum, %(dist)s, %(ano)s"
    statements = {}
    if _has(spec, "ENE_P_01"):  # UCAT: peak and off-peak energy and demand
        energia = values("m.ene_p_{m}", "m.ene_f_{m}", "m.ene_p_{m} + m.ene_f_{m}")
        demanda = values("m.dem_p_{m}", "m.dem_f_{m}", "greatest(m.dem_p_{m}, m.dem_f_{m})")
    else:
        energia = values("NULL::float8", "NULL::float8", "m.ene_{m}")
        demanda = values("NULL::float8", "NULL::float8", "m.dem_{m}") if _has(spec, "DEM_01") else ""
    statements["lead_energia_mensal"] = f"""
        INSERT INTO {targets["lead_energia_mensal"]} (uc_id, mes, origem, distribuidora_id, ano,
            energia_ponta_kwh, energia_fora_ponta_kwh, energia_total_kwh)
        SELECT m.uc_id, v.mes, {layer}, v.p, v.f, v.t
        FROM {mensal} m CROSS JOIN LATERAL (VALUES {energia}) AS v (mes, p, f, t)"""
    if demanda:
        statements["lead_demanda_mensal"] = f"""
            INSERT INTO {targets["lead_demanda_mensal"]} (uc_id, mes, origem, distribuidora_id, ano,
                demanda_ponta_kw, demanda_fora_ponta_kw, demanda_total_kw, demanda_contratada_kw)
            SELECT m.uc_id, v.mes, {layer}, v.p, v.f, v.t, nullif(u.dem_cont, 0)
            FROM {mensal} m JOIN {stg} u ON u.rn = m.rn CROSS JOIN LATERAL (VALUES {demanda}) AS v (mes, p, f, t)
            ORDER BY m.uc_id, v.mes"""
    semred = "m.semred > 0" if _has(spec, "SEMRED") else "NULL::boolean"
    qualidade = values("m.dic_{m}", "m.fic_{m}")
    # A month that says nothing (DIC = FIC = 0, the unit not without network) is left out: 80 % of real
    # files' months. Readers take a missing month of a unit with quality figures as that (see
    # leads.selectors.quality_months); the yearly means are computed here, over all twelve.
    statements["lead_qualidade_mensal"] = f"""
        INSERT INTO {targets["lead_qualidade_mensal"]} (uc_id, mes, origem, distribuidora_id, ano, dic_h, fic, semrede)
        SELECT m.uc_id, v.mes, {layer}, v.dic, v.fic, {semred}
        FROM {mensal} m CROSS JOIN LATERAL (VALUES {qualidade}) AS v (mes, dic, fic)
        WHERE NOT (v.dic = 0 AND v.fic = 0 AND ({semred}) IS FALSE)"""
    return statements


def unknown_codes(table: str) -> str:
    """Codes outside the domain tables in a layer's units, counted per column and code."""
    return f"""
        SELECT c.key, c.value, count(*)
        FROM {table} l, jsonb_each_text(l.codigos_desconhecidos) c
        WHERE l.codigos_desconhecidos <> '{{}}'
        GROUP BY 1, 2 ORDER BY 1, 3 DESC"""


def location_routes(table: str) -> str:
    return f"""
        SELECT count(*) FILTER (WHERE fonte_coordenada = 'ponto_notavel'),
               count(*) FILTER (WHERE fonte_coordenada = 'transformador'),
               count(*) FILTER (WHERE coordenada IS NULL)
        FROM {table}"""


DELETE_POINTS = "DELETE FROM intel_lead.ponto_notavel WHERE distribuidora_id = %(dist)s AND ano = %(ano)s"


# After the points of a distributor-year change, its units' final coordinates follow (own point first).
RELOCATE_UNITS = """
    UPDATE intel_lead.lead_bruto l SET coordenada = x.geom, fonte_coordenada = x.fonte
    FROM (
        SELECT u.uc_id, coalesce(u.geom, pn.geom, tr.geom) AS geom,
               CASE WHEN u.geom IS NOT NULL THEN 'proprio' WHEN pn.geom IS NOT NULL THEN 'ponto_notavel'
                    WHEN tr.geom IS NOT NULL THEN 'transformador' END AS fonte
        FROM intel_lead.lead_bruto u
        LEFT JOIN intel_lead.ponto_notavel pn ON pn.distribuidora_id = u.distribuidora_id AND pn.ano = u.ano
             AND pn.fonte = 'PONNOT' AND pn.cod_id = u.pn_con
        LEFT JOIN intel_lead.ponto_notavel tr ON tr.distribuidora_id = u.distribuidora_id AND tr.ano = u.ano
             AND tr.fonte = 'UNTRMT' AND tr.cod_id = u.uni_tr_mt
        WHERE u.distribuidora_id = %(dist)s AND u.ano = %(ano)s
    ) x
    WHERE x.uc_id = l.uc_id
      AND (l.coordenada IS DISTINCT FROM x.geom OR l.fonte_coordenada IS DISTINCT FROM x.fonte)"""


def insert_points(table: str, fonte: str) -> str:
    """Points of a staged PONNOT or UNTRMT table (one per code: the last row in the file wins)."""
    tipo = "coalesce(s.tip_pn, '')" if fonte == "PONNOT" else "''"
    return f"""
        INSERT INTO intel_lead.ponto_notavel
            (pn_id, cod_id, distribuidora_id, ano, fonte, tipo, descricao, ficticio, municipio_id, geom)
        SELECT DISTINCT ON (s.cod_id)
               intel_lead.hash_id(%(dist)s, s.cod_id, %(ano)s, '{fonte}'), s.cod_id, %(dist)s, %(ano)s, '{fonte}',
               {tipo}, coalesce(s.descr, ''), coalesce(s.descr ILIKE 'Poste ficticio%%', false), mu.cod_ibge,
               CASE WHEN s.x IS NOT NULL AND s.y IS NOT NULL THEN ST_SetSRID(ST_MakePoint(s.x, s.y), 4674) END
        FROM {table} s
        LEFT JOIN intel_lead.municipio mu ON mu.cod_ibge = s.mun
        WHERE s.cod_id IS NOT NULL
        ORDER BY s.cod_id, s.rn DESC"""
