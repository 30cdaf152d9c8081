"""Indicators, anomalies and continuity limits on the real Mux Energia 2024 file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from ingestion import services as ingestion
from leads.models import LeadBruto, LeadQualidadeMensal
from quality import limites, selectors, services
from quality.models import Anomalia, IndicadorQualidade, LimiteContinuidade
from tests.ingestion.conftest import MUX_2024, clean_imports  # noqa: F401 (fixture)

LIMITES = Path(__file__).resolve().parents[1] / "fixtures" / "aneel" / "limites_continuidade_construidos.csv"


@pytest.fixture
def mux(clean_imports: None) -> Iterator[None]:  # noqa: F811
    ingestion.bdgd_import(path=MUX_2024)
    services.indicators_refresh(concurrently=False)
    yield
    Anomalia.objects.all().delete()


def hand_figures() -> dict[tuple[str, int], dict[str, float]]:
    """Per municipality and month (0 the year), from the raw rows: every unit of the layer counts, a month
    the file left out as DIC = FIC = 0."""
    units = dict(LeadBruto.objects.filter(distribuidora_id=401, ano=2024).values_list("uc_id", "municipio_id"))
    dic: dict[int, np.ndarray] = {uc: np.zeros(12) for uc in units}
    fic: dict[int, np.ndarray] = {uc: np.zeros(12) for uc in units}
    for uc, mes, d, f in LeadQualidadeMensal.objects.filter(distribuidora_id=401, ano=2024).values_list(
        "uc_id", "mes", "dic_h", "fic"
    ):
        dic[uc][mes - 1], fic[uc][mes - 1] = d or 0.0, f or 0.0
    by_mun: dict[str, list[int]] = defaultdict(list)
    for uc, mun in units.items():
        by_mun[mun].append(uc)
    out = {}
    for mun, ucs in by_mun.items():
        d = np.array([dic[uc] for uc in ucs])
        f = np.array([fic[uc] for uc in ucs])
        for mes in range(13):
            dv = d.sum(axis=1) if mes == 0 else d[:, mes - 1]
            fv = f.sum(axis=1) if mes == 0 else f[:, mes - 1]
            out[(mun, mes)] = {
                "n_ucs": len(ucs), "dic_medio": dv.mean(), "dic_p90": float(np.percentile(dv, 90)),
                "fic_medio": fv.mean(), "fic_p90": float(np.percentile(fv, 90)),
                "n_acima_dic": int((dv > (16.0 if mes == 0 else 4.0)).sum()),
                "n_acima_fic": int((fv > (10.0 if mes == 0 else 3.0)).sum()),
            }  # fmt: skip
    return out


def test_regional_figures_equal_hand_sums_with_omitted_months_as_zero(mux: None) -> None:
    expected = hand_figures()
    rows = {(r.regiao, r.mes): r for r in IndicadorQualidade.objects.filter(nivel="municipio", ano=2024)}
    assert set(rows) == set(expected)  # two municipalities × (the year + 12 months)
    assert any(e["dic_p90"] > 0 for e in expected.values())  # the comparison is not of zeros only
    for key, figures in expected.items():
        row = rows[key]
        for name, value in figures.items():
            assert getattr(row, name) == pytest.approx(value, rel=1e-9, abs=1e-9), (key, name)
    # The distributor and its one set hold every unit; the UF too.
    total = sum(e["n_ucs"] for (mun, mes), e in expected.items() if mes == 0)
    for nivel, regiao in (("distribuidora", "401"), ("conjunto", "401:12722"), ("uf", "RS")):
        year = IndicadorQualidade.objects.get(nivel=nivel, regiao=regiao, ano=2024, mes=0)
        assert year.n_ucs == total == 13_000
        months = IndicadorQualidade.objects.filter(nivel=nivel, regiao=regiao, ano=2024, mes__gte=1)
        assert sum(m.dic_medio for m in months) == pytest.approx(year.dic_medio)  # the year is the sum of months
    assert IndicadorQualidade.objects.get(chave="distribuidora:401:2024:0").dic_medio_anterior is None  # no 2023


def test_limits_import_marks_the_set_and_its_units_against_them(mux: None) -> None:
    report = services.limits_import(path=LIMITES)
    assert report == {"linhas": 5, "guardadas": 4, "inseridas_ou_alteradas": 4, "agentes_desconhecidos": 1}
    assert services.limits_import(path=LIMITES)["inseridas_ou_alteradas"] == 0  # idempotent
    assert LimiteContinuidade.objects.get(conj=12722, ano=2024, indicador="DEC").valor == 1.2
    conjunto = IndicadorQualidade.objects.get(chave="conjunto:401:12722:2024:0")
    assert conjunto.nome == "TAPEJARA · Mux_Energia" and conjunto.limite_dec == 1.2 and conjunto.limite_fec == 3.0
    annual = [(m or 0) * 12 for m in LeadBruto.objects.filter(ano=2024).values_list("media_dic", flat=True)]
    assert conjunto.n_acima_dic == sum(a > 2.5 for a in annual) > 0  # the set's DIC limit, not the parameter
    unit = LeadBruto.objects.filter(ano=2024, media_dic__gt=0.5).first()
    assert unit is not None
    figure = selectors.qualidade_da_unidade(uc_id=unit.uc_id, media_dic=unit.media_dic, media_fic=unit.media_fic)
    assert figure is not None and figure["dic"]["limite"] == 2.5 and figure["dic"]["acima"]
    assert figure["dic"]["razao"] == pytest.approx(unit.media_dic * 12 / 2.5)
    assert figure["fic"]["referencia"].startswith("limite FEC do conjunto 12722")  # no FIC row: the set's FEC


def test_a_bad_limits_file_is_named_and_nothing_is_written(db: None, tmp_path: Path) -> None:
    bad = tmp_path / "limites.csv"
    bad.write_text(LIMITES.read_text(encoding="utf-8").replace('"1,20"', '"um"'), encoding="utf-8")
    with pytest.raises(limites.LimiteError, match=r"limites\.csv:2: 'um' is not a number"):
        services.limits_import(path=bad)
    other = tmp_path / "outro.csv"
    other.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="não é o conjunto de dados de limites de continuidade"):
        call_command("import_limites_continuidade", str(other))
    assert not LimiteContinuidade.objects.exists()


def test_real_file_alarm_rate_and_anomalies_survive_a_reimport(mux: None) -> None:
    counts = services.anomalies_detect(distribuidora=401, ano=2024)
    units = LeadBruto.objects.filter(ano=2024).count()
    flagged = Anomalia.objects.values("uc_id").distinct().count()
    # The Mux 2024 file's units: 2.3 % flagged (docs/quality.md), most by falls to near zero that last
    # until December and single months far from the unit's pattern; nothing implausible in low voltage.
    assert flagged / units <= 0.03, (flagged, counts)
    assert "bt_implausivel" not in counts and counts.get("acima_do_tipico", 0) <= 10
    kept = sorted(Anomalia.objects.values_list("uc_id", "tipo", "mes"))
    ingestion.bdgd_import(path=MUX_2024, layers=["UCBT"], force=True)  # the layer's tables are replaced
    assert sorted(Anomalia.objects.values_list("uc_id", "tipo", "mes")) == kept
    assert services.anomalies_detect(distribuidora=401, ano=2024) == counts  # idempotent
