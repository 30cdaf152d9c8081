from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ingestion import services
from ingestion.models import ImportStatus
from ingestion.readers.hub import CatalogError
from ingestion.tasks import import_recover
from leads.enrichment.services import enrich_layer
from leads.services import score_refresh
from quality.services import quality_refresh


class Command(BaseCommand):
    help = "Import a BDGD geodatabase (.gdb folder or .gdb.zip as ANEEL publishes it) into intel_lead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="a .gdb folder or a .gdb.zip")
        parser.add_argument(
            "--catalog",
            action="store_true",
            help="import every published BDGD of --ano from ANEEL's catalog (Celery group: download + import per file)",
        )
        parser.add_argument(
            "--layers",
            default=",".join(services.ALL_LAYERS),
            help="comma-separated layers, imported in the order PONNOT, UCAT, UCMT, UCBT (default: all)",
        )
        parser.add_argument("--distribuidora", type=int, help="ANEEL code, when the file does not say it")
        parser.add_argument("--ano", type=int, help="reference year, when the file does not say it")
        parser.add_argument("--force", action="store_true", help="import again even if this file was imported")
        parser.add_argument(
            "--async",
            dest="run_async",
            action="store_true",
            help="queue on Celery (one task per layer, chained) and return; the workers must reach PATH",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="with --async: wait for the layers and report them; a layer whose worker is lost is queued again",
        )

        parser.add_argument(
            "--no-enrich",
            dest="enrich",
            action="store_false",
            help="do not run the enrichment of the imported layer afterwards (manage.py enrich does it later)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(status: ImportStatus) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {status.camada}: {status.linhas_lidas:,} rows read")

        if options["catalog"]:
            if not options["ano"] or options["path"]:
                raise CommandError("--catalog takes --ano YYYY (and optionally --distribuidora), not a PATH")
            try:
                items = services.bdgd_import_catalog(
                    ano=options["ano"], distribuidora=options["distribuidora"], force=options["force"]
                )
            except CatalogError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"queued {len(items)} geodatabase(s) of {options['ano']}: {', '.join(items)}")
            return
        if not options["path"]:
            raise CommandError("give a PATH (a .gdb folder or .gdb.zip), or --catalog --ano YYYY")
        request = {
            "path": options["path"],
            "layers": [c.strip() for c in options["layers"].split(",") if c.strip()],
            "distribuidora": options["distribuidora"],
            "ano": options["ano"],
            "force": options["force"],
        }
        try:
            if options["run_async"]:
                statuses = services.bdgd_import_async(**request)
            else:
                outcome = services.bdgd_import(**request, progress=progress)
        except services.BdgdImportError as exc:
            raise CommandError(str(exc)) from exc
        if options["run_async"]:
            for status in statuses:
                self.stdout.write(f"  {status.camada:6} #{status.pk}: queued")
            if options["wait"]:
                self._report(self._wait(statuses))
            return
        info = outcome.info
        self.stdout.write(
            f"{options['path']}: distributor {info.distribuidora}, {info.ano} ({info.modelo or 'model ?'})"
            f"{', Extra release' if info.extra else ''}, sha256 {outcome.sha256[:12]}"
        )
        self._report(outcome.statuses)
        changed = [s for s in outcome.statuses if s.status == "completed" and not s.relatorio.get("sem_alteracao")]
        if options["enrich"] and any(s.camada != "PONNOT" for s in changed):
            enriched = enrich_layer(distribuidora=changed[0].distribuidora_id, ano=changed[0].ano)
            steps = ", ".join(
                f"{etapa} {'ignorada' if r.get('ignorada') else format(r.get('unidades', 0), ',')}"
                for etapa, r in enriched.etapas.items()
            )
            self.stdout.write(f"  enrichment: {steps} ({enriched.duracao_s:.1f} s)")
            run = score_refresh(distribuidora=changed[0].distribuidora_id, ano=changed[0].ano)
            self.stdout.write(f"  scores: {run.unidades:,} units in {run.duracao_s:.1f} s")
            done = quality_refresh(distribuidora=changed[0].distribuidora_id, ano=changed[0].ano)
            self.stdout.write(
                f"  quality: anomalies {done.anomalias}, {done.avaliacao.eventos} alert events, {done.emails} e-mails "
                f"({done.duracao_s:.1f} s)"
            )

    def _wait(self, statuses: list[ImportStatus]) -> list[ImportStatus]:
        """Until every layer ends: print each step of their history as it happens, and queue again the layers
        whose worker was lost (as beat does, without waiting for it)."""
        shown = dict.fromkeys((s.pk for s in statuses), 0)
        while True:
            fresh = ImportStatus.objects.in_bulk([s.pk for s in statuses])
            statuses = [fresh[s.pk] for s in statuses]
            for status in statuses:
                for entry in status.historico[shown[status.pk] :]:
                    if line := _event_line(entry):
                        self.stdout.write(f"  {status.camada:6} #{status.pk}: {line}")
                shown[status.pk] = len(status.historico)
            if not any(s.status in ("pending", "running") for s in statuses):
                return statuses
            time.sleep(1)
            import_recover()

    def _report(self, statuses: list[ImportStatus]) -> None:
        for status in statuses:
            report = status.relatorio
            if status.status == "failed":
                line = f"FAILED: {status.erro}"
            elif report.get("sem_alteracao"):
                line = f"unchanged (same file as import #{report['importacao_anterior']}; --force to redo)"
            else:
                line = (
                    f"{status.linhas_lidas:,} read, {status.linhas_inseridas:,} inserted, "
                    f"{status.linhas_mescladas:,} merged, {status.linhas_rejeitadas:,} rejected"
                )
                if "localizacao" in report:
                    loc = report["localizacao"]
                    line += (
                        f"; located by point {loc['ponto_notavel']:,}, by transformer {loc['transformador']:,}, "
                        f"not located {loc['sem_localizacao']:,}; key {report['chave']}"
                    )
                if report.get("codigos_desconhecidos"):
                    line += f"; unknown codes {report['codigos_desconhecidos']}"
            attempts = f", attempt {status.tentativa}" if status.tentativa > 1 else ""
            self.stdout.write(
                f"  {status.camada:6} #{status.pk}: {line} ({report.get('duracao_s', 0):.1f} s{attempts})"
            )
        failed = [s.camada for s in statuses if s.status == "failed"]
        if failed:
            raise CommandError(f"{len(failed)} layer(s) failed: {', '.join(failed)}")


def _event_line(entry: dict[str, Any]) -> str:
    """One step of an import's history as the operator reads it; the end is the report's line."""
    at = timezone.localtime(datetime.fromisoformat(entry["em"])).strftime("%H:%M:%S")
    match entry["evento"]:
        case "iniciada":
            return f"started on {entry['worker']} at {at} (attempt {entry['tentativa']})"
        case "abandonada":
            seen = entry.get("ultimo_sinal")
            last = timezone.localtime(datetime.fromisoformat(seen)).strftime("%H:%M:%S") if seen else "?"
            return f"worker {entry['worker']} lost (last heartbeat {last}), noticed at {at}"
        case "reenfileirada":
            return f"queued again at {at} (attempt {entry['tentativa']} of {settings.IMPORT_MAX_ATTEMPTS})"
        case "interrompida":
            return f"interrupted at {at} by import #{entry['por']} of the same layer"
    return ""
