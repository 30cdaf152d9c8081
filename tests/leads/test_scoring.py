"""The scoring formulas on hand-computed units (leads.scoring is pure: no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
import pytest

from leads import scoring

TAU = 1 / ((1 - 0.18) * (1 - 0.0925))  # ICMS 18 %, PIS/COFINS 9.25 %
# The constructed A4 Verde rows of tests/fixtures/aneel (R$/MWh): TUSD + TE in and out of the peak, TE alone.
A4_VERDE = {"tarifa_ponta": 1234.56 + 498.21, "tarifa_fora_ponta": 98.76 + 301.45, "te_ponta": 498.21,
            "te_fora_ponta": 301.45, "fonte_tarifa": "ANEEL MUX ENERGIA A4 Verde"}  # fmt: skip


def unit(**values: Any) -> dict[str, Any]:
    """An active MT commercial unit of 600 MWh a year, 10 % of it in the peak (from its curve)."""
    base: dict[str, Any] = {
        "uc_id": 1, "distribuidora_id": 401, "ano": 2024, "camada": "UCMT", "grupo_tensao": "MT", "classe": "CO1",
        "cnae": "4711-3/02", "segmento": "varejo", "municipio": "4320909", "conj": 1, "livre": False, "gd": False,
        "energia": 600_000.0, "demanda_pico": 150.0, "demanda_contratada": 150.0, "media_dic": 0.5,
        "media_fic": 0.25, "situacao": "AT", "energia_ponta_ucat": None, "ponta_curva": 0.10,
        "pico_ponta_curva": 0.9, **A4_VERDE,
    }  # fmt: skip
    base.update(values)
    return base


def why(row: Any) -> dict[str, list[str]]:
    """The reason codes of a scored row, per offer."""
    return scoring.razoes(int(row["razoes_bits"]))


def score(*units: dict[str, Any], p: scoring.Parametros | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(list(units))
    for column in scoring.COLUNAS:
        if column not in frame:
            frame[column] = None
    numeric = ["energia", "demanda_pico", "demanda_contratada", "media_dic", "media_fic", "energia_ponta_ucat",
               "ponta_curva", "pico_ponta_curva", "tarifa_ponta", "tarifa_fora_ponta", "te_ponta",
               "te_fora_ponta"]  # fmt: skip
    frame[numeric] = frame[numeric].astype(float)
    return scoring.pontuar(frame, p or scoring.Parametros())


def test_acl_savings_are_the_te_replaced_by_the_contract_price() -> None:
    (row,) = score(unit()).to_dict("records")
    e, ponta = 600_000.0, 60_000.0
    expected = TAU * (0.49821 * ponta + 0.30145 * (e - ponta)) - e * (230 + 25) / 1000 / 0.82 - 12 * 1500
    assert row["valor_acl"] == pytest.approx(expected, abs=0.01)  # R$ 54,335/yr
    assert row["elegivel_acl_desde"] == date(2024, 1, 1)
    assert "elegivel_via_varejista" in why(row)["acl"]  # 150 kW: below 500 kW


def test_acl_eligibility_edges() -> None:
    rows = score(
        unit(uc_id=1, demanda_contratada=500.0),  # 500 kW: may act as its own agent
        unit(uc_id=2, grupo_tensao="BT", classe="CO1"),  # BT commerce: Lei 15.269, about Nov 2027
        unit(uc_id=3, grupo_tensao="BT", classe="RE1"),  # other BT: about Nov 2028
        unit(uc_id=4, livre=True),  # already free: no ACL score
        unit(uc_id=5, gd=True),  # GD in net metering: flagged, a fifth of the score
        unit(uc_id=6),
    ).set_index("uc_id")
    assert "elegivel_agente_proprio" in why(rows.loc[1])["acl"]
    assert rows.loc[2, "elegivel_acl_desde"] == date(2027, 11, 1) and rows.loc[3, "elegivel_acl_desde"] == date(
        2028, 11, 1
    )
    assert pd.isna(rows.loc[4, "score_acl"]) and why(rows.loc[4])["acl"] == ["ja_livre"]
    assert "gd_compensacao" in why(rows.loc[5])["acl"]
    assert rows.loc[5, "score_acl"] == pytest.approx(rows.loc[6, "score_acl"] * 0.2, abs=1)
    assert rows.loc[2, "score_acl"] < rows.loc[6, "score_acl"]  # later eligibility, lower priority


def test_arbitrage_value_and_payback_by_hand() -> None:
    (row,) = score(unit()).to_dict("records")
    ponta = 60_000.0
    gain = (1234.56 + 498.21) / 1000 - (98.76 + 301.45) / 1000 / 0.88  # R$ per kWh out of the peak
    margin = TAU * gain * ponta - 0.05 * ponta
    battery = ponta / 250 / 0.9  # kWh for a weekday's peak at 90 % depth
    assert row["valor_arbitragem"] == pytest.approx(margin, abs=0.01)
    assert row["payback_arbitragem"] == pytest.approx(battery * 3000 / margin, abs=0.01)  # 8.0 years
    assert row["bateria_kwh"] == pytest.approx(battery, abs=0.1)


def test_a4_verde_with_a_high_peak_load_factor_pays_back_in_epe_range_with_defaults() -> None:
    """EPE (PDE 2034/2035): a battery pays for A4 Verde units with a high peak load factor, in about 4–6
    years at R$ 2,000–3,000/kWh. The defaults (tariffs of the parameters) give 4.4 and 6.5 years."""
    anchor = unit(ponta_curva=0.12, pico_ponta_curva=0.95, demanda_pico=120.0, demanda_contratada=120.0,
                  tarifa_ponta=None, tarifa_fora_ponta=None, te_ponta=None, te_fora_ponta=None)  # fmt: skip
    cheap = score(anchor, p=replace(scoring.Parametros(), custo_bess=2000.0)).iloc[0]
    dear = score(anchor).iloc[0]
    assert dear["fator_carga_ponta"] > 0.8
    assert 4.0 <= cheap["payback_arbitragem"] <= 6.0
    assert 5.0 <= dear["payback_arbitragem"] <= 7.0
    assert "tarifa_padrao" in why(dear)["arbitragem"]


def test_ucat_uses_its_own_peak_split_and_a_unit_without_a_curve_a_presumed_one() -> None:
    rows = score(
        unit(uc_id=1, camada="UCAT", grupo_tensao="AT", energia_ponta_ucat=30_000.0, ponta_curva=None),
        unit(uc_id=2, ponta_curva=None, pico_ponta_curva=None),
    ).set_index("uc_id")
    assert rows.loc[1, "ponta"] == pytest.approx(0.05) and rows.loc[1, "fonte_ponta"] == "ucat"
    assert rows.loc[2, "ponta"] == pytest.approx(3 / 24 * 22 / 30, abs=1e-4)
    assert "perfil_presumido" in why(rows.loc[2])["arbitragem"]


def test_diesel_in_the_peak_and_a_peak_too_small_for_a_battery() -> None:
    rows = score(
        unit(uc_id=1, ponta_curva=0.005, demanda_contratada=400.0, demanda_pico=400.0),
        unit(uc_id=2, energia=20_000.0, grupo_tensao="BT", classe="RE1"),
    ).set_index("uc_id")
    assert "substituir_diesel_na_ponta" in why(rows.loc[1])["arbitragem"]
    assert rows.loc[1, "valor_arbitragem"] > 0  # valued on the diesel it avoids
    assert pd.isna(rows.loc[2, "score_arbitragem"]) and "ponta_pequena" in why(rows.loc[2])["arbitragem"]


def test_backup_value_by_hand_and_ranks_within_the_set() -> None:
    rows = score(unit(uc_id=1, media_dic=2.0, media_fic=1.0), unit(uc_id=2, media_dic=0.1, media_fic=0.1),
                 unit(uc_id=3, media_dic=None, media_fic=None)).set_index("uc_id")  # fmt: skip
    power = 600_000 / 8760  # kW on average
    # A supermarket (CNAE 4711) is critical: R$ 25/kWh not supplied and R$ 12/kW per interruption.
    assert rows.loc[1, "valor_backup"] == pytest.approx(24 * power * 25 + 12 * 12 * power, abs=0.01)
    assert rows.loc[1, "score_backup"] > rows.loc[2, "score_backup"]
    assert "dic_estimado" in why(rows.loc[3])["backup"] and rows.loc[3, "dic_ano_h"] > 0


def test_gtd_large_accounts_government_and_agro() -> None:
    rows = score(
        unit(uc_id=1, classe="PP1", cnae="8411-6/00"),
        unit(uc_id=2, classe="RU1", cnae="0111-3/01"),
        unit(uc_id=3, energia=2_000_000.0),
        unit(uc_id=4),
    ).set_index("uc_id")
    assert why(rows.loc[1])["gtd"] == ["governo"] and why(rows.loc[2])["gtd"] == ["agro"]
    assert why(rows.loc[3])["gtd"] == ["grande_cliente"] and rows.loc[3, "score_gtd"] == 100
    assert rows.loc[4, "score_gtd"] == 0 and why(rows.loc[4])["gtd"] == ["fora_do_segmento"]


def test_units_without_consumption_or_deactivated_say_why() -> None:
    rows = score(unit(uc_id=1, energia=None), unit(uc_id=2, situacao="DS")).set_index("uc_id")
    for uc, reason in ((1, "sem_consumo"), (2, "desativada")):
        assert all(pd.isna(rows.loc[uc, f"score_{o}"]) for o in scoring.OFERTAS)
        assert all(why(rows.loc[uc])[o] == [reason] for o in scoring.OFERTAS)
        assert pd.isna(rows.loc[uc, "melhor_oferta"])


def test_a_curve_peak_share_over_the_distributors_window() -> None:
    flat = [10.0] * 96
    peaky = [10.0] * 72 + [30.0] * 12 + [10.0] * 12  # three hours at three times the load from 18 h
    share, ratio = scoring.ponta_da_curva({"DU": peaky, "SA": flat, "DO": flat}, inicio_h=18, fim_h=21, ano=2024)
    days = scoring.dias_do_ano(2024)
    assert days == {"DU": 262, "SA": 52, "DO": 52}
    assert share == pytest.approx(262 * 360 / (262 * 1200 + 104 * 960))
    assert ratio == 1.0
    _, low = scoring.ponta_da_curva({"DU": peaky}, inicio_h=17, fim_h=18, ano=2024)
    assert low == pytest.approx(1 / 3)


def test_explanation_reads_as_a_sentence() -> None:
    (row,) = score(unit()).to_dict("records")
    detalhe = {name: row[name] for name in scoring.DETALHE}
    text = scoring.explicar("acl", row, detalhe, why(row)["acl"])
    assert text.startswith("Consome 50,0 MWh/mês, 90 % fora da ponta") and "economia estimada R$ 54 mil/ano" in text
