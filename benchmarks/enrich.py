"""Benchmark: the probabilistic CNPJ match of N units against M active establishments.

    .venv/bin/python benchmarks/enrich.py [--estabelecimentos 1000000] [--ucs 100000]

Resamples the real Receita rows of tests/fixtures/cnpj/2026-01/ (their CNAEs, bairros, municipalities and CEP
prefixes) into M synthetic active establishments (company roots 98xxxxxx, new CEP suffixes) loaded with
COPY (untimed beyond the figure it prints), then writes N units in a layer of its own (distributor 401,
year --ano): 70 % placed at a random establishment (its CEP, CNAE, municipality, bairro), 30 % decoys of
the same CNAE and municipality at a CEP no establishment has. Times `manage.py enrich --etapas cnpj` in a
child process (wall time and peak RSS), then reads the decisions: precision and recall of `success`
against the placement, and decoys matched. Prints `match_s: X  units_s: Y  rss_mb: Z  precision: P`, and
where the step's time went (its phases, as the step logs them).
The benchmark's rows are deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_bdgd import django_env  # noqa: E402

BASICO_PREFIX = "98"


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall time, peak RSS (MB) and output of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert child.stdout is not None
    output = child.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args[:3])} failed:\n{output}")
    return time.perf_counter() - started, usage.ru_maxrss // 1024, output


def sample_rows() -> list[list[str]]:
    with zipfile.ZipFile(ROOT / "tests" / "fixtures" / "cnpj" / "2026-01" / "Estabelecimentos0.zip") as zipped:
        text = zipped.read(zipped.namelist()[0]).decode("latin-1")
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=";") if r[5] == "02" and r[18] and r[11]]


def clean(ano: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM intel_lead.lead_bruto WHERE distribuidora_id = 401 AND ano = %s", [ano])
        cursor.execute("DELETE FROM intel_lead.cnpj_estabelecimento WHERE cnpj_basico LIKE %s", [BASICO_PREFIX + "%"])
        cursor.execute("DELETE FROM intel_lead.cnpj_release WHERE referencia = '2099-01-01'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--estabelecimentos", type=int, default=1_000_000)
    parser.add_argument("--ucs", type=int, default=100_000)
    parser.add_argument("--ano", type=int, default=2097, help="reference year of the benchmark's layer")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's rows")
    args = parser.parse_args()

    env = django_env()
    from django.db import connection

    from leads.keys import stable_id

    rng = random.Random(2026)
    rows = sample_rows()
    with connection.cursor() as cursor:
        cursor.execute("SELECT cod_tom, cod_ibge FROM intel_lead.municipio WHERE cod_tom <> ''")
        tom = {t.zfill(4): i for t, i in cursor.fetchall()}
        cursor.execute("SELECT replace(replace(subclasse, '-', ''), '/', '') FROM intel_lead.cnae")
        known = {c for (c,) in cursor.fetchall()}
    rows = [r for r in rows if r[20].zfill(4) in tom and r[11] in known]
    clean(args.ano)

    # Establishments: a real row's CNAE, bairro and municipality at a new CEP of its prefix.
    t0 = time.monotonic()
    placed: list[tuple[str, str, str, str, str]] = []
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY intel_lead.cnpj_estabelecimento (cnpj, cnpj_basico, matriz, nome_fantasia, situacao, cnae_principal, "
            "cnae_secundarias, tipo_logradouro, logradouro, numero, complemento, bairro, cep, uf, municipio_tom, "
            "municipio_ibge, telefone1, telefone2, email) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for n in range(args.estabelecimentos):
                r = rng.choice(rows)
                basico = f"{BASICO_PREFIX}{n:06d}"
                cnpj = f"{basico}000100"
                cep = r[18].zfill(8)[:5] + f"{rng.randrange(1, 999):03d}"
                mun = tom[r[20].zfill(4)]
                secundarias = "{" + ",".join(c for c in r[12].split(",") if c) + "}"
                copy.write_row(
                    (
                        cnpj,
                        basico,
                        True,
                        r[4],
                        2,
                        r[11],
                        secundarias,
                        r[13],
                        r[14],
                        r[15],
                        r[16],
                        r[17],
                        cep,
                        r[19],
                        r[20].zfill(4),
                        mun,
                        "",
                        "",
                        "",
                    )
                )
                if len(placed) < args.ucs:
                    placed.append((cnpj, r[11], cep, r[17], mun))
        cursor.execute(  # the loaded release stays the active one, if there is one
            "INSERT INTO intel_lead.cnpj_release (referencia, origem, status, arquivos, erro, assinatura) "
            "SELECT '2099-01-01', 'benchmarks/enrich.py', 'ativa', '[]', '', '' "
            "WHERE NOT EXISTS (SELECT 1 FROM intel_lead.cnpj_release WHERE status = 'ativa')"
        )
        cursor.execute("VACUUM ANALYZE intel_lead.cnpj_estabelecimento")  # as the release import leaves it
    load_s = time.monotonic() - t0
    print(f"{args.estabelecimentos:,} establishments loaded in {load_s:.1f} s")

    # Units: 70 % at an establishment, 30 % decoys (same CNAE and municipality, a CEP nobody has).
    truth: dict[int, str] = {}
    decoys: set[int] = set()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY intel_lead.lead_bruto (uc_id, cod_id, distribuidora_id, ano, camada, classe_consumo_id, cnae_id, "
            "cep, bairro, municipio_id, pac, status) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for n in range(args.ucs):
                cnpj, cnae, cep, bairro, mun = rng.choice(placed)
                decoy = rng.random() < 0.3
                cod = f"bench-{n}"
                uc_id = stable_id(401, cod, args.ano, "UCBT")
                if decoy:
                    cep, bairro = cep[:5] + "000", "LOTEAMENTO SEM NOME"
                    decoys.add(uc_id)
                else:
                    truth[uc_id] = cnpj
                subclass = f"{cnae[:4]}-{cnae[4]}/{cnae[5:]}"
                copy.write_row((uc_id, cod, 401, args.ano, "UCBT", "CO1", subclass, cep, bairro, mun, 45.0, "raw"))
        cursor.execute("ANALYZE intel_lead.lead_bruto")  # as the BDGD import leaves its layers
        cursor.execute("ANALYZE intel_lead.lead_unidade")
    manage = [sys.executable, str(ROOT / "manage.py")]
    seconds, rss, output = run(
        [*manage, "enrich", "--distribuidora", "401", "--ano", str(args.ano), "--etapas", "cnpj"], env
    )
    step = re.search(r"cnpj .*\(([0-9.]+) s\)", output)
    step_s = float(step.group(1)) if step else seconds
    phases = re.search(r"'tempos_s': (\{[^}]*\})", output)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uc_id, cnpj FROM intel_lead.lead_identidade WHERE distribuidora_id = 401 AND ano = %s "
            "AND resultado = 'success'",
            [args.ano],
        )
        successes = dict(cursor.fetchall())
    right = sum(1 for uc, cnpj in successes.items() if truth.get(uc) == cnpj)
    precision = right / max(len(successes), 1)
    recall = right / max(len(truth), 1)
    matched_decoys = len(decoys & set(successes))
    print(f"{args.ucs:,} units ({len(decoys):,} decoys): the cnpj step took {step_s:.1f} s "
          f"({seconds:.1f} s with the process start), peak RSS {rss} MB")  # fmt: skip
    print(f"precision {precision:.3f}, recall {recall:.3f}, decoys matched {matched_decoys}")
    if phases:
        print(f"phases (s): {phases.group(1)}")
    print(
        f"match_s: {step_s:.1f}  units_s: {args.ucs / step_s:,.0f}  rss_mb: {rss}  precision: {precision:.3f}  "
        f"recall: {recall:.3f}  load_rows_s: {args.estabelecimentos / load_s:,.0f}"
    )
    if not args.keep:
        clean(args.ano)


if __name__ == "__main__":
    main()
