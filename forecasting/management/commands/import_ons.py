from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from forecasting import services
from youon.lib import http


class Command(BaseCommand):
    help = (
        "Import ONS hourly load files (CURVA_CARGA_YYYY.csv, .csv.gz), local paths or http(s) URLs; "
        "re-import is idempotent."
    )
    importer = staticmethod(services.load_import)
    folder = "ons"  # where a downloaded file is kept, under DATA_DIR

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="files or http(s) URLs")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in options["paths"]:
            if name.startswith(("http://", "https://")):
                try:
                    report = services.fetch_import(
                        name, self.importer, folder=self.folder, name=http.file_name(name, "download.csv")
                    )
                except services.ForecastError as exc:
                    raise CommandError(str(exc)) from exc
                self.stdout.write(f"{name}: {report}")
                continue
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                report = self.importer(path=path)
            except services.FORMAT_ERRORS as exc:
                raise CommandError(f"{path}: {exc}") from exc
            self.stdout.write(f"{path.name}: {report}")
