"""Hourly load and weather observations, as published (missing hours stay missing)."""

from __future__ import annotations

from django.db import models


class Subsistema(models.TextChoices):
    N = "N", "Norte"
    NE = "NE", "Nordeste"
    S = "S", "Sul"
    SE = "SE", "Sudeste/Centro-Oeste"


class CargaHoraria(models.Model):
    """ONS hourly mean load of a subsystem; `instante` is the start of the hour (stored in UTC)."""

    subsistema = models.CharField(max_length=2, choices=Subsistema.choices)
    instante = models.DateTimeField()
    carga_mw = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subsistema", "instante"], name="carga_horaria_subsistema_instante"),
            models.CheckConstraint(condition=models.Q(carga_mw__gt=0), name="carga_horaria_positiva"),
        ]
        indexes = [models.Index(fields=["instante"], name="carga_horaria_instante_idx")]
        verbose_name = "carga horária"
        verbose_name_plural = "cargas horárias"

    def __str__(self) -> str:
        return f"{self.subsistema} {self.instante:%Y-%m-%d %H:%M} {self.carga_mw:.0f} MW"


class ObservacaoHoraria(models.Model):
    """INMET automatic station hourly observation (UTC)."""

    estacao = models.CharField(max_length=8)
    instante = models.DateTimeField()
    temperatura_c = models.FloatField(null=True, blank=True)
    precipitacao_mm = models.FloatField(null=True, blank=True)
    umidade_pct = models.FloatField(null=True, blank=True)
    radiacao_kj_m2 = models.FloatField(null=True, blank=True)
    vento_ms = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["estacao", "instante"], name="observacao_horaria_estacao_instante")
        ]
        verbose_name = "observação meteorológica"
        verbose_name_plural = "observações meteorológicas"

    def __str__(self) -> str:
        return f"{self.estacao} {self.instante:%Y-%m-%d %H:%M}"


class BalancoHorario(models.Model):
    """ONS energy balance of a subsystem (or the SIN, as ONS publishes it) in one hour: generation by
    source, load and net interchange, MW means; `None` where the file has no value."""

    subsistema = models.CharField(max_length=3, help_text="N, NE, S, SE or SIN")
    instante = models.DateTimeField(help_text="start of the hour (stored in UTC)")
    hidraulica_mw = models.FloatField(null=True, blank=True)
    termica_mw = models.FloatField(null=True, blank=True)
    eolica_mw = models.FloatField(null=True, blank=True)
    solar_mw = models.FloatField(null=True, blank=True)
    carga_mw = models.FloatField(null=True, blank=True)
    intercambio_mw = models.FloatField(null=True, blank=True, help_text="net export (+) or import (-)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subsistema", "instante"], name="balanco_horario_subsistema_instante"),
            models.CheckConstraint(
                condition=models.Q(subsistema__in=["SIN", "N", "NE", "S", "SE"]), name="balanco_subsistema_valido"
            ),
            models.CheckConstraint(
                condition=models.Q(eolica_mw__gte=0) | models.Q(eolica_mw__isnull=True),
                name="balanco_eolica_nao_negativa",
            ),
            models.CheckConstraint(
                condition=models.Q(solar_mw__gte=0) | models.Q(solar_mw__isnull=True),
                name="balanco_solar_nao_negativa",
            ),
        ]
        indexes = [models.Index(fields=["instante"], name="balanco_horario_instante_idx")]
        verbose_name = "balanço energético horário"
        verbose_name_plural = "balanços energéticos horários"

    def __str__(self) -> str:
        return f"{self.subsistema} {self.instante:%Y-%m-%d %H:%M}"


class PldHorario(models.Model):
    """CCEE hourly PLD (spot settlement price) of a submarket, R$/MWh."""

    submercado = models.CharField(max_length=2, choices=Subsistema.choices)
    instante = models.DateTimeField(help_text="start of the hour (stored in UTC)")
    pld = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submercado", "instante"], name="pld_horario_submercado_instante"),
            models.CheckConstraint(condition=models.Q(pld__gt=0), name="pld_horario_positivo"),
        ]
        indexes = [models.Index(fields=["instante"], name="pld_horario_instante_idx")]
        verbose_name = "PLD horário"
        verbose_name_plural = "PLDs horários"

    def __str__(self) -> str:
        return f"{self.submercado} {self.instante:%Y-%m-%d %H:%M} R$ {self.pld:.2f}"


class StatusModelo(models.TextChoices):
    CANDIDATO = "candidato", "candidato"
    ATIVO = "ativo", "ativo"
    APOSENTADO = "aposentado", "aposentado"
    REJEITADO = "rejeitado", "rejeitado"


class ModeloVersao(models.Model):
    """A trained load model: its artefact folder, training window, data hash, metrics and gate results.

    At most one version is active; promotion retires the previous one, which stays available for
    `forecast_rollback`.
    """

    status = models.CharField(max_length=10, choices=StatusModelo.choices, default=StatusModelo.CANDIDATO)
    artefato = models.CharField(max_length=500, help_text="folder with the Keras files, scalers and metadata")
    motivo = models.CharField(max_length=40, help_text="nightly, drift, manual, demo")
    janela_inicio = models.DateField()
    janela_fim = models.DateField()
    dados_hash = models.CharField(max_length=64)
    metricas = models.JSONField(default=dict, help_text="holdout metrics per series: model and seasonal naive")
    gates = models.JSONField(default=dict, help_text="each promotion gate: passed and why")
    segundos_treino = models.FloatField(default=0.0)
    criado_em = models.DateTimeField(auto_now_add=True)
    promovido_em = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="ativo"), name="modelo_versao_um_ativo"
            ),
            models.CheckConstraint(
                condition=models.Q(janela_inicio__lte=models.F("janela_fim")), name="modelo_versao_janela"
            ),
        ]
        ordering = ["-id"]
        verbose_name = "versão de modelo"
        verbose_name_plural = "versões de modelo"

    def __str__(self) -> str:
        return f"v{self.pk} ({self.status})"


class PrevisaoHoraria(models.Model):
    """One hour of an issued day-ahead forecast, with its error once the actual load is known."""

    modelo = models.ForeignKey(ModeloVersao, on_delete=models.PROTECT, related_name="previsoes")
    serie = models.CharField(max_length=3, help_text="SIN or a subsystem")
    instante = models.DateTimeField(help_text="start of the forecast hour")
    emitida_em = models.DateTimeField()
    carga_mw = models.FloatField()
    realizado_mw = models.FloatField(null=True, blank=True)
    erro_pct = models.FloatField(null=True, blank=True, help_text="(forecast - actual) / actual × 100")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["serie", "instante", "modelo"], name="previsao_serie_instante_modelo"),
            models.CheckConstraint(
                condition=models.Q(serie__in=["SIN", "N", "NE", "S", "SE"]), name="previsao_serie_valida"
            ),
        ]
        indexes = [models.Index(fields=["serie", "instante"], name="previsao_serie_instante_idx")]
        verbose_name = "previsão horária"
        verbose_name_plural = "previsões horárias"

    def __str__(self) -> str:
        return f"{self.serie} {self.instante:%Y-%m-%d %H:%M} {self.carga_mw:.0f} MW"
