"""Benchmark: the import of a Receita CNPJ release (read in place from the zips, COPY, indexes, swap).

    .venv/bin/python benchmarks/cnpj_import.py [--linhas 1000000] [--folder /tmp/cnpj_bench]

Writes a synthetic release in Receita's real layout unless it exists (`Estabelecimentos0.zip`,
`Empresas0.zip`, `Simples.zip` with `K3241.K03200Y0.D….ESTABELE`-style members): --linhas establishment
lines resampled from the 2,000 real rows of tests/fixtures/cnpj/ (so about 43 % active, as there), as
many company lines and half as many Simples lines, each with a unique CNPJ base. Then imports it into
DATABASE_URL's database (`ingestion.cnpj.cnpj_import_release`, forced: it replaces the active release)
and prints lines read per second (all three files), active establishments kept, the seconds and the
peak RSS of this process (the import's own memory; PostgreSQL's is not counted). A re-run of the same
files is timed too (the no-op). Unless --keep, the benchmark's release is removed afterwards and the
three tables emptied.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "cnpj" / "2026-01"
STAMP = "D90110"  # the benchmark's month: 2099-01, after any real release
TARGET_ROWS_S = 100_000


def _real_lines(name: str) -> list[list[str]]:
    with zipfile.ZipFile(REAL / name) as archive:
        [info] = archive.infolist()
        text = archive.read(info).decode("latin-1")
    return [line[1:-1].split('";"') for line in text.splitlines() if line]


def write_release(folder: Path, lines: int, seed: int = 7) -> Path:
    """The synthetic release folder (written once per size)."""
    target = folder / f"{lines}" / "2099-01"
    done = target / ".complete"
    if done.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    plan = [
        ("Estabelecimentos0.zip", f"K3241.K03200Y0.{STAMP}.ESTABELE", "Estabelecimentos0.zip", lines),
        ("Empresas0.zip", f"K3241.K03200Y0.{STAMP}.EMPRECSV", "Empresas0.zip", lines),
        ("Simples.zip", f"F.K03200$W.SIMPLES.CSV.{STAMP}", "Simples.zip", lines // 2),
    ]
    for zip_name, member, source, count in plan:
        rows = _real_lines(source)
        with (
            zipfile.ZipFile(target / zip_name, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
            archive.open(member, "w", force_zip64=True) as out,
        ):
            chunk: list[str] = []
            for i in range(count):
                fields = list(rng.choice(rows))
                fields[0] = f"{i:08d}"
                chunk.append('"' + '";"'.join(fields) + '"\r\n')
                if len(chunk) == 20_000:
                    out.write("".join(chunk).encode("latin-1"))
                    chunk = []
            out.write("".join(chunk).encode("latin-1"))
    done.touch()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--linhas", type=int, default=1_000_000)
    parser.add_argument("--folder", default="/tmp/cnpj_bench")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youon.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from ingestion import cnpj
    from leads.models import CnpjRelease
    from youon.lib.db import own_connection

    started = time.monotonic()
    release = write_release(Path(args.folder), args.linhas)
    print(f"release sintética: {release} ({time.monotonic() - started:.1f} s para gerar)")
    total_lines = args.linhas * 2 + args.linhas // 2

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    result = cnpj.cnpj_import_release(paths=[release], force=True)
    seconds = time.monotonic() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t1 = time.monotonic()
    again = cnpj.cnpj_import_release(paths=[release])
    noop = time.monotonic() - t1

    rate = total_lines / seconds
    print(f"linhas lidas: {total_lines:,} ({args.linhas:,} estabelecimentos, {args.linhas:,} empresas, "
          f"{args.linhas // 2:,} Simples)")  # fmt: skip
    print(f"estabelecimentos ativos carregados: {result.linhas['estabelecimentos']:,}")
    print(f"import: {seconds:.1f} s, {rate:,.0f} linhas/s (meta {TARGET_ROWS_S:,}), pico de RSS {peak_mb:,.0f} MB "
          f"(antes {before / 1024:,.0f} MB)")  # fmt: skip
    print("etapas (s): " + ", ".join(f"{k} {v}" for k, v in result.etapas.items()))
    print(f"mesma release de novo: {'nada a fazer' if again.skipped else 'recarregada'} em {noop:.2f} s")
    print(f"release 66M (estimativa linear, ~170M linhas): {170e6 / rate / 60:,.0f} min")

    if not args.keep:
        CnpjRelease.objects.filter(pk=result.release.pk).delete()
        with own_connection(autocommit=True) as conn:
            conn.execute("TRUNCATE intel_lead.cnpj_estabelecimento, intel_lead.cnpj_empresa, intel_lead.cnpj_simples")


if __name__ == "__main__":
    main()
