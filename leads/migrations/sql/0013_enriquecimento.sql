-- Enrichment (leads.enrichment): identities and free-market marks follow their unit in the registry
-- (kept across re-imports, gone with a unit that left the file); the detailed view gains the company,
-- the free-market mark, the municipality's context and a status that reads the latest result of each
-- step of the log:
-- * a staff review (etapa 'revisao') wins;
-- * else the identity steps (ccee, gd, cnpj): one success is enough (any route that names the company),
--   else partial if one is partial, else failed;
-- * else (a unit no identity step applies to) the other steps' worst result, as before.
-- The company's names, porte and MEI option come from lead_identidade (copied from the register when the
-- identity is rebuilt), so the view does not read the register's tables, which each release replaces.

ALTER TABLE intel_lead.lead_identidade ADD CONSTRAINT lead_identidade_uc_fk FOREIGN KEY (uc_id)
    REFERENCES intel_lead.lead_unidade (uc_id) ON DELETE CASCADE;
ALTER TABLE intel_lead.lead_mercado_livre ADD CONSTRAINT lead_mercado_livre_uc_fk FOREIGN KEY (uc_id)
    REFERENCES intel_lead.lead_unidade (uc_id) ON DELETE CASCADE;
-- The latest row of each step of a unit (the view's status, and a run that writes only what changed).
CREATE INDEX lead_enrichment_log_ultimo_idx
    ON intel_lead.lead_enrichment_log (uc_id, etapa, executado_em DESC, id DESC);

DROP VIEW intel_lead.vw_lead_completo_detalhado;
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
       CASE WHEN ml.uc_id IS NOT NULL THEN true ELSE l.livre END AS livre,
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
       co.geom,
       CASE WHEN ml.uc_id IS NOT NULL THEN 'ccee' WHEN l.livre THEN 'bdgd' END AS livre_fonte,
       ml.data_migracao,
       ide.cnpj,
       ide.cnpj_basico,
       ide.resultado AS identidade_resultado,
       ide.metodo AS identidade_metodo,
       ide.probabilidade AS identidade_probabilidade,
       ide.razao_social,
       ide.nome_fantasia,
       ide.porte,
       ide.mei,
       m.populacao_2022 AS populacao,
       m.pib_per_capita_2022 AS pib_per_capita,
       m.idhm_2010 AS idhm
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
                  (CASE WHEN bool_or(etapa = 'revisao')
                            THEN (array_agg(resultado::text) FILTER (WHERE etapa = 'revisao'))[1]
                        WHEN bool_or(etapa IN ('ccee', 'gd', 'cnpj'))
                            THEN CASE WHEN bool_or(etapa IN ('ccee', 'gd', 'cnpj') AND resultado = 'success') THEN 'success'
                                      WHEN bool_or(etapa IN ('ccee', 'gd', 'cnpj') AND resultado = 'partial') THEN 'partial'
                                      ELSE 'failed' END
                        WHEN bool_or(resultado = 'failed') THEN 'failed'
                        WHEN bool_or(resultado = 'partial') THEN 'partial'
                        ELSE 'success' END)::intel_lead.resultado_enum AS enriquecimento_status
           FROM (SELECT DISTINCT ON (uc_id, etapa) uc_id, etapa, resultado
                 FROM intel_lead.lead_enrichment_log
                 ORDER BY uc_id, etapa, executado_em DESC, id DESC) ultimo
           GROUP BY uc_id) enr ON enr.uc_id = l.uc_id
LEFT JOIN intel_lead.lead_mercado_livre ml ON ml.uc_id = l.uc_id
LEFT JOIN (SELECT li.uc_id, li.resultado, li.metodo, li.probabilidade,
                  CASE WHEN li.revisao = 'rejeitada' THEN NULL
                       WHEN li.resultado = 'success' OR li.revisao = 'confirmada' THEN li.cnpj END AS cnpj,
                  CASE WHEN li.revisao = 'rejeitada' THEN NULL ELSE li.cnpj_basico END AS cnpj_basico,
                  CASE WHEN li.revisao = 'rejeitada' THEN NULL ELSE li.razao_social END AS razao_social,
                  CASE WHEN li.revisao = 'rejeitada' THEN NULL
                       WHEN li.resultado = 'success' OR li.revisao = 'confirmada' THEN li.nome_fantasia END
                      AS nome_fantasia,
                  CASE WHEN li.revisao = 'rejeitada' THEN NULL ELSE li.porte END AS porte,
                  CASE WHEN li.revisao = 'rejeitada' THEN NULL ELSE li.mei END AS mei
           FROM intel_lead.lead_identidade li) ide ON ide.uc_id = l.uc_id
LEFT JOIN intel_lead.lead_com_coordenadas co ON co.uc_id = l.uc_id;
