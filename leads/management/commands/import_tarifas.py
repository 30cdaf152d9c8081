from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leads import services, tarifas
from youon.lib.http import DownloadError


class Command(BaseCommand):
    help = (
        "Load ANEEL's 'Tarifas de Aplicação' CSV (a file or an http(s) URL); idempotent. "
        "When a row changed, the units are scored again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="+", help="files or http(s) URLs")
        parser.add_argument("--sem-score", action="store_true", help="do not score the units again")

    def handle(self, *args: Any, **options: Any) -> None:
        changed = 0
        for source in options["sources"]:
            report: Mapping[str, object]
            try:
                if source.startswith(("http://", "https://")):
                    report = services.tariffs_fetch(url=source)
                else:
                    if not Path(source).is_file():
                        raise CommandError(f"{source}: no such file")
                    report = services.tariffs_import(path=Path(source))
            except (tarifas.TarifaError, DownloadError) as exc:
                raise CommandError(str(exc)) from exc
            novas = int(str(report["inseridas_ou_alteradas"]))
            changed += novas
            self.stdout.write(f"{source}: {int(str(report['linhas'])):,} linhas, {novas:,} novas ou alteradas")
        if changed and not options["sem_score"]:
            run = services.score_refresh()
            self.stdout.write(f"{run.unidades:,} unidades pontuadas de novo em {run.duracao_s:.1f} s")
