from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ingestion import catalog
from ingestion.readers.hub import CatalogError


class Command(BaseCommand):
    help = "Download a BDGD from ANEEL's open data by ArcGIS item id, resuming a partial download."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("item_id", help="32-hex item id (see manage.py bdgd_catalog)")
        parser.add_argument("--dest", help="folder (default: DATA_DIR/bdgd)")

    def handle(self, *args: Any, **options: Any) -> None:
        bar: tqdm[Any] | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, initial=done, unit="B", unit_scale=True, disable=options["verbosity"] == 0)
            bar.update(done - bar.n)

        try:
            result = catalog.bdgd_download(
                item_id=options["item_id"],
                dest_dir=Path(options["dest"]) if options["dest"] else None,
                progress=progress,
            )
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        state = (
            "already complete"
            if result.skipped
            else f"resumed at {result.resumed_from:,} bytes"
            if result.resumed_from
            else "downloaded"
        )
        self.stdout.write(f"{result.path} ({result.size:,} bytes): {state}")
