"""The catalog client against a local HTTP server replaying ANEEL Hub pages built from the real catalog."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from ingestion import catalog
from ingestion.readers import hub
from leads.refdata import DATA_DIR
from tests.conftest import http_server

ROWS = list(csv.DictReader((DATA_DIR / "hub_catalog_2025-10.csv").open(encoding="utf-8")))
FEATURES = [
    {
        "type": "Feature",
        "id": row["item_id"],
        "properties": {"title": row["title"], "name": row["title"], "type": "File Geodatabase",
                       "tags": row["tags"].split(",")},
        "geometry": None,
    }
    for row in ROWS
]  # fmt: skip


class HubReplay(BaseHTTPRequestHandler):
    fail = False

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if self.fail or url.path != hub.LIST_PATH or query.get("type") != ["File Geodatabase"]:
            self.send_response(500 if self.fail else 404)
            self.end_headers()
            return
        start, limit = int(query["startindex"][0]), int(query["limit"][0])
        page = FEATURES[start - 1 : start - 1 + limit]
        body = json.dumps({"type": "FeatureCollection", "numberMatched": len(FEATURES), "features": page}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/geo+json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub_url() -> Iterator[str]:
    with http_server(HubReplay) as base, override_settings(BDGD_HUB_URL=base):
        yield base
    HubReplay.fail = False


def test_catalog_lists_latest_republication_of_each_distributor_date(hub_url: str) -> None:
    items = catalog.catalog_list()
    assert len(items) == len({(r["cod_aneel"], r["data_base"]) for r in ROWS}) == 898
    republished = [r for r in ROWS if (r["cod_aneel"], r["data_base"]) == ("32", "2023-12-31")]
    newest = max(republished, key=lambda r: r["gerado"])
    chosen = [i for i in items if (i.distribuidora, i.data_base) == (32, "2023-12-31")]
    assert [i.item_id for i in chosen] == [newest["item_id"]]
    assert sum(i.extra for i in items) == len({(r["cod_aneel"], r["data_base"]) for r in ROWS if r["extra"] == "True"})


def test_catalog_filters_by_distributor_and_year(hub_url: str) -> None:
    mux = catalog.catalog_list(distribuidora=401, ano=2024)
    assert [(i.item_id, i.modelo, i.gerado) for i in mux] == [
        ("aee6d2c787624fea9a6026c02816b262", "V11", "20250806-1857")
    ]
    assert mux[0].download_url.endswith("/items/aee6d2c787624fea9a6026c02816b262/data")


def test_catalog_command_prints_items_and_fails_cleanly(hub_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("bdgd_catalog", "--distribuidora", "401")
    out = capsys.readouterr().out
    assert "aee6d2c787624fea9a6026c02816b262    401  2024-12-31  V11  20250806-1857  Mux_Energia" in out
    HubReplay.fail = True
    with pytest.raises(CommandError, match=r"ANEEL catalog at http://127\.0\.0\.1:.*500 Server Error"):
        call_command("bdgd_catalog")


@pytest.mark.django_db
def test_weekly_watch_queues_only_releases_not_imported(hub_url: str) -> None:
    import redis
    from django.conf import settings

    from ingestion import tasks
    from ingestion.models import ImportStatus

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    ImportStatus.objects.create(
        distribuidora_id=401, ano=2024, camada="UCBT", arquivo="x", status="completed",
        item_id="aee6d2c787624fea9a6026c02816b262",
    )  # fmt: skip
    with override_settings(BDGD_WATCH_YEARS=[2024], BDGD_WATCH_DISTRIBUIDORAS=["401", "26"]):
        queued = tasks.bdgd_watch_releases.run()
    energisa_ac = [r["item_id"] for r in ROWS if r["cod_aneel"] == "26" and r["data_base"] == "2024-12-31"]
    assert queued == energisa_ac
    messages = [json.loads(m) for m in broker.lrange("celery", 0, -1)]
    assert [m["headers"]["task"] for m in messages] == ["ingestion.tasks.bdgd_fetch_and_import"]
    assert messages[0]["headers"]["argsrepr"] == repr((energisa_ac[0],))
    broker.delete("celery")
