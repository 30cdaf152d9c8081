from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from import_export.admin import ExportMixin

from youon import formatos

from . import filters, models, resources, scoring, selectors, tasks


class ReadOnlyDomainAdmin(ExportMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Domain tables change only through `manage.py load_reference` (the database enforces it too)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ImportedDataAdmin(ExportMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Imported data is the source file's: viewed and exported here, corrected by a re-import."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    class Media:
        css = {"all": ["leaflet/leaflet.css", "youon/mapa.css"]}
        js = ["leaflet/leaflet.js", "youon/mapa.js"]


OFERTA_CURTA = {"acl": "ACL", "arbitragem": "Arbitr.", "backup": "Backup", "gtd": "GTD"}


def _nowrap(text: str) -> str:
    """A figure and its unit on one line."""
    return format_html('<span style="white-space:nowrap">{}</span>', text)


def mapa(point: Any, *, rotulo: str, municipio: models.Municipio | None) -> str:
    """A small map of a point (static/youon/mapa.js): the configured base, else municipality outlines."""
    if point is None:
        return "sem localização"
    return format_html(
        '<div class="yo-mapa" data-lat="{}" data-lon="{}" data-rotulo="{}" data-tiles="{}" data-atribuicao="{}" '
        'data-uf="{}" data-municipio="{}" data-contornos="{}"></div>',
        f"{point.y:.6f}", f"{point.x:.6f}", rotulo, settings.MAP_TILE_URL, settings.MAP_TILE_ATTRIBUTION,
        municipio.uf if municipio else "", municipio.cod_ibge if municipio else "",
        static("youon/geo/municipios/"),
    )  # fmt: skip


class CamadaFilter(admin.SimpleListFilter):
    """The unit layers (notable points are not units)."""

    title = "camada"
    parameter_name = "camada"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, label) for value, label in models.Camada.choices if value != models.Camada.PONNOT]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(camada=value) if value in dict(self.lookup_choices) else queryset.none()


class MelhorOfertaFilter(admin.SimpleListFilter):
    """Units by their best offer (scoring.MELHOR_OFERTA_MINIMO and above), or with none."""

    title = "melhor oferta"
    parameter_name = "melhor_oferta"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*models.Oferta.choices, ("nenhuma", "nenhuma")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        if value is None:
            return queryset
        if value == "nenhuma":
            return queryset.filter(x_melhor_oferta__isnull=True)
        return queryset.filter(x_melhor_oferta=value) if value in models.Oferta.values else queryset.none()


class DistribuidoraComDadosFilter(admin.SimpleListFilter):
    """Only the distributors whose units are in the database (imported, or written by hand)."""

    title = "distribuidora"
    parameter_name = "distribuidora"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(cod), f"{nome} ({cod})") for cod, nome in selectors.distribuidoras_com_dados()]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(distribuidora_id=int(value)) if filters.ascii_digits(value) else queryset.none()


@admin.register(models.Distribuidora)
class DistribuidoraAdmin(ReadOnlyDomainAdmin):
    list_display = ["cod_aneel", "nome"]
    search_fields = ["nome", "=cod_aneel"]


@admin.register(models.Municipio)
class MunicipioAdmin(ReadOnlyDomainAdmin):
    resource_classes = [resources.MunicipioResource]
    list_display = ["cod_ibge", "nome", "uf", "regiao", "populacao_2022", "idhm_2010"]
    list_filter = ["uf", "regiao", "capital"]
    search_fields = ["nome", "=cod_ibge"]
    exclude = ["sede"]
    readonly_fields = ["localizacao"]
    Media = ImportedDataAdmin.Media

    @admin.display(description="sede")
    def localizacao(self, obj: models.Municipio) -> str:
        return mapa(obj.sede, rotulo=obj.nome, municipio=obj)


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
class PontoNotavelAdmin(ImportedDataAdmin):
    resource_classes = [resources.PontoNotavelResource]
    list_display = ["cod_id", "fonte", "tipo", "distribuidora", "ano", "municipio", "ficticio"]
    list_filter = ["fonte", "ano", "ficticio", "tipo", DistribuidoraComDadosFilter]
    search_fields = ["=cod_id"]
    list_select_related = ["distribuidora", "municipio"]
    show_full_result_count = False
    exclude = ["geom"]
    readonly_fields = ["localizacao"]

    @admin.display(description="localização")
    def localizacao(self, obj: models.PontoNotavel) -> str:
        return mapa(obj.geom, rotulo=f"{obj.fonte} {obj.cod_id}", municipio=obj.municipio)


class EnrichmentLogInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.LeadEnrichmentLog
    extra = 0
    fields = ("etapa", "resultado", "detalhes", "executado_em")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.LeadBruto)
class LeadBrutoAdmin(ImportedDataAdmin):
    resource_classes = [resources.LeadBrutoResource]
    list_display = [
        "cod_curto", "municipio_uf", "classe", "energia", "pac_kw", "dic", "acl", "oferta",
    ]  # fmt: skip
    list_filter = [
        MelhorOfertaFilter, CamadaFilter, "ano", "situacao", "livre", "grupo_tensao", "grupo_tarifario",
        "classe_consumo__tipo_cliente", "segmento_mercado", "status", DistribuidoraComDadosFilter,
    ]  # fmt: skip
    search_fields = ["=cod_id"]  # shows the search box; get_search_results says what a term matches
    search_help_text = (
        "COD_ID ou ponto notável exatos, nome do município (Porto Alegre ou Porto Alegre/RS), CNAE (código ou texto)"
    )
    list_select_related = ["distribuidora", "classe_consumo", "municipio"]
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = [
        "uc_id", "series_mensais", "coordenada_final", "mapa_unidade", "scores_da_unidade", "anomalias_da_unidade",
        "empresa_da_unidade", "created_at", "updated_at",
    ]  # fmt: skip
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
        ("Números do ano", {"fields": ["energia_anual_kwh", "demanda_pico_kw", "media_dic", "media_fic"]}),
        (
            "Localização",
            {
                "fields": [
                    "coordenada_final",
                    "mapa_unidade",
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
                ]
            },
        ),
        ("Empresa (enriquecimento)", {"fields": ["empresa_da_unidade"]}),
        ("Scores por oferta", {"fields": ["scores_da_unidade"]}),
        ("Anomalias de consumo", {"fields": ["anomalias_da_unidade"]}),
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

    def get_queryset(self, request: HttpRequest) -> Any:
        best = {f"x_{name}": F(f"scores__{name}") for name in ("melhor_oferta", *selectors.SCORE_FIELDS)}
        return super().get_queryset(request).annotate(**best)

    @admin.display(description="oferta")
    def oferta(self, obj: models.LeadBruto) -> str:
        """The unit's best offer and its score (none below scoring.MELHOR_OFERTA_MINIMO)."""
        best = getattr(obj, "x_melhor_oferta", None)
        if not best:
            return "—"
        return format_html(
            '<span title="{}" style="white-space:nowrap">{} <b>{}</b></span>',
            models.Oferta(best).label, OFERTA_CURTA[best], getattr(obj, f"x_score_{best}"),
        )  # fmt: skip

    @admin.display(description="scores")
    @admin.display(description="anomalias")
    def anomalias_da_unidade(self, obj: models.LeadBruto) -> str:
        from quality.selectors import anomalias_da_unidade

        found = anomalias_da_unidade(uc_id=obj.uc_id)
        if not found:
            return "nenhuma anomalia detectada"
        rows = [(a["tipo_descricao"], a["severidade_descricao"], a["explicacao"]) for a in found]
        body = format_html_join("", "<tr><td>{}</td><td><b>{}</b></td><td>{}</td></tr>", rows)
        return format_html("<table><thead><tr><th>tipo</th><th>severidade</th><th>explicação</th></tr></thead>"
                           "<tbody>{}</tbody></table>", body)  # fmt: skip

    @admin.display(description="empresa")
    def empresa_da_unidade(self, obj: models.LeadBruto) -> str:
        identity = models.LeadIdentidade.objects.filter(uc_id=obj.uc_id).first()
        if identity is None:
            return "sem identidade (manage.py enrich)"
        return identidade_html(identity)

    def scores_da_unidade(self, obj: models.LeadBruto) -> str:
        score = models.LeadScore.objects.select_related("execucao").filter(uc_id=obj.uc_id).first()
        if score is None:
            return "sem scores (manage.py score_leads)"
        values = {f.attname: getattr(score, f.attname) for f in models.LeadScore._meta.concrete_fields}
        rows = [
            (
                models.Oferta(oferta).label,
                "—" if values[f"score_{oferta}"] is None else values[f"score_{oferta}"],
                "—"
                if values[f"valor_{oferta}"] is None
                else _nowrap(f"R$ {formatos.numero(values[f'valor_{oferta}'])}"),
                scoring.explicar(oferta, values, score.detalhe, score.razoes.get(oferta, [])),
            )
            for oferta in scoring.OFERTAS
        ]
        body = format_html_join("", "<tr><td>{}</td><td><b>{}</b></td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            "<table><thead><tr><th>oferta</th><th>score</th><th>R$/ano</th><th>por quê</th></tr></thead>"
            "<tbody>{}</tbody></table><p>Fórmula {}, calculada em {}.</p>",
            body, score.execucao.versao, score.execucao.calculado_em.strftime("%d/%m/%Y %H:%M"),
        )  # fmt: skip

    @admin.display(description="município", ordering="municipio__nome")
    def municipio_uf(self, obj: models.LeadBruto) -> str:
        return f"{obj.municipio.nome}/{obj.municipio.uf}" if obj.municipio else "—"

    @admin.display(description="classe", ordering="classe_consumo_id")
    def classe(self, obj: models.LeadBruto) -> str:
        if obj.classe_consumo is None:
            return "—"
        return format_html('<span title="{}">{}</span>', obj.classe_consumo.descricao, obj.classe_consumo_id)

    @admin.display(description="energia/ano", ordering="energia_anual_kwh")
    def energia(self, obj: models.LeadBruto) -> str:
        return _nowrap(formatos.energia(obj.energia_anual_kwh))

    @admin.display(description="PAC", ordering="pac")
    def pac_kw(self, obj: models.LeadBruto) -> str:
        return _nowrap(formatos.potencia(obj.pac))

    @admin.display(description="média DIC", ordering="media_dic")
    def dic(self, obj: models.LeadBruto) -> str:
        return formatos.horas(obj.media_dic)

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        """Exact COD_ID or notable point, a municipality by name, a CNAE by code, prefix or words: each
        resolved first in its small table, so the search over the units uses their indexes."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(selectors.lead_search(term)), False

    @admin.display(description="COD_ID", ordering="cod_id")
    def cod_curto(self, obj: models.LeadBruto) -> str:
        return obj.cod_id if len(obj.cod_id) <= 14 else f"{obj.cod_id[:12]}…"

    @admin.display(description="ACL", boolean=True, ordering="livre")
    def acl(self, obj: models.LeadBruto) -> bool | None:
        """Already a free-market consumer."""
        return obj.livre

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
        final = self._coordenada(obj)
        if final is None:
            return "sem localização"
        point, fonte = final
        return f"{point.y:.6f}, {point.x:.6f} ({fonte})"

    @admin.display(description="mapa")
    def mapa_unidade(self, obj: models.LeadBruto) -> str:
        """The final coordinate on the map, whichever its source (own point, notable point, transformer)."""
        final = self._coordenada(obj)
        if final is None:
            return "sem localização"
        return mapa(final[0], rotulo=f"{obj.cod_id[:20]} ({final[1]})", municipio=obj.municipio)

    @staticmethod
    def _coordenada(obj: models.LeadBruto) -> tuple[Point, str] | None:
        """The final coordinate the importer wrote on the row, else the view's rule (rows written by hand)."""
        if obj.coordenada is not None:
            return obj.coordenada, obj.fonte_coordenada or ""
        coord = models.LeadComCoordenadas.objects.filter(
            uc_id=obj.uc_id, camada=obj.camada, distribuidora_id=obj.distribuidora_id, ano=obj.ano
        ).first()
        if coord is None or coord.lat is None:
            return None
        return Point(coord.lon, coord.lat, srid=4674), coord.fonte_coordenada or ""

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


def identidade_html(identity: models.LeadIdentidade) -> str:
    """The company, how it was found, and each candidate with its probability and the fields that
    weighed (the evidence and the alternatives); with a link to review it."""
    from django.urls import reverse

    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                c.get("cnpj"),
                c.get("razao_social") or c.get("nome") or "",
                f"{100 * c['probabilidade']:.1f} %" if c.get("probabilidade") is not None else "",
                ", ".join(f"{k}: {v}" for k, v in (c.get("campos") or {}).items()) or c.get("ramo") or "",
                c.get("veto") or "",
            )
            for c in identity.candidatos or []
        ),
    )
    review = reverse("admin:leads_leadidentidade_change", args=[identity.uc_id])
    return format_html(
        "<p><b>{}</b> {} — {} por {} ({}){}</p><p>razão social: {}; porte: {}; MEI: {}; release CNPJ: {}; "
        "revisão: {} (<a href='{}'>revisar</a>)</p>"
        "<table><thead><tr><th>candidato</th><th>nome</th><th>probabilidade</th><th>campos</th><th>veto</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        identity.cnpj or identity.cnpj_basico or "sem CNPJ", identity.nome_fantasia or "",
        identity.get_resultado_display(), identity.get_metodo_display(), identity.motivo or "sem ressalvas",
        f", p = {identity.probabilidade:.3f}, margem {identity.margem:.1f} bits"
        if identity.probabilidade is not None and identity.margem is not None else "",
        identity.razao_social or "—", identity.get_porte_display() if identity.porte is not None else "—",
        "—" if identity.mei is None else ("sim" if identity.mei else "não"),
        identity.release or "—", identity.get_revisao_display() if identity.revisao else "nenhuma", review, rows,
    )  # fmt: skip


@admin.register(models.LeadIdentidade)
class LeadIdentidadeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Identities as the enrichment decided them; staff confirm or reject them (the review wins over later
    runs)."""

    list_display = ["uc_id", "cnpj", "razao_social", "metodo", "resultado", "probabilidade", "revisao"]
    list_filter = ["resultado", "metodo", "revisao", "porte", "mei"]
    search_fields = ["=cnpj", "=cnpj_basico", "razao_social"]
    show_full_result_count = False
    readonly_fields = [f.name for f in models.LeadIdentidade._meta.fields] + ["evidencia"]
    fields = ["evidencia", "uc", "cnpj", "cnpj_basico", "razao_social", "nome_fantasia", "porte", "mei", "metodo",
              "resultado", "motivo", "probabilidade", "margem", "release", "revisao", "revisado_por", "revisado_em",
              "atualizado_em"]  # fmt: skip
    actions = ["confirmar", "rejeitar"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="evidência e alternativas")
    def evidencia(self, obj: models.LeadIdentidade) -> str:
        return identidade_html(obj)

    def _review(self, request: HttpRequest, queryset: Any, revisao: str) -> None:
        from .enrichment import services as enrichment

        done = enrichment.identity_review(
            uc_ids=list(queryset.values_list("uc_id", flat=True)), revisao=revisao, usuario=request.user
        )
        self.message_user(request, f"{done} identidade(s) marcadas como {models.Revisao(revisao).label.lower()}")

    @admin.action(description="Confirmar a identidade (vale sobre as próximas execuções)")
    def confirmar(self, request: HttpRequest, queryset: Any) -> None:
        self._review(request, queryset, models.Revisao.CONFIRMADA)

    @admin.action(description="Rejeitar a identidade (vale sobre as próximas execuções)")
    def rejeitar(self, request: HttpRequest, queryset: Any) -> None:
        self._review(request, queryset, models.Revisao.REJEITADA)


@admin.register(models.LeadEnrichmentLog)
class LeadEnrichmentLogAdmin(ImportedDataAdmin):
    list_display = ["uc", "etapa", "resultado", "executado_em"]
    list_filter = ["resultado", "etapa"]
    raw_id_fields = ["uc"]
    show_full_result_count = False


class ResumoAdmin(ReadOnlyDomainAdmin):
    """A materialized summary: figures rounded and with their units."""

    @admin.display(description="unidades", ordering="n_ucs")
    def unidades(self, obj: Any) -> str:
        return formatos.numero(obj.n_ucs)

    @admin.display(description="ativas", ordering="n_ativas")
    def ativas(self, obj: Any) -> str:
        return formatos.numero(obj.n_ativas)

    @admin.display(description="energia/ano", ordering="energia_anual_kwh")
    def energia(self, obj: Any) -> str:
        return _nowrap(formatos.energia(obj.energia_anual_kwh))

    @admin.display(description="média DIC", ordering="media_dic")
    def dic(self, obj: Any) -> str:
        return formatos.horas(obj.media_dic)

    @admin.display(description="média FIC", ordering="media_fic")
    def fic(self, obj: Any) -> str:
        return formatos.vezes(obj.media_fic)


@admin.register(models.ResumoEnergiaMunicipio)
class ResumoEnergiaMunicipioAdmin(ResumoAdmin):
    @admin.display(description="PJ", ordering="n_pj")
    def pj(self, obj: models.ResumoEnergiaMunicipio) -> str:
        return formatos.numero(obj.n_pj)

    list_display = ["nome", "uf", "ano", "unidades", "ativas", "pj", "energia", "dic", "fic"]
    list_filter = ["uf", "ano"]
    search_fields = ["nome"]


@admin.register(models.ResumoDistribuidoraAno)
class ResumoDistribuidoraAnoAdmin(ResumoAdmin):
    @admin.display(description="livres", ordering="n_livres")
    def livres(self, obj: models.ResumoDistribuidoraAno) -> str:
        return formatos.numero(obj.n_livres)

    @admin.display(description="com GD", ordering="n_com_gd")
    def com_gd(self, obj: models.ResumoDistribuidoraAno) -> str:
        return formatos.numero(obj.n_com_gd)

    list_display = ["nome", "ano", "camada", "unidades", "ativas", "livres", "com_gd", "energia", "dic", "fic"]
    list_filter = ["ano", "camada"]
    search_fields = ["nome"]


@admin.register(models.ParametrosScore)
class ParametrosScoreAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The scoring parameters (one row): saving them scores every unit again, on Celery."""

    readonly_fields = ["atualizado_em"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not models.ParametrosScore.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: tasks.score_leads.delay())
        self.message_user(request, "Os scores de todas as unidades serão recalculados com estes parâmetros.")


@admin.register(models.JanelaPonta)
class JanelaPontaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["distribuidora", "inicio", "fim", "fonte"]
    raw_id_fields = ["distribuidora"]


@admin.register(models.Tarifa)
class TarifaAdmin(ImportedDataAdmin):
    list_display = ["agente", "subgrupo", "modalidade", "posto", "unidade", "tusd", "te", "inicio", "fim"]
    list_filter = ["subgrupo", "modalidade", "posto", "base"]
    search_fields = ["agente", "=cnpj"]
    show_full_result_count = False


@admin.register(models.ScoreExecucao)
class ScoreExecucaoAdmin(ImportedDataAdmin):
    list_display = ["calculado_em", "versao", "distribuidora_id", "ano", "unidades", "duracao_s"]


@admin.register(models.SegmentoAutomatico)
class SegmentoAutomaticoAdmin(ImportedDataAdmin):
    list_display = ["rotulo", "n_ucs", "energia", "fator_carga_mediano", "ponta_mediana", "execucao"]
    list_filter = ["execucao__ativa"]
    list_select_related = ["execucao"]

    @admin.display(description="energia total/ano", ordering="energia_total_kwh")
    def energia(self, obj: models.SegmentoAutomatico) -> str:
        return formatos.energia(obj.energia_total_kwh)


@admin.register(models.SelecaoMapa)
class SelecaoMapaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("nome", "dono", "atualizado_em")
    list_filter = ("dono",)
    search_fields = ("nome",)
    readonly_fields = ("criado_em", "atualizado_em")
