from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from leads import services


class Command(BaseCommand):
    help = "Refresh the materialized summary views of intel_lead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--blocking", action="store_true", help="refresh without CONCURRENTLY (locks readers, a bit faster)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in services.views_refresh(concurrently=not options["blocking"]):
            self.stdout.write(f"refreshed intel_lead.{name}")
