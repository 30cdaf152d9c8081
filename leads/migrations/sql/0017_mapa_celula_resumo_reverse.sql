DROP MATERIALIZED VIEW IF EXISTS intel_lead.mapa_celula_resumo;
