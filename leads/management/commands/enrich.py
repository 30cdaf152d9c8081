from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leads.enrichment import services


class Command(BaseCommand):
    help = (
        "Enrich the units (all, or one distributor and/or year): municipality context, CCEE free-market loads, "
        "GD holder and the probabilistic CNPJ match; each step is logged per unit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--distribuidora", type=int, help="ANEEL code")
        parser.add_argument("--ano", type=int, help="reference year")
        parser.add_argument(
            "--etapas", default=",".join(services.ETAPAS), help=f"comma-separated, of {', '.join(services.ETAPAS)}"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            etapas = services.etapas_validas(options["etapas"].split(","))
        except services.EnrichmentError as exc:
            raise CommandError(str(exc)) from None
        found = services.layers(options["distribuidora"], options["ano"])
        if not found:
            raise CommandError("nenhuma unidade importada nesse recorte (distribuidora/ano)")
        for dist, ano in found:
            report = services.enrich_layer(distribuidora=dist, ano=ano, etapas=etapas)
            self.stdout.write(f"{dist}/{ano} ({report.duracao_s:.1f} s)")
            for etapa, outcome in report.etapas.items():
                if outcome.get("ignorada"):
                    self.stdout.write(f"  {etapa:<9} ignorada: {outcome['ignorada']}")
                    continue
                results = ", ".join(f"{k} {v:,}" for k, v in sorted(outcome.get("resultados", {}).items()))
                extra = f"; motivos {outcome['motivos']}" if outcome.get("motivos") else ""
                self.stdout.write(
                    f"  {etapa:<9} {outcome.get('unidades', 0):,} unidades: {results or 'nenhuma'}; "
                    f"{outcome.get('escritas', 0):,} registros novos{extra} ({outcome['duracao_s']:.1f} s)"
                )
