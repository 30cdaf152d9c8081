"""Hourly hydrothermal dispatch of the four subsystems as a linear programme (PuLP; pure, no Django).

Per subsystem and hour the load is met by hydro, thermal, intermittent (wind + solar, curtailable at
a small penalty), imports over the interchanges and, at a penalty, deficit. The balance constraint's
dual is the hourly marginal cost of the subsystem (CMO, R$/MWh).

- Hydro plants: water balance in hm³ (1 m³/s for one hour = 0.0036 hm³), reservoir volume between
  its limits, natural inflow plus the outflow of the plant upstream (no travel time), turbined flow
  with constant productivity (MW per m³/s), minimum and maximum generation and total outflow, ramp
  limits on generation, an end-of-horizon volume target and an optional value of the water left at
  the end (R$/hm³, the future cost a longer-term model puts on it); spilling costs a small penalty.
- Thermal units: a convex piecewise-linear cost (segments of increasing R$/MWh), an inflexible
  minimum, a maximum and ramp limits.
- Interchanges: a flow per link and hour between a lower (reverse) and upper limit.

Volumes are modelled in hour-flows (1 m³/s for one hour = 3,600 m³) so that every coefficient of the
water balance is ±1; with hm³ and the 0.0036 factor in the matrix the dual simplex needs several times
the iterations. Results are given back in hm³.

HiGHS (through `highspy`) solves it by default, CBC is the fallback. An infeasible case is solved
again with every limit made elastic; the limits that had to give way are reported by name.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

HM3_PER_M3S_HOUR = 0.0036
SUBSISTEMAS = ("SE", "S", "NE", "N")


# PLD limits set by ANEEL (R$/MWh): floor and hourly cap, where published to us.
PLD_LIMITS: dict[int, tuple[float, float | None]] = {
    2023: (69.04, None),
    2024: (61.07, 1470.57),
    2025: (58.60, 1542.23),
}


class DispatchError(ValueError):
    """The input does not describe a dispatch problem; the message names the field."""


class Infeasible(Exception):
    """No dispatch meets every limit; `limits` names the ones that conflict, with the shortfall."""

    def __init__(self, limits: list[tuple[str, float]]):
        self.limits = limits
        shown = ", ".join(f"{name} (by {gap:.3f})" for name, gap in limits[:10])
        super().__init__(f"infeasible: these limits cannot all hold: {shown}")


@dataclass
class Hidro:
    nome: str
    subsistema: str
    produtibilidade: float  # MW per m³/s
    volume_inicial: float  # hm³
    volume_min: float
    volume_max: float
    afluencia: list[float]  # natural inflow, m³/s per hour
    turbinamento_max: float  # m³/s
    geracao_min: float = 0.0  # MW
    geracao_max: float | None = None  # MW; default productivity × max turbined flow
    defluencia_min: float = 0.0  # m³/s, turbined + spilled
    defluencia_max: float | None = None
    rampa: float | None = None  # MW per hour
    geracao_inicial: float | None = None  # MW in the hour before the horizon, for the first ramp
    volume_meta: float | None = None  # hm³ at the end of the horizon (at least)
    jusante: str | None = None  # the plant whose reservoir receives this one's outflow
    valor_agua: float = 0.0  # R$ per hm³ left in the reservoir at the end (the future cost of water)


@dataclass
class Termica:
    nome: str
    subsistema: str
    segmentos: list[tuple[float, float]]  # (MW, R$/MWh), costs increasing: a convex cost curve
    geracao_min: float = 0.0
    rampa: float | None = None
    geracao_inicial: float | None = None

    @property
    def geracao_max(self) -> float:
        return sum(mw for mw, _ in self.segmentos)


@dataclass
class Interligacao:
    origem: str
    destino: str
    limite: float  # MW from origem to destino
    limite_reverso: float  # MW from destino to origem


@dataclass
class Problema:
    horas: int
    carga: dict[str, list[float]]  # subsystem → MW per hour
    intermitente: dict[str, list[float]] = field(default_factory=dict)
    hidros: list[Hidro] = field(default_factory=list)
    termicas: list[Termica] = field(default_factory=list)
    interligacoes: list[Interligacao] = field(default_factory=list)
    custo_deficit: float = 7643.82  # R$/MWh, ANEEL's 2024 deficit cost, first tier
    penalidade_vertimento: float = 0.01  # R$ per m³/s·h spilled
    penalidade_corte: float = 0.01  # R$/MWh of curtailed wind or solar

    def tamanho(self, *, ranged: bool = True) -> tuple[int, int]:
        """(variables, rows) of the LP `solve` builds, counted from the inputs without building it: the
        work a request implies (model building and solving grow with both)."""
        hours = self.horas

        def ramp_rows(ramp: float | None, initial: float | None) -> int:
            return 0 if ramp is None else (hours - (initial is None)) * (1 if ranged else 2)

        variables = hours * (3 * len(self.hidros) + len(self.interligacoes) + 2 * len(self.carga))
        variables += hours * sum(len(u.segmentos) for u in self.termicas)
        rows = hours * len(self.carga)
        for h in self.hidros:
            rows += hours * (1 + (h.defluencia_min > 0) + (h.defluencia_max is not None))
            rows += ramp_rows(h.rampa, h.geracao_inicial) + (h.volume_meta is not None)
        for u in self.termicas:
            floor = 0 < u.geracao_min <= u.segmentos[0][0] if u.segmentos else False
            rows += hours * (u.geracao_min > 0 and not floor) + ramp_rows(u.rampa, u.geracao_inicial)
        return variables, rows

    def validate(self) -> None:
        if self.horas < 1:
            raise DispatchError("horas must be at least 1")
        for s, series in {**self.carga, **self.intermitente}.items():
            if len(series) != self.horas:
                raise DispatchError(f"carga/intermitente of {s}: {len(series)} values for {self.horas} hours")
            if any(not math.isfinite(v) or v < 0 for v in series):
                raise DispatchError(f"carga/intermitente of {s}: values must be finite and >= 0")
        known = set(self.carga)
        names = [p.nome for p in self.hidros] + [p.nome for p in self.termicas]
        if len(names) != len(set(names)):
            raise DispatchError("plant names must be unique")
        hydro_names = {h.nome for h in self.hidros}
        for h in self.hidros:
            if h.subsistema not in known:
                raise DispatchError(f"hydro {h.nome}: subsystem {h.subsistema!r} has no load")
            if len(h.afluencia) != self.horas:
                raise DispatchError(f"hydro {h.nome}: {len(h.afluencia)} inflow values for {self.horas} hours")
            if not h.volume_min <= h.volume_inicial <= h.volume_max:
                raise DispatchError(f"hydro {h.nome}: initial volume outside [volume_min, volume_max]")
            if h.produtibilidade <= 0 or h.turbinamento_max < 0:
                raise DispatchError(f"hydro {h.nome}: productivity must be > 0 and max turbined flow >= 0")
            if h.jusante is not None and h.jusante not in hydro_names:
                raise DispatchError(f"hydro {h.nome}: downstream plant {h.jusante!r} unknown")
        for t in self.termicas:
            if t.subsistema not in known:
                raise DispatchError(f"thermal {t.nome}: subsystem {t.subsistema!r} has no load")
            if not t.segmentos or any(mw < 0 for mw, _ in t.segmentos):
                raise DispatchError(f"thermal {t.nome}: needs segments of non-negative MW")
            costs = [c for _, c in t.segmentos]
            if costs != sorted(costs):
                raise DispatchError(f"thermal {t.nome}: segment costs must increase (a convex cost curve)")
        for link in self.interligacoes:
            if link.origem not in known or link.destino not in known:
                raise DispatchError(f"interchange {link.origem}->{link.destino}: unknown subsystem")
            if link.limite < 0 or link.limite_reverso < 0:
                raise DispatchError(f"interchange {link.origem}->{link.destino}: limits must be >= 0")


@dataclass
class Resultado:
    status: str
    custo_total: float
    hidro: dict[str, list[float]]  # MW
    turbinamento: dict[str, list[float]]  # m³/s
    vertimento: dict[str, list[float]]  # m³/s
    volume: dict[str, list[float]]  # hm³ at the end of each hour
    termica: dict[str, list[float]]  # MW
    fluxo: dict[str, list[float]]  # "SE->S" MW, negative = reverse
    deficit: dict[str, list[float]]
    corte: dict[str, list[float]]
    cmo: dict[str, list[float]]  # R$/MWh
    restricoes_ativas: list[str]  # binding limits, by name
    solver: str
    segundos: dict[str, float] = field(default_factory=dict)  # modelo (PuLP build), solver, leitura


def cmo_sanity(cmo: dict[str, list[float]], year: int) -> dict[str, object]:
    """How the marginal costs sit against the year's PLD floor and cap: hours below, above, range."""
    floor, cap = PLD_LIMITS.get(year, (None, None))
    values = [v for series in cmo.values() for v in series]
    return {
        "ano": year,
        "piso": floor,
        "teto": cap,
        "min": min(values, default=None),
        "max": max(values, default=None),
        "horas_abaixo_do_piso": None if floor is None else sum(v < floor for v in values),
        "horas_acima_do_teto": None if cap is None else sum(v > cap for v in values),
    }


_Series = list[pulp.LpVariable]  # one variable per hour
_SENSES = {"<=": pulp.LpConstraintLE, ">=": pulp.LpConstraintGE, "==": pulp.LpConstraintEQ}


class _Builder:
    """The PuLP problem and its variables by plant, link and subsystem; in elastic mode every limit gets
    a slack and only the slack is minimised."""

    def __init__(self, elastic: bool, ranged: bool = False):
        self.problem = pulp.LpProblem("despacho", pulp.LpMinimize)
        self.elastic = elastic
        # Two-sided limits as one row (HiGHS takes ranged rows; PuLP's constraints are one-sided, so the
        # lower side is kept here, by constraint, with its name): half the ramp rows to build.
        self.ranged = ranged and not elastic
        self.ranges: dict[int, tuple[float, str]] = {}
        self.slacks: list[tuple[str, pulp.LpVariable]] = []
        # (variable, kind, where, kind of its lower limit): limit names are spelt out only when reported
        self.bounds: list[tuple[pulp.LpVariable, str, str, str]] = []
        self.rows: list[tuple[str, Any]] = []  # (label, constraint): PuLP rewrites names, labels stay readable
        self.cost: list[tuple[pulp.LpVariable, float]] = []
        self.q: dict[str, _Series] = {}  # turbined flow, m³/s
        self.s: dict[str, _Series] = {}  # spilled flow, m³/s
        self.v: dict[str, _Series] = {}  # volume at the end of the hour, hm³
        self.th: dict[str, list[_Series]] = {}  # thermal cost segments, MW
        self.flow: dict[str, _Series] = {}
        self.deficit: dict[str, _Series] = {}
        self.cut: dict[str, _Series] = {}
        self.balance: dict[str, list[Any]] = {}  # load-balance constraints: their duals are the CMO

    def var(
        self,
        name: str,
        low: float | None = 0.0,
        high: float | None = None,
        kind: str = "",
        where: str = "",
        low_kind: str = "",
    ) -> pulp.LpVariable:
        """A variable within [low, high]; `kind` and `where` name its limits (`geracao`, `UHE,3` →
        `geracao_min[UHE,3]`, `geracao_max[UHE,3]`), `low_kind` the lower one when it stands for another
        limit (`geracao_min` of a thermal unit on its first segment)."""
        variable = self.problem.add_variable(name, lowBound=low, upBound=high)
        if kind:
            self.bounds.append((variable, kind, where, low_kind))
        if self.elastic:
            variable.lowBound = 0.0 if low is not None and low >= 0 else None
            variable.upBound = None
            if low is not None and low > 0:
                self.row({variable: 1.0}, ">=", low, f"{low_kind or kind + '_min'}[{where}]")
            if high is not None:
                self.row({variable: 1.0}, "<=", high, f"{kind}_max[{where}]")
        return variable

    def row(self, terms: dict[Any, float], sense: str, rhs: float, name: str, hard: bool = False) -> Any:
        expression = pulp.LpAffineExpression(terms)
        if self.elastic and not hard:
            if sense in ("<=", "=="):
                slack = self.problem.add_variable(f"folga_menos_{len(self.slacks)}", lowBound=0)
                expression = expression - slack
                self.slacks.append((name, slack))
            if sense in (">=", "=="):
                slack = self.problem.add_variable(f"folga_mais_{len(self.slacks)}", lowBound=0)
                expression = expression + slack
                self.slacks.append((name, slack))
        constraint = pulp.LpConstraint(expression, _SENSES[sense], name, rhs)
        self.problem.addConstraint(constraint)
        self.rows.append((name, constraint))
        return constraint


# The elastic model that names the conflicting limits of an infeasible problem (a row and a slack per
# limit) is about three times the size of the problem's own (2.9 × measured on 168 h × 100 plants).
ELASTIC_FACTOR = 3


NO_DIAGNOSIS = "(sem diagnóstico: o problema é grande demais para nomear os limites em conflito; reduza-o)"


def solve(
    problem: Problema, *, solver: str = "highs", time_limit: float | None = None, diagnose: bool = True
) -> Resultado:
    """Optimal dispatch of `problem`; raises Infeasible naming the conflicting limits (when `diagnose`;
    else without naming them, to spare building the elastic model). `time_limit` covers both solves."""
    problem.validate()
    highs = solver == "highs" and "HiGHS" in pulp.listSolvers(onlyAvailable=True)
    began = time.perf_counter()
    model = _build(problem, elastic=False, ranged=highs)
    built = time.perf_counter()
    status, used = _run(model, highs, time_limit)
    solved = time.perf_counter()
    if status == "Infeasible":
        if not diagnose:
            raise Infeasible([(NO_DIAGNOSIS, 0.0)])
        del model
        elastic = _build(problem, elastic=True)
        left = None if time_limit is None else max(1.0, time_limit - (time.perf_counter() - began))
        _run(elastic, highs, left)
        gaps = sorted(
            ((name, s.varValue) for name, s in elastic.slacks if (s.varValue or 0) > 1e-6),
            key=lambda item: -item[1],
        )
        raise Infeasible(gaps or [("(no single limit: the problem is unbounded or numerically infeasible)", 0.0)])
    if status != "Optimal":
        raise RuntimeError(f"the solver ended with status {status}")
    result = _result(problem, model, used)
    result.segundos = {"modelo": built - began, "solver": solved - built, "leitura": time.perf_counter() - solved}
    return result


def _run(b: _Builder, highs: bool, time_limit: float | None) -> tuple[str, str]:
    if highs:
        # Volumes in hour-flows reach millions and costs billions: HiGHS's own advice is to scale bounds
        # by 2^-3; costs by 2^-4 saves a few more iterations. Scaling does not change the solution.
        engine: Any = _HiGHS(msg=False, timeLimit=time_limit, ranges={k: low for k, (low, _) in b.ranges.items()},
                             user_bound_scale=-3, user_objective_scale=-4)  # fmt: skip
        used = "HiGHS"
    else:
        engine = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
        used = "CBC"
    b.problem.solve(engine)
    return pulp.LpStatus[b.problem.status], used


class _HiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface, handing the model over in one call (column-wise arrays) instead of one
    `addCol`/`addRow` per variable and constraint, and reading the solution back in one pass: PuLP's own
    version re-collects and sorts every variable of every constraint three times, which on a week of
    the full system costs more than a second."""

    def __init__(self, *args: Any, ranges: dict[int, float] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ranges = ranges or {}  # id(constraint) → lower limit of a `<=` constraint

    STATUS = {
        "kOptimal": (pulp.LpStatusOptimal, pulp.LpSolutionOptimal),
        "kInfeasible": (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible),
        "kUnboundedOrInfeasible": (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible),
        "kUnbounded": (pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded),
    }

    def actualSolve(self, lp: pulp.LpProblem) -> int:
        import highspy

        self.createAndConfigureSolver(lp)
        variables = lp.variables()
        constraints = lp.constraints()
        lp.solverModel.passModel(_highs_lp(highspy, lp, variables, constraints, self.ranges))
        self.callSolver(lp)
        h = lp.solverModel
        solution = h.getSolution()
        for var, value, dj in zip(variables, solution.col_value, solution.col_dual, strict=True):
            var.varValue, var.dj, var.modified = value, dj, False
        for constraint, value, dual in zip(constraints, solution.row_value, solution.row_dual, strict=True):
            slack = constraint.constant + value
            constraint.slack = -slack if constraint.sense == pulp.LpConstraintLE else slack
            constraint.pi = dual
        status = h.getModelStatus()
        found = self.STATUS.get(status.name)
        if found is None:
            found = (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
            if status.name in ("kTimeLimit", "kIterationLimit", "kInterrupt") and solution.value_valid:
                found = (pulp.LpStatusNotSolved, pulp.LpSolutionIntegerFeasible)
        lp.assignStatus(*found)
        return found[0]


def _highs_lp(
    highspy: Any, lp: pulp.LpProblem, variables: list[Any], constraints: list[Any], ranges: dict[int, float]
) -> Any:
    """The problem as a `highspy.HighsLp`: costs, bounds and the column-wise constraint matrix; a
    constraint in `ranges` gets that lower limit too."""
    inf = highspy.kHighsInf
    for i, var in enumerate(variables):
        var.index = i
    n = len(variables)
    sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
    cost = np.zeros(n)
    for var, coefficient in lp.objective.items():
        cost[var.index] = sign * coefficient
    lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], dtype=float)
    upper = np.array([inf if v.upBound is None else v.upBound for v in variables], dtype=float)
    lows = [ranges.get(id(c), c.getLb()) for c in constraints]
    row_lower = np.array([-inf if lb is None else lb for lb in lows], dtype=float)
    row_upper = np.array([inf if (ub := c.getUb()) is None else ub for c in constraints], dtype=float)
    sizes = np.fromiter((len(c.expr) for c in constraints), dtype=np.int64, count=len(constraints))
    nonzeros = int(sizes.sum())
    rows = np.repeat(np.arange(len(constraints), dtype=np.int32), sizes)
    cols = np.fromiter((v.index for c in constraints for v in c.expr), dtype=np.int64, count=nonzeros)
    values = np.fromiter((a for c in constraints for a in c.expr.values()), dtype=float, count=nonzeros)
    order = np.lexsort((rows, cols))  # column by column
    col_of = cols[order]
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = n, len(constraints)
    model.col_cost_, model.col_lower_, model.col_upper_ = cost, lower, upper
    model.row_lower_, model.row_upper_ = row_lower, row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = np.searchsorted(col_of, np.arange(n + 1)).astype(np.int32)
    model.a_matrix_.index_ = rows[order]
    model.a_matrix_.value_ = values[order]
    return model


def _build(p: Problema, *, elastic: bool, ranged: bool = False) -> _Builder:
    b = _Builder(elastic, ranged)
    hours = range(p.horas)
    supply: dict[tuple[str, int], dict[Any, float]] = defaultdict(dict)
    upstream: dict[str, list[Hidro]] = defaultdict(list)
    for h in p.hidros:
        if h.jusante:
            upstream[h.jusante].append(h)
    for h in p.hidros:
        gmax = h.produtibilidade * h.turbinamento_max if h.geracao_max is None else h.geracao_max
        qmin = h.geracao_min / h.produtibilidade
        qmax = min(h.turbinamento_max, gmax / h.produtibilidade)
        b.q[h.nome] = [b.var(f"q_{h.nome}_{t}", qmin, qmax, "geracao", f"{h.nome},{t}") for t in hours]
        b.s[h.nome] = [b.var(f"s_{h.nome}_{t}", 0.0) for t in hours]
        vmin, vmax = h.volume_min / HM3_PER_M3S_HOUR, h.volume_max / HM3_PER_M3S_HOUR
        b.v[h.nome] = [b.var(f"v_{h.nome}_{t}", vmin, vmax, "volume", f"{h.nome},{t}") for t in hours]
        for t in hours:
            supply[(h.subsistema, t)][b.q[h.nome][t]] = h.produtibilidade
            b.cost.append((b.s[h.nome][t], p.penalidade_vertimento))
    for h in p.hidros:
        q, s, v = b.q[h.nome], b.s[h.nome], b.v[h.nome]
        for t in hours:
            terms: dict[Any, float] = {v[t]: 1.0, q[t]: 1.0, s[t]: 1.0}
            if t:
                terms[v[t - 1]] = -1.0
            for up in upstream[h.nome]:
                terms[b.q[up.nome][t]] = -1.0
                terms[b.s[up.nome][t]] = -1.0
            rhs = h.afluencia[t] + (h.volume_inicial / HM3_PER_M3S_HOUR if t == 0 else 0.0)
            b.row(terms, "==", rhs, f"balanco_hidrico[{h.nome},{t}]", hard=True)
            if h.defluencia_min > 0:
                b.row({q[t]: 1.0, s[t]: 1.0}, ">=", h.defluencia_min, f"defluencia_min[{h.nome},{t}]")
            if h.defluencia_max is not None:
                b.row({q[t]: 1.0, s[t]: 1.0}, "<=", h.defluencia_max, f"defluencia_max[{h.nome},{t}]")
        if h.rampa is not None:
            _ramps(b, [q], h.produtibilidade, h.rampa, h.geracao_inicial, h.nome)
        if h.volume_meta is not None:
            b.row({v[-1]: 1.0}, ">=", h.volume_meta / HM3_PER_M3S_HOUR, f"volume_meta[{h.nome}]")
        if h.valor_agua:
            b.cost.append((v[-1], -h.valor_agua * HM3_PER_M3S_HOUR))
    for u in p.termicas:
        # Costs increase along the segments, so the first fills first: an inflexible minimum within it
        # is its lower bound rather than a row (same optimum, a row less per hour).
        floor = u.geracao_min if 0 < u.geracao_min <= u.segmentos[0][0] else 0.0
        segments = [
            [
                b.var(
                    f"g_{u.nome}_{k}_{t}", floor if k == 0 else 0.0, mw, f"segmento{k}", f"{u.nome},{t}", "geracao_min"
                )
                for t in hours
            ]
            for k, (mw, _) in enumerate(u.segmentos)
        ]
        b.th[u.nome] = segments
        for k, (_, price) in enumerate(u.segmentos):
            for t in hours:
                b.cost.append((segments[k][t], price))
                supply[(u.subsistema, t)][segments[k][t]] = 1.0
        if u.geracao_min > 0 and not floor:
            for t in hours:
                b.row({seg[t]: 1.0 for seg in segments}, ">=", u.geracao_min, f"geracao_min[{u.nome},{t}]")
        if u.rampa is not None:
            _ramps(b, segments, 1.0, u.rampa, u.geracao_inicial, u.nome)
    for link in p.interligacoes:
        key = f"{link.origem}->{link.destino}"
        flows = [
            b.var(f"f_{link.origem}_{link.destino}_{t}", -link.limite_reverso, link.limite, "intercambio", f"{key},{t}")
            for t in hours
        ]
        b.flow[key] = flows
        for t in hours:
            supply[(link.origem, t)][flows[t]] = supply[(link.origem, t)].get(flows[t], 0.0) - 1.0
            supply[(link.destino, t)][flows[t]] = supply[(link.destino, t)].get(flows[t], 0.0) + 1.0
    for sub, load in p.carga.items():
        wind = p.intermitente.get(sub, [0.0] * p.horas)
        b.deficit[sub] = [b.problem.add_variable(f"deficit_{sub}_{t}", lowBound=0) for t in hours]
        b.cut[sub] = [b.problem.add_variable(f"corte_{sub}_{t}", lowBound=0, upBound=wind[t]) for t in hours]
        b.balance[sub] = []
        for t in hours:
            b.cost += [(b.deficit[sub][t], p.custo_deficit), (b.cut[sub][t], p.penalidade_corte)]
            terms = {**supply[(sub, t)], b.deficit[sub][t]: 1.0, b.cut[sub][t]: -1.0}
            b.balance[sub].append(b.row(terms, "==", load[t] - wind[t], f"balanco[{sub},{t}]", hard=True))
    objective = pulp.LpAffineExpression(b.cost)
    if elastic:
        # Only the slack counts: the least violation of the limits, whatever it costs.
        objective = pulp.LpAffineExpression([(s, 1.0) for _, s in b.slacks])
    b.problem.setObjective(objective)
    return b


def _ramps(b: _Builder, series: list[list[Any]], factor: float, ramp: float, initial: float | None, name: str) -> None:
    """|generation[t] - generation[t-1]| <= ramp, generation = factor × (sum of `series` at t); the first
    hour is bound to `initial` when it is known."""
    for t in range(len(series[0])):
        if t == 0 and initial is None:
            continue
        terms: dict[Any, float] = {x[t]: factor for x in series}
        if t:
            terms.update({x[t - 1]: -factor for x in series})
        previous = initial if t == 0 and initial is not None else 0.0
        up = b.row(terms, "<=", previous + ramp, f"rampa_subida[{name},{t}]")
        if b.ranged:
            b.ranges[id(up)] = (previous - ramp, f"rampa_descida[{name},{t}]")
        else:
            b.row(terms, ">=", previous - ramp, f"rampa_descida[{name},{t}]")


def _value(x: Any) -> float:
    return float(x.varValue or 0.0)


def _result(p: Problema, b: _Builder, used: str) -> Resultado:
    hydro = {h.nome: [h.produtibilidade * _value(q) for q in b.q[h.nome]] for h in p.hidros}
    thermal = {name: [sum(_value(seg[t]) for seg in segs) for t in range(p.horas)] for name, segs in b.th.items()}
    binding = []
    for name, constraint in b.rows:
        if name.startswith("balanco") or abs(constraint.pi or 0.0) < 1e-9:
            continue
        gap = constraint.value()  # left-hand side minus the right-hand side (the upper one of a range)
        if abs(gap) < 1e-6:
            binding.append(name)
        elif id(constraint) in b.ranges:
            low, low_name = b.ranges[id(constraint)]
            if abs(gap - constraint.constant - low) < 1e-6:  # constant = -rhs, so this is lhs - low
                binding.append(low_name)
    for variable, kind, where, low_kind in b.bounds:
        if abs(variable.dj or 0.0) < 1e-9:
            continue
        if variable.lowBound is not None and abs(_value(variable) - variable.lowBound) < 1e-6 and variable.lowBound:
            binding.append(f"{low_kind or kind + '_min'}[{where}]")
        elif variable.upBound is not None and abs(_value(variable) - variable.upBound) < 1e-6:
            binding.append(f"{kind}_max[{where}]")
    return Resultado(
        status="Optimal",
        custo_total=float(pulp.value(b.problem.objective) or 0.0),
        hidro=hydro,
        turbinamento={k: [_value(x) for x in v] for k, v in b.q.items()},
        vertimento={k: [_value(x) for x in v] for k, v in b.s.items()},
        volume={k: [_value(x) * HM3_PER_M3S_HOUR for x in v] for k, v in b.v.items()},
        termica=thermal,
        fluxo={k: [_value(x) for x in v] for k, v in b.flow.items()},
        deficit={k: [_value(x) for x in v] for k, v in b.deficit.items()},
        corte={k: [_value(x) for x in v] for k, v in b.cut.items()},
        cmo={k: [float(c.pi or 0.0) for c in v] for k, v in b.balance.items()},
        restricoes_ativas=binding,
        solver=used,
    )
