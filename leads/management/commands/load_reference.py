from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from leads import services


class Command(BaseCommand):
    help = "Load the shipped reference tables (DDA codes, distributors, municipalities, CNAE) into intel_lead."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = services.reference_load()
        for table, (rows, changed) in counts.items():
            self.stdout.write(f"{table:22} {rows:6d} rows  {changed:6d} inserted or changed")
