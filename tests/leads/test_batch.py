"""The array matcher decides as the one-unit-at-a-time matcher does, on random cases built to hit every
branch (vetoes, generic CEPs, one company's establishments, ties, secondaries, units without data)."""

from __future__ import annotations

import json
import math
import random
from datetime import date

import numpy as np
import pytest

from leads.enrichment import batch, match

BAIRROS = [
    "Centro",
    "CENTRO",
    "Jd América",
    "JARDIM AMERICA",
    "Vila Nova",
    "Vl. Nova",
    "Industrial",
    None,
    "Não definido",
]
CNAES = ["4711302", "4711301", "4712100", "4721102", "4930202", "5611203", None]


def _case(rng: random.Random) -> tuple[list[match.Unidade], list[list[match.Candidato]], list[int]]:
    units: list[match.Unidade] = []
    per_unit: list[list[match.Candidato]] = []
    group_of: list[int] = []
    uc = 0
    pool = []  # an establishment is the same whichever group blocks it
    for k in range(60):
        basico = f"{10_000_000 + k // 3:08d}"  # three establishments per company
        pool.append(
            match.Candidato(
                cnpj=f"{basico}{k % 3 + 1:04d}{k % 97:02d}",
                cnae_principal=rng.choice(CNAES[:-1]),
                cnae_secundarias=tuple(rng.sample(CNAES[:-1], rng.randrange(0, 3))),
                cep=rng.choice([None, "99950000", "99950123", "99950999", "74000123"]),
                bairro=rng.choice(BAIRROS),
                porte=rng.choice([None, 1, 3, 5]),
                mei=rng.choice([None, True, False]),
                data_inicio=rng.choice([None, date(2010, 1, 1), date(2026, 5, 1)]),
                cnae_freq=rng.choice([None, 0.0001, 0.002, 0.05]),
                cep_n=rng.choice([None, 3, 500]),
                cep_share=rng.choice([None, 0.00005, 0.003, 0.2]),
            )
        )
    for g in range(40):
        cnae = rng.choice(CNAES)
        cep = rng.choice([None, "99950000", "99950123", "99950124", "74000123"])
        cands = rng.sample(pool, rng.randrange(0, 9))
        cands.sort(key=lambda c: c.cnpj)
        for _ in range(rng.randrange(1, 4)):
            uc += 1
            kw = rng.choice([None, 20.0, 100.0, 400.0])
            units.append(match.Unidade(uc, cnae, cep, rng.choice(BAIRROS), kw, rng.choice([None, 2024])))
            per_unit.append(cands)
            group_of.append(g)
    return units, per_unit, group_of


def _arrays(
    units: list[match.Unidade], per_unit: list[list[match.Candidato]], group_of: list[int]
) -> tuple[batch.Unidades, batch.Grupos, batch.Candidatos, batch.Pares]:
    every = sorted({c.cnpj: c for cs in per_unit for c in cs}.values(), key=lambda c: c.cnpj)
    index = {c.cnpj: i for i, c in enumerate(every)}
    n_groups = max(group_of) + 1
    g_cnae, g_cep = [-1] * n_groups, [-1] * n_groups
    pairs: dict[tuple[int, int], bool] = {}
    for u, cs, g in zip(units, per_unit, group_of, strict=True):
        g_cnae[g], g_cep[g] = batch.digits(u.cnae), batch.digits(u.cep)
        for c in cs:
            pairs[(g, index[c.cnpj])] = u.cnae is not None and u.cnae in c.cnae_secundarias
    keys = sorted(pairs)

    def ints(values: list[int | None]) -> np.ndarray:
        return np.array([-1 if v is None else v for v in values], dtype=np.int64)

    def floats(values: list[float | None]) -> np.ndarray:
        return np.array([math.nan if v is None else v for v in values], dtype=np.float64)

    return (
        batch.Unidades(
            uc_id=ints([u.uc_id for u in units]),
            grupo=ints(group_of),  # type: ignore[arg-type]
            bairro=[u.bairro for u in units],
            demanda_kw=floats([u.demanda_kw for u in units]),
            ano=ints([u.ano for u in units]),
        ),
        batch.Grupos(cnae=ints(g_cnae), cep=ints(g_cep)),  # type: ignore[arg-type]
        batch.Candidatos(
            cnpj=[c.cnpj for c in every],
            cnae=ints([batch.digits(c.cnae_principal) for c in every]),
            cep=ints([batch.digits(c.cep) for c in every]),
            bairro=[c.bairro for c in every],
            porte=ints([c.porte for c in every]),
            mei=ints([None if c.mei is None else int(c.mei) for c in every]),
            inicio=ints([c.data_inicio.year if c.data_inicio else None for c in every]),
            cnae_freq=floats([c.cnae_freq for c in every]),
            cep_n=ints([c.cep_n for c in every]),
            cep_share=floats([c.cep_share for c in every]),
        ),
        batch.Pares(
            grupo=ints([g for g, _ in keys]),
            candidato=ints([c for _, c in keys]),
            secundaria=np.array([pairs[k] for k in keys], dtype=bool),
        ),
    )


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


@pytest.mark.parametrize("seed", range(12))
def test_arrays_decide_as_the_matcher_does(seed: int) -> None:
    units, per_unit, group_of = _case(random.Random(seed))
    expected = match.decide_all(zip(units, per_unit, strict=True))
    lote = batch.decide(*_arrays(units, per_unit, group_of))
    assert len(lote) == len(expected)
    for i, d in enumerate(expected):
        assert (lote.resultado[i], lote.motivo[i], lote.cnpj[i], lote.cnpj_basico[i]) == (
            d.resultado, d.motivo, d.cnpj, d.cnpj_basico,
        ), (seed, i)  # fmt: skip
        assert _rounded(lote.detalhes(i)) == _rounded(d.as_json()), (seed, i)
        # The candidates as the log's details get them: JSON text written from the same rounded values.
        assert json.loads(lote.candidatos_texto(i, lambda cnpj: "")) == lote.detalhes(i)["candidatos"]


def test_every_outcome_is_reached_by_the_cases() -> None:
    """The random cases above are worth comparing: together they reach every result and reason."""
    seen = set()
    for seed in range(12):
        units, per_unit, _ = _case(random.Random(seed))
        seen |= {(d.resultado, d.motivo) for d in match.decide_all(zip(units, per_unit, strict=True))}
    assert {r for r, _ in seen} == {"success", "partial", "failed"}
    assert {m for _, m in seen} >= {None, "sem_candidatos", "implausivel", "cep_generico", "nenhum_provavel",
                                    "pouco_claro"}  # fmt: skip


def test_units_without_candidates() -> None:
    units = batch.Unidades(
        uc_id=np.array([7, 8]), grupo=np.array([0, 0]), bairro=[None, "Centro"], demanda_kw=np.array([math.nan, 5.0]),
        ano=np.array([-1, 2024]),
    )  # fmt: skip
    empty = np.zeros(0, dtype=np.int64)
    cands = batch.Candidatos([], empty, empty, [], empty, empty, empty, np.zeros(0), empty, np.zeros(0))
    lote = batch.decide(
        units, batch.Grupos(np.array([-1]), np.array([-1])), cands, batch.Pares(empty, empty, empty > 0)
    )
    assert lote.resultado == ["failed", "failed"] and lote.motivo == ["sem_candidatos", "sem_candidatos"]
    assert lote.detalhes(1)["candidatos"] == [] and lote.detalhes(1)["n_candidatos"] == 0
