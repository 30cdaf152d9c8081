"""Benchmark: our full BDGD import of a UCBT layer against ogr2ogr loading the same layer flat.

    .venv/bin/python benchmarks/import_bdgd.py --ucs 1000000

Generates a synthetic BDGD (manage.py make_sample_bdgd, drawn from the real Mux 2024 file) unless it
exists, imports its PONNOT layer (untimed: the units locate against it), then times, against the same
database (DATABASE_URL):
  - ours: `manage.py import_bdgd FILE --layers UCBT --force` (staging, merge of duplicates, domain checks,
    lead_bruto and the monthly energy and quality tables, location report), in a child process;
  - ogr2ogr: `ogr2ogr -f PostgreSQL --config PG_USE_COPY YES` of UCBT_tab into a flat table.
Prints both times, rows/s, peak RSS of each, the import's steps, the time of a re-import of the same
layer (already there: the partition exchange replaces it), and a last line `ratio: X` (ours / ogr2ogr).
The benchmark's rows (distributor 401, year --ano) are deleted at the end unless --keep.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ucs", type=int, default=1_000_000)
    parser.add_argument("--ano", type=int, default=2099, help="reference year of the synthetic file")
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"), help="where the synthetic file is kept")
    parser.add_argument("--keep", action="store_true", help="keep the imported rows and the flat table")
    args = parser.parse_args()

    env = django_env()
    from django.db import connection

    sample = sample_file(args.dir, args.ano, args.ucs)
    manage = [PY, str(ROOT / "manage.py")]
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
    ours_time, ours_rss = run([*manage, "import_bdgd", str(sample), "--layers", "UCBT", "--force"], env)
    fresh_steps = breakdown(args.ano)
    again_time, _ = run([*manage, "import_bdgd", str(sample), "--layers", "UCBT", "--force"], env)
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
    if not args.keep:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS public.{flat}")
        clean(connection, args.ano)
    print(f"ratio: {ours_time / ogr_time:.2f}")


if __name__ == "__main__":
    main()
