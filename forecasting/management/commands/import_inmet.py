from __future__ import annotations

from forecasting import services

from .import_ons import Command as FileImportCommand


class Command(FileImportCommand):
    help = "Import INMET hourly station files (either layout, UTF-8 or Latin-1); re-import is idempotent."
    importer = staticmethod(services.weather_import)
    folder = "inmet"
