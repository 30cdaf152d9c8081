-- Units and their monthly rows are partitioned by published layer: one table per distributor, year and
-- layer (RANGE on (ano, distribuidora_id, camada|origem), a bound per layer). The importer loads a layer
-- into brand-new tables, builds their indexes and constraints, and swaps them in by detaching the old
-- tables and attaching the new ones in one short transaction (ingestion/partitions.py).
-- Never edit: a change is a new migration and a new file.
--
-- * lead_bruto's tables each have PRIMARY KEY (uc_id). uc_id hashes distributor, year and layer with the
--   unit code, so it is unique across them too.
-- * Each monthly table of a layer has PRIMARY KEY (uc_id, mes), CHECK (mes BETWEEN 1 AND 12) and
--   FOREIGN KEY (uc_id) REFERENCES that layer's lead_bruto table ON DELETE CASCADE: a monthly row can
--   only exist for a unit of its own layer, and goes with it.
-- * DEFAULT partitions take rows of a layer that has no table of its own (rows written by hand).
-- * lead_unidade registers every unit (uc_id -> its layer): enrichment and other per-unit results
--   reference it, not lead_bruto, so replacing a layer's tables does not touch them.

-- 1. What reads the tables goes first; 0008_views.sql recreates it on the new tables.
DROP VIEW intel_lead.vw_lead_completo_detalhado;
DROP VIEW intel_lead.lead_com_coordenadas;
DROP VIEW intel_lead.vw_lead_com_cnae_desc;
DROP MATERIALIZED VIEW intel_lead.resumo_energia_por_municipio;
DROP MATERIALIZED VIEW intel_lead.resumo_distribuidora_ano;
DROP MATERIALIZED VIEW intel_lead.resumo_segmento;

-- 2. The registry (table created by the migration's CreateModel) and the log hanging off it.
INSERT INTO intel_lead.lead_unidade (uc_id, distribuidora_id, ano, camada)
SELECT uc_id, distribuidora_id, ano, camada FROM intel_lead.lead_bruto;
CREATE INDEX lead_unidade_camada_idx ON intel_lead.lead_unidade (distribuidora_id, ano, camada);
ALTER TABLE intel_lead.lead_enrichment_log DROP CONSTRAINT lead_enrichment_log_uc_fk;
ALTER TABLE intel_lead.lead_enrichment_log ADD CONSTRAINT lead_enrichment_log_uc_fk
    FOREIGN KEY (uc_id) REFERENCES intel_lead.lead_unidade (uc_id) ON DELETE CASCADE;

-- 3. lead_bruto's indexes and domain foreign keys, by their current names, to recreate on the new table.
--    (distribuidora_id, ano, camada) is the partition key now: its index goes.
CREATE TEMP TABLE definicao_0008 ON COMMIT DROP AS
SELECT 'index' AS tipo, indexname::text AS nome, indexdef AS def
FROM pg_indexes
WHERE schemaname = 'intel_lead' AND tablename = 'lead_bruto'
  AND indexname NOT IN ('lead_bruto_pkey', 'lead_bruto_dist_ano_camada_idx')
UNION ALL
SELECT 'fk', conname::text, pg_get_constraintdef(oid)
FROM pg_constraint WHERE conrelid = 'intel_lead.lead_bruto'::regclass AND contype = 'f';

ALTER TABLE intel_lead.lead_bruto RENAME TO lead_bruto_0007;
ALTER TABLE intel_lead.lead_energia_mensal RENAME TO lead_energia_mensal_0007;
ALTER TABLE intel_lead.lead_demanda_mensal RENAME TO lead_demanda_mensal_0007;
ALTER TABLE intel_lead.lead_qualidade_mensal RENAME TO lead_qualidade_mensal_0007;

CREATE TABLE intel_lead.lead_bruto (LIKE intel_lead.lead_bruto_0007 INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (ano, distribuidora_id, camada);
CREATE TABLE intel_lead.lead_energia_mensal (
    LIKE intel_lead.lead_energia_mensal_0007 INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    distribuidora_id integer NOT NULL,
    ano smallint NOT NULL
) PARTITION BY RANGE (ano, distribuidora_id, origem);
CREATE TABLE intel_lead.lead_demanda_mensal (
    LIKE intel_lead.lead_demanda_mensal_0007 INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    distribuidora_id integer NOT NULL,
    ano smallint NOT NULL
) PARTITION BY RANGE (ano, distribuidora_id, origem);
CREATE TABLE intel_lead.lead_qualidade_mensal (
    LIKE intel_lead.lead_qualidade_mensal_0007 INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    distribuidora_id integer NOT NULL,
    ano smallint NOT NULL
) PARTITION BY RANGE (ano, distribuidora_id, origem);

-- 4. One set of tables per layer already imported, and the DEFAULT set.
DO $$
DECLARE
    r record;
    t text;
    mensal text;
    unidades text;
    bound text;
BEGIN
    FOR r IN SELECT NULL::integer AS d, NULL::integer AS a, NULL::text AS c
             UNION ALL
             SELECT DISTINCT distribuidora_id, ano, camada::text FROM intel_lead.lead_bruto_0007
    LOOP
        IF r.d IS NULL THEN
            unidades := 'lead_bruto_default';
            bound := 'DEFAULT';
        ELSE
            unidades := format('lead_bruto_%s_%s_%s', r.d, r.a, lower(r.c));
            -- Up to the next layer in the enum's order (UCAT, UCMT, UCBT).
            bound := format('FOR VALUES FROM (%s, %s, %L) TO (%s, %s, %s)', r.a, r.d, r.c, r.a, r.d,
                            CASE r.c WHEN 'UCAT' THEN '''UCMT''' WHEN 'UCMT' THEN '''UCBT''' ELSE 'MAXVALUE' END);
        END IF;
        EXECUTE format('CREATE TABLE intel_lead.%I PARTITION OF intel_lead.lead_bruto %s', unidades, bound);
        EXECUTE format('ALTER TABLE intel_lead.%I ADD PRIMARY KEY (uc_id)', unidades);
        FOREACH t IN ARRAY ARRAY['lead_energia_mensal', 'lead_demanda_mensal', 'lead_qualidade_mensal'] LOOP
            mensal := replace(unidades, 'lead_bruto', t);
            EXECUTE format('CREATE TABLE intel_lead.%I PARTITION OF intel_lead.%I %s', mensal, t, bound);
            EXECUTE format('ALTER TABLE intel_lead.%I ADD PRIMARY KEY (uc_id, mes), '
                           'ADD FOREIGN KEY (uc_id) REFERENCES intel_lead.%I (uc_id) ON DELETE CASCADE',
                           mensal, unidades);
        END LOOP;
    END LOOP;
END $$;

INSERT INTO intel_lead.lead_bruto SELECT * FROM intel_lead.lead_bruto_0007;
INSERT INTO intel_lead.lead_energia_mensal
SELECT x.*, l.distribuidora_id, l.ano FROM intel_lead.lead_energia_mensal_0007 x
JOIN intel_lead.lead_bruto_0007 l ON l.uc_id = x.uc_id;
INSERT INTO intel_lead.lead_demanda_mensal
SELECT x.*, l.distribuidora_id, l.ano FROM intel_lead.lead_demanda_mensal_0007 x
JOIN intel_lead.lead_bruto_0007 l ON l.uc_id = x.uc_id;
INSERT INTO intel_lead.lead_qualidade_mensal
SELECT x.*, l.distribuidora_id, l.ano FROM intel_lead.lead_qualidade_mensal_0007 x
JOIN intel_lead.lead_bruto_0007 l ON l.uc_id = x.uc_id;

DROP TABLE intel_lead.lead_energia_mensal_0007, intel_lead.lead_demanda_mensal_0007,
           intel_lead.lead_qualidade_mensal_0007, intel_lead.lead_bruto_0007;

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

-- 5. Rows written outside the importer (by hand, by the ORM) register their unit themselves.
CREATE FUNCTION intel_lead.lead_unidade_registra() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM intel_lead.lead_unidade WHERE uc_id = OLD.uc_id;
    ELSE
        INSERT INTO intel_lead.lead_unidade (uc_id, distribuidora_id, ano, camada)
        VALUES (NEW.uc_id, NEW.distribuidora_id, NEW.ano, NEW.camada)
        ON CONFLICT (uc_id) DO UPDATE
            SET distribuidora_id = EXCLUDED.distribuidora_id, ano = EXCLUDED.ano, camada = EXCLUDED.camada;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER lead_unidade_registra AFTER INSERT OR DELETE ON intel_lead.lead_bruto
    FOR EACH ROW EXECUTE FUNCTION intel_lead.lead_unidade_registra();
