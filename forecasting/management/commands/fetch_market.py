from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from forecasting import services


class Command(BaseCommand):
    help = (
        "Download a year's ONS energy balance (ONS_BALANCO_URL) and CCEE hourly PLD (found through "
        "CCEE_PLD_PACKAGE_URL) and import them; what the daily job does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ano", type=int, help="default: this year")

    def handle(self, *args: Any, **options: Any) -> None:
        for fetch in (services.balance_fetch, services.pld_fetch):
            try:
                report = fetch(ano=options["ano"])
            except services.ForecastError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(str(report))
