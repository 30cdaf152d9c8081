"""Benchmark: API latency on a million units, through gunicorn over HTTP with a JWT.

    .venv/bin/python benchmarks/api.py [--ucs 1000000] [--repeat 200]

Makes sure the synthetic file of benchmarks/import_bdgd.py (same --ucs and --ano) is imported (imports
it if not) and that the database holds as many layer partitions as a national one (--partitions, default
1,026: 114 distributors x 3 years x 3 layers; the missing ones are created as small layers of years
2096-2098, dropped again with --drop-partitions), refreshes the summaries, starts gunicorn (2 workers,
production settings: DEBUG off) on a free local port, then reports p50/p95 over repeated requests for: a
filtered list page, a unit's detail, an aggregate, 1,000 GeoJSON features in a bounding box; and CSV
export throughput (rows/s) of every unit of the file.

Beside each case it prints the bare SQL of the same requests: the statements Django ran for them
(captured in process), replayed with psycopg on a connection with the same settings, and the ratio of
the two: what the request costs above its SQL is authentication, serialization and rendering.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from api_server import api_server

ROOT = Path(__file__).resolve().parent.parent
TARGETS_MS = {"list": 50, "detail": 30, "aggregate": 20, "geojson_1000": 30}
CSV_TARGET_ROWS_S = 300_000
FILLER_YEARS = (2096, 2097, 2098)
FILLER_UNITS = 20  # units (and their energy months) per filler layer
LAYERS = ("UCAT", "UCMT", "UCBT")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def layer_partitions() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'intel_lead.lead_bruto'::regclass")
        (count,) = cursor.fetchone()
    return int(count) - 1  # the DEFAULT partition


def fill_partitions(wanted: int, ano: int) -> None:
    """Create small layers (FILLER_UNITS units copied from the benchmark layer, with their energy months)
    of years FILLER_YEARS until the unit table has `wanted` layer partitions, each with its monthly tables.

    Each layer is written into its own tables, not through the parents: a statement on a parent plans
    (and locks) every partition and its indexes."""
    from django.db import connection, transaction

    from ingestion import partitions

    missing = wanted - layer_partitions()
    if missing <= 0:
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT cod_aneel FROM intel_lead.distribuidora ORDER BY cod_aneel")
        codes = [c for (c,) in cursor.fetchall()]
        layers = [
            partitions.Layer(d, y, c, tag="")
            for y in FILLER_YEARS for d in codes for c in LAYERS
            if partitions.current(cursor, partitions.Layer(d, y, c, tag=""), partitions.UNITS) is None
        ][:missing]  # fmt: skip
        source = partitions.current(cursor, partitions.Layer(401, ano, "UCBT", tag=""), partitions.UNITS)
        energy = partitions.current(cursor, partitions.Layer(401, ano, "UCBT", tag=""), "lead_energia_mensal")
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'intel_lead' "
            "AND table_name = 'lead_bruto' ORDER BY ordinal_position"
        )
        columns = [c for (c,) in cursor.fetchall()]
    assert source and energy, "the benchmark layer is not imported"
    for i, layer in enumerate(layers):
        own = {
            "uc_id": f"intel_lead.hash_id({layer.distribuidora}, s.cod_id, {layer.ano}, '{layer.camada}')",
            "distribuidora_id": str(layer.distribuidora),
            "ano": str(layer.ano),
            "camada": f"'{layer.camada}'",
        }
        select = ", ".join(own.get(c, f"s.{c}") for c in columns)
        units, months = (partitions.q(f"{p}_{layer.prefix}") for p in (partitions.UNITS, "lead_energia_mensal"))
        with transaction.atomic(), connection.cursor() as cursor:
            for parent in (partitions.UNITS, *partitions.MONTHLY):
                name = partitions.q(f"{parent}_{layer.prefix}")
                cursor.execute(f"CREATE TABLE {name} PARTITION OF {partitions.q(parent)} {layer.bound}")
            cursor.execute(
                f"INSERT INTO {units} ({', '.join(columns)}) SELECT {select} "
                f"FROM (SELECT * FROM {partitions.q(source)} ORDER BY uc_id LIMIT {FILLER_UNITS}) s"
            )
            cursor.execute(
                f"""INSERT INTO {months} (uc_id, mes, origem, distribuidora_id, ano, energia_ponta_kwh,
                        energia_fora_ponta_kwh, energia_total_kwh)
                    SELECT u.uc_id, e.mes, u.camada::text::intel_lead.origem_enum, u.distribuidora_id, u.ano,
                           e.energia_ponta_kwh, e.energia_fora_ponta_kwh, e.energia_total_kwh
                    FROM {units} u JOIN {partitions.q(source)} s ON s.cod_id = u.cod_id
                    JOIN {partitions.q(energy)} e ON e.uc_id = s.uc_id"""
            )
            cursor.execute(f"ANALYZE {units}")
        if i % 100 == 99:
            print(f"  {i + 1:,} of {len(layers):,} filler layers created", flush=True)
    print(f"created {len(layers):,} filler layers in {time.perf_counter() - started:.0f} s", flush=True)


def drop_partitions() -> None:
    """Remove the filler layers (their tables dropped, their units unregistered)."""
    from django.db import connection

    from ingestion.services import bdgd_layer_remove

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'intel_lead.lead_bruto'::regclass"
        )
        names = [n for (n,) in cursor.fetchall()]
    for name in names:
        parts = name.split("_")  # lead_bruto_<dist>_<ano>_<camada>[_i<tag>]
        if len(parts) >= 5 and parts[3].isdigit() and int(parts[3]) in FILLER_YEARS:
            bdgd_layer_remove(distribuidora=int(parts[2]), ano=int(parts[3]), camada=parts[4].upper())


def captured(path: str, token: str) -> list[str]:
    """The SQL statements Django runs for one request (through the test client, with the same JWT)."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    reset_queries()  # the log keeps 9,000 queries: once full, a capture's slice of it would be empty
    with CaptureQueriesContext(connection) as queries:
        client.get(path).close()
    return [q["sql"] for q in queries.captured_queries]


def bare_sql(statements: list[list[str]]) -> list[float]:
    """Wall time (ms) of replaying each request's statements with psycopg, fetching every row."""
    import psycopg
    from django.db import connection

    samples = []
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as pg, pg.cursor() as cursor:
        for request in statements:
            started = time.perf_counter()
            for statement in request:
                cursor.execute(statement.encode())
                if cursor.description is not None:
                    cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def bare_copy(query: str, params: tuple[object, ...]) -> tuple[int, float]:
    """Rows and seconds of the export's COPY TO STDOUT read with psycopg."""
    import psycopg
    from django.db import connection

    rows = 0
    started = time.perf_counter()
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as pg, pg.cursor() as cursor:
        with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for chunk in copy:
                rows += bytes(chunk).count(b"\n")
    return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ucs", type=int, default=1_000_000)
    parser.add_argument("--ano", type=int, default=2099)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--partitions", type=int, default=1026, help="layer partitions the database holds")
    parser.add_argument("--drop-partitions", action="store_true", help="drop the filler layers and stop")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youon.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["API_THROTTLE_USER"] = "1000000/minute"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if args.drop_partitions:
        drop_partitions()
        print(f"layer partitions now: {layer_partitions():,}")
        return
    from django.core.management import call_command
    from django.db import connection

    from leads.models import LeadBruto

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_locks_per_transaction")
        (locks,) = cursor.fetchone()
    if args.partitions > 300 and int(locks) < 512:
        sys.exit(
            f"max_locks_per_transaction is {locks}: a statement over {args.partitions:,} layers (the summaries' "
            "refresh) needs 512 (ALTER SYSTEM SET max_locks_per_transaction = 512, then restart PostgreSQL; "
            "docker-compose.yml sets it)"
        )

    units = LeadBruto.objects.filter(distribuidora_id=401, ano=args.ano, camada="UCBT")
    if units.count() < args.ucs:
        sample = Path(args.dir) / f"Amostra_401_{args.ano}-12-31_V11_{args.ucs}-0000.gdb.zip"
        if not sample.exists():
            call_command("make_sample_bdgd", ucs=args.ucs, ano=args.ano, out=str(sample))
        call_command("import_bdgd", str(sample), layers="PONNOT,UCBT", force=True)
    fill_partitions(args.partitions, args.ano)
    call_command("refresh_views", verbosity=0)
    partitions_now = layer_partitions()
    total = units.count()
    ids = list(units.order_by("?").values_list("uc_id", flat=True)[: args.repeat])
    with api_server("bench-api", env={"JWT_ACCESS_MINUTES": "60", "EXPORT_SYNC_MAX_ROWS": "100000000"}) as (
        base, session, access,
    ):  # fmt: skip
        rng = random.Random(7)
        cases = {
            "list": lambda i: f"/api/v1/leads/?ano={args.ano}&classe=RE1&pac_min={rng.choice([1, 2, 5])}&page_size=50",
            "detail": lambda i: f"/api/v1/leads/{ids[i % len(ids)]}/",
            "aggregate": lambda i: f"/api/v1/agregados/municipios/?uf=RS&ano={args.ano}",
            "geojson_1000": lambda i: (
                f"/api/v1/leads/geojson/?ano={args.ano}&limit=1000&bbox={-57 + rng.random():.3f},-33.5,-49.5,-27"
            ),
        }
        results, sql_results = {}, {}
        for name, url in cases.items():
            for i in range(10):  # warm-up
                session.get(base + url(i)).raise_for_status()
            samples, paths = [], []
            for i in range(args.repeat):
                paths.append(url(i))
                started = time.perf_counter()
                response = session.get(base + paths[-1])
                samples.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            if name == "geojson_1000":
                assert len(response.json()["features"]) == 1000, "fewer than 1,000 features in the box"
            results[name] = percentiles(samples)
            statements = [captured(path, access) for path in paths]
            bare_sql(statements[:10])  # warm-up
            sql_results[name] = percentiles(bare_sql(statements))
        started = time.perf_counter()
        rows = -1  # header
        with session.get(f"{base}/api/v1/leads/csv/?ano={args.ano}&camada=UCBT", stream=True) as response:
            response.raise_for_status()
            for chunk in response.iter_content(chunk_size=1 << 20):
                rows += chunk.count(b"\n")
        csv_s = time.perf_counter() - started
    from leads.selectors import lead_export_sql

    sql_rows, sql_s = bare_copy(*lead_export_sql(params={"ano": str(args.ano), "camada": "UCBT"}))

    print(
        f"units: {total:,} (distributor 401, {args.ano}); {partitions_now:,} layer partitions; "
        f"{args.repeat} requests per case, gunicorn 2 workers, DEBUG off"
    )
    print(f"{'case':13} {'HTTP p50':>9} {'p95':>9}   {'SQL p50':>8} {'p95':>8}   HTTP/SQL (p50)")
    for name, (p50, p95) in results.items():
        verdict = "ok" if p95 <= TARGETS_MS[name] else f"over target {TARGETS_MS[name]} ms"
        s50, s95 = sql_results[name]
        print(f"{name:13} {p50:6.1f} ms {p95:6.1f} ms   {s50:5.1f} ms {s95:5.1f} ms   {p50 / s50:5.2f}   ({verdict})")
    rate = rows / csv_s
    verdict = "ok" if rate >= CSV_TARGET_ROWS_S else f"under target {CSV_TARGET_ROWS_S:,} rows/s"
    print(f"csv export    {rows:,} rows in {csv_s:.1f} s = {rate:,.0f} rows/s   ({verdict})")
    print(
        f"csv bare COPY {sql_rows:,} rows in {sql_s:.1f} s = {sql_rows / sql_s:,.0f} rows/s"
        f"   HTTP/SQL {csv_s / sql_s:.2f}"
    )


if __name__ == "__main__":
    main()
