DROP MATERIALIZED VIEW IF EXISTS intel_lead.resumo_distribuidora_ano;
DROP MATERIALIZED VIEW IF EXISTS intel_lead.resumo_energia_por_municipio;
DROP VIEW IF EXISTS intel_lead.vw_lead_completo_detalhado;
DROP VIEW IF EXISTS intel_lead.vw_lead_com_cnae_desc;
DROP VIEW IF EXISTS intel_lead.lead_com_coordenadas;
DROP INDEX IF EXISTS intel_lead.lead_bruto_uni_tr_mt_idx;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['distribuidora', 'municipio', 'grupo_tensao', 'grupo_tarifario', 'modalidade_tarifaria',
                             'tipo_sistema', 'classe_consumo', 'segmento_mercado', 'cnae', 'tensao']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS protege_dominio ON intel_lead.%I', t);
    END LOOP;
END $$;
DROP FUNCTION IF EXISTS intel_lead.protege_dominio();

ALTER TABLE intel_lead.lead_energia_mensal DROP CONSTRAINT lead_energia_mensal_uc_fk,
    ADD CONSTRAINT lead_energia_mensal_uc_fk FOREIGN KEY (uc_id) REFERENCES intel_lead.lead_bruto (uc_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE intel_lead.lead_demanda_mensal DROP CONSTRAINT lead_demanda_mensal_uc_fk,
    ADD CONSTRAINT lead_demanda_mensal_uc_fk FOREIGN KEY (uc_id) REFERENCES intel_lead.lead_bruto (uc_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE intel_lead.lead_qualidade_mensal DROP CONSTRAINT lead_qualidade_mensal_uc_fk,
    ADD CONSTRAINT lead_qualidade_mensal_uc_fk FOREIGN KEY (uc_id) REFERENCES intel_lead.lead_bruto (uc_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE intel_lead.lead_enrichment_log DROP CONSTRAINT lead_enrichment_log_uc_fk,
    ADD CONSTRAINT lead_enrichment_log_uc_fk FOREIGN KEY (uc_id) REFERENCES intel_lead.lead_bruto (uc_id)
    DEFERRABLE INITIALLY DEFERRED;
