from __future__ import annotations

import os

from celery import Celery

from . import envfile

envfile.load()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youon.settings")

app = Celery("youon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
