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
