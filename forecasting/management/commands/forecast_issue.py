from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from forecasting import services


class Command(BaseCommand):
    help = "Issue the active model's day-ahead forecast (default: the day after the last full day of load)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dia", type=date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            hours = services.forecast_issue(dia=options["dia"])
        except services.ForecastError as exc:
            raise CommandError(str(exc)) from exc
        dia = options["dia"]
        quando = f"{dia:%d/%m/%Y}" if dia else "dia seguinte ao último dado"
        self.stdout.write(f"{quando}: {hours} horas previstas gravadas; {services.forecast_score()} horas avaliadas")
