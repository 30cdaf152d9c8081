from __future__ import annotations

from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "forecasting"
    verbose_name = "Previsão de carga e despacho"
    default_auto_field = "django.db.models.BigAutoField"
