from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingestion import registros
from leads.tasks import enrich_after_import


class Command(BaseCommand):
    help = (
        "Import CCEE's open dataset 'Parcela de carga – consumo' (free-market consumer loads: CNPJ, ramo, "
        "municipality, migration date, capacity, consumption) from CSV/zip files or addresses; re-runs update in place."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="+", help="CSV or zip files, or http(s) addresses")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = registros.ccee_import_cargas(sources=options["sources"])
        except registros.RegistroImportError as exc:
            raise CommandError(str(exc)) from exc
        if result.alteradas:  # units already free are found again
            enrich_after_import(etapas=["ccee"])
        self.stdout.write(f"{result.linhas:,} parcelas de carga lidas, {result.alteradas:,} novas ou alteradas")
        for aviso in result.avisos:
            self.stdout.write(f"  {aviso}")
