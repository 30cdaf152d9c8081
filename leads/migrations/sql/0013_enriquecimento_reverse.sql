-- Reverse of 0013_enriquecimento.sql: the detailed view as 0008_views.sql left it.
DROP VIEW intel_lead.vw_lead_completo_detalhado;
DROP INDEX intel_lead.lead_enrichment_log_ultimo_idx;

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
