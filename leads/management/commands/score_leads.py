from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from leads import services


class Command(BaseCommand):
    help = "Score the units (all, or one distributor and/or year) for the offers ACL, arbitragem, backup and GTD."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--distribuidora", type=int, help="ANEEL code")
        parser.add_argument("--ano", type=int, help="reference year")

    def handle(self, *args: Any, **options: Any) -> None:
        run = services.score_refresh(distribuidora=options["distribuidora"], ano=options["ano"])
        self.stdout.write(f"{run.unidades:,} unidades pontuadas em {run.duracao_s:.1f} s (fórmula {run.versao})")
