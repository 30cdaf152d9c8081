"""Deterministic ids: the same distributor, unit code, year and layer always give the same id.

`stable_id` mirrors the SQL function `intel_lead.hash_id` (migrations/sql/0001_schema.sql): the first
64 bits of the MD5 of `dist|cod|ano|layer`, read as a signed bigint. Imports compute ids in SQL; Python
callers (tests, fixtures, the API) use this one.
"""

from __future__ import annotations

import hashlib


def stable_id(distribuidora: int, cod_id: str, ano: int, camada: str) -> int:
    digest = hashlib.md5(f"{distribuidora}|{cod_id}|{ano}|{camada}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
