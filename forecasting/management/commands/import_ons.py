from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from forecasting import services
from forecasting.readers.inmet import InmetFormatError
from forecasting.readers.ons import OnsFormatError


class Command(BaseCommand):
    help = "Import ONS hourly load files (CURVA_CARGA_YYYY.csv); re-import is idempotent."
    importer = staticmethod(services.load_import)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in options["paths"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                report = self.importer(path=path)
            except (OnsFormatError, InmetFormatError, UnicodeDecodeError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            self.stdout.write(f"{path.name}: {report}")
