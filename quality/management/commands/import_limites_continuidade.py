from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quality import limites, services
from youon.lib.http import DownloadError


class Command(BaseCommand):
    help = (
        "Load ANEEL's continuity limits per set of units (DEC/FEC, and DIC/FIC where present) from a file or an "
        "http(s) URL; idempotent. The quality indicators are refreshed when a limit changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="+", help="files or http(s) URLs")

    def handle(self, *args: Any, **options: Any) -> None:
        for source in options["sources"]:
            try:
                if source.startswith(("http://", "https://")):
                    report: dict[str, Any] = services.limits_fetch(url=source)
                else:
                    if not Path(source).is_file():
                        raise CommandError(f"{source}: arquivo não encontrado")
                    report = services.limits_import(path=Path(source))
            except (limites.LimiteError, DownloadError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"{source}: {report['linhas']:,} limites lidos, {report['guardadas']:,} de distribuidoras conhecidas, "
                f"{report['inseridas_ou_alteradas']:,} novos ou alterados; {report['agentes_desconhecidos']} agentes "
                "sem distribuidora nos dados de referência"
            )
