-- Back to the definition of 0002.
DROP MATERIALIZED VIEW intel_lead.indicador_qualidade;

CREATE FUNCTION intel_lead.percentil_com_zeros(valores float8[], n bigint, fracao float8)
RETURNS float8 LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    zeros bigint := n - coalesce(cardinality(valores), 0);
    pos float8;
    lo bigint;
    hi bigint;
    a float8;
    b float8;
BEGIN
    IF n IS NULL OR n <= 0 THEN
        RETURN NULL;
    END IF;
    pos := fracao * (n - 1);
    lo := floor(pos);
    hi := ceil(pos);
    a := CASE WHEN lo < zeros THEN 0 ELSE valores[lo - zeros + 1] END;
    b := CASE WHEN hi < zeros THEN 0 ELSE valores[hi - zeros + 1] END;
    RETURN a + (pos - lo) * (b - a);
END
$$;

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
ur AS (
    SELECT r.nivel, r.regiao, r.r_dist, r.r_conj, u.*, s.uc_id IS NOT NULL AS sem_rede
    FROM u
    LEFT JOIN semrede s ON s.uc_id = u.uc_id AND s.ano = u.ano AND s.distribuidora_id = u.distribuidora_id
    CROSS JOIN LATERAL (VALUES ('uf', u.uf, NULL::int, NULL::int), ('municipio', u.municipio_id, NULL, NULL),
                               ('distribuidora', u.distribuidora_id::text, u.distribuidora_id, NULL),
                               ('conjunto', u.distribuidora_id || ':' || u.conj, u.distribuidora_id, u.conj)
                       ) r(nivel, regiao, r_dist, r_conj)
    WHERE r.regiao IS NOT NULL
),
anual AS (
    SELECT nivel, regiao, r_dist, r_conj, ano, 0 AS mes, count(*) AS n_ucs,
           avg(dic_ano) AS dic_medio, percentile_cont(0.9) WITHIN GROUP (ORDER BY dic_ano) AS dic_p90,
           avg(fic_ano) AS fic_medio, percentile_cont(0.9) WITHIN GROUP (ORDER BY fic_ano) AS fic_p90,
           count(*) FILTER (WHERE dic_ano > lim_dic) AS n_acima_dic,
           count(*) FILTER (WHERE fic_ano > lim_fic) AS n_acima_fic,
           count(*) FILTER (WHERE sem_rede) AS n_sem_rede
    FROM ur GROUP BY nivel, regiao, r_dist, r_conj, ano
),
-- The published months only (about a third of a unit's months), with the unit's regions.
q AS (
    SELECT r.nivel, r.regiao, u.ano, x.mes, coalesce(x.dic_h, 0) AS dic, coalesce(x.fic, 0) AS fic, x.semrede
    FROM u
    JOIN intel_lead.lead_qualidade_mensal x
      ON x.uc_id = u.uc_id AND x.ano = u.ano AND x.distribuidora_id = u.distribuidora_id
     AND x.origem = u.camada::text::intel_lead.origem_enum
    CROSS JOIN LATERAL (VALUES ('uf', u.uf, NULL::int, NULL::int), ('municipio', u.municipio_id, NULL, NULL),
                               ('distribuidora', u.distribuidora_id::text, u.distribuidora_id, NULL),
                               ('conjunto', u.distribuidora_id || ':' || u.conj, u.distribuidora_id, u.conj)
                       ) r(nivel, regiao, r_dist, r_conj)
    WHERE r.regiao IS NOT NULL
),
qm AS (
    SELECT q.nivel, q.regiao, q.ano, q.mes, sum(q.dic) AS soma_dic, sum(q.fic) AS soma_fic,
           array_agg(q.dic ORDER BY q.dic) AS dics, array_agg(q.fic ORDER BY q.fic) AS fics,
           count(*) FILTER (WHERE q.dic > par.limiar_dic_mensal_h) AS n_acima_dic,
           count(*) FILTER (WHERE q.fic > par.limiar_fic_mensal) AS n_acima_fic,
           count(*) FILTER (WHERE q.semrede) AS n_sem_rede
    FROM q CROSS JOIN par GROUP BY q.nivel, q.regiao, q.ano, q.mes
),
mensal AS (
    SELECT a.nivel, a.regiao, a.r_dist, a.r_conj, a.ano, m.mes, a.n_ucs,
           coalesce(qm.soma_dic, 0) / a.n_ucs AS dic_medio,
           intel_lead.percentil_com_zeros(qm.dics, a.n_ucs, 0.9) AS dic_p90,
           coalesce(qm.soma_fic, 0) / a.n_ucs AS fic_medio,
           intel_lead.percentil_com_zeros(qm.fics, a.n_ucs, 0.9) AS fic_p90,
           coalesce(qm.n_acima_dic, 0) AS n_acima_dic, coalesce(qm.n_acima_fic, 0) AS n_acima_fic,
           coalesce(qm.n_sem_rede, 0) AS n_sem_rede
    FROM anual a
    CROSS JOIN generate_series(1, 12) m(mes)
    LEFT JOIN qm ON qm.nivel = a.nivel AND qm.regiao = a.regiao AND qm.ano = a.ano AND qm.mes = m.mes
),
todos AS (
    SELECT * FROM anual UNION ALL SELECT * FROM mensal
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
