from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from forecasting import services


class Command(BaseCommand):
    help = "Train a candidate load model on the stored data, run the promotion gates, promote it if it passes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--motivo", default="manual")
        parser.add_argument("--epochs", type=int, help="training epochs (default FORECAST_EPOCHS)")
        parser.add_argument(
            "--holdout-days", type=int, help="days held out for the gates (default FORECAST_HOLDOUT_DAYS)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = services.forecast_train(
                motivo=options["motivo"],
                epochs=options["epochs"],
                holdout_days=options["holdout_days"],
                progress=self._progress if options["verbosity"] > 0 else None,
            )
        except services.ForecastError as exc:
            raise CommandError(str(exc)) from exc
        sin = version.metricas["modelo"]["SIN"]["mape"]
        naive = version.metricas["ingenuo"]["SIN"]["mape"]
        self.stdout.write(
            f"v{version.pk}: {version.status}; holdout SIN MAPE {sin:.2f} % (seasonal naive {naive:.2f} %)"
        )
        for name, gate in version.gates.items():
            self.stdout.write(f"  gate {name}: {'passed' if gate['passou'] else 'FAILED'} ({gate['detalhe']})")

    def _progress(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
