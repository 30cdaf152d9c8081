from __future__ import annotations

from forecasting import services

from .import_ons import Command as FileImportCommand


class Command(FileImportCommand):
    help = "Import CCEE hourly PLD files (PLD_HORARIO_YYYY.csv), local paths or URLs; re-import is idempotent."
    importer = staticmethod(services.pld_import)
    folder = "ccee"
