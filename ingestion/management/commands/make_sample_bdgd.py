from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingestion.sample import SampleSpec, write_sample

REAL_FILE = (
    Path(settings.BASE_DIR) / "tests" / "fixtures" / "bdgd" / "Mux_Energia_401_2024-12-31_V11_20250806-1857.gdb.zip"
)


class Command(BaseCommand):
    help = "Write a synthetic BDGD (.gdb.zip) with N consumer units drawn from a real file's distributions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ucs", type=int, required=True, help="number of distinct UCBT units")
        parser.add_argument("--out", required=True, help="output FILE.gdb.zip")
        parser.add_argument("--source", default=str(REAL_FILE), help="real BDGD to draw from (default: Mux 2024)")
        parser.add_argument("--distribuidora", type=int, default=401)
        parser.add_argument("--ano", type=int, default=2024)
        parser.add_argument("--uf", default="RS", help="state whose municipalities host the points")
        parser.add_argument("--seed", type=int, default=20241231)

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if options["ucs"] < 1:
            raise CommandError("--ucs must be at least 1")
        if not out.name.lower().endswith(".gdb.zip"):
            raise CommandError(f"{out}: the output must end in .gdb.zip")
        out.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        spec = SampleSpec(
            ucs=options["ucs"], out=out, source=Path(options["source"]), distribuidora=options["distribuidora"],
            ano=options["ano"], seed=options["seed"], uf=options["uf"],
        )  # fmt: skip
        write_sample(spec)
        size = out.stat().st_size / 1e6
        self.stdout.write(f"{out}: {options['ucs']:,} units, {size:.1f} MB in {time.monotonic() - started:.1f} s")
