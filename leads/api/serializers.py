from __future__ import annotations

from typing import Any

from rest_framework import serializers

from leads import models, scoring
from leads.selectors import LeadDetail


class LeadSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    # 64-bit ids do not fit a JavaScript number: they travel as strings.
    uc_id = serializers.CharField(read_only=True)
    uf = serializers.CharField(source="municipio.uf", default=None, read_only=True)
    municipio_nome = serializers.CharField(source="municipio.nome", default=None, read_only=True)
    tipo_cliente = serializers.CharField(source="classe_consumo.tipo_cliente", default=None, read_only=True)
    possui_gd = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()
    score_acl = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    score_arbitragem = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    score_backup = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    score_gtd = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    melhor_oferta = serializers.CharField(read_only=True, allow_null=True, default=None)
    segmento_automatico = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    livre = serializers.SerializerMethodField(help_text="já é consumidor livre: LIV da BDGD ou carga da CCEE")

    class Meta:
        model = models.LeadBruto
        fields = [
            "uc_id", "cod_id", "distribuidora", "ano", "camada", "situacao", "classe_consumo", "tipo_cliente",
            "cnae", "segmento_mercado", "grupo_tensao", "grupo_tarifario", "municipio", "municipio_nome", "uf",
            "pac", "energia_anual_kwh", "demanda_pico_kw", "media_dic", "media_fic", "livre", "possui_gd",
            "fonte_coordenada", "lat", "lon", "score_acl", "score_arbitragem", "score_backup", "score_gtd",
            "melhor_oferta", "segmento_automatico",
        ]  # fmt: skip

    def to_representation(self, instance: models.LeadBruto) -> dict[str, Any]:
        """The fields above, read straight off the row: a page is 50 to 1,000 units and DRF's field by
        field walk costs a tenth of a millisecond each. Equal to the generic output (a test compares)."""
        obj, municipio, classe = instance, instance.municipio, instance.classe_consumo
        return {
            "uc_id": str(obj.uc_id), "cod_id": obj.cod_id, "distribuidora": obj.distribuidora_id, "ano": obj.ano,
            "camada": obj.camada, "situacao": obj.situacao, "classe_consumo": obj.classe_consumo_id,
            "tipo_cliente": classe.tipo_cliente if classe else None, "cnae": obj.cnae_id,
            "segmento_mercado": obj.segmento_mercado_id, "grupo_tensao": obj.grupo_tensao_id,
            "grupo_tarifario": obj.grupo_tarifario_id, "municipio": obj.municipio_id,
            "municipio_nome": municipio.nome if municipio else None, "uf": municipio.uf if municipio else None,
            "pac": _float(obj.pac), "energia_anual_kwh": _float(obj.energia_anual_kwh),
            "demanda_pico_kw": _float(obj.demanda_pico_kw), "media_dic": _float(obj.media_dic),
            "media_fic": _float(obj.media_fic), "livre": self.get_livre(obj),
            "possui_gd": obj.possui_gd,
            "fonte_coordenada": obj.fonte_coordenada, "lat": self.get_lat(obj), "lon": self.get_lon(obj),
            **{name: _int(getattr(obj, name, None)) for name in _SCORES},
            "melhor_oferta": getattr(obj, "melhor_oferta", None),
            "segmento_automatico": _int(getattr(obj, "segmento_automatico", None)),
        }  # fmt: skip

    def get_livre(self, obj: models.LeadBruto) -> bool | None:
        return True if getattr(obj, "livre_ccee", False) else obj.livre

    def get_possui_gd(self, obj: models.LeadBruto) -> bool:
        return obj.possui_gd

    def get_lat(self, obj: models.LeadBruto) -> float | None:
        return round(obj.coordenada.y, 6) if obj.coordenada else None

    def get_lon(self, obj: models.LeadBruto) -> float | None:
        return round(obj.coordenada.x, 6) if obj.coordenada else None


_SCORES = ("score_acl", "score_arbitragem", "score_backup", "score_gtd")


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


class LeadPageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A page of the list (the schema of POST leads/, whose answer GET's paginator builds)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LeadSerializer(many=True)


def _domain(obj: Any, code_attr: str = "codigo", text_attr: str = "descricao") -> dict[str, Any] | None:
    return None if obj is None else {"codigo": getattr(obj, code_attr), "descricao": getattr(obj, text_attr)}


class MonthSerializer(serializers.Serializer):  # type: ignore[type-arg]
    mes = serializers.IntegerField()
    energia_ponta_kwh = serializers.FloatField(allow_null=True)
    energia_fora_ponta_kwh = serializers.FloatField(allow_null=True)
    energia_total_kwh = serializers.FloatField(allow_null=True)
    demanda_ponta_kw = serializers.FloatField(allow_null=True)
    demanda_fora_ponta_kw = serializers.FloatField(allow_null=True)
    demanda_total_kw = serializers.FloatField(allow_null=True)
    demanda_contratada_kw = serializers.FloatField(allow_null=True)
    dic_h = serializers.FloatField(allow_null=True)
    fic = serializers.FloatField(allow_null=True)


class EnrichmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = models.LeadEnrichmentLog
        fields = ["etapa", "resultado", "detalhes", "executado_em"]


class LeadDetailSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A unit with every attribute and its domain description, its 12 months and its enrichment log."""

    def to_representation(self, detail: LeadDetail) -> dict[str, Any]:
        lead = detail.lead
        data = LeadSerializer(lead).data
        data.update(
            {
                "data_conexao": lead.data_conexao,
                "data_conexao_placeholder": lead.data_conexao_placeholder,
                "distribuidora": _domain(lead.distribuidora, "cod_aneel", "nome"),
                "classe_consumo": _domain(lead.classe_consumo),
                "cnae": _domain(lead.cnae, "subclasse"),
                "segmento_mercado": _domain(lead.segmento_mercado, "codigo", "nome"),
                "grupo_tensao": _domain(lead.grupo_tensao),
                "grupo_tarifario": _domain(lead.grupo_tarifario),
                "modalidade_tarifaria": _domain(lead.modalidade_tarifaria),
                "tipo_sistema": _domain(lead.tipo_sistema),
                "municipio": _domain(lead.municipio, "cod_ibge", "nome"),
                "bairro": lead.bairro,
                "cep": lead.cep,
                "area_localizacao": lead.area_localizacao,
                "carga_instalada_kw": lead.carga_instalada_kw,
                "demanda_contratada_kw": lead.demanda_contratada_kw,
                "tensao_fornecimento": lead.tensao_fornecimento,
                "ceg_gd": lead.ceg_gd,
                "pn_con": lead.pn_con,
                "no_pac": lead.no_pac,
                "ctmt": lead.ctmt,
                "uni_tr_mt": lead.uni_tr_mt,
                "sub": lead.sub,
                "codigos_desconhecidos": lead.codigos_desconhecidos,
                "status": lead.status,
                "meses": self._months(detail),
                "enriquecimento": EnrichmentSerializer(detail.enriquecimento, many=True).data,
                "scores": self._scores(detail.score),
                "livre": True if detail.mercado_livre is not None else lead.livre,
                "mercado_livre": self._free_market(lead, detail.mercado_livre),
                "identidade": self._identity(detail.identidade),
                "contexto_municipio": None if lead.municipio is None else {
                    "populacao": lead.municipio.populacao_2022, "pib_per_capita": lead.municipio.pib_per_capita_2022,
                    "idhm": lead.municipio.idhm_2010,
                },
            }
        )  # fmt: skip
        from quality import selectors as quality

        data["qualidade"] = quality.qualidade_da_unidade(uc_id=lead.uc_id, media_dic=lead.media_dic,
                                                         media_fic=lead.media_fic)  # fmt: skip
        data["anomalias"] = quality.anomalias_da_unidade(uc_id=lead.uc_id)
        return data

    @staticmethod
    def _free_market(lead: models.LeadBruto, mark: models.LeadMercadoLivre | None) -> dict[str, Any] | None:
        """Where the free-market mark comes from: CCEE's loads (with the load's CNPJ and migration date) or
        the BDGD's LIV."""
        if mark is not None:
            return {"fonte": "ccee", "cnpj": mark.cnpj, "data_migracao": mark.data_migracao,
                    "referencia": mark.referencia}  # fmt: skip
        return {"fonte": "bdgd"} if lead.livre else None

    @staticmethod
    def _identity(identity: models.LeadIdentidade | None) -> dict[str, Any] | None:
        """The company the unit is, how it was found, the evidence (each candidate's fields and
        probability) and the alternatives; a rejected identity names no company."""
        if identity is None:
            return None
        rejected = identity.revisao == models.Revisao.REJEITADA
        named = not rejected and (identity.resultado == models.Resultado.SUCCESS
                                  or identity.revisao == models.Revisao.CONFIRMADA)  # fmt: skip
        candidates = identity.candidatos or []
        return {
            "resultado": identity.resultado,
            "metodo": identity.metodo,
            "motivo": identity.motivo or None,
            "cnpj": identity.cnpj if named else None,
            "cnpj_basico": None if rejected else identity.cnpj_basico,
            "razao_social": None if rejected else identity.razao_social,
            "nome_fantasia": identity.nome_fantasia if named else None,
            "porte": None if rejected or identity.porte is None else {
                "codigo": identity.porte, "descricao": identity.get_porte_display()},
            "mei": None if rejected else identity.mei,
            "probabilidade": identity.probabilidade,
            "margem_bits": identity.margem,
            "release_cnpj": identity.release,
            "revisao": identity.revisao,
            "revisado_em": identity.revisado_em,
            "evidencia": candidates[0] if named and candidates else None,
            "alternativas": candidates[1:] if named else candidates,
        }  # fmt: skip

    @staticmethod
    def _scores(score: models.LeadScore | None) -> dict[str, Any] | None:
        """Each offer's score, value, reasons and a paragraph explaining them; the parameters used."""
        if score is None:
            return None
        values = {f.attname: getattr(score, f.attname) for f in models.LeadScore._meta.concrete_fields}
        ofertas = {}
        for oferta in scoring.OFERTAS:
            razoes = score.razoes.get(oferta, [])
            ofertas[oferta] = {
                "score": values[f"score_{oferta}"],
                "valor_rs_ano": values[f"valor_{oferta}"],
                "razoes": [{"codigo": code, "texto": scoring.RAZOES.get(code, code)} for code in razoes],
                "explicacao": scoring.explicar(oferta, values, score.detalhe, razoes),
            }
        return {
            "melhor_oferta": score.melhor_oferta,
            "segmento": None if score.segmento is None else {"id": score.segmento_id, "rotulo": score.segmento.rotulo},
            "ofertas": ofertas,
            "elegivel_acl_desde": score.elegivel_acl_desde,
            "payback_arbitragem_anos": score.payback_arbitragem,
            "entradas": score.detalhe,
            "versao": score.execucao.versao,
            "parametros": score.execucao.parametros,
            "calculado_em": score.execucao.calculado_em,
        }

    @staticmethod
    def _months(detail: LeadDetail) -> list[dict[str, Any]]:
        energia = {e.mes: e for e in detail.energia}
        demanda = {d.mes: d for d in detail.demanda}
        qualidade = {q.mes: q for q in detail.qualidade}
        months = []
        for mes in range(1, 13):
            e, d, q = energia.get(mes), demanda.get(mes), qualidade.get(mes)
            months.append(
                {
                    "mes": mes,
                    "energia_ponta_kwh": e and e.energia_ponta_kwh,
                    "energia_fora_ponta_kwh": e and e.energia_fora_ponta_kwh,
                    "energia_total_kwh": e and e.energia_total_kwh,
                    "demanda_ponta_kw": d and d.demanda_ponta_kw,
                    "demanda_fora_ponta_kw": d and d.demanda_fora_ponta_kw,
                    "demanda_total_kw": d and d.demanda_total_kw,
                    "demanda_contratada_kw": d and d.demanda_contratada_kw,
                    "dic_h": q and q.dic_h,
                    "fic": q and q.fic,
                }
            )
        return months


class ResumoMunicipioSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = models.ResumoEnergiaMunicipio
        fields = ["municipio", "nome", "uf", "ano", "n_ucs", "n_ativas", "n_pj", "energia_anual_kwh", "pac_total_kw",
                  "media_dic", "media_fic"]  # fmt: skip


class ResumoDistribuidoraSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = models.ResumoDistribuidoraAno
        fields = ["distribuidora", "nome", "ano", "camada", "n_ucs", "n_ativas", "n_livres", "n_com_gd",
                  "energia_anual_kwh", "pac_total_kw", "media_dic", "media_fic"]  # fmt: skip


class ResumoSegmentoSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = models.ResumoSegmento
        fields = ["distribuidora", "ano", "segmento_mercado", "n_ucs", "n_livres", "energia_anual_kwh",
                  "pac_total_kw", "media_dic", "media_fic"]  # fmt: skip


def domain_serializer(model_class: type[Any]) -> type[serializers.ModelSerializer]:  # type: ignore[type-arg]
    """A read-only serializer of a domain table (every column; municipalities without their point)."""
    options: dict[str, Any] = {"model": model_class}
    if model_class is models.Municipio:
        options["exclude"] = ["sede"]
    else:
        options["fields"] = "__all__"
    meta = type("Meta", (), options)
    return type(f"{model_class.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


class SegmentoSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    distribuidora = serializers.IntegerField(source="execucao.distribuidora_id", allow_null=True, read_only=True)
    ano = serializers.IntegerField(source="execucao.ano", allow_null=True, read_only=True)
    calculado_em = serializers.DateTimeField(source="execucao.calculado_em", read_only=True)

    class Meta:
        model = models.SegmentoAutomatico
        fields = ["id", "rotulo", "n_ucs", "energia_total_kwh", "energia_mediana_kwh", "fator_carga_mediano",
                  "ponta_mediana", "participacao_tipo", "score_acl_medio", "score_arbitragem_medio",
                  "score_backup_medio", "score_gtd_medio", "distribuidora", "ano", "calculado_em"]  # fmt: skip
