from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from import_export.admin import ExportMixin
from leaflet.admin import LeafletGeoAdmin

from . import models, resources, selectors


class ReadOnlyDomainAdmin(ExportMixin, admin.ModelAdmin):
    """Domain tables change only through `manage.py load_reference` (the database enforces it too)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.Distribuidora)
class DistribuidoraAdmin(ReadOnlyDomainAdmin):
    list_display = ["cod_aneel", "nome"]
    search_fields = ["nome", "=cod_aneel"]


@admin.register(models.Municipio)
class MunicipioAdmin(ReadOnlyDomainAdmin, LeafletGeoAdmin):
    resource_classes = [resources.MunicipioResource]
    list_display = ["cod_ibge", "nome", "uf", "regiao", "populacao_2022", "idhm_2010"]
    list_filter = ["uf", "regiao", "capital"]
    search_fields = ["nome", "=cod_ibge"]


@admin.register(models.GrupoTensao, models.GrupoTarifario, models.ModalidadeTarifaria)
class CodigoDescricaoAdmin(ReadOnlyDomainAdmin):
    list_display = ["codigo", "descricao"]
    search_fields = ["codigo", "descricao"]


@admin.register(models.TipoSistema)
class TipoSistemaAdmin(ReadOnlyDomainAdmin):
    list_display = ["codigo", "descricao", "fases", "fios"]


@admin.register(models.Tensao)
class TensaoAdmin(ReadOnlyDomainAdmin):
    list_display = ["codigo", "descricao", "volts"]


@admin.register(models.ClasseConsumo)
class ClasseConsumoAdmin(ReadOnlyDomainAdmin):
    list_display = ["codigo", "descricao", "tipo_cliente", "alias_de"]
    list_filter = ["tipo_cliente"]
    search_fields = ["codigo", "descricao"]


@admin.register(models.SegmentoMercado)
class SegmentoMercadoAdmin(ReadOnlyDomainAdmin):
    list_display = ["codigo", "nome", "descricao"]


@admin.register(models.Cnae)
class CnaeAdmin(ReadOnlyDomainAdmin):
    resource_classes = [resources.CnaeResource]
    list_display = ["subclasse", "descricao", "divisao", "secao", "segmento"]
    list_filter = ["secao", "segmento"]
    search_fields = ["subclasse", "descricao", "=divisao"]
    list_select_related = ["segmento"]


@admin.register(models.PontoNotavel)
class PontoNotavelAdmin(ExportMixin, LeafletGeoAdmin):
    resource_classes = [resources.PontoNotavelResource]
    list_display = ["cod_id", "fonte", "tipo", "distribuidora", "ano", "municipio", "ficticio"]
    list_filter = ["fonte", "ano", "ficticio", "tipo", "distribuidora"]
    search_fields = ["=cod_id"]
    list_select_related = ["distribuidora", "municipio"]
    raw_id_fields = ["municipio"]
    show_full_result_count = False


class EnrichmentLogInline(admin.TabularInline):
    model = models.LeadEnrichmentLog
    extra = 0
    fields = ["etapa", "resultado", "detalhes", "executado_em"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.LeadBruto)
class LeadBrutoAdmin(ExportMixin, LeafletGeoAdmin):
    resource_classes = [resources.LeadBrutoResource]
    list_display = [
        "cod_curto", "camada", "distribuidora", "ano", "classe_consumo", "municipio", "pac", "situacao", "livre",
    ]  # fmt: skip
    list_filter = [
        "camada", "ano", "situacao", "livre", "grupo_tensao", "grupo_tarifario", "classe_consumo__tipo_cliente",
        "segmento_mercado", "status", "distribuidora",
    ]  # fmt: skip
    # Exact matches only: they use the indexes (the list may hold tens of millions of units).
    search_fields = ["=cod_id", "=pn_con", "=cnae__subclasse"]
    list_select_related = ["distribuidora", "classe_consumo", "municipio"]
    raw_id_fields = ["cnae", "municipio"]
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ["uc_id", "series_mensais", "coordenada_final", "created_at", "updated_at"]
    inlines = [EnrichmentLogInline]
    fieldsets = [
        (None, {"fields": ["uc_id", "cod_id", "distribuidora", "ano", "camada", "status", "situacao"]}),
        (
            "Classificação",
            {
                "fields": [
                    "classe_consumo",
                    "cnae",
                    "segmento_mercado",
                    "grupo_tensao",
                    "grupo_tarifario",
                    "modalidade_tarifaria",
                    "tipo_sistema",
                    "livre",
                    "ceg_gd",
                ]
            },
        ),
        ("Carga", {"fields": ["pac", "carga_instalada_kw", "demanda_contratada_kw", "tensao_fornecimento"]}),
        (
            "Localização",
            {
                "fields": [
                    "municipio",
                    "bairro",
                    "cep",
                    "area_localizacao",
                    "pn_con",
                    "no_pac",
                    "ctmt",
                    "uni_tr_mt",
                    "uni_tr_at",
                    "sub",
                    "conj",
                    "coordenada_final",
                    "geom",
                ]
            },
        ),
        ("Séries mensais", {"fields": ["series_mensais"]}),
        (
            "Importação",
            {
                "fields": [
                    "data_conexao",
                    "data_conexao_placeholder",
                    "tip_sist",
                    "tip_cc",
                    "codigos_desconhecidos",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(description="COD_ID", ordering="cod_id")
    def cod_curto(self, obj: models.LeadBruto) -> str:
        return obj.cod_id if len(obj.cod_id) <= 20 else f"{obj.cod_id[:16]}…"

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        """The unit through the registry: its layer's table is read alone, not every layer's."""
        try:
            unidade = models.LeadUnidade.objects.filter(pk=int(object_id)).first()
        except (TypeError, ValueError, OverflowError):
            return None
        if unidade is None:
            return None
        return self.get_queryset(request).filter(uc_id=unidade.uc_id, camada=unidade.camada, **unidade.layer).first()

    @admin.display(description="coordenada final")
    def coordenada_final(self, obj: models.LeadBruto) -> str:
        coord = models.LeadComCoordenadas.objects.filter(
            uc_id=obj.uc_id, camada=obj.camada, distribuidora_id=obj.distribuidora_id, ano=obj.ano
        ).first()
        if coord is None or coord.lat is None:
            return "sem localização"
        return f"{coord.lat:.6f}, {coord.lon:.6f} ({coord.fonte_coordenada})"

    @admin.display(description="energia, demanda e qualidade por mês")
    def series_mensais(self, obj: models.LeadBruto) -> str:
        layer = obj.monthly_layer
        energia = {row.mes: row for row in obj.energia_mensal.filter(**layer)}
        demanda = {row.mes: row for row in obj.demanda_mensal.filter(**layer)}
        qualidade = {row.mes: row for row in selectors.quality_months(obj, obj.qualidade_mensal.filter(**layer))}
        if not (energia or demanda or qualidade):
            return "sem séries mensais"

        def fmt(value: float | None) -> str:
            return "" if value is None else f"{value:,.2f}"

        rows = []
        for mes in range(1, 13):
            e, d, q = energia.get(mes), demanda.get(mes), qualidade.get(mes)
            rows.append((
                mes,
                fmt(e.energia_ponta_kwh if e else None), fmt(e.energia_fora_ponta_kwh if e else None),
                fmt(e.energia_total_kwh if e else None), fmt(d.demanda_total_kw if d else None),
                fmt(q.dic_h if q else None), fmt(q.fic if q else None),
            ))  # fmt: skip
        body = format_html_join("", "<tr>" + "<td>{}</td>" * 7 + "</tr>", rows)
        return format_html(
            "<table><thead><tr><th>mês</th><th>ponta kWh</th><th>fora ponta kWh</th><th>total kWh</th>"
            "<th>demanda kW</th><th>DIC h</th><th>FIC</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )


@admin.register(models.LeadEnrichmentLog)
class LeadEnrichmentLogAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["uc", "etapa", "resultado", "executado_em"]
    list_filter = ["resultado", "etapa"]
    raw_id_fields = ["uc"]
    show_full_result_count = False


@admin.register(models.ResumoEnergiaMunicipio)
class ResumoEnergiaMunicipioAdmin(ReadOnlyDomainAdmin):
    list_display = ["nome", "uf", "ano", "n_ucs", "n_ativas", "n_pj", "energia_anual_kwh", "media_dic", "media_fic"]
    list_filter = ["uf", "ano"]
    search_fields = ["nome"]


@admin.register(models.ResumoDistribuidoraAno)
class ResumoDistribuidoraAnoAdmin(ReadOnlyDomainAdmin):
    list_display = ["nome", "ano", "camada", "n_ucs", "n_ativas", "n_livres", "n_com_gd", "energia_anual_kwh"]
    list_filter = ["ano", "camada"]
    search_fields = ["nome"]
