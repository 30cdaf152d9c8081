from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingestion import cnpj
from leads.tasks import enrich_after_import

from ._progress import ByteBar, RowBar


class Command(BaseCommand):
    help = (
        "Find the latest monthly release on Receita's CNPJ open-data site (CNPJ_BASE_URL), download its "
        "establishment, company and Simples zips (resuming partial files) and import it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", help="the index of YYYY-MM/ folders (default: CNPJ_BASE_URL)")
        parser.add_argument("--force", action="store_true", help="download and import even if already active")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] == 0
        with ByteBar(quiet) as bytes_bar, RowBar(quiet) as rows:
            try:
                result = cnpj.cnpj_fetch_release(
                    base_url=options["base_url"],
                    force=options["force"],
                    download_progress=bytes_bar.update,
                    progress=rows.update,
                )
            except cnpj.CnpjImportError as exc:
                raise CommandError(str(exc)) from exc
        release = result.release
        if result.skipped:
            self.stdout.write(f"release {release.referencia:%Y-%m} já está ativa: nada a baixar")
            return
        enrich_after_import(etapas=["cnpj"])  # every layer's units matched against the new release
        self.stdout.write(
            f"release {release.referencia:%Y-%m} ativa: {release.estabelecimentos:,} estabelecimentos ativos, "
            f"{release.empresas:,} empresas, {release.simples:,} opções do Simples em {result.segundos:.1f} s"
        )
