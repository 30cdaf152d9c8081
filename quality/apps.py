from __future__ import annotations

from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Qualidade do fornecimento"
    default_auto_field = "django.db.models.BigAutoField"
