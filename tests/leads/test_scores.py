"""Tariffs in, curves from the BDGD, scores on the real Mux file: stored, kept across re-imports, served."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from ingestion import services as ingestion
from leads import models, selectors, services, tarifas
from leads.api.serializers import LeadSerializer
from tests.forecasting.conftest import Replay, replay_server  # noqa: F401 (fixture)
from tests.ingestion.conftest import MUX_2024, clean_imports  # noqa: F401 (fixture)
from tests.leads.test_api import token_client

ANEEL = Path(__file__).resolve().parents[1] / "fixtures" / "aneel"
REAIS = ANEEL / "tarifas_reais.csv"
GRUPO_A = ANEEL / "tarifas_grupo_a_construidas.csv"
ON = date(2026, 12, 1)


def test_tariffs_load_idempotently_in_any_published_encoding(db: None, tmp_path: Path) -> None:
    assert services.tariffs_import(path=REAIS) == {"linhas": 23, "inseridas_ou_alteradas": 23}
    assert services.tariffs_import(path=REAIS)["inseridas_ou_alteradas"] == 0  # the same file: nothing changes
    rge = models.Tarifa.objects.get(agente="RGE SUL", inicio=date(2018, 4, 19))
    assert (rge.subgrupo, rge.modalidade, rge.tusd, rge.te, rge.cnpj) == ("B1", "Convencional", 250.5, 296.82,
                                                                          "02016440000162")  # fmt: skip
    assert models.Tarifa.objects.get(agente="CERES").tusd == 0.0  # ",00"
    text = GRUPO_A.read_text(encoding="utf-8")
    for encoding in ("cp1252", "utf-16", "utf-8-sig"):
        copy = tmp_path / f"tarifas-{encoding}.csv"
        copy.write_bytes(text.encode(encoding))
        assert [linha.row() for linha in tarifas.read(copy)] == [linha.row() for linha in tarifas.read(GRUPO_A)]
    assert services.tariffs_import(path=tmp_path / "tarifas-cp1252.csv")["inseridas_ou_alteradas"] == 12
    assert models.Tarifa.objects.get(agente="MUX ENERGIA", inicio=date(2026, 6, 1), modalidade="Verde",
                                     posto="Ponta").tusd == 1234.56  # fmt: skip


def test_a_bad_line_is_named_and_nothing_is_written(db: None, tmp_path: Path) -> None:
    lines = GRUPO_A.read_text(encoding="utf-8").splitlines()
    lines[8] = lines[8].replace('"98,76"', '"noventa"')
    bad = tmp_path / "tarifas.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(tarifas.TarifaError, match=r"tarifas\.csv:9: 'noventa' is not a number"):
        services.tariffs_import(path=bad)
    assert models.Tarifa.objects.count() == 0
    other = tmp_path / "outro.csv"
    other.write_text("a;b\n1;2\n")
    with pytest.raises(CommandError, match="not ANEEL's tariff dataset"):
        call_command("import_tarifas", str(other), "--sem-score")


def test_the_weekly_fetch_downloads_and_loads(db: None, replay_server: str, settings) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    Replay.files = {"/tarifas.csv": (GRUPO_A.read_bytes(), "text/csv")}
    settings.TARIFAS_URL = f"{replay_server}/tarifas.csv"
    out = io.StringIO()
    call_command("import_tarifas", settings.TARIFAS_URL, "--sem-score", stdout=out)
    assert "12 linhas, 12 novas ou alteradas" in out.getvalue()
    with pytest.raises(CommandError, match="404"):
        call_command("import_tarifas", f"{replay_server}/nada.csv")


def test_tariff_in_force_is_the_modality_the_subgroup_most_likely_has(db: None) -> None:
    services.tariffs_import(path=GRUPO_A)
    (a4,) = selectors.tariffs_in_force(on=ON)
    assert (a4["distribuidora_id"], a4["grupo_tarifario"]) == (401, "A4")  # SigAgente MUX ENERGIA = Mux_Energia
    assert a4["tarifa_ponta"] == pytest.approx(1234.56 + 498.21) and a4["te_fora_ponta"] == pytest.approx(301.45)
    (earlier,) = selectors.tariffs_in_force(on=date(2025, 12, 1))
    assert earlier["tarifa_ponta"] == pytest.approx((1234.56 + 498.21) * 0.95, abs=0.02)


@pytest.fixture
def mux(clean_imports: None) -> Iterator[None]:  # noqa: F811
    services.tariffs_import(path=GRUPO_A)
    ingestion.bdgd_import(path=MUX_2024)
    yield
    models.CurvaCarga.objects.all().delete()


def test_real_file_curves_and_every_unit_scored_or_told_why(mux: None) -> None:
    assert models.CurvaCarga.objects.filter(distribuidora_id=401, ano=2024).count() == 183
    reference = {}
    for line in (ANEEL / "mux2024_crvcrg_ponta_share.csv").read_text().splitlines()[1:]:
        cod, _, _, share, ratio, _ = line.split(",")
        reference[cod] = (float(share), float(ratio))
    peaks = {cod: (share, ratio) for _, _, cod, share, ratio in selectors.curve_peaks(distribuidora=401, ano=2024)}
    assert set(reference) <= set(peaks)
    for cod, (share, ratio) in reference.items():  # an independent computation of the same curves
        assert peaks[cod][0] == pytest.approx(share, abs=0.005) and peaks[cod][1] == pytest.approx(ratio, abs=0.001)

    run = services.score_refresh(on=ON)
    units = models.LeadBruto.objects.count()
    assert run.unidades == units == models.LeadScore.objects.count() == 13_000
    for score in models.LeadScore.objects.all().iterator():
        for oferta in ("acl", "arbitragem", "backup", "gtd"):
            assert getattr(score, f"score_{oferta}") is not None or score.razoes[oferta], (score.uc_id, oferta)
    a4 = models.LeadScore.objects.filter(lead__grupo_tarifario_id="A4", lead__livre=False).first()
    assert a4 is not None and a4.detalhe["fonte_tarifa"].startswith("ANEEL MUX ENERGIA A4 Verde")
    assert a4.detalhe["fonte_ponta"] == "curva"
    bt = models.LeadScore.objects.filter(lead__grupo_tarifario_id="B1").first()
    assert bt is not None and "tarifa_padrao" in bt.razoes["acl"]  # no B1 tariff of Mux in force: stated
    free = models.LeadScore.objects.filter(lead__livre=True).first()
    assert free is not None and free.score_acl is None and free.razoes["acl"][0] == "ja_livre"


def test_scores_survive_a_re_import_of_their_layer(mux: None) -> None:
    services.score_refresh(on=ON)
    before = dict(models.LeadScore.objects.values_list("uc_id", "score_acl"))
    ingestion.bdgd_import(path=MUX_2024, layers=["UCMT"], force=True)
    assert dict(models.LeadScore.objects.values_list("uc_id", "score_acl")) == before


def test_list_ranks_an_offer_and_detail_explains_it(mux: None) -> None:
    services.score_refresh(on=ON)
    client: APIClient = token_client("vendas")
    best = client.get("/api/v1/leads/?oferta=acl&ordering=-score_acl&page_size=20").json()["results"]
    assert len(best) == 20 and all(r["score_acl"] is not None for r in best)
    assert [r["score_acl"] for r in best] == sorted((r["score_acl"] for r in best), reverse=True)
    assert [r["uc_id"] for r in client.get("/api/v1/leads/?oferta=acl&page_size=20").json()["results"]] == [
        r["uc_id"] for r in best
    ]  # the offer alone orders by its score
    assert all(r["score_acl"] >= 60 for r in client.get("/api/v1/leads/?score_acl_min=60").json()["results"])
    assert client.get("/api/v1/leads/?oferta=solar").status_code == 400
    detail = client.get(f"/api/v1/leads/{best[0]['uc_id']}/").json()["scores"]
    acl = detail["ofertas"]["acl"]
    assert acl["score"] == best[0]["score_acl"] and "economia estimada R$" in acl["explicacao"]
    assert detail["versao"] and detail["parametros"]["custo_bess"] == 3000.0 and detail["elegivel_acl_desde"]
    csv = b"".join(client.get("/api/v1/leads/csv/?oferta=acl&limit=5").streaming_content).decode().splitlines()
    assert "score_acl" in csv[0] and len(csv) == 6


def test_score_command_reports_what_it_did(mux: None) -> None:
    out = io.StringIO()
    call_command("score_leads", "--distribuidora", "401", "--ano", "2024", stdout=out)
    assert "13.000 unidades pontuadas" in out.getvalue().replace(",", ".")


def test_segments_are_listed_with_their_metrics_and_filter_the_list(mux: None) -> None:
    run = services.score_refresh(on=ON)
    client: APIClient = token_client("segmentos")
    found = client.get("/api/v1/segmentos/?distribuidora=401&ano=2024").json()
    assert len(found) == run.k_segmentos >= 4 and all(s["rotulo"] and s["n_ucs"] > 0 for s in found)
    with_energy = models.LeadBruto.objects.filter(energia_anual_kwh__gt=0).count()
    assert sum(s["n_ucs"] for s in found) == with_energy
    biggest = max(found, key=lambda s: s["n_ucs"])
    units = client.get(f"/api/v1/leads/?segmento_automatico={biggest['id']}&page_size=5").json()["results"]
    assert len(units) == 5 and all(u["segmento_automatico"] == biggest["id"] for u in units)
    detail = client.get(f"/api/v1/leads/{units[0]['uc_id']}/").json()["scores"]
    assert detail["segmento"] == {"id": biggest["id"], "rotulo": biggest["rotulo"]}
    services.score_refresh(on=ON)  # a new run replaces the segments listed
    assert {s["id"] for s in client.get("/api/v1/segmentos/").json()}.isdisjoint({s["id"] for s in found})


def test_admin_filters_units_by_best_offer_and_shows_their_scores(mux: None, admin_client) -> None:  # type: ignore[no-untyped-def]
    services.score_refresh(on=ON)
    best = models.LeadScore.objects.filter(melhor_oferta="gtd").first()
    assert best is not None
    page = admin_client.get("/admin/leads/leadbruto/", {"melhor_oferta": "gtd"}).content.decode()
    shown = page.count('<td class="field-oferta">')
    assert shown > 0 and page.count("GTD <b>") == shown  # every unit listed has GTD as its best offer
    none = admin_client.get("/admin/leads/leadbruto/", {"melhor_oferta": "nenhuma"}).content.decode()
    assert "<b>" not in none.split('id="result_list"')[1].split("</table>")[0]
    unit = admin_client.get(f"/admin/leads/leadbruto/{best.uc_id}/change/").content.decode()
    assert "Scores por oferta" in unit and "Fórmula 2026.12" in unit


def test_list_rows_with_scores_equal_the_generic_serializer(mux: None) -> None:
    services.score_refresh(on=ON)
    serializer = LeadSerializer()
    rows = list(selectors.lead_list(params={"oferta": "acl"}, ordering="-score_acl").order_by("-score_acl")[:200])
    assert rows and all(row.score_acl is not None for row in rows)
    for row in rows:
        assert serializer.to_representation(row) == dict(super(LeadSerializer, serializer).to_representation(row))
