"""Enrichment of consumer units: company identity (CCEE, GD, Receita CNPJ), free-market mark and the
municipality's context. `match` is pure (candidates in, decisions out); `services` reads and writes."""
