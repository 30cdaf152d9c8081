-- Totals of the units per square cell of Web Mercator (EPSG:3857) at band 12 (1/32 of a z12 tile side:
-- 306 m at the equator, 280 m at São Paulo), by class and segment. resumo/ of a large drawn area sums
-- the cells lying wholly inside it and reads only the units of the cells its border crosses, each unit
-- assigned to its cell by the same floor() as here. Class and segment are '' where the unit has none
-- (the unique index that a concurrent refresh needs takes no NULL). Read by rows of cells (iy, then a
-- range of ix), so the key starts with iy.
CREATE MATERIALIZED VIEW intel_lead.mapa_celula_resumo AS
WITH p AS (
    SELECT floor(ST_X(g) / 305.748113140705)::int AS ix, floor(ST_Y(g) / 305.748113140705)::int AS iy,
           coalesce(classe_consumo_id, '') AS classe, coalesce(segmento_mercado_id, '') AS segmento,
           energia_anual_kwh, demanda_pico_kw, media_dic, media_fic
    FROM (SELECT ST_Transform(coordenada, 3857) AS g, classe_consumo_id, segmento_mercado_id, energia_anual_kwh,
                 demanda_pico_kw, media_dic, media_fic
          FROM intel_lead.lead_bruto WHERE coordenada IS NOT NULL) q
)
SELECT ix, iy, classe, segmento,
       count(*)::int AS unidades,
       sum(energia_anual_kwh)::float8 AS energia_anual_kwh,
       sum(demanda_pico_kw)::float8 AS demanda_pico_kw,
       sum(media_dic)::float8 AS dic_soma, count(media_dic)::int AS dic_n,
       sum(media_fic)::float8 AS fic_soma, count(media_fic)::int AS fic_n
FROM p
GROUP BY ix, iy, classe, segmento;

CREATE UNIQUE INDEX mapa_celula_resumo_key ON intel_lead.mapa_celula_resumo (iy, ix, classe, segmento);
