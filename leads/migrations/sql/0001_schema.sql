-- The intel_lead schema, its ENUM types and the id hash. Never edit: a change is a new migration.
CREATE SCHEMA IF NOT EXISTS intel_lead;

CREATE TYPE intel_lead.camada_enum AS ENUM ('UCAT', 'UCMT', 'UCBT', 'PONNOT');
CREATE TYPE intel_lead.origem_enum AS ENUM ('UCAT', 'UCMT', 'UCBT');
CREATE TYPE intel_lead.status_enum AS ENUM ('pending', 'running', 'completed', 'failed');
CREATE TYPE intel_lead.resultado_enum AS ENUM ('success', 'partial', 'failed');

-- Stable id of a unit (layer UCAT/UCMT/UCBT) or a point (PONNOT/UNTRMT): first 64 bits of
-- md5('dist|cod|ano|layer') as a signed bigint. leads/keys.py:stable_id is the same in Python.
CREATE FUNCTION intel_lead.hash_id(dist integer, cod text, ano integer, camada text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT ('x' || left(md5(dist::text || '|' || cod || '|' || ano::text || '|' || camada), 16))::bit(64)::bigint $$;
