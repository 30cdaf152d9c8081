from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from quality import services


class Command(BaseCommand):
    help = (
        "Refresh the quality indicators, detect the consumption anomalies (all units, or a distributor / year), "
        "evaluate every alert rule and send the pending e-mails; what runs after each import and nightly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--distribuidora", type=int, help="ANEEL code: anomalies of this distributor only")
        parser.add_argument("--ano", type=int, help="anomalies of this reference year only")
        parser.add_argument("--resumo", action="store_true", help="also send the daily digests now")

    def handle(self, *args: Any, **options: Any) -> None:
        done = services.quality_refresh(distribuidora=options["distribuidora"], ano=options["ano"])
        self.stdout.write(
            f"indicadores atualizados; anomalias {done.anomalias}; {done.avaliacao.regras} regras, "
            f"{done.avaliacao.eventos} eventos novos, {done.avaliacao.notificacoes} notificações, "
            f"{done.emails} e-mails "
            f"({done.duracao_s:.1f} s)"
        )
        if options["resumo"]:
            self.stdout.write(f"{services.digest_send()} resumos enviados")
