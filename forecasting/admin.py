from __future__ import annotations

from django.contrib import admin

from .models import CargaHoraria, ObservacaoHoraria


@admin.register(CargaHoraria)
class CargaHorariaAdmin(admin.ModelAdmin):
    list_display = ["subsistema", "instante", "carga_mw"]
    list_filter = ["subsistema"]
    date_hierarchy = "instante"
    show_full_result_count = False


@admin.register(ObservacaoHoraria)
class ObservacaoHorariaAdmin(admin.ModelAdmin):
    list_display = ["estacao", "instante", "temperatura_c", "precipitacao_mm", "umidade_pct"]
    list_filter = ["estacao"]
    date_hierarchy = "instante"
    show_full_result_count = False
