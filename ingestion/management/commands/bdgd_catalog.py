from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingestion import catalog
from ingestion.readers.hub import CatalogError


class Command(BaseCommand):
    help = "List ANEEL's published BDGD geodatabases (latest republication of each distributor and date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--distribuidora", type=int, help="ANEEL code")
        parser.add_argument("--ano", type=int, help="reference year")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            items = catalog.catalog_list(distribuidora=options["distribuidora"], ano=options["ano"])
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        for item in items:
            extra = "  Extra" if item.extra else ""
            self.stdout.write(
                f"{item.item_id}  {item.distribuidora:5d}  {item.data_base}  {item.modelo:3}  {item.gerado}  "
                f"{item.nome}{extra}"
            )
        self.stdout.write(f"{len(items)} geodatabase(s)")
