"""Lead scores for the four offers, vectorised over a frame of units (pure: pandas and numpy, no Django).

Each offer gives, per unit, an eligibility gate, a value in R$ a year and a 0–100 score built from
clipped, normalised components, with reason codes; the inputs and intermediates go to `detalhe`. The
formulas follow the spec (docs/scoring.md), version `VERSAO`:

- Migração ACL: savings of buying energy at a contract price instead of the distributor's TE (TUSD is
  paid either way); score 55 % rank of the savings, 15 % size, 10 % load factor, 20 % propensity.
- Arbitragem: a battery charged off-peak and discharged in the 3-hour peak; value τ·g·E_shift minus
  the cycling cost, payback = battery cost / value; score 50 % payback band, 20 % peak load factor,
  15 % peak energy, 15 % segment fit. A unit with almost nothing in the peak and a large demand is a
  "replace the diesel in the peak" lead, valued on the diesel it avoids.
- Backup: energy not supplied (DIC × mean power) at the value of lost load plus a cost per interruption
  (FIC); score 35 % DIC rank within its electrical set, 20 % FIC rank, 25 % criticality, 20 % value.
- GTD (large accounts: government, agribusiness, large clients): 100 × the account type × size.

Ranks are percentiles within distributor × year, so a score says how a unit compares to its peers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

VERSAO = "2026.12"
HORAS_ANO = 8760
HORAS_PONTA = 3
# Peak share when no curve describes the unit: a flat profile (3 of 24 hours on 22 of 30 days).
PONTA_PRESUMIDA = 3 / 24 * 22 / 30
# Since 1 Jan 2024 every Grupo A unit may migrate (Portaria MME 50/2022); Lei 15.269/2025 opens low
# voltage to commerce and industry within 24 months and to everyone else within 36.
ACL_GRUPO_A = date(2024, 1, 1)
ACL_BT_COMERCIO_INDUSTRIA = date(2027, 11, 1)
ACL_BT_DEMAIS = date(2028, 11, 1)
VAREJISTA_ABAIXO_KW = 500.0
# Segments where an hour of the peak shifted pays most (two shifts, cold chain, retail) and those where
# an outage costs most (health, data, water).
SEGMENTOS_ARBITRAGEM = {"varejo": 1.0, "hotelaria_alimentacao": 1.0, "industria_alimentos": 1.0, "saude": 0.8,
                        "tic_datacenter": 0.8, "industria_transformacao": 0.7, "industria_intensiva": 0.7,
                        "atacado_logistica": 0.7}  # fmt: skip
CNAE_CRITICOS = ("86", "6110", "6120", "6130", "6190", "631", "36", "37", "1011", "1012", "1013", "4634", "4711",
                 "1052", "1051")  # fmt: skip
SEGMENTOS_CRITICOS = {"saude": 1.0, "tic_datacenter": 1.0, "saneamento": 1.0, "industria_alimentos": 0.8,
                      "varejo": 0.6, "hotelaria_alimentacao": 0.6}  # fmt: skip
OFERTAS = ("acl", "arbitragem", "backup", "gtd")
# A unit's best offer is named only when its score reaches this: below, no offer stands out.
MELHOR_OFERTA_MINIMO = 40


@dataclass(frozen=True)
class Parametros:
    """Everything the formulas take besides the unit (leads.models.ParametrosScore holds the values)."""

    preco_energia_livre: float = 230.0  # R$/MWh
    encargos_acl: float = 25.0  # R$/MWh
    taxa_varejista: float = 1500.0  # R$/month
    icms: float = 0.18
    pis_cofins: float = 0.0925
    custo_bess: float = 3000.0  # R$/kWh
    eficiencia: float = 0.88
    profundidade: float = 0.9
    dias_uteis: int = 250
    custo_ciclo: float = 0.05  # R$/kWh
    bess_minimo_kwh: float = 100.0
    custo_diesel: float = 1.60  # R$/kWh
    voll_critico: float = 25.0  # R$/kWh
    voll_comum: float = 8.0
    custo_evento_critico: float = 12.0  # R$/kW per interruption
    custo_evento_comum: float = 3.0
    tarifa_ponta: float = 2100.0  # R$/MWh, TUSD + TE
    tarifa_fora_ponta: float = 480.0
    te_ponta: float = 450.0
    te_fora_ponta: float = 280.0

    @property
    def tau(self) -> float:
        """Gross-up of a tariff for ICMS and PIS/COFINS."""
        return 1 / ((1 - self.icms) * (1 - self.pis_cofins))

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


# Columns the frame of units must have (services.score_refresh reads them from the database).
COLUNAS = (
    "uc_id", "distribuidora_id", "ano", "camada", "grupo_tensao", "classe", "cnae", "segmento", "municipio",
    "conj", "livre", "gd", "energia", "demanda_pico", "demanda_contratada", "media_dic", "media_fic",
    "situacao", "energia_ponta_ucat", "ponta_curva", "pico_ponta_curva", "tarifa_ponta", "tarifa_fora_ponta",
    "te_ponta", "te_fora_ponta", "fonte_tarifa",
)  # fmt: skip


def _rank(values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Percentile (0–1] of each value within its group; NaN stays NaN."""
    return values.groupby(groups).rank(pct=True, method="average")


def _clip01(values: Any) -> Any:
    return np.clip(values, 0.0, 1.0)


def _banda_payback(anos: pd.Series) -> pd.Series:
    """≤ 5 years → 1, 8 → 0.5, ≥ 12 → 0, linear between."""
    out = np.where(anos <= 5, 1.0, np.where(anos <= 8, 1 - 0.5 * (anos - 5) / 3, 0.5 - 0.5 * (anos - 8) / 4))
    return pd.Series(_clip01(np.nan_to_num(out, nan=0.0)), index=anos.index)


ENTRADAS_NUMERICAS = (
    "demanda_pico", "demanda_contratada", "media_dic", "media_fic", "energia_ponta_ucat", "ponta_curva",
    "pico_ponta_curva", "tarifa_ponta", "tarifa_fora_ponta", "te_ponta", "te_fora_ponta",
)  # fmt: skip


def por_codigo(codes: pd.Series, test: Any, default: Any) -> NDArray[Any]:
    """`test` applied to each distinct code (a few hundred), then spread to the units: string work on
    the categories, not on a million strings. A missing code gives `default`."""
    categorical = codes if isinstance(codes.dtype, pd.CategoricalDtype) else codes.astype("category")
    values = np.array([test(str(c)) for c in categorical.cat.categories] + [default])
    return values[categorical.cat.codes.to_numpy()]  # code -1 (missing) takes the last value, the default


def _digitos(code: str) -> str:
    return code.replace("-", "").replace("/", "").replace(".", "")


def pontuar(units: pd.DataFrame, p: Parametros) -> pd.DataFrame:
    """Scores, values and reasons of every unit of `units` (columns COLUNAS); one row per unit, same index.

    Reason codes are bits (`razoes_bits`, see `razoes`); the intermediates are columns (DETALHE). Inputs,
    tariffs and ratios are single precision and intermediates are dropped as each offer is done, so a
    million units fit in a few hundred MB; energy, demand and the R$ figures stay double (to the cent)."""
    # Columns by name, the numeric ones in single precision: no copy of the whole frame.
    index = units.index
    u = {c: units[c].astype(np.float32) if c in ENTRADAS_NUMERICAS else units[c] for c in units.columns}
    groups = [u["distribuidora_id"], u["ano"]]
    energia = u["energia"].astype(float)  # R$ figures to the cent need energy in double precision
    desativada = u["situacao"].astype(object).eq("DS")
    sem_energia = energia.isna() | (energia <= 0) | desativada
    e = energia.fillna(0.0).clip(lower=0.0)
    grupo_a = u["grupo_tensao"].isin(["MT", "AT"])
    livre = u["livre"].fillna(False).astype(bool)
    gd = u["gd"].fillna(False).astype(bool)
    demanda = u["demanda_contratada"].where(u["demanda_contratada"] > 0).fillna(u["demanda_pico"]).astype(float)
    pico = u["demanda_pico"].where(u["demanda_pico"] > 0).fillna(demanda).astype(float)
    fator_carga = pd.Series(_clip01(e / (HORAS_ANO * pico)), index=index).fillna(0.0)

    # Peak share: UCAT publishes its peak energy; other units take their typical curve's; else flat.
    ponta_ucat = (u["energia_ponta_ucat"] / energia).where(u["camada"].eq("UCAT") & u["energia_ponta_ucat"].notna())
    share = ponta_ucat.fillna(u["ponta_curva"])
    fonte_ponta = pd.Categorical.from_codes(
        np.where(ponta_ucat.notna(), 0, np.where(u["ponta_curva"].notna(), 1, 2)), ["ucat", "curva", "presumida"]
    )
    share = share.fillna(PONTA_PRESUMIDA).clip(0.0, 1.0)
    e_ponta = share * e
    pico_ponta = pico * u["pico_ponta_curva"].fillna(1.0).clip(0.0, 1.0)
    fator_ponta = pd.Series(_clip01(e_ponta / (pico_ponta * HORAS_PONTA * p.dias_uteis)), index=index).fillna(0)
    del energia, ponta_ucat, pico_ponta  # intermediates go as soon as they are used: a million units' each

    # Tariffs in R$/kWh: the distributor's in force, else the parameters' (flagged).
    tarifa_p = u["tarifa_ponta"].fillna(p.tarifa_ponta) / 1000
    tarifa_fp = u["tarifa_fora_ponta"].fillna(p.tarifa_fora_ponta) / 1000
    te_p = u["te_ponta"].fillna(p.te_ponta) / 1000
    te_fp = u["te_fora_ponta"].fillna(p.te_fora_ponta) / 1000
    tarifa_padrao = u["tarifa_ponta"].isna()
    tau = p.tau

    # --- Migração ACL -------------------------------------------------------------------------------
    comercio_industria = pd.Series(por_codigo(u["classe"], lambda c: c[:2] in ("CO", "IN"), False), index=index)
    desde = pd.Series(ACL_BT_DEMAIS, index=index, dtype=object)
    desde[comercio_industria] = ACL_BT_COMERCIO_INDUSTRIA
    desde[grupo_a] = ACL_GRUPO_A
    contrato = (p.preco_energia_livre + p.encargos_acl) / 1000 / (1 - p.icms)
    economia = tau * (te_p * e_ponta + te_fp * (e - e_ponta)) - e * contrato - 12 * p.taxa_varejista
    economia = economia.where(~livre & ~sem_energia)
    tamanho = _rank(e.where(~livre), groups).fillna(0.0).where(demanda < VAREJISTA_ABAIXO_KW, 1.0)
    propensao = 0.5  # CCEE migrations of the same activity and place: 0.5 until they are loaded
    acl = 55 * _rank(economia, groups).fillna(0.0) + 15 * tamanho + 10 * fator_carga + 20 * propensao
    acl = acl.where(economia > 0, acl * 0.3)
    acl = acl * np.where(grupo_a, 1.0, np.where(comercio_industria, 0.6, 0.4))
    acl = (acl * np.where(gd, 0.2, 1.0)).where(~livre & ~sem_energia)
    del tamanho, te_p, te_fp

    # --- Arbitragem ------------------------------------------------------------------------------------
    bateria = e_ponta / p.dias_uteis / p.profundidade  # kWh to carry a weekday's peak
    ganho = tarifa_p - tarifa_fp / p.eficiencia  # R$ per kWh moved out of the peak
    deslocada = np.minimum(e_ponta, bateria * p.profundidade * p.dias_uteis)
    margem = tau * ganho * deslocada - p.custo_ciclo * deslocada
    diesel = (share < 0.02) & (demanda >= 100) & grupo_a
    energia_diesel = pico * fator_carga * HORAS_PONTA * p.dias_uteis
    bateria = bateria.where(~diesel, energia_diesel / p.dias_uteis / p.profundidade)
    margem = margem.where(~diesel, energia_diesel * (p.custo_diesel - tau * tarifa_fp / p.eficiencia))
    pequena = bateria * p.profundidade < p.bess_minimo_kwh
    payback = (bateria * p.custo_bess / margem).where(margem > 0)
    encaixe = por_codigo(u["segmento"], lambda c: SEGMENTOS_ARBITRAGEM.get(c, 0.4), 0.4)
    arb = 50 * _banda_payback(payback) + 20 * np.where(diesel, fator_carga, fator_ponta)
    arb = arb + 15 * _rank(e_ponta.where(~pequena), groups).fillna(0.0) + 15 * encaixe
    arb = (arb * np.where(grupo_a, 1.0, 0.5)).where(~pequena & ~sem_energia)
    margem = margem.where(~pequena & ~sem_energia)
    del deslocada, energia_diesel, encaixe

    # --- Backup ----------------------------------------------------------------------------------------
    dic_ano = u["media_dic"] * 12
    fic_ano = u["media_fic"] * 12
    por_conj = [u["distribuidora_id"], u["ano"], u["conj"].fillna(-1)]
    dic_estimado = dic_ano.isna()
    dic_ano = dic_ano.fillna(dic_ano.groupby(por_conj).transform("median")).fillna(0.0)
    fic_ano = fic_ano.fillna(fic_ano.groupby(por_conj).transform("median")).fillna(0.0)
    critico_cnae = por_codigo(u["cnae"], lambda c: _digitos(c).startswith(CNAE_CRITICOS), False)
    criticidade = pd.Series(
        np.where(critico_cnae, 1.0, por_codigo(u["segmento"], lambda c: SEGMENTOS_CRITICOS.get(c, 0.3), 0.3)),
        index=index,
    )
    potencia_media = e / HORAS_ANO
    voll = np.where(criticidade >= 0.8, p.voll_critico, p.voll_comum)
    evento = np.where(criticidade >= 0.8, p.custo_evento_critico, p.custo_evento_comum)
    nao_suprida = dic_ano * potencia_media
    valor_backup = (nao_suprida * voll + fic_ano * evento * potencia_media).where(~sem_energia)
    # A battery that rides through outages is worth offering where there is load to carry: a home's
    # 0.2 kW scores a fifth of a shop's 10 kW or more.
    porte = pd.Series(np.clip(0.4 + 0.3 * np.log10(np.maximum(potencia_media, 0.1)), 0.2, 1.0), index=index)
    backup = 35 * _rank(dic_ano, por_conj) + 20 * _rank(fic_ano, por_conj)
    backup = backup + 25 * criticidade + 20 * _rank(valor_backup, groups).fillna(0.0)
    backup = (backup * porte).where(~sem_energia)
    del potencia_media, voll, evento, critico_cnae, por_conj

    # --- GTD -------------------------------------------------------------------------------------------
    governo = pd.Series(
        por_codigo(u["classe"], lambda c: c[:2] in ("PP", "SP", "IP"), False)
        | por_codigo(u["cnae"], lambda c: _digitos(c).startswith(("84", "36", "37")), False),
        index=index,
    )
    agro = pd.Series(
        por_codigo(u["classe"], lambda c: c.startswith("RU"), False)
        | por_codigo(u["cnae"], lambda c: _digitos(c).startswith(("01", "02", "03", "10", "11")), False),
        index=index,
    )
    grande = u["camada"].eq("UCAT") | (demanda >= 1000) | (e >= 1e6)
    conta = np.maximum.reduce([governo * 0.9, agro * 0.8, grande * 1.0])
    gtd = (100 * conta * (0.5 + 0.5 * _rank(e, groups).fillna(0.0))).where(~sem_energia)
    valor_gtd = (margem.fillna(0.0) + valor_backup.fillna(0.0)).where(conta > 0)

    # Columns gathered first and framed once at the end (no repeated consolidation of a growing frame).
    out: dict[str, Any] = {}
    out["uc_id"] = u["uc_id"]
    out["score_acl"] = acl.round()
    out["valor_acl"] = economia.round(2)
    out["elegivel_acl_desde"] = desde.where(~livre)
    out["score_arbitragem"] = arb.round()
    out["valor_arbitragem"] = margem.round(2)
    out["payback_arbitragem"] = payback.where(~pequena).round(2)
    out["score_backup"] = backup.round()
    out["valor_backup"] = valor_backup.round(2)
    out["score_gtd"] = gtd.round()
    out["valor_gtd"] = valor_gtd.round(2)
    filled = np.nan_to_num(np.column_stack([out[f"score_{o}"].to_numpy() for o in OFERTAS]), nan=-1.0)
    best = filled.argmax(axis=1)
    strong = filled[np.arange(len(filled)), best] >= MELHOR_OFERTA_MINIMO
    out["melhor_oferta"] = pd.Categorical.from_codes(np.where(strong, best, -1), list(OFERTAS))

    # Reasons as bits (one per offer and code, RAZOES_BITS), computed for every unit at once.
    neutral = ~sem_energia
    presumed = pd.Series(np.asarray(fonte_ponta == "presumida"), index=index)
    flags = {
        ("*", "sem_consumo"): sem_energia & ~desativada,
        ("*", "desativada"): desativada,
        ("acl", "ja_livre"): neutral & livre,
        ("acl", "elegivel_via_varejista"): neutral & ~livre & grupo_a & (demanda < VAREJISTA_ABAIXO_KW),
        ("acl", "elegivel_agente_proprio"): neutral & ~livre & grupo_a & ~(demanda < VAREJISTA_ABAIXO_KW),
        ("acl", "bt_comercio_industria_2027"): neutral & ~livre & ~grupo_a & comercio_industria,
        ("acl", "bt_demais_2028"): neutral & ~livre & ~grupo_a & ~comercio_industria,
        ("acl", "gd_compensacao"): neutral & ~livre & gd,
        ("acl", "sem_economia"): neutral & ~livre & ~(economia > 0),
        ("acl", "propensao_sem_ccee"): neutral & ~livre,
        ("acl", "perfil_presumido"): neutral & presumed,
        ("acl", "tarifa_padrao"): neutral & tarifa_padrao,
        ("arbitragem", "ponta_pequena"): neutral & pequena,
        ("arbitragem", "substituir_diesel_na_ponta"): neutral & ~pequena & diesel,
        ("arbitragem", "bt_tarifa_branca"): neutral & ~grupo_a,
        ("arbitragem", "sem_margem"): neutral & ~pequena & payback.isna(),
        ("arbitragem", "perfil_presumido"): neutral & presumed,
        ("arbitragem", "tarifa_padrao"): neutral & tarifa_padrao,
        ("backup", "dic_estimado"): neutral & dic_estimado,
        ("backup", "carga_critica"): neutral & (criticidade >= 0.8),
        ("backup", "carga_pequena"): neutral & (porte < 0.5),
        ("gtd", "governo"): neutral & governo,
        ("gtd", "agro"): neutral & agro,
        ("gtd", "grande_cliente"): neutral & grande,
        ("gtd", "fora_do_segmento"): neutral & ~(governo | agro | grande),
    }
    assert list(flags) == RAZOES_BITS
    bits = np.zeros(len(index), dtype=np.int64)
    for i, mask in enumerate(flags.values()):
        bits |= np.asarray(mask, dtype=bool).astype(np.int64) << i
    out["razoes_bits"] = bits
    out["energia_kwh"] = e.round(1)
    out["ponta"] = share.round(4)
    out["energia_ponta_kwh"] = e_ponta.round(1)
    out["fonte_ponta"] = fonte_ponta
    out["fator_carga"] = fator_carga.round(3)
    out["fator_carga_ponta"] = fator_ponta.round(3)
    out["demanda_kw"] = demanda.round(1)
    out["bateria_kwh"] = bateria.round(1)
    out["ganho_rs_kwh"] = ganho.round(4)
    out["tarifa_ponta_rs_kwh"] = tarifa_p.round(4)
    out["tarifa_fora_ponta_rs_kwh"] = tarifa_fp.round(4)
    fonte_tarifa = u["fonte_tarifa"].astype("category").cat.add_categories(["parametros", "aneel"])
    out["fonte_tarifa"] = fonte_tarifa.fillna("aneel").where(~tarifa_padrao, "parametros")
    out["dic_ano_h"] = dic_ano.round(3)
    out["fic_ano"] = fic_ano.round(3)
    out["energia_nao_suprida_kwh"] = nao_suprida.round(2)
    out["criticidade"] = criticidade.round(2)
    # Scores and ratios need no more than single precision; energies and R$ keep double.
    for name in (
        "score_acl",
        "score_arbitragem",
        "score_backup",
        "score_gtd",
        "ponta",
        "fator_carga",
        "fator_carga_ponta",
        "ganho_rs_kwh",
        "tarifa_ponta_rs_kwh",
        "tarifa_fora_ponta_rs_kwh",
        "criticidade",
    ):
        out[name] = out[name].astype(np.float32)
    return pd.DataFrame(out, index=index, copy=False)


# The reason codes, one bit each (`razoes_bits`), in this order; "*" applies to every offer.
RAZOES_BITS = [
    ("*", "sem_consumo"), ("*", "desativada"),
    ("acl", "ja_livre"), ("acl", "elegivel_via_varejista"), ("acl", "elegivel_agente_proprio"),
    ("acl", "bt_comercio_industria_2027"), ("acl", "bt_demais_2028"), ("acl", "gd_compensacao"),
    ("acl", "sem_economia"), ("acl", "propensao_sem_ccee"), ("acl", "perfil_presumido"), ("acl", "tarifa_padrao"),
    ("arbitragem", "ponta_pequena"), ("arbitragem", "substituir_diesel_na_ponta"), ("arbitragem", "bt_tarifa_branca"),
    ("arbitragem", "sem_margem"), ("arbitragem", "perfil_presumido"), ("arbitragem", "tarifa_padrao"),
    ("backup", "dic_estimado"), ("backup", "carga_critica"), ("backup", "carga_pequena"),
    ("gtd", "governo"), ("gtd", "agro"), ("gtd", "grande_cliente"), ("gtd", "fora_do_segmento"),
]  # fmt: skip
# The intermediates a unit's detail shows (columns of `pontuar`'s result and of lead_score).
DETALHE = (
    "energia_kwh", "ponta", "energia_ponta_kwh", "fonte_ponta", "fator_carga", "fator_carga_ponta", "demanda_kw",
    "bateria_kwh", "ganho_rs_kwh", "tarifa_ponta_rs_kwh", "tarifa_fora_ponta_rs_kwh", "fonte_tarifa", "dic_ano_h",
    "fic_ano", "energia_nao_suprida_kwh", "criticidade",
)  # fmt: skip


def razoes(bits: int) -> dict[str, list[str]]:
    """The reason codes per offer that `bits` holds."""
    out: dict[str, list[str]] = {oferta: [] for oferta in OFERTAS}
    for i, (oferta, code) in enumerate(RAZOES_BITS):
        if bits >> i & 1:
            for target in OFERTAS if oferta == "*" else (oferta,):
                out[target].append(code)
    return out


RAZOES = {
    "ja_livre": "já é consumidor livre",
    "elegivel_via_varejista": "pode migrar já, por meio de um comercializador varejista (abaixo de 500 kW)",
    "elegivel_agente_proprio": "pode migrar já, inclusive como agente próprio (500 kW ou mais)",
    "bt_comercio_industria_2027": "baixa tensão comercial/industrial: poderá migrar por volta de nov/2027",
    "bt_demais_2028": "baixa tensão: poderá migrar por volta de nov/2028",
    "gd_compensacao": "tem geração distribuída na compensação: a migração exige rever a GD",
    "sem_economia": "ao preço de contrato dos parâmetros não haveria economia",
    "propensao_sem_ccee": "propensão neutra (migrações da CCEE ainda não carregadas)",
    "perfil_presumido": "sem curva típica: ponta presumida de um perfil plano",
    "tarifa_padrao": "sem tarifa da ANEEL em vigor para a distribuidora: tarifa padrão dos parâmetros",
    "sem_consumo": "sem consumo no ano",
    "desativada": "unidade desativada",
    "ponta_pequena": "consumo na ponta pequeno demais para a bateria mínima",
    "substituir_diesel_na_ponta": "quase nada na ponta com demanda alta: provável gerador a diesel a substituir",
    "bt_tarifa_branca": "baixa tensão: só com tarifa branca",
    "sem_margem": "a diferença de tarifa não paga o ciclo da bateria",
    "dic_estimado": "sem DIC publicado: mediana do conjunto",
    "carga_critica": "atividade em que a interrupção custa caro",
    "carga_pequena": "carga média pequena para uma bateria de backup",
    "governo": "poder público",
    "agro": "agronegócio",
    "grande_cliente": "grande cliente",
    "fora_do_segmento": "fora de governo, agro e grandes clientes",
}


def _mil(reais: float) -> str:
    from youon import formatos

    if abs(reais) >= 1e6:
        return f"R$ {formatos.numero(reais / 1e6, 1)} milhões"
    if abs(reais) >= 1e3:
        return f"R$ {formatos.numero(reais / 1e3)} mil"
    return f"R$ {formatos.numero(reais)}"


def explicar(oferta: str, score: dict[str, Any], detalhe: dict[str, Any], razoes: list[str]) -> str:
    """One paragraph a salesperson can read: what the unit consumes, why it is (not) a lead for the
    offer, and the value in R$ a year."""
    from youon import formatos

    energia = detalhe.get("energia_kwh") or 0.0
    ponta = detalhe.get("ponta") or 0.0
    partes = [f"consome {formatos.energia(energia / 12)}/mês, {formatos.numero((1 - ponta) * 100)} % fora da ponta"]
    valor = score.get(f"valor_{oferta}")
    if oferta == "acl":
        desde = score.get("elegivel_acl_desde")
        if desde:
            partes.append(f"elegível ao mercado livre desde {desde:%m/%Y}" if hasattr(desde, "strftime") else "")
        if valor is not None and valor > 0:
            partes.append(f"economia estimada {_mil(valor)}/ano")
    elif oferta == "arbitragem":
        if detalhe.get("bateria_kwh"):
            partes.append(f"bateria de cerca de {formatos.numero(detalhe['bateria_kwh'])} kWh")
        if valor is not None and valor > 0:
            partes.append(f"margem estimada {_mil(valor)}/ano")
        payback = score.get("payback_arbitragem")
        if payback is not None:
            partes.append(f"payback de {formatos.numero(payback, 1)} anos")
    elif oferta == "backup":
        partes.append(
            f"DIC {formatos.horas(detalhe.get('dic_ano_h'))}/ano e FIC {formatos.vezes(detalhe.get('fic_ano'))}/ano"
        )
        if valor is not None and valor > 0:
            partes.append(f"custo evitado estimado {_mil(valor)}/ano")
    elif oferta == "gtd" and valor:
        partes.append(f"valor somado de arbitragem e backup {_mil(valor)}/ano")
    partes += [RAZOES.get(code, code) for code in razoes]
    texto = "; ".join(p for p in partes if p)
    return texto[:1].upper() + texto[1:] + "."


def dias_do_ano(ano: int) -> dict[str, int]:
    """Weekdays, Saturdays and Sundays of a year (DU, SA, DO)."""
    counts = {"DU": 0, "SA": 0, "DO": 0}
    first = date(ano, 1, 1).toordinal()
    for ordinal in range(first, date(ano + 1, 1, 1).toordinal()):
        weekday = date.fromordinal(ordinal).weekday()
        counts["DU" if weekday < 5 else "SA" if weekday == 5 else "DO"] += 1
    return counts


def ponta_da_curva(curvas: dict[str, list[float]], *, inicio_h: float, fim_h: float, ano: int) -> tuple[float, float]:
    """(peak share, peak ratio) of a typical curve (day type → 96 quarter-hour kW) over a weekday window.

    Share: the year's weekday energy in the window over the year's energy (a day type the curve lacks
    is taken as its weekday). Ratio: the window's highest quarter hour over the curve's highest."""
    du = np.asarray(curvas["DU"], dtype=float)
    sa = np.asarray(curvas.get("SA", du), dtype=float)
    do = np.asarray(curvas.get("DO", du), dtype=float)
    window = slice(round(inicio_h * 4), round(fim_h * 4))
    n = dias_do_ano(ano)
    total = n["DU"] * du.sum() + n["SA"] * sa.sum() + n["DO"] * do.sum()
    highest = max(du.max(), sa.max(), do.max())
    if total <= 0 or highest <= 0:
        return float("nan"), float("nan")
    return float(n["DU"] * du[window].sum() / total), float(du[window].max() / highest)
