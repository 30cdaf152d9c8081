from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create (or reset) the local demo superuser and print its login. Refuses to run with DEBUG off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_user is for local demos: run it with DEBUG=1")
        username = os.environ.get("DEMO_USER", "demo")
        password = os.environ.get("DEMO_PASSWORD", "youon-demo")
        user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": "demo@localhost"})
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        # A reset login works at once: failed attempts on this machine (the demo runs on 127.0.0.1) are cleared.
        from axes.utils import reset

        reset(username=username)
        reset(ip="127.0.0.1")
        self.stdout.write(f"Demo login: {username} / {password}  (http://127.0.0.1:8000/admin/)")
