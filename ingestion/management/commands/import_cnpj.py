from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingestion import cnpj
from leads.tasks import enrich_after_import

from ._progress import ByteBar, RowBar


def _month(value: str) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise CommandError(f"--referencia {value!r}: use AAAA-MM") from exc


class Command(BaseCommand):
    help = (
        "Load a release of Receita's CNPJ open data (Estabelecimentos*.zip, Empresas*.zip, Simples.zip) from "
        "files, folders or addresses (a release's folder URL or its zips), and make it the active release."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="+", help="zips, folders holding them, or http(s) addresses")
        parser.add_argument("--referencia", help="release month AAAA-MM (default: from the folder or file names)")
        parser.add_argument("--force", action="store_true", help="reload the same release, or load an older one")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] == 0
        referencia = _month(options["referencia"]) if options["referencia"] else None
        paths: list[str | Path] = []
        urls = [s for s in options["sources"] if s.startswith(("http://", "https://"))]
        paths.extend(s for s in options["sources"] if s not in urls)
        with ByteBar(quiet) as bytes_bar, RowBar(quiet) as rows:
            try:
                if urls:
                    zips = [u for u in urls if u.lower().endswith(".zip")]
                    for folder in (u for u in urls if u not in zips):
                        remote = cnpj.cnpj_latest_release(base_url=folder) if not _is_month(folder) else None
                        zips.extend(remote.arquivos if remote else cnpj.release_files(folder))
                        referencia = referencia or (remote.referencia if remote else cnpj.month_of(folder))
                    where = cnpj.download_dir() / (f"{referencia:%Y-%m}" if referencia else "manual")
                    paths.extend(cnpj.cnpj_download(urls=zips, folder=where, progress=bytes_bar.update))
                result = cnpj.cnpj_import_release(
                    paths=paths, referencia=referencia, force=options["force"], progress=rows.update
                )
            except cnpj.CnpjImportError as exc:
                raise CommandError(str(exc)) from exc
        release = result.release
        if result.skipped:
            self.stdout.write(f"release {release.referencia:%Y-%m} já está ativa com os mesmos arquivos: nada a fazer")
            return
        enrich_after_import(etapas=["cnpj"])  # every layer's units matched against the new release
        self.stdout.write(
            f"release {release.referencia:%Y-%m} ativa: {release.estabelecimentos:,} estabelecimentos ativos, "
            f"{release.empresas:,} empresas, {release.simples:,} opções do Simples em {result.segundos:.1f} s"
        )


def _is_month(url: str) -> bool:
    return cnpj.month_of(url) is not None
