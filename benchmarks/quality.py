"""Benchmark: quality of supply over 10^6 units (the regional indicators and the consumption anomalies),
and the evaluation of 1,000 alert rules.

    .venv/bin/python benchmarks/quality.py --ucs 1000000 --rules 1000

Generates a synthetic BDGD (manage.py make_sample_bdgd, drawn from the real Mux 2024 file) unless it
exists and imports it (untimed), then times, in this process:
  - `indicators_refresh`: the materialized view of DIC/FIC per UF, municipality, distributor and set, by
    year and month, over every loaded unit;
  - `anomalies_detect` of the synthetic layer (read 12 months of energy and demand per unit, score them
    as arrays, write the anomalies with COPY);
  - `rules_evaluate` of --rules rules of a benchmark user, a mix of every region kind and metric (regions
    the data holds, polygons around its units, anomaly and new-lead rules): the first run (events and
    notifications recorded) and the second (nothing new, what each nightly run costs).
Targets: indicators + anomalies <= 60 s; the rules' first run <= 10 s. Prints the figures and a last line
`aggregates_s: X  anomalies_s: Y  rules_s: Z  rss_mb: W`. The benchmark's rules and user are removed at
the end; its layer too unless --keep.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_bdgd import clean, django_env, sample_imported  # noqa: E402


def regions(ano: int) -> dict[str, list[str]]:
    """Region codes of each kind that the benchmark layer holds."""
    from django.db import connection

    out: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for nivel in ("uf", "municipio", "distribuidora", "conjunto"):
            cursor.execute(
                "SELECT DISTINCT regiao FROM intel_lead.indicador_qualidade WHERE nivel = %s AND ano = %s",
                [nivel, ano],
            )
            out[nivel] = [r[0] for r in cursor.fetchall()]
        cursor.execute(
            "SELECT ST_X(coordenada), ST_Y(coordenada) FROM intel_lead.lead_bruto "
            "WHERE distribuidora_id = 401 AND ano = %s AND coordenada IS NOT NULL ORDER BY random() LIMIT 200",
            [ano],
        )
        out["pontos"] = [f"{x} {y}" for x, y in cursor.fetchall()]
    return out


def make_rules(user: object, count: int, ano: int) -> int:
    """`count` rules over the layer's regions: region metrics (60 %), polygons (10 %), anomalies of a
    municipality (20 %), new leads (10 %); thresholds drawn so that some fire and some do not."""
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from quality.models import RegraAlerta, TipoAnomalia

    rng = random.Random(2099)
    found = regions(ano)
    region_metrics = ["dic_medio_mensal", "fic_medio_mensal", "dic_medio_anual", "fic_medio_anual", "pct_acima_limite"]
    rows = []
    for n in range(count):
        kind = n % 10
        common = {"dono": user, "nome": f"bench {n}", "email": n % 3 == 0, "resumo_diario": n % 6 == 0}
        if kind < 6:
            nivel = ("uf", "municipio", "distribuidora", "conjunto")[n % 4]
            metrica, limiar = rng.choice(region_metrics), rng.uniform(0.5, 20)
            rows.append(RegraAlerta(tipo_regiao=nivel, regiao=rng.choice(found[nivel]), metrica=metrica,
                                    limiar=limiar, **common))  # fmt: skip
        elif kind == 6:
            x, y = map(float, rng.choice(found["pontos"]).split())
            half = rng.uniform(0.01, 0.2)
            box = MultiPolygon(Polygon.from_bbox((x - half, y - half, x + half, y + half)), srid=4674)
            rows.append(RegraAlerta(tipo_regiao="poligono", poligono=box, metrica=rng.choice(region_metrics),
                                    limiar=rng.uniform(0.5, 20), **common))  # fmt: skip
        elif kind < 9:
            # A manager watches a municipality for the stronger anomalies (a whole UF's would be thousands).
            rows.append(RegraAlerta(tipo_regiao="municipio", regiao="", metrica="anomalia",
                                    tipo_anomalia=rng.choice(TipoAnomalia.values), limiar=rng.choice([2, 3]),
                                    **common))  # fmt: skip
            rows[-1].regiao = rng.choice(found[rows[-1].tipo_regiao])
        else:
            rows.append(RegraAlerta(tipo_regiao=rng.choice(["uf", "distribuidora"]), regiao="", metrica="novo_lead",
                                    limiar=rng.uniform(40, 90), **common))  # fmt: skip
            rows[-1].regiao = rng.choice(found[rows[-1].tipo_regiao])
    RegraAlerta.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ucs", type=int, default=1_000_000)
    parser.add_argument("--rules", type=int, default=1_000)
    parser.add_argument("--ano", type=int, default=2099, help="reference year of the synthetic file")
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"), help="where the synthetic file is kept")
    parser.add_argument("--keep", action="store_true", help="keep the imported rows")
    args = parser.parse_args()

    env = django_env()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from quality import services
    from quality.models import Anomalia, EventoAlerta, Notificacao

    sample_imported(args.dir, args.ano, args.ucs, env)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM intel_lead.lead_bruto")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM intel_lead.lead_qualidade_mensal WHERE distribuidora_id = 401 AND ano = %s",
            [args.ano],
        )
        months = cursor.fetchone()[0]
    print(f"{args.ucs:,} units in the layer ({months:,} monthly quality rows); {total:,} units in the database")

    started = time.perf_counter()
    services.indicators_refresh(concurrently=True)
    aggregates = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM intel_lead.indicador_qualidade")
        indicator_rows = cursor.fetchone()[0]
    print(f"indicators_refresh: {aggregates:.1f} s ({indicator_rows:,} region-period rows)")

    started = time.perf_counter()
    found = services.anomalies_detect(distribuidora=401, ano=args.ano)
    anomalies = time.perf_counter() - started
    flagged = Anomalia.objects.filter(distribuidora_id=401, ano=args.ano).values("uc_id").distinct().count()
    print(
        f"anomalies_detect: {anomalies:.1f} s ({args.ucs / anomalies:,.0f} units/s); {sum(found.values()):,} "
        f"anomalies on {flagged:,} units ({100 * flagged / args.ucs:.2f} %): {found}"
    )

    user, _ = get_user_model().objects.get_or_create(username="bench-quality", defaults={"email": "b@example.com"})
    user.regras_alerta.all().delete()
    made = make_rules(user, args.rules, args.ano)
    first = services.rules_evaluate()
    events = EventoAlerta.objects.filter(regra__dono=user).count()
    notes = Notificacao.objects.filter(usuario=user).count()
    print(f"rules_evaluate, first run: {made:,} rules in {first.duracao_s:.2f} s: {events:,} events, "
          f"{notes:,} notified")  # fmt: skip
    second = services.rules_evaluate()
    print(f"rules_evaluate, next run (nothing new): {second.duracao_s:.2f} s, {second.eventos} new events")
    user.delete()
    if not args.keep:
        clean(connection, args.ano)
        services.indicators_refresh(concurrently=False)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"aggregates + anomalies: {aggregates + anomalies:.1f} s (target 60 s); rules: {first.duracao_s:.2f} s "
          f"(target 10 s)")  # fmt: skip
    print(f"aggregates_s: {aggregates:.1f}  anomalies_s: {anomalies:.1f}  rules_s: {first.duracao_s:.2f}  "
          f"rss_mb: {rss}")  # fmt: skip


if __name__ == "__main__":
    main()
