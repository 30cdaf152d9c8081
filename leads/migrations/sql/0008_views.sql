-- The read views over lead_bruto, as 0003 and 0005 left them: recreated on the partitioned tables by
-- 0008_partitions.sql and on the plain tables by its reverse. Never edit: a change is a new migration.

-- Each unit's final coordinate: its own point, else its notable point (PN_CON), else its transformer
-- (UNI_TR_MT), and which one was used.
CREATE VIEW intel_lead.lead_com_coordenadas AS
SELECT l.uc_id,
       l.distribuidora_id,
       l.ano,
       l.camada,
       CASE
           WHEN l.geom IS NOT NULL THEN 'proprio'
           WHEN pn.geom IS NOT NULL THEN 'ponto_notavel'
           WHEN tr.geom IS NOT NULL THEN 'transformador'
       END AS fonte_coordenada,
       ST_Y(coalesce(l.geom, pn.geom, tr.geom)) AS lat,
       ST_X(coalesce(l.geom, pn.geom, tr.geom)) AS lon,
       coalesce(l.geom, pn.geom, tr.geom) AS geom
FROM intel_lead.lead_bruto l
LEFT JOIN intel_lead.ponto_notavel pn
       ON pn.distribuidora_id = l.distribuidora_id AND pn.ano = l.ano AND pn.fonte = 'PONNOT' AND pn.cod_id = l.pn_con
LEFT JOIN intel_lead.ponto_notavel tr
       ON tr.distribuidora_id = l.distribuidora_id AND tr.ano = l.ano AND tr.fonte = 'UNTRMT' AND tr.cod_id = l.uni_tr_mt;

CREATE VIEW intel_lead.vw_lead_com_cnae_desc AS
SELECT l.*,
       c.descricao AS cnae_descricao,
       c.classe AS cnae_classe,
       c.grupo AS cnae_grupo,
       c.divisao AS cnae_divisao,
       c.divisao_descricao AS cnae_divisao_descricao,
       c.secao AS cnae_secao,
       c.secao_descricao AS cnae_secao_descricao,
       s.nome AS segmento_mercado_nome
FROM intel_lead.lead_bruto l
LEFT JOIN intel_lead.cnae c ON c.subclasse = l.cnae_id
LEFT JOIN intel_lead.segmento_mercado s ON s.codigo = l.segmento_mercado_id;

CREATE VIEW intel_lead.vw_lead_completo_detalhado AS
SELECT l.uc_id,
       l.cod_id,
       l.distribuidora_id,
       d.nome AS distribuidora_nome,
       l.ano,
       l.camada,
       l.status,
       l.situacao,
       l.data_conexao,
       l.data_conexao_placeholder,
       l.classe_consumo_id AS classe_consumo,
       cc.descricao AS classe_consumo_descricao,
       cc.tipo_cliente,
       l.cnae_id AS cnae,
       c.descricao AS cnae_descricao,
       c.divisao AS cnae_divisao,
       l.segmento_mercado_id AS segmento_mercado,
       sm.nome AS segmento_mercado_nome,
       l.grupo_tensao_id AS grupo_tensao,
       gt.descricao AS grupo_tensao_descricao,
       l.grupo_tarifario_id AS grupo_tarifario,
       gtar.descricao AS grupo_tarifario_descricao,
       l.modalidade_tarifaria_id AS modalidade_tarifaria,
       mt.descricao AS modalidade_tarifaria_descricao,
       l.tipo_sistema_id AS tipo_sistema,
       ts.descricao AS tipo_sistema_descricao,
       ts.fases,
       l.tensao_fornecimento,
       ten.volts AS tensao_fornecimento_v,
       l.municipio_id AS municipio,
       m.nome AS municipio_nome,
       m.uf,
       l.bairro,
       l.cep,
       l.area_localizacao,
       l.pac,
       l.carga_instalada_kw,
       l.demanda_contratada_kw,
       l.livre,
       l.ceg_gd,
       (l.ceg_gd IS NOT NULL) AS possui_gd,
       l.pn_con,
       l.no_pac,
       l.ctmt,
       l.uni_tr_mt,
       l.sub,
       l.energia_anual_kwh,
       l.demanda_pico_kw,
       l.media_dic,
       l.media_fic,
       enr.enriquecimento_status,
       co.fonte_coordenada,
       co.lat,
       co.lon,
       co.geom
FROM intel_lead.lead_bruto l
JOIN intel_lead.distribuidora d ON d.cod_aneel = l.distribuidora_id
LEFT JOIN intel_lead.classe_consumo cc ON cc.codigo = l.classe_consumo_id
LEFT JOIN intel_lead.cnae c ON c.subclasse = l.cnae_id
LEFT JOIN intel_lead.segmento_mercado sm ON sm.codigo = l.segmento_mercado_id
LEFT JOIN intel_lead.grupo_tensao gt ON gt.codigo = l.grupo_tensao_id
LEFT JOIN intel_lead.grupo_tarifario gtar ON gtar.codigo = l.grupo_tarifario_id
LEFT JOIN intel_lead.modalidade_tarifaria mt ON mt.codigo = l.modalidade_tarifaria_id
LEFT JOIN intel_lead.tipo_sistema ts ON ts.codigo = l.tipo_sistema_id
LEFT JOIN intel_lead.tensao ten ON ten.codigo = l.tensao_fornecimento
LEFT JOIN intel_lead.municipio m ON m.cod_ibge = l.municipio_id
LEFT JOIN (SELECT uc_id,
                  (CASE WHEN bool_or(resultado = 'failed') THEN 'failed'
                        WHEN bool_or(resultado = 'partial') THEN 'partial'
                        ELSE 'success' END)::intel_lead.resultado_enum AS enriquecimento_status
           FROM (SELECT DISTINCT ON (uc_id, etapa) uc_id, resultado
                 FROM intel_lead.lead_enrichment_log
                 ORDER BY uc_id, etapa, executado_em DESC, id DESC) ultimo
           GROUP BY uc_id) enr ON enr.uc_id = l.uc_id
LEFT JOIN intel_lead.lead_com_coordenadas co ON co.uc_id = l.uc_id;

CREATE MATERIALIZED VIEW intel_lead.resumo_energia_por_municipio AS
SELECT l.municipio_id || ':' || l.ano AS chave,
       l.municipio_id,
       m.nome,
       m.uf,
       l.ano,
       count(*) AS n_ucs,
       count(*) FILTER (WHERE l.situacao = 'AT') AS n_ativas,
       count(*) FILTER (WHERE cc.tipo_cliente = 'PJ') AS n_pj,
       sum(l.energia_anual_kwh) AS energia_anual_kwh,
       sum(l.pac) AS pac_total_kw,
       avg(l.media_dic) AS media_dic,
       avg(l.media_fic) AS media_fic
FROM intel_lead.lead_bruto l
JOIN intel_lead.municipio m ON m.cod_ibge = l.municipio_id
LEFT JOIN intel_lead.classe_consumo cc ON cc.codigo = l.classe_consumo_id
GROUP BY l.municipio_id, m.nome, m.uf, l.ano;
CREATE UNIQUE INDEX resumo_energia_por_municipio_chave ON intel_lead.resumo_energia_por_municipio (chave);
CREATE INDEX resumo_energia_por_municipio_uf_ano ON intel_lead.resumo_energia_por_municipio (uf, ano);

CREATE MATERIALIZED VIEW intel_lead.resumo_distribuidora_ano AS
SELECT l.distribuidora_id || ':' || l.ano || ':' || l.camada AS chave,
       l.distribuidora_id,
       d.nome,
       l.ano,
       l.camada,
       count(*) AS n_ucs,
       count(*) FILTER (WHERE l.situacao = 'AT') AS n_ativas,
       count(*) FILTER (WHERE l.livre) AS n_livres,
       count(*) FILTER (WHERE l.ceg_gd IS NOT NULL) AS n_com_gd,
       sum(l.energia_anual_kwh) AS energia_anual_kwh,
       sum(l.pac) AS pac_total_kw,
       avg(l.media_dic) AS media_dic,
       avg(l.media_fic) AS media_fic
FROM intel_lead.lead_bruto l
JOIN intel_lead.distribuidora d ON d.cod_aneel = l.distribuidora_id
GROUP BY l.distribuidora_id, d.nome, l.ano, l.camada;
CREATE UNIQUE INDEX resumo_distribuidora_ano_chave ON intel_lead.resumo_distribuidora_ano (chave);

-- Market segment summary (per distributor, year and segment), for the API's aggregates.
CREATE MATERIALIZED VIEW intel_lead.resumo_segmento AS
SELECT l.distribuidora_id || ':' || l.ano || ':' || coalesce(l.segmento_mercado_id, '-') AS chave,
       l.distribuidora_id,
       l.ano,
       l.segmento_mercado_id,
       count(*) AS n_ucs,
       count(*) FILTER (WHERE l.livre) AS n_livres,
       sum(l.energia_anual_kwh) AS energia_anual_kwh,
       sum(l.pac) AS pac_total_kw,
       avg(l.media_dic) AS media_dic,
       avg(l.media_fic) AS media_fic
FROM intel_lead.lead_bruto l
GROUP BY l.distribuidora_id, l.ano, l.segmento_mercado_id;
CREATE UNIQUE INDEX resumo_segmento_chave ON intel_lead.resumo_segmento (chave);