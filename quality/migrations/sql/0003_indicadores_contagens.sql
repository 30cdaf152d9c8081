-- Quality of supply per region, year and month, computed from counts of values instead of sorting every
-- unit four times (once per region level): units and their published months are first counted per
-- cell (UF, municipality, distributor and set: every region is a union of cells) and value, then the
-- cells' counts are summed per region. Means, shares above the limit and the 90th percentile
-- (percentile_cont semantics, the months the file leaves out counted as zeros) come out as before
-- (0002), from a running count over each region's ordered values.

DROP MATERIALIZED VIEW intel_lead.indicador_qualidade;
DROP FUNCTION intel_lead.percentil_com_zeros(float8[], bigint, float8);

CREATE MATERIALIZED VIEW intel_lead.indicador_qualidade AS
WITH par AS (
    SELECT p.limiar_dic_mensal_h, p.limiar_fic_mensal, p.limiar_dic_anual_h, p.limiar_fic_anual
    FROM intel_lead.parametros_qualidade p WHERE p.id = 1
    UNION ALL
    SELECT 4.0, 3.0, 16.0, 10.0 WHERE NOT EXISTS (SELECT 1 FROM intel_lead.parametros_qualidade WHERE id = 1)
),
lim AS (
    SELECT distribuidora_id, conj, ano,
           max(valor) FILTER (WHERE indicador = 'DEC') AS dec,
           max(valor) FILTER (WHERE indicador = 'FEC') AS fec,
           max(valor) FILTER (WHERE indicador = 'DIC') AS dic,
           max(valor) FILTER (WHERE indicador = 'FIC') AS fic
    FROM intel_lead.limite_continuidade GROUP BY 1, 2, 3
),
-- Every unit with quality figures, its regions and its annual DIC/FIC (12 × the yearly mean, which the
-- importer computes over all twelve months) against its set's individual limit, else the parameter.
u AS (
    SELECT l.uc_id, l.distribuidora_id, l.ano, l.camada, l.municipio_id, m.uf, l.conj,
           coalesce(l.media_dic, 0) * 12 AS dic_ano, coalesce(l.media_fic, 0) * 12 AS fic_ano,
           coalesce(lim.dic, par.limiar_dic_anual_h) AS lim_dic, coalesce(lim.fic, par.limiar_fic_anual) AS lim_fic
    FROM intel_lead.lead_bruto l
    CROSS JOIN par
    LEFT JOIN intel_lead.municipio m ON m.cod_ibge = l.municipio_id
    LEFT JOIN lim ON lim.distribuidora_id = l.distribuidora_id AND lim.conj = l.conj AND lim.ano = l.ano
    WHERE l.media_dic IS NOT NULL OR l.media_fic IS NOT NULL
),
semrede AS (
    SELECT uc_id, ano, distribuidora_id FROM intel_lead.lead_qualidade_mensal WHERE semrede
    GROUP BY 1, 2, 3
),
-- The units (the year, mes 0) and their published months, counted per cell and pair of values: far
-- fewer rows than units, as values repeat.
ua AS (
    SELECT u.uf, u.municipio_id, u.distribuidora_id, u.conj, u.ano, u.dic_ano AS dic, u.fic_ano AS fic,
           u.dic_ano > u.lim_dic AS acima_dic, u.fic_ano > u.lim_fic AS acima_fic,
           s.uc_id IS NOT NULL AS sem_rede, count(*) AS c
    FROM u
    LEFT JOIN semrede s ON s.uc_id = u.uc_id AND s.ano = u.ano AND s.distribuidora_id = u.distribuidora_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
),
um AS (
    -- From the tables, not from `u`, and on uc_id alone (it is the monthly rows' key with mes, and names
    -- one layer): with their statistics the planner hashes the 12-per-unit rows instead of sorting them.
    SELECT m.uf, l.municipio_id, l.distribuidora_id, l.conj, l.ano, x.mes, coalesce(x.dic_h, 0) AS dic,
           coalesce(x.fic, 0) AS fic, x.semrede AS sem_rede, count(*) AS c
    FROM intel_lead.lead_bruto l
    JOIN intel_lead.lead_qualidade_mensal x ON x.uc_id = l.uc_id
    LEFT JOIN intel_lead.municipio m ON m.cod_ibge = l.municipio_id
    WHERE l.media_dic IS NOT NULL OR l.media_fic IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
),
-- Per cell, period, measure and value: how many units, how many above the limit (the set's for the
-- year, the parameter's for a month), how many without network.
celula AS (
    SELECT uf, municipio_id, distribuidora_id, conj, ano, mes, medida, v, sum(c) AS c,
           sum(c) FILTER (WHERE acima) AS c_acima, sum(c) FILTER (WHERE sem_rede) AS c_sem_rede
    FROM (
        SELECT ua.uf, ua.municipio_id, ua.distribuidora_id, ua.conj, ua.ano, 0 AS mes, m.medida, m.v, m.acima,
               ua.sem_rede, ua.c
        FROM ua CROSS JOIN LATERAL (VALUES ('dic', ua.dic, ua.acima_dic), ('fic', ua.fic, ua.acima_fic)) m(medida, v, acima)
        UNION ALL
        SELECT um.uf, um.municipio_id, um.distribuidora_id, um.conj, um.ano, um.mes, m.medida, m.v, m.acima,
               um.sem_rede, um.c
        FROM um CROSS JOIN par
        CROSS JOIN LATERAL (VALUES ('dic', um.dic, um.dic > par.limiar_dic_mensal_h),
                                   ('fic', um.fic, um.fic > par.limiar_fic_mensal)) m(medida, v, acima)
    ) v
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
),
rc AS (
    SELECT r.nivel, r.regiao, r.r_dist, r.r_conj, c.ano, c.mes, c.medida, c.v, sum(c.c) AS c,
           sum(c.c_acima) AS c_acima, sum(c.c_sem_rede) AS c_sem_rede
    FROM celula c
    CROSS JOIN LATERAL (VALUES ('uf', c.uf, NULL::int, NULL::int), ('municipio', c.municipio_id, NULL, NULL),
                               ('distribuidora', c.distribuidora_id::text, c.distribuidora_id, NULL),
                               ('conjunto', c.distribuidora_id || ':' || c.conj, c.distribuidora_id, c.conj)
                       ) r(nivel, regiao, r_dist, r_conj)
    WHERE r.regiao IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
),
-- Every unit of a region has a year row per measure: its units and those without network in the year.
n AS (
    SELECT nivel, regiao, r_dist, r_conj, ano, sum(c)::bigint AS n_ucs, sum(c_sem_rede)::bigint AS n_sem_rede
    FROM rc WHERE mes = 0 AND medida = 'dic' GROUP BY 1, 2, 3, 4, 5
),
-- Each value with the count of the region's values up to it; `zeros` the months left out (none in the
-- year), which sort before every published value (all are >= 0).
acc AS (
    SELECT rc.nivel, rc.regiao, rc.ano, rc.mes, rc.medida, rc.v, rc.c, rc.c_acima, rc.c_sem_rede, n.n_ucs,
           sum(rc.c) OVER (PARTITION BY rc.nivel, rc.regiao, rc.ano, rc.mes, rc.medida ORDER BY rc.v) AS ate,
           n.n_ucs - sum(rc.c) OVER (PARTITION BY rc.nivel, rc.regiao, rc.ano, rc.mes, rc.medida) AS zeros,
           floor(0.9 * (n.n_ucs - 1)) AS lo, ceil(0.9 * (n.n_ucs - 1)) AS hi
    FROM rc JOIN n ON n.nivel = rc.nivel AND n.regiao = rc.regiao AND n.ano = rc.ano
),
agg AS (
    SELECT nivel, regiao, ano, mes, medida, max(n_ucs) AS n_ucs, sum(v * c) AS soma,
           sum(c_acima)::bigint AS n_acima, sum(c_sem_rede)::bigint AS n_sem_rede,
           max(zeros) AS zeros, max(lo) AS lo, max(hi) AS hi,
           min(v) FILTER (WHERE ate > lo - zeros) AS v_lo, min(v) FILTER (WHERE ate > hi - zeros) AS v_hi
    FROM acc GROUP BY 1, 2, 3, 4, 5
),
pct AS (
    SELECT agg.*, 0.9 * (n_ucs - 1) AS pos,
           CASE WHEN lo < zeros THEN 0 ELSE v_lo END AS a, CASE WHEN hi < zeros THEN 0 ELSE v_hi END AS b
    FROM agg
),
todos AS (
    SELECT n.nivel, n.regiao, n.r_dist, n.r_conj, n.ano, m.mes, n.n_ucs,
           coalesce(d.soma, 0) / n.n_ucs AS dic_medio,
           coalesce(d.a + (d.pos - d.lo) * (d.b - d.a), 0) AS dic_p90,
           coalesce(f.soma, 0) / n.n_ucs AS fic_medio,
           coalesce(f.a + (f.pos - f.lo) * (f.b - f.a), 0) AS fic_p90,
           coalesce(d.n_acima, 0) AS n_acima_dic, coalesce(f.n_acima, 0) AS n_acima_fic,
           CASE WHEN m.mes = 0 THEN n.n_sem_rede ELSE coalesce(d.n_sem_rede, 0) END AS n_sem_rede
    FROM n
    CROSS JOIN generate_series(0, 12) m(mes)
    LEFT JOIN pct d ON d.medida = 'dic' AND d.nivel = n.nivel AND d.regiao = n.regiao AND d.ano = n.ano
                 AND d.mes = m.mes
    LEFT JOIN pct f ON f.medida = 'fic' AND f.nivel = n.nivel AND f.regiao = n.regiao AND f.ano = n.ano
                 AND f.mes = m.mes
)
SELECT t.nivel || ':' || t.regiao || ':' || t.ano || ':' || t.mes AS chave,
       t.nivel, t.regiao,
       CASE t.nivel
           WHEN 'uf' THEN t.regiao
           WHEN 'municipio' THEN coalesce(mu.nome || '/' || mu.uf, t.regiao)
           WHEN 'distribuidora' THEN coalesce(d.nome, t.regiao)
           ELSE coalesce(nullif(cn.nome, ''), 'Conjunto ' || t.r_conj) || ' · ' || coalesce(d.nome, t.r_dist::text)
       END AS nome,
       CASE t.nivel WHEN 'uf' THEN t.regiao WHEN 'municipio' THEN mu.uf END AS uf,
       t.r_dist AS distribuidora_id,
       t.ano, t.mes::smallint AS mes, t.n_ucs, t.dic_medio, t.dic_p90, t.fic_medio, t.fic_p90,
       t.n_acima_dic, 100.0 * t.n_acima_dic / t.n_ucs AS pct_acima_dic,
       t.n_acima_fic, 100.0 * t.n_acima_fic / t.n_ucs AS pct_acima_fic,
       t.n_sem_rede,
       lim.dec AS limite_dec, lim.fec AS limite_fec,
       p.dic_medio AS dic_medio_anterior, p.fic_medio AS fic_medio_anterior,
       100.0 * (t.dic_medio - p.dic_medio) / nullif(p.dic_medio, 0) AS variacao_dic_pct,
       100.0 * (t.fic_medio - p.fic_medio) / nullif(p.fic_medio, 0) AS variacao_fic_pct
FROM todos t
LEFT JOIN todos p ON p.nivel = t.nivel AND p.regiao = t.regiao AND p.mes = t.mes AND p.ano = t.ano - 1
LEFT JOIN intel_lead.municipio mu ON t.nivel = 'municipio' AND mu.cod_ibge = t.regiao
LEFT JOIN intel_lead.distribuidora d ON d.cod_aneel = t.r_dist
LEFT JOIN lim ON t.mes = 0 AND lim.distribuidora_id = t.r_dist AND lim.conj = t.r_conj AND lim.ano = t.ano
LEFT JOIN (
    SELECT distribuidora_id, conj, max(conjunto_nome) AS nome FROM intel_lead.limite_continuidade GROUP BY 1, 2
) cn ON cn.distribuidora_id = t.r_dist AND cn.conj = t.r_conj;

CREATE UNIQUE INDEX indicador_qualidade_chave ON intel_lead.indicador_qualidade (chave);
CREATE INDEX indicador_qualidade_nivel ON intel_lead.indicador_qualidade (nivel, ano, mes, regiao);
