"""`match.decide_all` over arrays: every unit of a layer at once (pure: numpy arrays in, decisions out).

A layer has hundreds of thousands of units with some twenty candidates each: a Python call per pair is
the bound. The blocking reads only a unit's municipality, CNAE and CEP, so units sharing those three
(a *group*) share their candidates: the service blocks and fetches once per group, and here the CNAE
and CEP levels are scored once per group and candidate, the bairro once per distinct pair of names,
the vetoes, weights, posteriors and decisions as arrays over the unit × candidate pairs.

Same weights, thresholds and decisions as `match.decide` / `match.decide_all` (the tests run both on
the same cases); the distance field is `desconhecida` (establishments are not geocoded yet).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from . import match

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

CNAE_LEVELS = ("desconhecido", "subclasse", "secundaria", "classe", "grupo", "divisao", "nenhum")
CEP_LEVELS = ("desconhecido", "exato", "generico", "prefixo", "diferente")
BAIRRO_LEVELS = ("desconhecido", "igual", "parecido", "diferente")
VETOS = (None, "mei_demanda", "micro_demanda", "aberto_depois")
_EXATO, _IGUAL = CEP_LEVELS.index("exato"), BAIRRO_LEVELS.index("igual")
_GENERICO = CEP_LEVELS.index("generico")


@dataclass
class Grupos:
    """Units' blocking keys: CNAE and CEP as integers (-1 unknown)."""

    cnae: I64
    cep: I64


@dataclass
class Candidatos:
    """Distinct establishments blocked for any group, in CNPJ order (the tie-break of equal weights).

    Integers are -1 when unknown, floats NaN; `mei` is 1, 0 or -1; `inicio` the opening year."""

    cnpj: list[str]
    cnae: I64
    cep: I64
    bairro: list[str | None]
    porte: I64
    mei: I64
    inicio: I64
    cnae_freq: F64
    cep_n: I64
    cep_share: F64


@dataclass
class Pares:
    """Group × candidate pairs sorted by (grupo, candidato); `secundaria` says the group's CNAE is among
    the candidate's secondary ones."""

    grupo: I64
    candidato: I64
    secundaria: B


@dataclass
class Unidades:
    uc_id: I64
    grupo: I64
    bairro: list[str | None]
    demanda_kw: F64  # NaN unknown
    ano: I64  # -1 unknown


@dataclass
class Lote:
    """Every unit's decision (arrays indexed like the units) and the candidates shown for each."""

    uc_id: I64
    resultado: list[str]
    motivo: list[str | None]
    cnpj: list[str | None]
    cnpj_basico: list[str | None]
    probabilidade: list[float | None]
    margem: list[float | None]
    p_nenhum: list[float | None]
    total: list[int]
    vetados: list[int]
    # shown candidates: unit → [(cnpj, peso, probabilidade, campos JSON, veto)], rounded as the log has them
    mostrados: list[list[tuple[str, float, float, str, str | None]]]
    # the best candidate of each unit that would succeed before the guard across units (else None): what
    # a caller deciding in chunks needs to apply that guard across its chunks
    vencedor: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.resultado)

    def detalhes(self, i: int) -> dict[str, Any]:
        """What `match.Decisao.as_json` gives for the unit at `i`."""
        return {
            "metodo": "probabilistico",
            "versao": match.VERSAO,
            "motivo": self.motivo[i],
            "cnpj": self.cnpj[i],
            "cnpj_basico": self.cnpj_basico[i],
            "probabilidade": rounded(self.probabilidade[i], 4),
            "margem": rounded(self.margem[i], 3),
            "p_nenhum": rounded(self.p_nenhum[i], 4),
            "n_candidatos": self.total[i],
            "n_vetados": self.vetados[i],
            "candidatos": [
                {"cnpj": cnpj, "probabilidade": p, "peso": w, "campos": json.loads(campos)}
                | ({"veto": veto} if veto else {})
                for cnpj, w, p, campos, veto in self.mostrados[i]
            ],
        }

    def candidatos_texto(self, i: int, nomes: Callable[[str], str]) -> str:
        """The candidates of `detalhes(i)` as a JSON array, written straight from the rounded values (a
        layer's worth of dicts and `json.dumps` calls is the bound otherwise); `nomes(cnpj)` gives JSON
        members (`, "k": v`) appended to each candidate."""
        return (
            "["
            + ", ".join(
                f'{{"cnpj": "{cnpj}", "probabilidade": {p!r}, "peso": {w!r}, "campos": {campos}'
                + (f', "veto": "{veto}"' if veto else "")
                + f"{nomes(cnpj)}}}"
                for cnpj, w, p, campos, veto in self.mostrados[i]
            )
            + "]"
        )


def rounded(value: float | None, digits: int) -> float | None:
    """A probability or margin as the log keeps it: rounded, None when unknown or infinite (no runner-up)."""
    return None if value is None or math.isinf(value) else round(value, digits)


def _cnae_levels(unit: I64, cand: I64, secundaria: B) -> npt.NDArray[np.int8]:
    known = (unit >= 0) & (cand >= 0)
    conditions = [
        ~known,
        unit == cand,
        secundaria,
        unit // 100 == cand // 100,
        unit // 10_000 == cand // 10_000,
        unit // 100_000 == cand // 100_000,
    ]
    return np.select(conditions, list(range(6)), default=6).astype(np.int8)


def _cep_levels(unit: I64, cand: I64, cep_n: I64, params: match.Parametros) -> npt.NDArray[np.int8]:
    known = (unit >= 0) & (cand >= 0)
    same = unit == cand
    generic = (unit % 1000 == 0) | (cep_n > params.cep_generico_n)
    conditions = [~known, same & ~generic, same, unit // 1000 == cand // 1000]
    return np.select(conditions, list(range(4)), default=4).astype(np.int8)


def _per_value(values: F64, bits: Callable[[float | None], float]) -> F64:
    """`bits` of each value (NaN: None), computed once per distinct value (the scalar matcher's floats)."""
    distinct, inverse = np.unique(values, return_inverse=True)  # NaNs sort last, each its own value
    table = np.array([bits(None if math.isnan(v) else v) for v in distinct.tolist()], dtype=np.float64)
    return table[inverse] if len(values) else np.zeros(0)


def _bairros(
    unit_names: Sequence[str | None],
    cand_names: Sequence[str | None],
    pair_unit: npt.NDArray[np.integer[Any]],
    pair_cand: npt.NDArray[np.integer[Any]],
) -> tuple[npt.NDArray[np.int8], F64, F64]:
    """Bairro level, bits and similarity (NaN unknown) of each pair, computed once per distinct pair of
    normalised names."""
    ids: dict[str, int] = {}

    def code(names: Sequence[str | None]) -> I64:
        out = np.full(len(names), -1, dtype=np.int64)
        for i, name in enumerate(names):
            norm = match.bairro_norm(name)
            if norm is not None:
                out[i] = ids.setdefault(norm, len(ids))
        return out

    ub, cb = code(unit_names)[pair_unit], code(cand_names)[pair_cand]
    known = (ub >= 0) & (cb >= 0)
    keys, inverse = np.unique(np.where(known, ub * len(ids) + cb, -1), return_inverse=True)
    names = list(ids)
    n = max(len(ids), 1)
    sims = np.array(
        [math.nan if k < 0 else match.similarity_of(names[k // n], names[k % n]) for k in keys.tolist()], dtype=float
    )
    similarity = sims[inverse]
    levels = np.select(
        [~known, similarity >= 90, similarity >= 75], [0, 1, 2], default=3
    ).astype(np.int8)  # fmt: skip
    table = np.array([0.0, match.BITS_BAIRRO["igual"], match.BITS_BAIRRO["parecido"], match.BITS_BAIRRO["diferente"]])
    return levels, table[levels], similarity


def decide(
    units: Unidades, groups: Grupos, cands: Candidatos, pairs: Pares, params: match.Parametros | None = None
) -> Lote:
    """Every unit's decision among its group's candidates, then the guard across units (a CNPJ that
    would be the success of units in different CEPs is theirs to share: partial, `cnpj_compartilhado`)."""
    params = params or match.Parametros()
    n = len(units.uc_id)
    ng = len(groups.cnae)
    # Group-level pairs: CNAE and CEP levels and bits.
    g_cnae, g_cep = groups.cnae[pairs.grupo], groups.cep[pairs.grupo]
    c = pairs.candidato
    cnae_level = _cnae_levels(g_cnae, cands.cnae[c], pairs.secundaria)
    cep_level = _cep_levels(g_cep, cands.cep[c], cands.cep_n[c], params)
    sub_bits = _per_value(cands.cnae_freq, lambda f: match.bits_subclasse(f, params))
    exact_bits = _per_value(cands.cep_share, lambda f: match.bits_cep_exato(f, params))
    cnae_table = np.array([0.0, 0.0, *(match.BITS_CNAE[k] for k in CNAE_LEVELS[2:])])
    cep_table = np.array([0.0, 0.0, *(match.BITS_CEP[k] for k in CEP_LEVELS[2:])])
    cnae_bits = np.where(cnae_level == 1, sub_bits[c] if len(c) else 0.0, cnae_table[cnae_level])
    cep_bits = np.where(cep_level == _EXATO, exact_bits[c] if len(c) else 0.0, cep_table[cep_level])

    # Unit-level pairs: each unit takes its group's range of pairs.
    starts = np.searchsorted(pairs.grupo, np.arange(ng + 1))
    counts = (starts[1:] - starts[:-1])[units.grupo]
    # Index arrays in int32 and intermediates dropped as soon as used: a layer has millions of pairs.
    pu = np.repeat(np.arange(n, dtype=np.int32), counts)
    first = np.cumsum(counts) - counts
    gp = (np.arange(len(pu)) - np.repeat(first, counts) + np.repeat(starts[:-1][units.grupo], counts)).astype(np.int32)
    del first
    pc = c[gp].astype(np.int32)
    b_level, b_bits, similarity = _bairros(units.bairro, cands.bairro, pu, pc)
    weight = cnae_bits[gp] + cep_bits[gp] + 0.0 + b_bits  # the scalar sum's order: cnae, cep, distance, bairro

    kw, year = units.demanda_kw[pu], units.ano[pu]
    with np.errstate(invalid="ignore"):
        veto = np.select(
            [
                ~np.isnan(kw) & (cands.mei[pc] == 1) & (kw >= params.mei_max_kw),
                ~np.isnan(kw) & (cands.porte[pc] == match.PORTE_MICRO) & (kw >= params.micro_max_kw),
                (year >= 0) & (cands.inicio[pc] >= 0) & (cands.inicio[pc] > year),
            ],
            [1, 2, 3],
            default=0,
        ).astype(np.int8)
    del kw, year
    scored = veto == 0
    total = np.bincount(pu, minlength=n)
    n_scored = np.bincount(pu[scored], minlength=n)

    # Rank each unit's scored pairs by weight, then CNPJ (candidates are in CNPJ order).
    idx = np.flatnonzero(scored)
    order = idx[np.lexsort((pc[idx], -weight[idx], pu[idx]))]
    del idx
    su = pu[order]
    seg = np.cumsum(n_scored) - n_scored
    has = n_scored > 0
    top = np.full(n, len(pu), dtype=np.int64)  # one past the pairs: the padding below
    top[has] = order[seg[has]]
    top_w = np.r_[weight, 0.0][top]
    mass = np.power(2.0, weight[order] - top_w[su])
    mass_none = np.power(2.0, params.w_nenhum - top_w)
    denominator = mass_none + np.bincount(su, weights=mass, minlength=n)
    p_order = mass / denominator[su]
    p_best = 1.0 / denominator
    p_none = mass_none / denominator
    two = n_scored > 1
    w2 = np.full(n, -math.inf)
    w2[two] = weight[order[seg[two] + 1]]
    margin = top_w - np.maximum(w2, params.w_nenhum)
    top_cep = np.r_[cep_level[gp], 0][top]
    top_bairro = np.r_[b_level, 0][top]
    discriminates = (top_cep == _EXATO) | (top_bairro == _IGUAL)
    success = has & (p_best >= params.p_sucesso) & (margin >= params.margem_sucesso) & discriminates

    # The company: the ranked candidates' probabilities summed by CNPJ base; the largest (then the
    # greatest base) wins, and is "clear" when it holds p ≥ 0.90 over more than one establishment.
    basicos, base_of = np.unique(np.array([x[:8] for x in cands.cnpj] or [""], dtype=object), return_inverse=True)
    nb = len(basicos)
    # In int64: units × bases passes 2**31 on a layer.
    keys, key_of, key_n = np.unique(
        su.astype(np.int64) * nb + base_of[pc[order]], return_inverse=True, return_counts=True
    )
    key_p = np.bincount(key_of, weights=p_order, minlength=len(keys))
    key_unit, key_base = keys // nb, keys % nb
    best_key = np.lexsort((key_base, key_p, key_unit))
    last = np.flatnonzero(np.r_[key_unit[best_key][1:] != key_unit[best_key][:-1], True]) if len(keys) else keys
    company_base = np.full(n, -1, dtype=np.int64)
    company_p = np.zeros(n)
    company_n = np.zeros(n, dtype=np.int64)
    chosen = best_key[last]
    company_base[key_unit[chosen]] = key_base[chosen]
    company_p[key_unit[chosen]] = key_p[chosen]
    company_n[key_unit[chosen]] = key_n[chosen]
    company = has & ~success & (company_p >= params.p_sucesso) & (company_n > 1)
    likely = has & ~success & ~company & (p_best >= params.p_parcial)
    failed = has & ~success & ~company & ~likely
    generic = failed & (top_cep == _GENERICO) & ~discriminates
    ambiguous = failed & ~generic & two & (top_w - w2 < 1.0) & (top_w > params.w_nenhum)

    # The guard across units: one CNPJ, successes in different CEPs.
    unit_cep = groups.cep[units.grupo]
    shared = np.zeros(n, dtype=bool)
    winners = np.flatnonzero(success)
    if len(winners):
        claims = np.unique(np.stack([pc[top[winners]], unit_cep[winners]]), axis=1)
        cnpjs, n_ceps = np.unique(claims[0], return_counts=True)
        disputed = cnpjs[n_ceps > 1]
        shared[winners[np.isin(pc[top[winners]], disputed)]] = True

    # The candidates shown: the first `top` ranked, then vetoed ones (in CNPJ order) up to `top`.
    top_n = params.top
    rank = np.arange(len(order)) - seg[su]
    keep = rank < top_n
    vetoed = np.flatnonzero(~scored)
    n_vetoed = total - n_scored
    v_rank = np.arange(len(vetoed)) - (np.cumsum(n_vetoed) - n_vetoed)[pu[vetoed]]
    v_keep = v_rank < np.maximum(0, top_n - n_scored[pu[vetoed]])
    shown_unit = np.r_[su[keep], pu[vetoed[v_keep]]]
    shown_pos = np.r_[rank[keep], np.minimum(n_scored[pu[vetoed[v_keep]]], top_n) + v_rank[v_keep]]
    shown_pair = np.r_[order[keep], vetoed[v_keep]]
    shown_p = np.r_[p_order[keep], np.zeros(int(v_keep.sum()))]
    arranged = np.lexsort((shown_pos, shown_unit))
    shown_pair, shown_p = shown_pair[arranged], shown_p[arranged]
    shown_n = np.bincount(shown_unit, minlength=n).tolist()
    sg = gp[shown_pair]
    shown_rows = zip(
        [cands.cnpj[k] for k in pc[shown_pair].tolist()],
        weight[shown_pair].tolist(),
        shown_p.tolist(),
        cnae_level[sg].tolist(),
        cep_level[sg].tolist(),
        b_level[shown_pair].tolist(),
        similarity[shown_pair].tolist(),
        veto[shown_pair].tolist(),
        strict=True,
    )

    # Few distinct field levels: their JSON is written once and shared.
    campos_of: dict[tuple[int, int, int, float], str] = {}

    def shown(row: tuple[str, float, float, int, int, int, float, int]) -> tuple[str, float, float, str, str | None]:
        cnpj, w, p, cnae_l, cep_l, bairro_l, sim, why = row
        if sim != sim:  # NaN (no similarity) is never equal to itself, hence never found as a key
            sim = -1.0
        campos = campos_of.get((cnae_l, cep_l, bairro_l, sim))
        if campos is None:
            fields = {"cnae": CNAE_LEVELS[cnae_l], "cep": CEP_LEVELS[cep_l], "distancia": "desconhecida",
                      "bairro": BAIRRO_LEVELS[bairro_l]}  # fmt: skip
            if sim >= 0:
                fields["bairro_similaridade"] = f"{sim:.0f}"
            campos = campos_of[(cnae_l, cep_l, bairro_l, sim)] = json.dumps(fields)
        return cnpj, round(w, 3), round(p, 4), campos, VETOS[why]

    lote = Lote(units.uc_id, [], [], [], [], [], [], [], total.tolist(), n_vetoed.tolist(), [])
    has_l, succ_l, shared_l = has.tolist(), success.tolist(), shared.tolist()
    comp_l, likely_l, gen_l, amb_l = company.tolist(), likely.tolist(), generic.tolist(), ambiguous.tolist()
    cbase_l, cp_l = company_base.tolist(), company_p.tolist()
    pbest_l, pnone_l, margin_l = p_best.tolist(), p_none.tolist(), margin.tolist()
    top_cnpj = [cands.cnpj[k] if k >= 0 else None for k in np.r_[pc, -1][top].tolist()]
    basicos_l = basicos.tolist()
    for i in range(n):
        lote.mostrados.append([shown(next(shown_rows)) for _ in range(shown_n[i])])
        if not has_l[i]:
            lote.resultado.append(match.FAILED)
            lote.motivo.append("implausivel" if lote.total[i] else "sem_candidatos")
            lote.cnpj.append(None)
            lote.cnpj_basico.append(None)
            lote.probabilidade.append(None)
            lote.margem.append(None)
            lote.p_nenhum.append(None)
            lote.vencedor.append(None)
            continue
        lote.margem.append(margin_l[i])
        lote.p_nenhum.append(pnone_l[i])
        lote.vencedor.append(top_cnpj[i] if succ_l[i] else None)
        if succ_l[i]:
            best = top_cnpj[i]
            assert best is not None
            lote.resultado.append(match.PARTIAL if shared_l[i] else match.SUCCESS)
            lote.motivo.append("cnpj_compartilhado" if shared_l[i] else None)
            lote.cnpj.append(None if shared_l[i] else best)
            lote.cnpj_basico.append(best[:8])
            lote.probabilidade.append(pbest_l[i])
        elif comp_l[i]:
            lote.resultado.append(match.PARTIAL)
            lote.motivo.append("estabelecimento_ambiguo")
            lote.cnpj.append(None)
            lote.cnpj_basico.append(basicos_l[cbase_l[i]])
            lote.probabilidade.append(cp_l[i])
        else:
            lote.resultado.append(match.PARTIAL if likely_l[i] else match.FAILED)
            lote.motivo.append(
                "pouco_claro" if likely_l[i] else "cep_generico" if gen_l[i] else "ambiguo" if amb_l[i]
                else "nenhum_provavel"
            )  # fmt: skip
            lote.cnpj.append(None)
            lote.cnpj_basico.append(None)
            lote.probabilidade.append(pbest_l[i])
    return lote


def digits(value: str | None) -> int:
    """A CNAE or CEP of digits as an integer, -1 when unknown."""
    return int(value) if value and value.isdigit() else -1
