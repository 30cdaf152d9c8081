"""Which establishment of the Receita CNPJ register a consumer unit is (pure: dataclasses in, decisions out).

The BDGD gives a unit's CNAE, CEP, bairro, municipality and demand, never its name or CNPJ. Candidates
(active establishments blocked by municipality + CEP + CNAE, see `leads.enrichment.services`) are scored
field by field as Fellegi–Sunter weights in bits, `W = Σ log2(m/u)`:

- CNAE: primary subclass (u = the subclass's share of establishments), in the secondaries, same class
  (5 digits), same group (3), same division (2), none;
- CEP: exact and not generic, exact but generic (no weight: a CEP ending in 000 or shared by hundreds of
  establishments says nothing), same 5-digit prefix, different;
- distance from the unit's point to where the establishment is known to be (its CEP or address point),
  relative to that location's precision; no weight when the location is coarser than a kilometre;
- bairro similarity (rapidfuzz token set ratio of normalised names);
- plausibility: an MEI or a micro company with a demand no such company has is not the unit (vetoed),
  nor one opened after the BDGD's reference year.

Posterior `p_i = 2^W_i / (2^W_0 + Σ_j 2^W_j)` where `W_0` is the "none of these" option (the true
establishment is not among the candidates: a natural person, a stale CNAE, a closed company). The
decision (cnpj_matching.md §4, step 5):

- `success`: p ≥ 0.90, a margin of ≥ 3 bits over the runner-up (the best other candidate or "none of
  these"), and evidence beyond the CNAE (an exact non-generic CEP, a close point, or the same bairro);
- `partial`: the company is clear but not the establishment (the candidates of one `cnpj_basico` hold
  p ≥ 0.90), or the best is likely but not clearly enough (p ≥ 0.5);
- `failed`, with a reason: `sem_candidatos`, `implausivel`, `cep_generico`, `ambiguo`, `nenhum_provavel`.

`decide_all` adds a guard across units: a CNPJ that would be the `success` of units in different CEPs
is ambiguous for all of them (`cnpj_compartilhado`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

VERSAO = "2026.12"

SUCCESS, PARTIAL, FAILED = "success", "partial", "failed"
# Receita's porte of a company: 00 not informed, 01 micro company, 03 small company (EPP), 05 others.
PORTE_MICRO = 1

_ABREVIACOES = {
    "JD": "JARDIM", "JDIM": "JARDIM", "VL": "VILA", "PQ": "PARQUE", "PRQ": "PARQUE", "STA": "SANTA", "STO": "SANTO",
    "S": "SAO", "SAO": "SAO", "RES": "RESIDENCIAL", "CJ": "CONJUNTO", "CONJ": "CONJUNTO", "NS": "NOSSA SENHORA",
    "N": "NOSSA", "SRA": "SENHORA", "LOT": "LOTEAMENTO", "DIST": "DISTRITO", "IND": "INDUSTRIAL",
}  # fmt: skip
_SEM_BAIRRO = {"", "0", "NAO DEFINIDO", "NAO INFORMADO", "SEM BAIRRO", "SEM DENOMINACAO", "NI", "ND", "BAIRRO"}


@dataclass(frozen=True)
class Parametros:
    """Weights and thresholds; the m and u values are the design's starting ones (cnpj_matching.md §4)."""

    w_nenhum: float = 6.0  # bits of "none of these"
    p_sucesso: float = 0.90
    margem_sucesso: float = 3.0  # bits over the runner-up
    p_parcial: float = 0.50
    cep_generico_n: int = 300  # establishments sharing a CEP beyond which it is generic
    mei_max_kw: float = 75.0  # an MEI (revenue capped by law) cannot pay for more demand than this
    micro_max_kw: float = 300.0
    u_cnae_padrao: float = 0.01  # share of establishments with a subclass, when not measured
    u_cep: float = 0.005  # share of a municipality's establishments in one (non-generic) CEP
    top: int = 5


@dataclass(frozen=True)
class Unidade:
    """What the BDGD says about a unit. `cnae` 7 digits, `cep` 8 digits (see `cnae7`, `cep8`)."""

    uc_id: int
    cnae: str | None
    cep: str | None
    bairro: str | None = None
    demanda_kw: float | None = None
    ano: int | None = None  # the BDGD's reference year


@dataclass(frozen=True)
class Candidato:
    """An active establishment blocked for a unit, with what the register says about it.

    `cnae_freq` is the share of all active establishments whose primary CNAE is this one (the u-value of
    a subclass agreement); `cep_n` how many establishments share its CEP and `cep_share` which share of its
    municipality's they are (the u-value of a CEP agreement, when measured); `distancia_m` from the unit's
    point to the establishment's known location, whose precision is `precisao_m`."""

    cnpj: str
    cnae_principal: str | None
    cnae_secundarias: tuple[str, ...] = ()
    cep: str | None = None
    bairro: str | None = None
    porte: int | None = None
    mei: bool | None = None
    data_inicio: date | None = None
    cnae_freq: float | None = None
    cep_n: int | None = None
    cep_share: float | None = None
    distancia_m: float | None = None
    precisao_m: float | None = None

    @property
    def cnpj_basico(self) -> str:
        return self.cnpj[:8]


@dataclass(frozen=True)
class Avaliacao:
    """A candidate's score: its weight in bits, posterior probability and each field's level and bits."""

    cnpj: str
    peso: float
    probabilidade: float
    campos: dict[str, str]
    bits: dict[str, float]
    veto: str | None = None

    @property
    def cnpj_basico(self) -> str:
        return self.cnpj[:8]

    def as_json(self) -> dict[str, Any]:
        """What the log and the identity keep of a candidate: its weight, probability and each field's
        level (the fields' bits follow from the levels and the release's frequencies, and are not kept:
        a layer's details are written on every run that changes them)."""
        return {
            "cnpj": self.cnpj,
            "probabilidade": round(self.probabilidade, 4),
            "peso": round(self.peso, 3),
            "campos": self.campos,
            **({"veto": self.veto} if self.veto else {}),
        }


@dataclass(frozen=True)
class Decisao:
    """A unit's outcome. `cnpj` only on success; `cnpj_basico` on success and on a partial whose company
    is clear; `margem` in bits over the runner-up (another candidate or "none of these")."""

    uc_id: int
    resultado: str
    motivo: str | None = None
    cnpj: str | None = None
    cnpj_basico: str | None = None
    probabilidade: float | None = None
    margem: float | None = None
    p_nenhum: float | None = None
    candidatos: tuple[Avaliacao, ...] = ()
    vetados: int = 0
    total: int = 0

    def as_json(self) -> dict[str, Any]:
        """The log's `detalhes` (and the identity's evidence)."""
        return {
            "metodo": "probabilistico",
            "versao": VERSAO,
            "motivo": self.motivo,
            "cnpj": self.cnpj,
            "cnpj_basico": self.cnpj_basico,
            "probabilidade": None if self.probabilidade is None else round(self.probabilidade, 4),
            "margem": None if self.margem is None or math.isinf(self.margem) else round(self.margem, 3),
            "p_nenhum": None if self.p_nenhum is None else round(self.p_nenhum, 4),
            "n_candidatos": self.total,
            "n_vetados": self.vetados,
            "candidatos": [c.as_json() for c in self.candidatos],
        }


# --- Normalisation ------------------------------------------------------------------------------------


def cnae7(code: str | None) -> str | None:
    """'4711-3/02' or '4711302' → '4711302'; anything else None."""
    if not code:
        return None
    digits = re.sub(r"[^0-9]", "", code)
    return digits if len(digits) == 7 else None


def cep8(text: str | None) -> str | None:
    """A CEP as 8 digits: a 7-digit one lost its leading zero (a number somewhere on the way)."""
    if not text:
        return None
    digits = re.sub(r"[^0-9]", "", str(text))
    if len(digits) == 7:
        digits = "0" + digits
    if len(digits) != 8 or digits == "00000000":
        return None
    return digits


def bairro_norm(text: str | None) -> str | None:
    """Upper case without accents or punctuation, abbreviations spelled out; None for 'não definido'."""
    if not text:
        return None
    return _bairro_norm(text)


@lru_cache(maxsize=65536)  # a municipality's bairros repeat across its units and candidates
def _bairro_norm(text: str) -> str | None:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).upper()
    words = re.sub(r"[^A-Z0-9 ]", " ", folded).split()
    if words and words[0] == "BAIRRO" and len(words) > 1:
        words = words[1:]
    name = " ".join(_ABREVIACOES.get(w, w) for w in words)
    return None if name in _SEM_BAIRRO else name


def cep_generico(cep: str | None, n: int | None, params: Parametros) -> bool:
    """A CEP that places nothing: a whole town's or street's (ends in 000) or one hundreds share."""
    return cep is not None and (cep.endswith("000") or (n is not None and n > params.cep_generico_n))


# --- Field scores -------------------------------------------------------------------------------------


def _bits(m: float, u: float) -> float:
    return math.log2(m / u)


# Bits of the levels whose m and u are fixed (`batch` scores arrays with the same numbers).
M_SUBCLASSE, M_CEP_EXATO = 0.55, 0.70
BITS_CNAE = {"secundaria": _bits(0.10, 0.01), "classe": _bits(0.15, 0.03), "grupo": _bits(0.10, 0.06),
             "divisao": 0.0, "nenhum": _bits(0.10, 0.80)}  # fmt: skip
BITS_CEP = {"generico": 0.0, "prefixo": _bits(0.20, 0.10), "diferente": _bits(0.10, 0.90)}
BITS_BAIRRO = {"igual": _bits(0.60, 0.05), "parecido": _bits(0.15, 0.05), "diferente": _bits(0.25, 0.90)}


def bits_subclasse(cnae_freq: float | None, params: Parametros) -> float:
    """Bits of the same primary subclass: rarer subclasses tell more."""
    u = min(max(cnae_freq if cnae_freq is not None else params.u_cnae_padrao, 5e-4), 0.5)
    return _bits(M_SUBCLASSE, u)


def bits_cep_exato(cep_share: float | None, params: Parametros) -> float:
    """Bits of the same, non-generic CEP: the fewer of the municipality's establishments there, the more."""
    u = min(max(cep_share if cep_share is not None else params.u_cep, 1e-4), 0.5)
    return _bits(M_CEP_EXATO, u)


def score_cnae(unit: str | None, cand: Candidato, params: Parametros) -> tuple[str, float]:
    primary = cand.cnae_principal
    if unit is None or primary is None:
        return "desconhecido", 0.0
    if primary == unit:
        return "subclasse", bits_subclasse(cand.cnae_freq, params)
    if unit in cand.cnae_secundarias:
        return "secundaria", BITS_CNAE["secundaria"]
    if primary[:5] == unit[:5]:
        return "classe", BITS_CNAE["classe"]
    if primary[:3] == unit[:3]:
        return "grupo", BITS_CNAE["grupo"]
    if primary[:2] == unit[:2]:
        return "divisao", BITS_CNAE["divisao"]
    return "nenhum", BITS_CNAE["nenhum"]


def score_cep(unit: str | None, cand: Candidato, params: Parametros) -> tuple[str, float]:
    if unit is None or cand.cep is None:
        return "desconhecido", 0.0
    if unit == cand.cep:
        if cep_generico(unit, cand.cep_n, params):
            return "generico", BITS_CEP["generico"]
        return "exato", bits_cep_exato(cand.cep_share, params)
    if unit[:5] == cand.cep[:5]:
        return "prefixo", BITS_CEP["prefixo"]
    return "diferente", BITS_CEP["diferente"]


def score_distancia(cand: Candidato) -> tuple[str, float]:
    if cand.distancia_m is None or cand.precisao_m is None:
        return "desconhecida", 0.0
    if cand.precisao_m > 1000:
        return "imprecisa", 0.0
    ratio = cand.distancia_m / (cand.precisao_m + 30.0)  # a pole is not the façade: 30 m of slack
    if ratio < 1:
        return "junto", _bits(0.45, 0.02)
    if ratio < 3:
        return "perto", _bits(0.30, 0.08)
    if ratio < 10:
        return "longe", _bits(0.15, 0.25)
    return "distante", _bits(0.10, 0.65)


def score_bairro(unit: str | None, cand: Candidato) -> tuple[str, float, float | None]:
    a, b = bairro_norm(unit), bairro_norm(cand.bairro)
    if a is None or b is None:
        return "desconhecido", 0.0, None
    similarity = similarity_of(a, b)
    if similarity >= 90:
        return "igual", BITS_BAIRRO["igual"], similarity
    if similarity >= 75:
        return "parecido", BITS_BAIRRO["parecido"], similarity
    return "diferente", BITS_BAIRRO["diferente"], similarity


@lru_cache(maxsize=65536)
def similarity_of(a: str, b: str) -> float:
    return float(fuzz.token_set_ratio(a, b))


def veto(unit: Unidade, cand: Candidato, params: Parametros) -> str | None:
    """Why this establishment cannot be the unit, if it cannot."""
    kw = unit.demanda_kw
    if kw is not None and cand.mei and kw >= params.mei_max_kw:
        return "mei_demanda"
    if kw is not None and cand.porte == PORTE_MICRO and kw >= params.micro_max_kw:
        return "micro_demanda"
    if unit.ano is not None and cand.data_inicio is not None and cand.data_inicio.year > unit.ano:
        return "aberto_depois"
    return None


_DISCRIMINA = {("cep", "exato"), ("distancia", "junto"), ("distancia", "perto"), ("bairro", "igual")}


def evaluate(unit: Unidade, cand: Candidato, params: Parametros) -> tuple[float, dict[str, str], dict[str, float]]:
    """A candidate's weight in bits, with each field's level and bits."""
    cnae_level, cnae_bits = score_cnae(unit.cnae, cand, params)
    cep_level, cep_bits = score_cep(unit.cep, cand, params)
    dist_level, dist_bits = score_distancia(cand)
    bairro_level, bairro_bits, similarity = score_bairro(unit.bairro, cand)
    campos = {"cnae": cnae_level, "cep": cep_level, "distancia": dist_level, "bairro": bairro_level}
    if similarity is not None:
        campos["bairro_similaridade"] = f"{similarity:.0f}"
    bits = {"cnae": cnae_bits, "cep": cep_bits, "distancia": dist_bits, "bairro": bairro_bits}
    return sum(bits.values()), campos, bits


# --- Decision -----------------------------------------------------------------------------------------


def decide(unit: Unidade, candidates: Sequence[Candidato], params: Parametros | None = None) -> Decisao:
    """The unit's decision among its candidates (see the module docstring)."""
    params = params or Parametros()
    if not candidates:
        return Decisao(uc_id=unit.uc_id, resultado=FAILED, motivo="sem_candidatos")
    scored: list[tuple[float, Candidato, dict[str, str], dict[str, float]]] = []
    vetoed: list[Avaliacao] = []
    seen: set[str] = set()
    for cand in candidates:
        if cand.cnpj in seen:  # blocked twice (CEP and CNAE blocks): one candidate
            continue
        seen.add(cand.cnpj)
        weight, campos, bits = evaluate(unit, cand, params)
        reason = veto(unit, cand, params)
        if reason:
            vetoed.append(Avaliacao(cand.cnpj, weight, 0.0, campos, bits, veto=reason))
        else:
            scored.append((weight, cand, campos, bits))
    total = len(seen)
    if not scored:
        return Decisao(
            uc_id=unit.uc_id, resultado=FAILED, motivo="implausivel", candidatos=tuple(vetoed[: params.top]),
            vetados=len(vetoed), total=total,
        )  # fmt: skip
    scored.sort(key=lambda s: (-s[0], s[1].cnpj))
    top_w = scored[0][0]
    # Normalised against the best weight: 2^W overflows nothing this way.
    mass_none = 2.0 ** (params.w_nenhum - top_w)
    masses = [2.0 ** (w - top_w) for w, *_ in scored]
    denominator = mass_none + sum(masses)
    ranked = [
        Avaliacao(cand.cnpj, w, mass / denominator, campos, bits)
        for (w, cand, campos, bits), mass in zip(scored, masses, strict=True)
    ]
    p_none = mass_none / denominator
    best = ranked[0]
    runner_up = max(ranked[1].peso if len(ranked) > 1 else -math.inf, params.w_nenhum)
    margin = best.peso - runner_up
    shown = tuple(ranked[: params.top]) + tuple(vetoed[: max(0, params.top - len(ranked))])
    common = {"uc_id": unit.uc_id, "candidatos": shown, "vetados": len(vetoed), "total": total, "p_nenhum": p_none}
    discriminates = any((name, level) in _DISCRIMINA for name, level in best.campos.items())
    if best.probabilidade >= params.p_sucesso and margin >= params.margem_sucesso and discriminates:
        return Decisao(
            resultado=SUCCESS, cnpj=best.cnpj, cnpj_basico=best.cnpj_basico, probabilidade=best.probabilidade,
            margem=margin, **common,
        )  # fmt: skip
    company: dict[str, float] = defaultdict(float)
    for a in ranked:
        company[a.cnpj_basico] += a.probabilidade
    basico, p_company = max(company.items(), key=lambda kv: (kv[1], kv[0]))
    if p_company >= params.p_sucesso and len([a for a in ranked if a.cnpj_basico == basico]) > 1:
        return Decisao(
            resultado=PARTIAL, motivo="estabelecimento_ambiguo", cnpj_basico=basico, probabilidade=p_company,
            margem=margin, **common,
        )  # fmt: skip
    if best.probabilidade >= params.p_parcial:
        return Decisao(
            resultado=PARTIAL, motivo="pouco_claro", cnpj_basico=None, probabilidade=best.probabilidade,
            margem=margin, **common,
        )  # fmt: skip
    if best.campos["cep"] == "generico" and not discriminates:
        reason = "cep_generico"
    elif len(ranked) > 1 and best.peso - ranked[1].peso < 1.0 and best.peso > params.w_nenhum:
        reason = "ambiguo"
    else:
        reason = "nenhum_provavel"
    return Decisao(resultado=FAILED, motivo=reason, probabilidade=best.probabilidade, margem=margin, **common)


@dataclass
class _Claim:
    ceps: set[str | None] = field(default_factory=set)
    units: list[int] = field(default_factory=list)


def decide_all(pairs: Iterable[tuple[Unidade, Sequence[Candidato]]], params: Parametros | None = None) -> list[Decisao]:
    """Every unit's decision, then the guard across units: a CNPJ claimed by successes in different CEPs
    is ambiguous for each of them (partial, `cnpj_compartilhado`, its company kept)."""
    params = params or Parametros()
    decisions: list[Decisao] = []
    claims: dict[str, _Claim] = defaultdict(_Claim)
    for unit, candidates in pairs:
        decision = decide(unit, candidates, params)
        if decision.resultado == SUCCESS and decision.cnpj:
            claims[decision.cnpj].ceps.add(unit.cep)
            claims[decision.cnpj].units.append(len(decisions))
        decisions.append(decision)
    for claim in claims.values():
        if len(claim.ceps) > 1:
            for i in claim.units:
                d = decisions[i]
                decisions[i] = replace(d, resultado=PARTIAL, motivo="cnpj_compartilhado", cnpj=None)
    return decisions


# --- CCEE free-market loads ---------------------------------------------------------------------------

# CCEE's activity branches (RAMO_ATIVIDADE) by CNAE division: a load whose branch is not among its
# unit's is not that unit's. Branches are compared folded (no accents, upper case) by their first word.
_RAMOS_POR_DIVISAO: dict[str, tuple[str, ...]] = {
    **{d: ("EXTRACAO", "MINERAIS") for d in ("05", "06", "07", "08", "09")},
    "10": ("ALIMENTICIOS",), "11": ("BEBIDAS",), "12": ("MANUFATURADOS",),
    **{d: ("TEXTEIS", "MANUFATURADOS") for d in ("13", "14", "15")},
    **{d: ("MADEIRA",) for d in ("16", "17")}, "18": ("MANUFATURADOS",),
    **{d: ("QUIMICOS",) for d in ("19", "20", "21")}, "22": ("QUIMICOS", "MANUFATURADOS"),
    "23": ("MINERAIS",), **{d: ("METALURGIA",) for d in ("24", "25")},
    **{d: ("MANUFATURADOS",) for d in ("26", "27", "28", "31", "32", "33")},
    **{d: ("VEICULOS",) for d in ("29", "30")},
    **{d: ("SANEAMENTO",) for d in ("36", "37", "38", "39")},
    **{d: ("COMERCIO",) for d in ("45", "46", "47")},
    **{d: ("TRANSPORTE",) for d in ("49", "50", "51", "52", "53")},
    "61": ("TELECOMUNICACOES", "SERVICOS"),
}  # fmt: skip


def ramo_compativel(cnae: str | None, ramo: str | None) -> bool:
    """Whether a CCEE branch can be a unit's with this CNAE (unknown either way: it can)."""
    if not cnae or not ramo:
        return True
    word = bairro_norm(ramo)
    if word is None:
        return True
    first = word.split()[0]
    # Services take every division not listed (agriculture, energy, construction, lodging, offices...).
    allowed = _RAMOS_POR_DIVISAO.get(cnae[:2], ("SERVICOS",))
    return first in allowed


@dataclass(frozen=True)
class Carga:
    """A CCEE free-market load of the unit's municipality."""

    cnpj: str
    ramo: str | None
    capacidade_kw: float | None
    data_migracao: date | None = None
    nome: str | None = None


@dataclass(frozen=True)
class UnidadeGrupoA:
    uc_id: int
    cnae: str | None
    demanda_kw: float | None
    livre_bdgd: bool


@dataclass(frozen=True)
class DecisaoCcee:
    uc_id: int
    resultado: str
    motivo: str | None
    cnpj: str | None
    candidatos: tuple[Carga, ...]
    data_migracao: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "metodo": "ccee",
            "versao": VERSAO,
            "motivo": self.motivo,
            "cnpj": self.cnpj,
            "nome": next((c.nome for c in self.candidatos if c.cnpj == self.cnpj), None) if self.cnpj else None,
            "data_migracao": self.data_migracao.isoformat() if self.data_migracao else None,
            "n_candidatos": len(self.candidatos),
            "candidatos": [
                {"cnpj": c.cnpj, "nome": c.nome, "ramo": c.ramo, "capacidade_kw": c.capacidade_kw}
                for c in self.candidatos[:5]
            ],
        }


def capacidade_compativel(demanda_kw: float | None, capacidade_kw: float | None, fator: float) -> bool:
    """A load's capacity within `fator` of the unit's demand, either way (unknown: compatible)."""
    if not demanda_kw or not capacidade_kw:
        return True
    return 1 / fator <= capacidade_kw / demanda_kw <= fator


def decide_ccee(units: Sequence[UnidadeGrupoA], loads: Sequence[Carga]) -> list[DecisaoCcee]:
    """Grupo A units of one municipality against its CCEE loads: a unit gets a CNPJ when the loads of one
    CNPJ alone survive the branch and capacity checks and no other unit of the municipality claims that
    CNPJ alone too. A unit the BDGD does not mark free needs a known capacity within a factor of 2 of
    its demand (a false match would hide a migration lead); a free one, within 3."""
    survivors: list[tuple[UnidadeGrupoA, list[Carga]]] = []
    for unit in units:
        if unit.livre_bdgd:
            kept = [c for c in loads if ramo_compativel(unit.cnae, c.ramo)
                    and capacidade_compativel(unit.demanda_kw, c.capacidade_kw, 3.0)]  # fmt: skip
        else:
            kept = [c for c in loads if ramo_compativel(unit.cnae, c.ramo) and unit.demanda_kw and c.capacidade_kw
                    and capacidade_compativel(unit.demanda_kw, c.capacidade_kw, 2.0)]  # fmt: skip
        survivors.append((unit, kept))
    sole: dict[str, int] = defaultdict(int)
    for _, kept in survivors:
        if len({c.cnpj for c in kept}) == 1:
            sole[kept[0].cnpj] += 1
    decisions = []
    for unit, kept in survivors:
        cnpjs = {c.cnpj for c in kept}
        if not loads:
            decisions.append(DecisaoCcee(unit.uc_id, FAILED, "sem_cargas_no_municipio", None, ()))
        elif not kept:
            decisions.append(DecisaoCcee(unit.uc_id, FAILED, "sem_carga_compativel", None, ()))
        elif len(cnpjs) == 1 and sole[kept[0].cnpj] == 1:
            migrated = min((c.data_migracao for c in kept if c.data_migracao), default=None)
            decisions.append(DecisaoCcee(unit.uc_id, SUCCESS, None, kept[0].cnpj, tuple(kept), migrated))
        elif len(cnpjs) == 1:
            decisions.append(DecisaoCcee(unit.uc_id, PARTIAL, "carga_disputada", None, tuple(kept)))
        else:
            decisions.append(DecisaoCcee(unit.uc_id, PARTIAL, "ambiguo", None, tuple(kept)))
    return decisions
