"""Benchmark: scoring 10^6 units for the four offers, and the list ranked by a score at that size.

    .venv/bin/python benchmarks/score.py --ucs 1000000

Generates a synthetic BDGD (manage.py make_sample_bdgd, drawn from the real Mux 2024 file, its typical
and its typical curves) unless it exists, imports it (untimed; the import scores it once), then:
  - times `manage.py score_leads --distribuidora 401 --ano Y` in a child process (read the units' figures,
    score them as arrays, write them back with COPY in one transaction): wall time and peak RSS;
  - times the list API ranked by a score, `/api/v1/leads/?oferta=acl&ordering=-score_acl&page_size=50`,
    through Django's test client: first page and the next pages by cursor, p50 and p95 over --runs,
    and the bare SQL of the first page (EXPLAIN ANALYZE execution time) beside it. The list is measured
    right after the run (its replaced rows still dead tuples) and again after a VACUUM, the state a
    server with autovacuum reaches within minutes.
Prints the figures and a last line `score_s: X  rss_mb: Y  list_p95_ms: Z`. The benchmark's rows
(distributor 401, year --ano) are deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_bdgd import clean, django_env, run, sample_imported  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ucs", type=int, default=1_000_000)
    parser.add_argument("--ano", type=int, default=2099, help="reference year of the synthetic file")
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"), help="where the synthetic file is kept")
    parser.add_argument("--runs", type=int, default=40, help="requests per list case")
    parser.add_argument("--keep", action="store_true", help="keep the imported rows")
    args = parser.parse_args()

    env = django_env()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from leads import selectors
    from leads.models import LeadScore
    from youon.lib.db import serial_plans

    sample_imported(args.dir, args.ano, args.ucs, env)
    py = sys.executable

    seconds, rss = run([py, "manage.py", "score_leads", "--distribuidora", "401", "--ano", str(args.ano)], env)
    scored = LeadScore.objects.filter(distribuidora_id=401, ano=args.ano).count()
    print(f"score_leads: {scored:,} units in {seconds:.1f} s ({scored / seconds:,.0f} units/s), peak RSS {rss} MB")

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user, _ = get_user_model().objects.get_or_create(username="bench-score")
    client = Client()
    client.force_login(user)
    base = f"/api/v1/leads/?distribuidora=401&ano={args.ano}&oferta=acl&ordering=-score_acl&page_size=50"
    cases = {"first page": base}
    page = client.get(base).json()
    cases["a later page (cursor)"] = client.get(page["next"]).json()["next"] or page["next"]
    times: dict[str, list[float]] = {}

    def measure(suffix: str) -> None:
        for name, url in cases.items():
            client.get(url)  # warm
            times[name + suffix] = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.get(url)
                times[name + suffix].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.content[:200]

    # Right after the run its table holds the replaced rows as dead tuples until a vacuum; a server with
    # autovacuum (the default) clears them within minutes. Both states are measured.
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'intel_lead.lead_score'::regclass")
        dead = cursor.fetchone()[0]
    measure(f" (right after the run, {dead:,} dead rows)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) intel_lead.lead_score")
    measure(" (after vacuum)")
    queryset = selectors.lead_list(
        params={"distribuidora": "401", "ano": str(args.ano), "oferta": "acl"}, ordering="-score_acl"
    ).order_by("-score_acl", "uc_id")[:51]
    sql, params = queryset.query.sql_with_params()
    with serial_plans(), connection.cursor() as cursor:  # as the list plans it
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0][0]
    bare = plan["Planning Time"] + plan["Execution Time"]
    worst = 0.0
    for name, values in times.items():
        p95 = percentile(values, 0.95)
        worst = max(worst, p95)
        print(f"list {name}: p50 {statistics.median(values):.1f} ms, p95 {p95:.1f} ms")
    print(f"bare SQL of the first page: {bare:.1f} ms (planning {plan['Planning Time']:.1f} ms)")
    if not args.keep:
        clean(connection, args.ano)
    print(f"score_s: {seconds:.1f}  rss_mb: {rss}  list_p95_ms: {worst:.1f}")


if __name__ == "__main__":
    main()
