"""Benchmark: our full BDGD import of a UCBT layer against ogr2ogr loading the same layer flat.

    .venv/bin/python benchmarks/import_bdgd.py --ucs 1000000

Generates a synthetic BDGD (manage.py make_sample_bdgd, drawn from the real Mux 2024 file) unless it
exists, imports its PONNOT layer (untimed: the units locate against it), then times, against the same
database (DATABASE_URL):
  - ours: `manage.py import_bdgd FILE --layers UCBT --force` (staging, merge of duplicates, domain checks,
    lead_bruto and the monthly energy and quality tables, location report), in a child process;
  - ogr2ogr: `ogr2ogr -f PostgreSQL --config PG_USE_COPY YES` of UCBT_tab into a flat table.
The timed imports run with --no-enrich (the enrichment is its own step, benchmarks/enrich.py).
Prints both times, rows/s, peak RSS of each, the import's steps, the time of a re-import of the same
layer (already there: the partition exchange replaces it), and a last line `ratio: X` (ours / ogr2ogr).
The benchmark's rows (distributor 401, year --ano) are deleted at the end unless --keep.

    .venv/bin/python benchmarks/import_bdgd.py --scaling [--sizes 100000,1000000,3000000] [--others 5]

times the same first import at each size, then fills the database with --others layers of 10^6 units
of other distributors (copies of the imported 10^6 layer under other codes, built and swapped in as an
import does, without reading a file again) and imports distributor 401's 10^6 units once more into
that database: prints seconds and microseconds per unit of each, and each one's ratio to the 10^6 first
import. The other distributors' layers are removed at the end unless --keep.

    .venv/bin/python benchmarks/import_bdgd.py --floor

adds, after the runs, each step a first import cannot do without, timed alone: reading the layer with
GDAL, and writing the rows the schema holds (units with their indexes, monthly rows with their keys).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def run(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time and peak RSS (MB) of one child process (wait4 gives that child's own rusage)."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert child.stdout is not None
    output = child.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        sys.exit(f"{' '.join(args[:3])} failed:\n{output}")
    return elapsed, usage.ru_maxrss // 1024


def clean(connection: object, ano: int) -> None:
    """Remove the benchmark's layers: their tables are dropped whole, their units unregistered."""
    from ingestion.services import bdgd_layer_remove

    for camada in ("UCAT", "UCMT", "UCBT"):
        bdgd_layer_remove(distribuidora=401, ano=ano, camada=camada)
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("DELETE FROM intel_lead.ponto_notavel WHERE distribuidora_id = 401 AND ano = %s", [ano])


def breakdown(ano: int) -> dict[str, float]:
    """Steps of the latest UCBT import of the benchmark layer, from its report (seconds)."""
    from ingestion.models import ImportStatus

    status = ImportStatus.objects.filter(distribuidora_id=401, ano=ano, camada="UCBT", status="completed").first()
    return dict(status.relatorio.get("etapas_s", {})) if status else {}


def django_env() -> dict[str, str]:
    """Set Django up in this process (dev settings unless DEBUG says otherwise); the children's env."""
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONPATH": str(ROOT)}
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youon.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


def sample_file(folder: str, ano: int, ucs: int) -> Path:
    """Where the synthetic BDGD of `ucs` units for year `ano` is kept (the folder created)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder) / f"Amostra_401_{ano}-12-31_V11_{ucs}-0000.gdb.zip"


def sample_imported(folder: str, ano: int, ucs: int, env: dict[str, str]) -> Path:
    """The synthetic BDGD of `ucs` units for `ano`, generated unless kept, and its points and units
    imported (untimed) unless the database already holds that layer whole."""
    from leads.models import LeadBruto

    sample = sample_file(folder, ano, ucs)
    if not sample.exists():
        print(f"generating {sample.name} ...", flush=True)
        run([PY, "manage.py", "make_sample_bdgd", "--ucs", str(ucs), "--ano", str(ano), "--out", str(sample)], env)
    if LeadBruto.objects.filter(distribuidora_id=401, ano=ano).count() != ucs:
        print("importing it (untimed) ...", flush=True)
        run([PY, "manage.py", "import_bdgd", str(sample), "--layers", "PONNOT,UCBT", "--force"], env)
    return sample


def units_in_database() -> int:
    from leads.models import LeadUnidade

    return LeadUnidade.objects.count()


def timed_import(manage: list[str], sample: Path, env: dict[str, str]) -> tuple[float, int]:
    """Import a sample's points (untimed) and time the import of its units layer; (seconds, peak RSS MB)."""
    run([*manage, "import_bdgd", str(sample), "--layers", "PONNOT", "--force"], env)
    return run([*manage, "import_bdgd", str(sample), "--layers", "UCBT", "--force", "--no-enrich"], env)


def clone_layer(ano: int, distribuidora: int) -> float:
    """Copy distributor 401's UCBT layer of `ano` as `distribuidora`'s (new uc_ids), built aside and swapped
    in by the importer's own steps (ingestion/partitions.py); returns seconds."""
    from ingestion import partitions
    from youon.lib.db import own_connection

    started = time.perf_counter()
    source = partitions.Layer(401, ano, "UCBT", tag="")
    layer = partitions.Layer(distribuidora, ano, "UCBT", tag="copia")
    uc_id = f"intel_lead.hash_id({distribuidora}, o.cod_id, {ano}, 'UCBT')"
    with own_connection() as conn, conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET synchronous_commit = off")
        origin_units = partitions.current(cur, source, partitions.UNITS)
        assert origin_units is not None, "distributor 401's layer is not imported"
        for parent in (partitions.UNITS, *partitions.MONTHLY):
            origin = partitions.current(cur, source, parent)
            cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'intel_lead' "
                "AND table_name = %s ORDER BY ordinal_position",
                [parent],
            )
            columns = [c for (c,) in cur.fetchall()]
            own = {"uc_id": uc_id, "distribuidora_id": str(distribuidora)}
            # Units are read as `o` (their new uc_id hashes o.cod_id); monthly rows as `s`, joined to their unit.
            alias = "o" if parent == partitions.UNITS else "s"
            select = ", ".join(own.get(c, f"{alias}.{c}") for c in columns)
            join = "" if parent == partitions.UNITS else f" JOIN {partitions.q(origin_units)} o ON o.uc_id = s.uc_id"
            cur.execute(partitions.create(parent, layer))
            cur.execute(
                f"INSERT INTO {partitions.q(layer.new(parent))} ({', '.join(columns)}) "
                f"SELECT {select} FROM {partitions.q(origin or '')} {alias}{join}"
                + (" ORDER BY 1" if parent == partitions.UNITS else "")
            )
        for statement in partitions.key_units(cur, layer):
            cur.execute(statement)
        partitions.finish_units(cur, layer)
        for parent in partitions.MONTHLY:
            partitions.finish_monthly(cur, layer, parent)
            partitions.link_monthly(cur, layer, parent)
        conn.commit()
        partitions.swap(cur, layer)
        conn.commit()
    return time.perf_counter() - started


def scaling(args: argparse.Namespace, env: dict[str, str], manage: list[str]) -> None:
    """Time per unit of a first import whatever the size of the layer and of the database."""
    from django.db import connection

    from leads.models import Distribuidora

    def sample(ucs: int, distribuidora: int) -> Path:
        path = Path(args.dir) / f"Amostra_{distribuidora}_{args.ano}-12-31_V11_{ucs}-0000.gdb.zip"
        if not path.exists():
            t, _ = run(
                [*manage, "make_sample_bdgd", "--ucs", str(ucs), "--ano", str(args.ano), "--out", str(path),
                 "--distribuidora", str(distribuidora)],
                env,
            )  # fmt: skip
            print(f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {t:.1f} s", flush=True)
        return path

    others = list(
        Distribuidora.objects.exclude(cod_aneel=401).order_by("cod_aneel").values_list("cod_aneel", flat=True)
    )[: args.others]
    rows: list[tuple[str, int, int, float, int]] = []  # case, units, units already in the database, s, RSS

    def measure(case: str, ucs: int, distribuidora: int) -> None:
        before = units_in_database()
        seconds, rss = timed_import(manage, sample(ucs, distribuidora), env)
        rows.append((case, ucs, before, seconds, rss))
        print(f"{case:34} {ucs:>10,} units {seconds:8.1f} s  {seconds / ucs * 1e6:6.1f} us/unit", flush=True)

    for ucs in sorted(args.sizes, key=lambda n: n == 1_000_000):  # the 10^6 layer last: the copies' source
        clean(connection, args.ano)
        measure(f"first import, {ucs:,} units", ucs, 401)
    for code in others:
        print(f"copied the 10^6 layer as distributor {code} in {clone_layer(args.ano, code):.0f} s", flush=True)
    clean(connection, args.ano)
    measure(f"401 into a database of {len(others)} x 10^6 more", 1_000_000, 401)

    reference = next(r for r in rows if r[0] == "first import, 1,000,000 units")
    per_unit = reference[3] / reference[1]
    print()
    print(f"{'case':40} {'units':>10} {'in the db before':>17} {'s':>8} {'us/unit':>8} {'vs 10^6':>8} {'RSS MB':>7}")
    for case, ucs, before, seconds, rss in rows:
        print(
            f"{case:40} {ucs:>10,} {before:>17,} {seconds:8.1f} {seconds / ucs * 1e6:8.1f} "
            f"{seconds / ucs / per_unit:8.2f} {rss:>7,}"
        )
    hours = 90e6 * per_unit / 3600
    print(f"projection: 90,000,000 units at {per_unit * 1e6:.1f} us/unit = {hours:.1f} h on one machine")
    if not args.keep:
        from ingestion.services import bdgd_layer_remove

        for code in others:
            for camada in ("UCAT", "UCMT", "UCBT"):
                bdgd_layer_remove(distribuidora=code, ano=args.ano, camada=camada)
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM intel_lead.ponto_notavel WHERE distribuidora_id = %s AND ano = %s", [code, args.ano]
                )
        clean(connection, args.ano)


def floor(args: argparse.Namespace, sample: Path) -> None:
    """What a first import cannot do without, each step timed alone on an idle connection: reading the
    layer with GDAL (Arrow batches, nothing sent), then writing the rows the schema holds, copied from the
    imported layer's own tables (no parsing, no joins): its units with their key and 15 indexes, its
    energy rows (twelve a unit) and quality rows with their keys."""
    from ingestion import partitions
    from ingestion.readers import bdgd
    from youon.lib.db import own_connection

    started = time.perf_counter()
    dataset = bdgd.open_dataset(sample)
    reader = bdgd.layer_reader(dataset, "UCBT")
    assert reader is not None
    rows = sum(batch.num_rows for batch in reader.batches(50_000))
    steps = {"read UCBT_tab with GDAL (Arrow batches)": time.perf_counter() - started}
    layer = partitions.Layer(401, args.ano, "UCBT", tag="")
    with own_connection(autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET synchronous_commit = off")
        for parent, keys in (
            (partitions.UNITS, None),
            ("lead_energia_mensal", "uc_id, mes"),
            ("lead_qualidade_mensal", "uc_id, mes"),
        ):
            source = partitions.current(cur, layer, parent)
            assert source is not None, "import the layer first (--keep)"
            name = f"piso_{parent}"
            cur.execute(f"DROP TABLE IF EXISTS {partitions.q(name)}")
            t = time.perf_counter()
            cur.execute(f"CREATE TABLE {partitions.q(name)} AS SELECT * FROM {partitions.q(source)}")
            count = cur.rowcount
            steps[f"write {count:,} rows of {parent}"] = time.perf_counter() - t
            t = time.perf_counter()
            if keys:
                cur.execute(f"ALTER TABLE {partitions.q(name)} ADD PRIMARY KEY ({keys})")
            else:
                cur.execute(f"ALTER TABLE {partitions.q(name)} ADD PRIMARY KEY (uc_id)")
                for statement in partitions.parent_indexes(cur, parent, name):
                    cur.execute(statement)
            steps[f"  its key{'' if keys else ' and indexes'}"] = time.perf_counter() - t
            cur.execute(f"DROP TABLE {partitions.q(name)}")
    total = sum(steps.values())
    print(f"floor of a first import of {rows:,} rows (each step alone, one connection):")
    for step, seconds in steps.items():
        print(f"  {step:52} {seconds:7.1f} s")
    print(f"  {'sum (one core)':52} {total:7.1f} s")
    print(f"  {'sum / 2 (both cores, perfectly shared)':52} {total / 2:7.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ucs", type=int, default=1_000_000)
    parser.add_argument("--ano", type=int, default=2099, help="reference year of the synthetic file")
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"), help="where the synthetic file is kept")
    parser.add_argument("--keep", action="store_true", help="keep the imported rows and the flat table")
    parser.add_argument("--scaling", action="store_true", help="time per unit across layer and database sizes")
    parser.add_argument(
        "--sizes", type=lambda v: [int(x) for x in v.split(",")], default=[100_000, 1_000_000, 3_000_000]
    )
    parser.add_argument("--others", type=int, default=5, help="10^6-unit layers of other distributors (--scaling)")
    parser.add_argument("--floor", action="store_true", help="after the runs, time what an import cannot do without")
    args = parser.parse_args()

    env = django_env()
    from django.db import connection

    manage = [PY, str(ROOT / "manage.py")]
    if args.scaling:
        scaling(args, env, manage)
        return
    sample = sample_file(args.dir, args.ano, args.ucs)
    if not sample.exists():
        t, _ = run(
            [*manage, "make_sample_bdgd", "--ucs", str(args.ucs), "--ano", str(args.ano), "--out", str(sample)], env
        )
        print(f"generated {sample.name} ({sample.stat().st_size / 1e6:.0f} MB) in {t:.1f} s")
    clean(connection, args.ano)  # a fresh layer: what the figures below measure is a first import
    run([*manage, "import_bdgd", str(sample), "--layers", "PONNOT", "--force"], env)

    db = connection.settings_dict
    pg = f"PG:dbname={db['NAME']} host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']}"
    if db["PASSWORD"]:
        pg += f" password={db['PASSWORD']}"
    flat = "bench_ucbt_flat"
    ogr_time, ogr_rss = run(
        ["ogr2ogr", "-f", "PostgreSQL", "--config", "PG_USE_COPY", "YES", pg, f"/vsizip/{sample}", "UCBT_tab",
         "-nln", flat, "-overwrite", "-lco", "SCHEMA=public", "-lco", "SPATIAL_INDEX=NONE"],
        env,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM public.{flat}")
        (rows,) = cursor.fetchone()
    ours_time, ours_rss = run([*manage, "import_bdgd", str(sample), "--layers", "UCBT", "--force", "--no-enrich"], env)
    fresh_steps = breakdown(args.ano)
    again_time, _ = run([*manage, "import_bdgd", str(sample), "--layers", "UCBT", "--force", "--no-enrich"], env)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM intel_lead.lead_bruto WHERE distribuidora_id = 401 AND ano = %s AND camada = 'UCBT'",
            [args.ano],
        )
        (units,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM intel_lead.lead_energia_mensal"
            " WHERE distribuidora_id = 401 AND ano = %s AND origem = 'UCBT'",
            [args.ano],
        )
        (monthly,) = cursor.fetchone()

    print(f"layer UCBT_tab: {rows:,} rows, {units:,} units after merging, {monthly:,} monthly energy rows")
    print(f"ogr2ogr flat:  {ogr_time:8.1f} s  {rows / ogr_time:10,.0f} rows/s  peak RSS {ogr_rss:,} MB")
    print(f"ours (full):   {ours_time:8.1f} s  {rows / ours_time:10,.0f} rows/s  peak RSS {ours_rss:,} MB")
    print("breakdown (s): " + ", ".join(f"{k} {v:.1f}" for k, v in fresh_steps.items()))
    print(f"re-import:     {again_time:8.1f} s  (layer already there: {again_time / ours_time:.2f} x a first import)")
    print("breakdown (s): " + ", ".join(f"{k} {v:.1f}" for k, v in breakdown(args.ano).items()))
    if args.floor:
        floor(args, sample)
    if not args.keep:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS public.{flat}")
        clean(connection, args.ano)
    print(f"ratio: {ours_time / ogr_time:.2f}")


if __name__ == "__main__":
    main()
