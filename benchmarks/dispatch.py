"""Hourly dispatch at full size: 168 hours, four subsystems, 100 plants.

    .venv/bin/python benchmarks/dispatch.py [--hours 168] [--plants 100] [--seed 7]

Builds the case of `forecasting.optimisation.cases.sized`, solves it with the PuLP model (HiGHS) and,
independently, the same problem written straight into matrices for scipy's `linprog` (HiGHS).
Prints the build-and-solve time, both objectives and their relative difference.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecasting.optimisation import cases, dispatch, reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=168)
    parser.add_argument("--plants", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    args = parser.parse_args()

    problem = cases.sized(args.hours, args.plants, args.seed)
    print(
        f"case: {args.hours} h, {len(problem.carga)} subsystems, {len(problem.hidros)} hydro + "
        f"{len(problem.termicas)} thermal plants, {len(problem.interligacoes)} interchanges"
    )
    began = time.perf_counter()
    result = dispatch.solve(problem, solver=args.solver)
    ours = time.perf_counter() - began
    began = time.perf_counter()
    independent = reference.solve(problem)
    theirs = time.perf_counter() - began
    gap = abs(result.custo_total - independent.custo_total) / abs(independent.custo_total)
    sanity = dispatch.cmo_sanity(result.cmo, 2024)
    print(f"PuLP + {result.solver}: build and solve {ours:.2f} s, cost R$ {result.custo_total:,.2f}")
    print(f"scipy linprog (HiGHS), independent formulation: {theirs:.2f} s, cost R$ {independent.custo_total:,.2f}")
    print(
        f"binding limits: {len(result.restricoes_ativas)}; deficit MWh: {sum(map(sum, result.deficit.values())):,.1f}"
    )
    print(
        f"CMO R$/MWh {sanity['min']:.2f} .. {sanity['max']:.2f} against the 2024 PLD floor {sanity['piso']} "
        f"and cap {sanity['teto']}: {sanity['horas_abaixo_do_piso']} hours below, "
        f"{sanity['horas_acima_do_teto']} above"
    )
    print(f"time: {ours:.2f} s (target < 3 s)")
    print(f"relative difference: {gap:.2e} (target <= 1e-6)")


if __name__ == "__main__":
    main()
