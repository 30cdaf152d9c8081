-- Reverse of 0008_partitions.sql: plain tables again, rows moved back, the views recreated by
-- 0008_views.sql after this file. Never edit: a change is a new migration and a new file.
DROP VIEW intel_lead.vw_lead_completo_detalhado;
DROP VIEW intel_lead.lead_com_coordenadas;
DROP VIEW intel_lead.vw_lead_com_cnae_desc;
DROP MATERIALIZED VIEW intel_lead.resumo_energia_por_municipio;
DROP MATERIALIZED VIEW intel_lead.resumo_distribuidora_ano;
DROP MATERIALIZED VIEW intel_lead.resumo_segmento;
DROP TRIGGER lead_unidade_registra ON intel_lead.lead_bruto;
DROP FUNCTION intel_lead.lead_unidade_registra();

CREATE TEMP TABLE definicao_0008 ON COMMIT DROP AS
SELECT 'index' AS tipo, indexname::text AS nome, replace(indexdef, ' ON ONLY ', ' ON ') AS def
FROM pg_indexes WHERE schemaname = 'intel_lead' AND tablename = 'lead_bruto'
UNION ALL
SELECT 'fk', conname::text, pg_get_constraintdef(oid)
FROM pg_constraint WHERE conrelid = 'intel_lead.lead_bruto'::regclass AND contype = 'f' AND conparentid = 0;

DO $$
DECLARE
    t text;
    cols text;
BEGIN
    FOREACH t IN ARRAY ARRAY['lead_bruto', 'lead_energia_mensal', 'lead_demanda_mensal', 'lead_qualidade_mensal'] LOOP
        EXECUTE format('ALTER TABLE intel_lead.%I RENAME TO %I', t, t || '_0008');
        EXECUTE format('CREATE TABLE intel_lead.%I (LIKE intel_lead.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                       t, t || '_0008');
        IF t <> 'lead_bruto' THEN
            EXECUTE format('ALTER TABLE intel_lead.%I DROP COLUMN distribuidora_id, DROP COLUMN ano', t);
            cols := CASE t WHEN 'lead_energia_mensal'
                           THEN 'energia_ponta_kwh, energia_fora_ponta_kwh, energia_total_kwh'
                           WHEN 'lead_demanda_mensal'
                           THEN 'demanda_ponta_kw, demanda_fora_ponta_kw, demanda_total_kw, demanda_contratada_kw'
                           ELSE 'dic_h, fic, semrede' END;
            EXECUTE format('INSERT INTO intel_lead.%I (uc_id, mes, origem, %s) SELECT uc_id, mes, origem, %s '
                           'FROM intel_lead.%I', t, cols, cols, t || '_0008');
            EXECUTE format('ALTER TABLE intel_lead.%I ADD PRIMARY KEY (uc_id, mes)', t);
        ELSE
            INSERT INTO intel_lead.lead_bruto SELECT * FROM intel_lead.lead_bruto_0008;
            ALTER TABLE intel_lead.lead_bruto ADD PRIMARY KEY (uc_id);
        END IF;
    END LOOP;
END $$;
DROP TABLE intel_lead.lead_energia_mensal_0008, intel_lead.lead_demanda_mensal_0008,
           intel_lead.lead_qualidade_mensal_0008, intel_lead.lead_bruto_0008 CASCADE;

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM definicao_0008 ORDER BY tipo, nome LOOP
        IF r.tipo = 'index' THEN
            EXECUTE r.def;
        ELSE
            EXECUTE format('ALTER TABLE intel_lead.lead_bruto ADD CONSTRAINT %I %s', r.nome, r.def);
        END IF;
    END LOOP;
END $$;
CREATE INDEX lead_bruto_dist_ano_camada_idx ON intel_lead.lead_bruto (distribuidora_id, ano, camada);
ALTER TABLE intel_lead.lead_energia_mensal ADD CONSTRAINT lead_energia_mensal_uc_fk
    FOREIGN KEY (uc_id) REFERENCES intel_lead.lead_bruto (uc_id) ON DELETE CASCADE;
ALTER TABLE intel_lead.lead_demanda_mensal ADD CONSTRAINT lead_demanda_mensal_uc_fk
    FOREIGN KEY (uc_id) REFERENCES intel_lead.lead_bruto (uc_id) ON DELETE CASCADE;
ALTER TABLE intel_lead.lead_qualidade_mensal ADD CONSTRAINT lead_qualidade_mensal_uc_fk
    FOREIGN KEY (uc_id) REFERENCES intel_lead.lead_bruto (uc_id) ON DELETE CASCADE;
ALTER TABLE intel_lead.lead_enrichment_log DROP CONSTRAINT lead_enrichment_log_uc_fk;
DELETE FROM intel_lead.lead_enrichment_log g
WHERE NOT EXISTS (SELECT 1 FROM intel_lead.lead_bruto l WHERE l.uc_id = g.uc_id);
ALTER TABLE intel_lead.lead_enrichment_log ADD CONSTRAINT lead_enrichment_log_uc_fk
    FOREIGN KEY (uc_id) REFERENCES intel_lead.lead_bruto (uc_id) ON DELETE CASCADE;
