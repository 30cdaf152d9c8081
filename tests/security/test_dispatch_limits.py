"""A dispatch request is bounded by the LP it implies: small ones answer at once, large ones become a
job of their owner's, too large ones a 400 that says the limit (the 744 h × 500 plants × 10 segments
request used to build for two minutes and 4 GB until the web worker was killed)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from forecasting.optimisation import cases, dispatch
from tests.conftest import start_worker, stop_worker
from tests.leads.test_api import token_client


def body(hours: int, plants: int, segments: int) -> dict[str, Any]:
    return {
        "horas": hours,
        "carga": {"SE": [30_000.0] * hours},
        "termicas": [
            {"nome": f"T{i}", "subsistema": "SE", "segmentos": [[100.0, 100.0 + k] for k in range(segments)]}
            for i in range(plants)
        ],
    }


def test_the_size_is_counted_exactly_without_building() -> None:
    for hours, plants in [(24, 10), (48, 37), (24, 100)]:
        problem = cases.sized(hours=hours, plants=plants)
        for ranged in (True, False):
            built = dispatch._build(problem, elastic=False, ranged=ranged)
            assert problem.tamanho(ranged=ranged) == (len(built.problem.variables()), len(built.problem.constraints))


@pytest.mark.django_db
def test_a_dispatch_over_the_limit_is_a_400_that_says_it() -> None:
    client = token_client("planejador")
    started = time.perf_counter()
    response = client.post("/api/v1/despacho/", body(744, 500, 10), format="json")
    assert response.status_code == 400, response.content[:300]
    detail = response.json()["detail"]
    assert "3.721.488 variáveis e 744 restrições" in detail and "o limite é 500.000" in detail
    assert time.perf_counter() - started < 10  # refused from the input's size, before any model is built


@pytest.mark.django_db(transaction=True)
@override_settings(DESPACHO_SINCRONO_MAX=2_000)
def test_a_large_dispatch_is_a_job_its_owner_follows_on_a_real_worker() -> None:
    owner, other = token_client("planejador"), token_client("outro")
    small = owner.post("/api/v1/despacho/", body(4, 3, 2), format="json")  # 4 × (6 + 2) + 4 = 36
    assert small.status_code == 200 and "termica" in small.json()
    worker = start_worker("despacho")
    try:
        queued = owner.post("/api/v1/despacho/", body(48, 30, 2), format="json")  # 48 × 62 + 48 = 3,024
        assert queued.status_code == 202, queued.content[:300]
        assert queued.json()["variaveis"] == 48 * 62 and queued.json()["restricoes"] == 48
        url = queued.json()["tarefa"]
        state: dict[str, Any] = {}
        for _ in range(120):
            state = owner.get(url).json()
            if state["estado"] in ("SUCCESS", "FAILURE"):
                break
            time.sleep(0.5)
        assert state["estado"] == "SUCCESS", (state, stop_worker(worker))
        assert state["tipo"] == "despacho" and state["resultado"]["status"] == 200
        plan = state["resultado"]["corpo"]
        assert sum(plan["termica"]["T0"]) > 0 and plan["deficit"]["SE"] == [pytest.approx(24_000.0)] * 48
        assert other.get(url).status_code == 404  # someone else's job
        assert owner.get(f"/api/v1/tarefas/{uuid.uuid4()}/").status_code == 404  # an unknown one
        assert APIClient().get(url).status_code == 401
    finally:
        stop_worker(worker)


@pytest.mark.django_db
@override_settings(DESPACHO_SINCRONO_MAX=2_000, DESPACHO_JOBS_POR_USUARIO=2)
def test_a_user_has_at_most_so_many_dispatch_jobs_open() -> None:
    """Queued with no worker consuming `despacho`, the jobs stay open: the third is refused, another
    user's is not."""
    from youon.celery import app

    owner, other = token_client("planejador"), token_client("outro")
    assert app.amqp.router.route({}, "forecasting.tasks.dispatch_solve")["queue"].name == "despacho"
    try:
        codes = [owner.post("/api/v1/despacho/", body(48, 30, 2), format="json").status_code for _ in range(3)]
        assert codes == [202, 202, 429]
        refused = owner.post("/api/v1/despacho/", body(48, 30, 2), format="json").json()
        assert "o limite é 2" in refused["detail"]
        assert other.post("/api/v1/despacho/", body(48, 30, 2), format="json").status_code == 202
    finally:
        app.control.purge()


@pytest.mark.django_db
@override_settings(DESPACHO_SINCRONO_MAX=60)
def test_an_infeasible_dispatch_is_diagnosed_only_when_the_elastic_model_fits() -> None:
    """The elastic model naming the conflicting limits is about three times the size: within the bound
    the 422 names them, beyond it the 422 says so without building it."""
    client = token_client("planejador")
    plant = {"nome": "T", "subsistema": "SE", "segmentos": [[500, 100]], "geracao_min": 300}
    infeasible = {"horas": 1, "carga": {"SE": [100]}, "termicas": [plant]}
    named = client.post("/api/v1/despacho/", infeasible, format="json")  # 3 variables + 1 row: 3 × 4 ≤ 60
    assert named.status_code == 422 and named.json()["limites"][0]["limite"] == "geracao_min[T,0]"
    wide = {**infeasible, "horas": 6, "carga": {"SE": [100] * 6}}  # 6 × (1 + 2) + 6 = 24: 3 × 24 > 60
    unnamed = client.post("/api/v1/despacho/", wide, format="json")
    assert unnamed.status_code == 422 and unnamed.json()["limites"][0]["limite"] == dispatch.NO_DIAGNOSIS
