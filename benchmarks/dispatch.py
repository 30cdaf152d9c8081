"""Hourly dispatch at full size: 168 hours, four subsystems, 100 plants.

    .venv/bin/python benchmarks/dispatch.py [--hours 168] [--plants 100] [--seed 7] [--repeat 5]

Builds the case of `forecasting.optimisation.cases.sized`, solves it `--repeat` times with the PuLP
model (HiGHS) and once, independently, the same problem written straight into matrices for scipy's
`linprog` (HiGHS). Prints the median and the fastest time of the whole call (building the PuLP model,
solving, reading the result back) and of its parts, both objectives and their relative difference.
Times on a shared 2-core machine vary by ±15 % from run to run, hence the median.
"""

from __future__ import annotations

import argparse
import statistics
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
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    args = parser.parse_args()

    problem = cases.sized(args.hours, args.plants, args.seed)
    print(
        f"case: {args.hours} h, {len(problem.carga)} subsystems, {len(problem.hidros)} hydro + "
        f"{len(problem.termicas)} thermal plants, {len(problem.interligacoes)} interchanges"
    )
    totals, parts = [], []
    for _ in range(args.repeat):
        began = time.perf_counter()
        result = dispatch.solve(problem, solver=args.solver)
        totals.append(time.perf_counter() - began)
        parts.append(result.segundos)
    began = time.perf_counter()
    independent = reference.solve(problem)
    theirs = time.perf_counter() - began
    gap = abs(result.custo_total - independent.custo_total) / abs(independent.custo_total)
    sanity = dispatch.cmo_sanity(result.cmo, 2024)
    median = statistics.median(totals)
    split = ", ".join(f"{k} {statistics.median(p[k] for p in parts):.2f} s" for k in parts[0])
    print(f"PuLP + {result.solver}, {args.repeat} runs: median {median:.2f} s ({split}), fastest {min(totals):.2f} s")
    print(f"cost R$ {result.custo_total:,.2f}")
    print(f"scipy linprog (HiGHS), independent formulation: {theirs:.2f} s, cost R$ {independent.custo_total:,.2f}")
    print(
        f"binding limits: {len(result.restricoes_ativas)}; deficit MWh: {sum(map(sum, result.deficit.values())):,.1f}"
    )
    print(
        f"CMO R$/MWh {sanity['min']:.2f} .. {sanity['max']:.2f} against the 2024 PLD floor {sanity['piso']} "
        f"and cap {sanity['teto']}: {sanity['horas_abaixo_do_piso']} hours below, "
        f"{sanity['horas_acima_do_teto']} above"
    )
    print(f"time: {median:.2f} s median, build and solve (target < 3 s)")
    print(f"relative difference: {gap:.2e} (target <= 1e-6)")


if __name__ == "__main__":
    main()
