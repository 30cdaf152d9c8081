DROP FUNCTION IF EXISTS intel_lead.hash_id(integer, text, integer, text);
DROP TYPE IF EXISTS intel_lead.resultado_enum;
DROP TYPE IF EXISTS intel_lead.status_enum;
DROP TYPE IF EXISTS intel_lead.origem_enum;
DROP TYPE IF EXISTS intel_lead.camada_enum;
DROP SCHEMA IF EXISTS intel_lead;
