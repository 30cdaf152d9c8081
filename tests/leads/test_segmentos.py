"""Automatic segments on constructed units whose groups are known (leads.segmentos is pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leads import segmentos


def group(n: int, *, classe: str, energia: float, fator: float, ponta: float, demanda: float, grupo: str,
          seed: int) -> pd.DataFrame:  # fmt: skip
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "energia": energia * rng.lognormal(0, 0.15, n), "fator_carga": np.clip(fator + rng.normal(0, 0.03, n), 0, 1),
        "ponta": np.clip(ponta + rng.normal(0, 0.01, n), 0, 1), "demanda_kw": demanda * rng.lognormal(0, 0.15, n),
        "grupo_tensao": grupo, "classe": classe, "area": "UR", "score_acl": 50.0, "score_arbitragem": np.nan,
        "score_backup": 20.0, "score_gtd": 0.0, "truth": classe,
    })  # fmt: skip


def test_known_groups_land_in_their_own_segments_with_readable_labels() -> None:
    units = pd.concat(
        [
            group(600, classe="RE1", energia=1_800, fator=0.2, ponta=0.16, demanda=3, grupo="BT", seed=1),
            group(300, classe="CO1", energia=40_000, fator=0.45, ponta=0.08, demanda=30, grupo="BT", seed=2),
            group(100, classe="IN", energia=3_000_000, fator=0.75, ponta=0.05, demanda=800, grupo="MT", seed=3),
        ],
        ignore_index=True,
    )
    units.loc[0, "energia"] = 0.0  # no consumption: left out of the segments
    result = segmentos.segmentar(units)
    assert result.rotulos[0] == -1 and min(segmentos.KS) <= result.k <= max(segmentos.KS)
    assert max(result.silhuetas, key=result.silhuetas.get) == result.k  # the stated criterion
    labelled = units.assign(segmento=result.rotulos)[result.rotulos >= 0]
    purity = labelled.groupby("segmento")["truth"].agg(lambda s: s.value_counts(normalize=True).iloc[0])
    assert (purity > 0.95).all()  # no segment mixes the three kinds of unit
    labels = " | ".join(result.segmentos["rotulo"])
    assert "residencial urbano" in labels and "comércio urbano" in labels and "indústria urbano" in labels
    assert result.segmentos["rotulo"].is_unique
    assert result.segmentos["n_ucs"].sum() == len(units) - 1
    industry = result.segmentos[result.segmentos["rotulo"].str.startswith("indústria")].iloc[0]
    assert "grande consumo" in industry["rotulo"] and "alto fator de carga" in industry["rotulo"]
    assert industry["score_acl_medio"] == 50.0 and industry["score_arbitragem_medio"] is None
