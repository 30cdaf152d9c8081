from __future__ import annotations

from typing import Any

from rest_framework import serializers

from forecasting import services
from forecasting.models import ModeloVersao, PrevisaoHoraria
from forecasting.optimisation import dispatch

SERIES = ["SIN", "N", "NE", "S", "SE"]


class PrevisaoSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = PrevisaoHoraria
        fields = ["serie", "instante", "carga_mw", "realizado_mw", "erro_pct", "modelo", "emitida_em"]


class ModeloVersaoSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ModeloVersao
        fields = [
            "id",
            "status",
            "motivo",
            "janela_inicio",
            "janela_fim",
            "dados_hash",
            "metricas",
            "gates",
            "segundos_treino",
            "criado_em",
            "promovido_em",
        ]


class IntervaloSerializer(serializers.Serializer):  # type: ignore[type-arg]
    serie = serializers.ChoiceField(choices=SERIES, default="SIN")
    inicio = serializers.DateTimeField()
    fim = serializers.DateTimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["fim"] <= attrs["inicio"]:
            raise serializers.ValidationError({"fim": "must be after inicio"})
        if (attrs["fim"] - attrs["inicio"]).days > 366:
            raise serializers.ValidationError({"fim": "at most 366 days per request"})
        return attrs


class SerieSerializer(serializers.Serializer):  # type: ignore[type-arg]
    serie = serializers.ChoiceField(choices=SERIES, default="SIN")


def _series(hours: int, name: str, values: list[float]) -> None:
    if len(values) != hours:
        raise serializers.ValidationError({name: f"{len(values)} values for {hours} hours"})


def numbers() -> serializers.ListField:
    return serializers.ListField(child=serializers.FloatField(min_value=0, max_value=1e7), max_length=744)


class HidroSerializer(serializers.Serializer):  # type: ignore[type-arg]
    nome = serializers.CharField(max_length=40)
    subsistema = serializers.ChoiceField(choices=dispatch.SUBSISTEMAS)
    produtibilidade = serializers.FloatField(min_value=1e-6, max_value=100)
    volume_inicial = serializers.FloatField(min_value=0)
    volume_min = serializers.FloatField(min_value=0)
    volume_max = serializers.FloatField(min_value=0)
    afluencia = serializers.ListField(child=serializers.FloatField(min_value=0, max_value=1e6), max_length=744)
    turbinamento_max = serializers.FloatField(min_value=0, max_value=1e6)
    geracao_min = serializers.FloatField(min_value=0, default=0.0)
    geracao_max = serializers.FloatField(min_value=0, required=False, allow_null=True)
    defluencia_min = serializers.FloatField(min_value=0, default=0.0)
    defluencia_max = serializers.FloatField(min_value=0, required=False, allow_null=True)
    rampa = serializers.FloatField(min_value=0, required=False, allow_null=True)
    geracao_inicial = serializers.FloatField(min_value=0, required=False, allow_null=True)
    volume_meta = serializers.FloatField(min_value=0, required=False, allow_null=True)
    jusante = serializers.CharField(max_length=40, required=False, allow_null=True)


class TermicaSerializer(serializers.Serializer):  # type: ignore[type-arg]
    nome = serializers.CharField(max_length=40)
    subsistema = serializers.ChoiceField(choices=dispatch.SUBSISTEMAS)
    segmentos = serializers.ListField(
        child=serializers.ListField(
            child=serializers.FloatField(min_value=0, max_value=1e6), min_length=2, max_length=2
        ),
        min_length=1,
        max_length=10,
        help_text="[[MW, R$/MWh], ...] with increasing costs",
    )
    geracao_min = serializers.FloatField(min_value=0, default=0.0)
    rampa = serializers.FloatField(min_value=0, required=False, allow_null=True)
    geracao_inicial = serializers.FloatField(min_value=0, required=False, allow_null=True)


class InterligacaoSerializer(serializers.Serializer):  # type: ignore[type-arg]
    origem = serializers.ChoiceField(choices=dispatch.SUBSISTEMAS)
    destino = serializers.ChoiceField(choices=dispatch.SUBSISTEMAS)
    limite = serializers.FloatField(min_value=0, max_value=1e6)
    limite_reverso = serializers.FloatField(min_value=0, max_value=1e6)


class DespachoSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A dispatch problem; `carga` omitted means the latest issued forecast of each subsystem (24 h)."""

    horas = serializers.IntegerField(min_value=1, max_value=744)
    carga = serializers.DictField(child=numbers(), required=False, help_text="subsystem → MW per hour")
    intermitente = serializers.DictField(child=numbers(), required=False, help_text="wind + solar, MW per hour")
    hidros = HidroSerializer(many=True, required=False, default=list)
    termicas = TermicaSerializer(many=True, required=False, default=list, max_length=500)  # type: ignore[call-arg]
    interligacoes = InterligacaoSerializer(many=True, required=False, default=list)
    custo_deficit = serializers.FloatField(min_value=0, max_value=1e6, default=7643.82)
    ano_pld = serializers.IntegerField(min_value=2000, max_value=2100, default=2024)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for field in ("carga", "intermitente"):
            for sub, values in (attrs.get(field) or {}).items():
                if sub not in dispatch.SUBSISTEMAS:
                    raise serializers.ValidationError({field: f"unknown subsystem {sub!r}"})
                _series(attrs["horas"], f"{field}.{sub}", values)
        return attrs

    def problem(self, carga: dict[str, list[float]]) -> dispatch.Problema:
        data = self.validated_data
        if not data["hidros"] and not data["termicas"] and not data.get("intermitente"):
            # Every MW would be deficit: the "optimum" is the deficit cost times the load, a number without meaning.
            raise serializers.ValidationError(
                {"detail": "sem usinas: informe hidros, termicas ou intermitente (sem geração, toda a carga é déficit)"}
            )
        try:
            problem = services.dispatch_problem(dict(data), carga)
        except dispatch.DispatchError as exc:
            raise serializers.ValidationError({"detail": str(exc)}) from exc
        return problem
