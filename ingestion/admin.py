from __future__ import annotations

import json

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from import_export.admin import ExportMixin

from .models import ImportStatus


@admin.register(ImportStatus)
class ImportStatusAdmin(ExportMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Import reports: written by the importer only."""

    list_display = [
        "id", "distribuidora", "ano", "camada", "status", "linhas_lidas", "linhas_inseridas", "linhas_mescladas",
        "linhas_rejeitadas", "duracao", "tentativa", "criado_em",
    ]  # fmt: skip
    list_filter = ["status", "camada", "ano", "distribuidora"]
    search_fields = ["arquivo", "=sha256"]
    list_select_related = ["distribuidora"]
    exclude = ["relatorio", "historico", "reenvio"]
    readonly_fields = ["relatorio_formatado", "historico_formatado"]

    @admin.display(description="duração (s)")
    def duracao(self, obj: ImportStatus) -> str:
        return "" if obj.duracao_s is None else f"{obj.duracao_s:.1f}"

    @admin.display(description="relatório")
    def relatorio_formatado(self, obj: ImportStatus) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.relatorio, indent=2, ensure_ascii=False))

    @admin.display(description="histórico")
    def historico_formatado(self, obj: ImportStatus) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.historico, indent=2, ensure_ascii=False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
