"""forecasting/optimisation: the dispatch LP on hand-checkable cases and against an independent solve."""

from __future__ import annotations

import pytest

from forecasting.optimisation import cases, dispatch, reference
from forecasting.optimisation.dispatch import Hidro, Interligacao, Problema, Termica


def _plant(**kw: object) -> Hidro:
    base: dict[str, object] = dict(
        nome="UHE",
        subsistema="SE",
        produtibilidade=1.0,
        volume_inicial=1_000.0,
        volume_min=0.0,
        volume_max=2_000.0,
        afluencia=[0.0] * 4,
        turbinamento_max=1_500.0,
        geracao_min=400.0,
    )
    return Hidro(**{**base, **kw})  # type: ignore[arg-type]


def test_single_plant_rule_hydro_between_400_and_1500_covers_load_minus_intermittent() -> None:
    load, wind = [1_000.0, 450.0, 2_000.0, 800.0], [100.0, 100.0, 200.0, 0.0]
    result = dispatch.solve(Problema(horas=4, carga={"SE": load}, intermitente={"SE": wind}, hidros=[_plant()]))
    net = [lo - w for lo, w in zip(load, wind, strict=True)]
    assert result.hidro["UHE"] == pytest.approx([min(max(n, 400.0), 1_500.0) for n in net])
    assert result.corte["SE"] == pytest.approx([0.0, 50.0, 0.0, 0.0])  # 350 MW net: wind gives way to the 400 MW floor
    assert result.deficit["SE"] == pytest.approx([0.0, 0.0, 300.0, 0.0])  # 1,800 MW net, 1,500 MW at most
    assert "geracao_max[UHE,2]" in result.restricoes_ativas
    assert "geracao_min[UHE,1]" in result.restricoes_ativas
    assert result.cmo["SE"][2] == pytest.approx(7643.82)  # deficit sets the price


def test_cmo_is_the_cost_of_the_marginal_segment_and_flows_respect_limits() -> None:
    problem = Problema(
        horas=1,
        carga={"SE": [1_000.0], "S": [300.0]},
        termicas=[
            Termica("CHEAP", "S", [(500.0, 100.0), (500.0, 150.0)]),
            Termica("DEAR", "SE", [(2_000.0, 400.0)]),
        ],
        interligacoes=[Interligacao("S", "SE", 400.0, 400.0)],
    )
    result = dispatch.solve(problem)
    # S: 300 own + 400 exported = 700 MW from CHEAP (500 at 100, 200 at 150); SE: 600 from DEAR
    assert result.termica == pytest.approx({"CHEAP": [700.0], "DEAR": [600.0]})
    assert result.fluxo["S->SE"] == pytest.approx([400.0])
    assert result.cmo["S"] == pytest.approx([150.0]) and result.cmo["SE"] == pytest.approx([400.0])
    assert result.custo_total == pytest.approx(500 * 100 + 200 * 150 + 600 * 400)
    assert "intercambio_max[S->SE,0]" in result.restricoes_ativas


def test_water_balance_cascade_and_end_volume_target() -> None:
    hours = 3
    up = _plant(
        nome="UP",
        volume_inicial=100.0,
        volume_max=100.0,
        afluencia=[1_000.0] * hours,
        geracao_min=0.0,
        jusante="DOWN",
        turbinamento_max=1_000.0,
    )
    down = _plant(
        nome="DOWN",
        volume_inicial=50.0,
        volume_max=200.0,
        afluencia=[0.0] * hours,
        geracao_min=0.0,
        produtibilidade=0.5,
        volume_meta=50.0,
    )
    problem = Problema(
        horas=hours,
        carga={"SE": [1_200.0] * hours},
        hidros=[up, down],
        termicas=[Termica("T", "SE", [(5_000.0, 300.0)])],
    )
    result = dispatch.solve(problem)
    for t in range(hours):
        outflow_up = result.turbinamento["UP"][t] + result.vertimento["UP"][t]
        previous = 50.0 if t == 0 else result.volume["DOWN"][t - 1]
        change = 0.0036 * (outflow_up - result.turbinamento["DOWN"][t] - result.vertimento["DOWN"][t])
        assert result.volume["DOWN"][t] == pytest.approx(previous + change, abs=1e-6)
    assert result.volume["DOWN"][-1] >= 50.0 - 1e-6
    assert result.custo_total == pytest.approx(reference.solve(problem).custo_total, rel=1e-9)


def test_infeasible_case_names_the_limit_that_makes_it_so() -> None:
    problem = Problema(horas=2, carga={"SE": [300.0, 300.0]}, hidros=[_plant(afluencia=[0.0, 0.0])])
    with pytest.raises(dispatch.Infeasible) as caught:
        dispatch.solve(problem)
    names = [name for name, _ in caught.value.limits]
    assert names and all(n.startswith("geracao_min[UHE,") for n in names)
    assert caught.value.limits[0][1] == pytest.approx(100.0)  # 400 MW floor against 300 MW of load
    assert "geracao_min[UHE," in str(caught.value)


def test_bad_input_names_the_field() -> None:
    with pytest.raises(dispatch.DispatchError, match="carga/intermitente of SE: 3 values for 2 hours"):
        dispatch.solve(Problema(horas=2, carga={"SE": [1.0, 2.0, 3.0]}))
    with pytest.raises(dispatch.DispatchError, match="segment costs must increase"):
        dispatch.solve(Problema(horas=1, carga={"SE": [1.0]}, termicas=[Termica("T", "SE", [(10, 200), (10, 100)])]))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_matches_an_independent_linprog_solve(solver: str) -> None:
    problem = cases.sized(hours=12, plants=20, seed=3)
    ours = dispatch.solve(problem, solver=solver)
    theirs = reference.solve(problem)
    assert theirs.status == "Optimal"
    assert ours.custo_total == pytest.approx(theirs.custo_total, rel=1e-6)
    if solver == "highs":
        for sub in problem.carga:
            assert ours.cmo[sub] == pytest.approx(list(theirs.cmo[sub]), rel=1e-6, abs=1e-6)


def test_cmo_sanity_against_pld_limits() -> None:
    report = dispatch.cmo_sanity({"SE": [50.0, 700.0, 1_500.0]}, 2024)
    assert report["horas_abaixo_do_piso"] == 1 and report["horas_acima_do_teto"] == 1
    assert report["piso"] == 61.07 and report["teto"] == 1470.57


def test_water_value_keeps_water_for_later_when_thermal_is_cheaper() -> None:
    plant = _plant(geracao_min=0.0, volume_inicial=1_000.0, afluencia=[0.0], valor_agua=300.0 * 277.78)
    problem = Problema(
        horas=1, carga={"SE": [500.0]}, hidros=[plant], termicas=[Termica("T", "SE", [(1_000.0, 200.0)])]
    )
    result = dispatch.solve(problem)
    assert result.termica["T"] == pytest.approx([500.0]) and result.hidro["UHE"] == pytest.approx([0.0])
    plant.valor_agua = 100.0 * 277.78  # water now worth less than the thermal's 200 R$/MWh
    result = dispatch.solve(problem)
    assert result.hidro["UHE"] == pytest.approx([500.0]) and result.cmo["SE"] == pytest.approx([100.0], rel=1e-3)
    assert result.custo_total == pytest.approx(reference.solve(problem).custo_total, rel=1e-9)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_ramps_bind_both_ways_and_are_named(solver: str) -> None:
    """A unit at 300 MW ramps at most 300 MW/h; a cheaper 400 MW unit and a dear one share the rest of
    700, 1,100 and 400 MW. Optimal: the ramping unit climbs to 700 MW for the peak (it pre-ramps to 400)
    and can only come down to 400, so the cheaper unit stops in the last hour. HiGHS gets each ramp as one
    ranged row, CBC as two rows: dispatch, cost and the names of both binding sides must agree."""
    units = [
        Termica("MAIS_BARATA", "SE", [(400.0, 50.0)]),
        Termica("RAMPA", "SE", [(1_000.0, 100.0)], rampa=300.0, geracao_inicial=300.0),
        Termica("CARA", "SE", [(1_000.0, 500.0)]),
    ]
    result = dispatch.solve(Problema(horas=3, carga={"SE": [700.0, 1_100.0, 400.0]}, termicas=units), solver=solver)
    assert result.termica["RAMPA"] == pytest.approx([400.0, 700.0, 400.0])
    assert result.termica["MAIS_BARATA"] == pytest.approx([300.0, 400.0, 0.0])
    assert result.termica["CARA"] == pytest.approx([0.0, 0.0, 0.0])
    assert result.custo_total == pytest.approx(700 * 50.0 + 1_500 * 100.0)  # the dear unit never runs
    assert "rampa_subida[RAMPA,1]" in result.restricoes_ativas
    assert "rampa_descida[RAMPA,2]" in result.restricoes_ativas


def test_inflexible_minimum_within_the_first_segment_is_reported_by_name() -> None:
    """A 200 MW inflexible minimum sits inside the first 500 MW segment: it becomes that segment's lower
    bound, and still binds, and conflicts, under its own name."""
    unit = Termica("UTE", "SE", [(500.0, 200.0), (500.0, 400.0)], geracao_min=200.0)
    cheaper = Termica("BARATA", "SE", [(500.0, 100.0)])
    result = dispatch.solve(Problema(horas=2, carga={"SE": [300.0, 700.0]}, termicas=[unit, cheaper]))
    assert result.termica["UTE"] == pytest.approx([200.0, 200.0])
    assert result.termica["BARATA"] == pytest.approx([100.0, 500.0])
    assert "geracao_min[UTE,0]" in result.restricoes_ativas
    with pytest.raises(dispatch.Infeasible, match=r"geracao_min\[UTE,0\]"):
        dispatch.solve(Problema(horas=1, carga={"SE": [100.0]}, termicas=[unit]))
