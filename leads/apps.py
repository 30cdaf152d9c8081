from __future__ import annotations

from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads (intel_lead)"
    default_auto_field = "django.db.models.BigAutoField"
