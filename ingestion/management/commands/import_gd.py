from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingestion import registros
from leads.tasks import enrich_after_import


class Command(BaseCommand):
    help = (
        "Import ANEEL's open dataset of distributed-generation plants (empreendimento-geracao-distribuida.csv, "
        "or its zip, or its address): CEG, holder CPF/CNPJ, municipality, class, power; re-runs update in place."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="+", help="CSV or zip files, or http(s) addresses")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = registros.gd_import(sources=options["sources"])
        except registros.RegistroImportError as exc:
            raise CommandError(str(exc)) from exc
        if result.alteradas:
            enrich_after_import(etapas=["gd"])
        self.stdout.write(f"{result.linhas:,} empreendimentos de GD lidos, {result.alteradas:,} novos ou alterados")
        for aviso in result.avisos:
            self.stdout.write(f"  {aviso}")
