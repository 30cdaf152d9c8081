from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from tests.ingestion.conftest import clean_imports  # noqa: F401 (fixture)


@dataclass
class Caixa:
    """What a real local SMTP server received: one parsed message per delivery."""

    host: str
    port: int
    mensagens: list[EmailMessage] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"


class _Handler:
    def __init__(self, caixa: Caixa) -> None:
        self.caixa = caixa

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.caixa.mensagens.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Caixa]:
    """A real SMTP server (aiosmtpd) on a free local port; Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    caixa = Caixa("127.0.0.1", port)
    controller = Controller(_Handler(caixa), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # pytest-django sets locmem
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield caixa
    finally:
        controller.stop()


@pytest.fixture
def wiped(clean_imports: None) -> None:  # noqa: F811
    """Units a test commits (a live server or a worker reads them) are removed before and after it."""
