from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from quality import selectors
from quality.models import Anomalia, EventoAlerta, IndicadorQualidade, Notificacao, RegraAlerta


class IndicadorSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = IndicadorQualidade
        fields = ["nivel", "regiao", "nome", "uf", "distribuidora_id", "ano", "mes", "n_ucs", "dic_medio", "dic_p90",
                  "fic_medio", "fic_p90", "n_acima_dic", "pct_acima_dic", "n_acima_fic", "pct_acima_fic",
                  "n_sem_rede", "limite_dec", "limite_fec", "dic_medio_anterior", "fic_medio_anterior",
                  "variacao_dic_pct", "variacao_fic_pct"]  # fmt: skip


class AnomaliaSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    uc_id = serializers.CharField(read_only=True)  # 64-bit: a string, as in the leads list
    tipo_descricao = serializers.CharField(source="get_tipo_display", read_only=True)

    class Meta:
        model = Anomalia
        fields = ["id", "uc_id", "distribuidora_id", "ano", "camada", "tipo", "tipo_descricao", "severidade", "mes",
                  "escore", "valor", "referencia", "explicacao", "detectada_em"]  # fmt: skip


class RegraSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    poligono = serializers.JSONField(required=False, allow_null=True, help_text="GeoJSON Polygon ou MultiPolygon")
    n_eventos = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = RegraAlerta
        fields = ["id", "nome", "tipo_regiao", "regiao", "poligono", "selecao", "metrica", "limiar", "tipo_anomalia",
                  "oferta", "email", "resumo_diario", "ativa", "criada_em", "avaliada_em", "n_eventos"]  # fmt: skip
        read_only_fields = ["id", "criada_em", "avaliada_em", "n_eventos"]

    def to_representation(self, instance: RegraAlerta) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["poligono"] = json.loads(instance.poligono.geojson) if instance.poligono else None
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        merged = {**({} if self.instance is None else {
            f: getattr(self.instance, f) for f in ("tipo_regiao", "regiao", "metrica", "limiar", "tipo_anomalia",
                                                   "oferta", "selecao")}), **attrs}  # fmt: skip
        if self.instance is not None and "poligono" not in attrs and self.instance.poligono:
            merged["poligono"] = self.instance.poligono.geojson
        request = self.context.get("request")
        try:
            valid = selectors.regra_validar(merged, dono_id=getattr(getattr(request, "user", None), "pk", None))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from None
        attrs.update(regiao=valid.regiao, poligono=valid.poligono, tipo_anomalia=valid.tipo_anomalia,
                     oferta=valid.oferta)  # fmt: skip
        return attrs


class EventoSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    regra_nome = serializers.CharField(source="regra.nome", read_only=True)
    uc_id = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = EventoAlerta
        fields = ["id", "regra", "regra_nome", "chave", "titulo", "descricao", "valor", "uc_id", "silencioso",
                  "criado_em"]  # fmt: skip


class NotificacaoSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    evento = EventoSerializer(read_only=True)

    class Meta:
        model = Notificacao
        fields = ["id", "evento", "lida", "resumo", "email_enviado_em", "criada_em"]
        read_only_fields = ["id", "evento", "resumo", "email_enviado_em", "criada_em"]


class MarcarLidasSerializer(serializers.Serializer):  # type: ignore[type-arg]
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=10_000,
                                help_text="as notificações a marcar; sem ids, todas")  # fmt: skip
