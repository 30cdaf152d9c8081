from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import BalancoHorario, CargaHoraria, ModeloVersao, ObservacaoHoraria, PldHorario, PrevisaoHoraria


class _HourlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Imported series: browsed by hour, written only by the importers."""

    date_hierarchy = "instante"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CargaHoraria)
class CargaHorariaAdmin(_HourlyAdmin):
    list_display = ["subsistema", "instante", "carga_mw"]
    list_filter = ["subsistema"]


@admin.register(ObservacaoHoraria)
class ObservacaoHorariaAdmin(_HourlyAdmin):
    list_display = ["estacao", "instante", "temperatura_c", "precipitacao_mm", "umidade_pct"]
    list_filter = ["estacao"]


@admin.register(BalancoHorario)
class BalancoHorarioAdmin(_HourlyAdmin):
    list_display = ["subsistema", "instante", "hidraulica_mw", "termica_mw", "eolica_mw", "solar_mw", "carga_mw"]
    list_filter = ["subsistema"]


@admin.register(PldHorario)
class PldHorarioAdmin(_HourlyAdmin):
    list_display = ["submercado", "instante", "pld"]
    list_filter = ["submercado"]


@admin.register(PrevisaoHoraria)
class PrevisaoHorariaAdmin(_HourlyAdmin):
    list_display = ["serie", "instante", "modelo", "carga_mw", "realizado_mw", "erro_pct"]
    list_filter = ["serie", "modelo"]
    list_select_related = ["modelo"]


@admin.register(ModeloVersao)
class ModeloVersaoAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Versions are created by training; staff read them here and promote or roll back by command."""

    list_display = ["__str__", "status", "motivo", "janela_inicio", "janela_fim", "segundos_treino", "criado_em",
                    "promovido_em"]  # fmt: skip
    list_filter = ["status", "motivo"]
    readonly_fields = [f.name for f in ModeloVersao._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
