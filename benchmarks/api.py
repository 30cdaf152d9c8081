"""Benchmark: API latency on a million units, through gunicorn over HTTP with a JWT.

    .venv/bin/python benchmarks/api.py [--ucs 1000000] [--repeat 200]

Makes sure the synthetic file of benchmarks/import_bdgd.py (same --ucs and --ano) is imported (imports
it if not), refreshes the summaries, starts gunicorn (2 workers) on a free local port, then reports
p50/p95 over repeated requests for: a filtered list page, a unit's detail, an aggregate, 1,000 GeoJSON
features in a bounding box; and CSV export throughput (rows/s) of every unit of the file.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
TARGETS_MS = {"list": 50, "detail": 30, "aggregate": 20, "geojson_1000": 30}
CSV_TARGET_ROWS_S = 300_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ucs", type=int, default=1_000_000)
    parser.add_argument("--ano", type=int, default=2099)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"))
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youon.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from leads.models import LeadBruto

    units = LeadBruto.objects.filter(distribuidora_id=401, ano=args.ano, camada="UCBT")
    if units.count() < args.ucs:
        sample = Path(args.dir) / f"Amostra_401_{args.ano}-12-31_V11_{args.ucs}-0000.gdb.zip"
        if not sample.exists():
            call_command("make_sample_bdgd", ucs=args.ucs, ano=args.ano, out=str(sample))
        call_command("import_bdgd", str(sample), layers="PONNOT,UCBT", force=True)
    call_command("refresh_views", verbosity=0)
    total = units.count()
    ids = list(units.order_by("?").values_list("uc_id", flat=True)[: args.repeat])
    user, _ = get_user_model().objects.get_or_create(username="bench-api")
    user.set_password("bench-api-password")
    user.save()

    port = free_port()
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "API_THROTTLE_USER": "1000000/minute", "LOG_LEVEL": "WARNING",
        "JWT_ACCESS_MINUTES": "60", "EXPORT_SYNC_MAX_ROWS": "100000000",
    }  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "youon.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        session = requests.Session()
        for _ in range(100):
            try:
                session.get(f"{base}/health/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        token = session.post(f"{base}/api/token/", json={"username": "bench-api", "password": "bench-api-password"})
        session.headers["Authorization"] = f"Bearer {token.json()['access']}"
        rng = random.Random(7)
        cases = {
            "list": lambda i: f"/api/v1/leads/?ano={args.ano}&classe=RE1&pac_min={rng.choice([1, 2, 5])}&page_size=50",
            "detail": lambda i: f"/api/v1/leads/{ids[i % len(ids)]}/",
            "aggregate": lambda i: f"/api/v1/agregados/municipios/?uf=RS&ano={args.ano}",
            "geojson_1000": lambda i: (
                f"/api/v1/leads/geojson/?ano={args.ano}&limit=1000&bbox={-57 + rng.random():.3f},-33.5,-49.5,-27"
            ),
        }
        results = {}
        for name, url in cases.items():
            for i in range(10):  # warm-up
                session.get(base + url(i)).raise_for_status()
            samples = []
            for i in range(args.repeat):
                started = time.perf_counter()
                response = session.get(base + url(i))
                samples.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            if name == "geojson_1000":
                assert len(response.json()["features"]) == 1000, "fewer than 1,000 features in the box"
            results[name] = percentiles(samples)
        started = time.perf_counter()
        rows = -1  # header
        with session.get(f"{base}/api/v1/leads/csv/?ano={args.ano}&camada=UCBT", stream=True) as response:
            response.raise_for_status()
            for chunk in response.iter_content(chunk_size=1 << 20):
                rows += chunk.count(b"\n")
        csv_s = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"units: {total:,} (distributor 401, {args.ano}); {args.repeat} requests per case, gunicorn 2 workers")
    for name, (p50, p95) in results.items():
        verdict = "ok" if p95 <= TARGETS_MS[name] else f"over target {TARGETS_MS[name]} ms"
        print(f"{name:13} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   ({verdict})")
    rate = rows / csv_s
    verdict = "ok" if rate >= CSV_TARGET_ROWS_S else f"under target {CSV_TARGET_ROWS_S:,} rows/s"
    print(f"csv export    {rows:,} rows in {csv_s:.1f} s = {rate:,.0f} rows/s   ({verdict})")


if __name__ == "__main__":
    main()
