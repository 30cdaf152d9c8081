from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from forecasting import services


class Command(BaseCommand):
    help = "Put back the model version that was active before the current one."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = services.forecast_rollback()
        except services.ForecastError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"v{version.pk} is active again (trained on {version.janela_inicio} .. {version.janela_fim})")
