from __future__ import annotations

from forecasting import services

from .import_ons import Command as FileImportCommand


class Command(FileImportCommand):
    help = (
        "Import ONS energy-balance files (BALANCO_ENERGIA_SUBSISTEMA_YYYY.csv: hourly generation by source, "
        "load and interchange per subsystem), local paths or URLs; re-import is idempotent."
    )
    importer = staticmethod(services.balance_import)
