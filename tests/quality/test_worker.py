"""The nightly quality refresh through a real Celery worker: a rule fires once, by e-mail to a real SMTP
server, and the next run tells nothing again."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from quality import tasks
from quality.models import EventoAlerta, Notificacao, RegraAlerta
from tests.conftest import start_worker, stop_worker
from tests.factories import PORTO_ALEGRE
from tests.quality.conftest import Caixa
from tests.quality.test_alerts import gestor, units

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wiped")]


@pytest.fixture
def worker(smtp: Caixa) -> Iterator[subprocess.Popen[bytes]]:
    """A worker on the default queue, mailing through the test's SMTP server."""
    process = start_worker("celery", EMAIL_URL=smtp.url, DEFAULT_FROM_EMAIL="alertas@youon.test")
    yield process
    stop_worker(process)


def test_nightly_refresh_on_a_worker_notifies_each_event_once(smtp: Caixa, worker: subprocess.Popen[bytes]) -> None:
    units()
    user = gestor()
    rule = RegraAlerta.objects.create(dono=user, nome="POA janeiro", tipo_regiao="municipio", regiao=PORTO_ALEGRE,
                                      metrica="dic_medio_mensal", limiar=5.0)  # fmt: skip
    first = tasks.quality_refresh.delay().get(timeout=300)
    assert (first["eventos"], first["notificacoes"], first["emails"]) == (1, 1, 1)
    [mail] = smtp.mensagens
    assert mail["To"] == "gestora@example.com" and mail["From"] == "alertas@youon.test"
    assert "Porto Alegre/RS" in str(mail["Subject"])
    again = tasks.quality_refresh.delay().get(timeout=300)
    assert (again["eventos"], again["notificacoes"], again["emails"]) == (0, 0, 0)
    assert len(smtp.mensagens) == 1
    assert EventoAlerta.objects.filter(regra=rule).count() == 1
    assert Notificacao.objects.filter(usuario=user, lida=False).count() == 1
