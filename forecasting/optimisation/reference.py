"""The dispatch problem written a second time, straight into matrices for `scipy.optimize.linprog`.

An independent formulation of `dispatch.Problema` (no PuLP): tests and `benchmarks/dispatch.py`
compare its optimal cost with `dispatch.solve` to check the PuLP model, not only the solver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import linprog

from .dispatch import HM3_PER_M3S_HOUR, Problema


@dataclass
class Reference:
    custo_total: float
    status: str
    cmo: dict[str, NDArray[Any]]


class _Columns:
    def __init__(self) -> None:
        self.size = 0
        self.cost: list[NDArray[Any]] = []
        self.low: list[NDArray[Any]] = []
        self.high: list[NDArray[Any]] = []

    def add(self, n: int, cost: float, low: float | NDArray[Any], high: float | NDArray[Any]) -> NDArray[Any]:
        index = np.arange(self.size, self.size + n)
        self.size += n
        self.cost.append(np.full(n, cost, dtype=float))
        self.low.append(np.broadcast_to(np.asarray(low, dtype=float), (n,)).copy())
        self.high.append(np.broadcast_to(np.asarray(high, dtype=float), (n,)).copy())
        return index


class _Rows:
    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.rhs: list[float] = []

    def add(self, terms: list[tuple[int, float]], rhs: float) -> int:
        row = len(self.rhs)
        for col, val in terms:
            self.rows.append(row)
            self.cols.append(int(col))
            self.vals.append(val)
        self.rhs.append(rhs)
        return row

    def matrix(self, width: int) -> sparse.csr_matrix:
        return sparse.csr_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.rhs), width))


def solve(p: Problema) -> Reference:
    T = p.horas
    c = _Columns()
    eq, ub = _Rows(), _Rows()  # A_eq x = b_eq; A_ub x <= b_ub
    supply: dict[str, list[list[tuple[int, float]]]] = {s: [[] for _ in range(T)] for s in p.carga}
    q, s_, v = {}, {}, {}
    for h in p.hidros:
        gmax = h.produtibilidade * h.turbinamento_max if h.geracao_max is None else h.geracao_max
        q[h.nome] = c.add(T, 0.0, h.geracao_min / h.produtibilidade, min(h.turbinamento_max, gmax / h.produtibilidade))
        s_[h.nome] = c.add(T, p.penalidade_vertimento, 0.0, np.inf)
        v[h.nome] = c.add(T, 0.0, h.volume_min, h.volume_max)
        c.cost[-1][-1] -= h.valor_agua  # the water left at the end
        for t in range(T):
            supply[h.subsistema][t].append((q[h.nome][t], h.produtibilidade))
    for h in p.hidros:
        for t in range(T):
            terms = [(v[h.nome][t], 1.0), (q[h.nome][t], HM3_PER_M3S_HOUR), (s_[h.nome][t], HM3_PER_M3S_HOUR)]
            if t:
                terms.append((v[h.nome][t - 1], -1.0))
            for up in p.hidros:
                if up.jusante == h.nome:
                    terms += [(q[up.nome][t], -HM3_PER_M3S_HOUR), (s_[up.nome][t], -HM3_PER_M3S_HOUR)]
            eq.add(terms, HM3_PER_M3S_HOUR * h.afluencia[t] + (h.volume_inicial if t == 0 else 0.0))
            if h.defluencia_min > 0:
                ub.add([(q[h.nome][t], -1.0), (s_[h.nome][t], -1.0)], -h.defluencia_min)
            if h.defluencia_max is not None:
                ub.add([(q[h.nome][t], 1.0), (s_[h.nome][t], 1.0)], h.defluencia_max)
        if h.rampa is not None:
            _ramps(ub, [q[h.nome]], h.produtibilidade, h.rampa, h.geracao_inicial)
        if h.volume_meta is not None:
            ub.add([(v[h.nome][T - 1], -1.0)], -h.volume_meta)

    for u in p.termicas:
        segments = [c.add(T, price, 0.0, mw) for mw, price in u.segmentos]
        for t in range(T):
            supply[u.subsistema][t] += [(seg[t], 1.0) for seg in segments]
            if u.geracao_min > 0:
                ub.add([(seg[t], -1.0) for seg in segments], -u.geracao_min)
        if u.rampa is not None:
            _ramps(ub, segments, 1.0, u.rampa, u.geracao_inicial)
    for link in p.interligacoes:
        f = c.add(T, 0.0, -link.limite_reverso, link.limite)
        for t in range(T):
            supply[link.origem][t].append((f[t], -1.0))
            supply[link.destino][t].append((f[t], 1.0))
    balance: dict[str, list[int]] = {}
    for sub, load in p.carga.items():
        wind = p.intermitente.get(sub, [0.0] * T)
        deficit = c.add(T, p.custo_deficit, 0.0, np.inf)
        cut = c.add(T, p.penalidade_corte, 0.0, np.asarray(wind, dtype=float))
        balance[sub] = [
            eq.add([*supply[sub][t], (deficit[t], 1.0), (cut[t], -1.0)], load[t] - wind[t]) for t in range(T)
        ]
    result = linprog(
        np.concatenate(c.cost),
        A_ub=ub.matrix(c.size) if ub.rhs else None,
        b_ub=np.array(ub.rhs) if ub.rhs else None,
        A_eq=eq.matrix(c.size),
        b_eq=np.array(eq.rhs),
        bounds=np.column_stack([np.concatenate(c.low), np.concatenate(c.high)]),
        method="highs",
    )
    marginals = result.eqlin.marginals if result.status == 0 else np.full(len(eq.rhs), np.nan)
    return Reference(
        custo_total=float(result.fun) if result.status == 0 else float("nan"),
        status={0: "Optimal", 2: "Infeasible"}.get(result.status, result.message),
        cmo={sub: np.asarray(marginals)[rows] for sub, rows in balance.items()},
    )


def _ramps(ub: _Rows, series: list[NDArray[Any]], factor: float, ramp: float, initial: float | None) -> None:
    for t in range(len(series[0])):
        if t == 0 and initial is None:
            continue
        now = [(x[t], factor) for x in series]
        before = [(x[t - 1], -factor) for x in series] if t else []
        shift = initial if t == 0 and initial is not None else 0.0
        ub.add([*now, *before], ramp + shift)
        ub.add([(col, -val) for col, val in [*now, *before]], ramp - shift)
