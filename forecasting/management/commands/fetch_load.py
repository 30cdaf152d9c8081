from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from forecasting import services


class Command(BaseCommand):
    help = "Download ONS's hourly-load file of a year (ONS_CARGA_URL) and import it; what the daily job does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ano", type=int, help="default: this year")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = services.load_fetch(ano=options["ano"])
        except services.ForecastError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(report))
