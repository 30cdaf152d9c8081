DROP MATERIALIZED VIEW intel_lead.indicador_qualidade;
DROP FUNCTION intel_lead.percentil_com_zeros(float8[], bigint, float8);
ALTER TABLE intel_lead.anomalia DROP CONSTRAINT anomalia_uc_fk;
