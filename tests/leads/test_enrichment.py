from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from ingestion import services as ingestion
from leads import models, services, tasks
from leads.enrichment import services as enrichment
from tests.factories import LeadBrutoFactory
from tests.ingestion.conftest import MUX_2024, clean_imports  # noqa: F401 (fixture)

from . import cadastros

TAPEJARA = "4320909"
IBIACA = "4309803"
# The sample's cases only the matcher's precision set uses: a unit year after every opening date in it.
ANO_CONSTRUIDO = 2025


def _abreviado(bairro: str) -> str:
    """A bairro as a BDGD might spell it: mixed case and abbreviated."""
    words = {"JARDIM": "Jd.", "VILA": "Vl", "PARQUE": "Pq", "CONJUNTO": "Cj"}
    return " ".join(words.get(w, w.capitalize()) for w in bairro.split())


def _cnae(code: str) -> str:
    return f"{code[:4]}-{code[4]}/{code[5:]}"


def _identities() -> dict[int, models.LeadIdentidade]:
    return {i.uc_id: i for i in models.LeadIdentidade.objects.all()}


def test_precision_and_recall_on_units_placed_at_real_establishments(db: None) -> None:
    """The labelled set (cnpj_matching.md, "how to measure precision"): a unit placed at each active
    establishment of the real Receita sample that has a CEP (its CEP, CNAE, municipality and bairro as
    a BDGD spells it), and for each a decoy of the same CNAE and municipality at another CEP and bairro;
    plus MEI and micro companies under a 400 kW unit at their exact CEP. Measured: 847 labelled units,
    847 decoys, 57 implausible pairs: precision of success 1.000, recall 0.913, no decoy succeeds."""
    established = cadastros.load_receita()
    known_cnaes = set(models.Cnae.objects.values_list("subclasse", flat=True))
    known_muns = set(models.Municipio.objects.values_list("cod_ibge", flat=True))
    rng = random.Random(10)
    truth: dict[int, str] = {}
    decoys: set[int] = set()
    implausible: dict[int, str] = {}
    for n, e in enumerate(established):
        if _cnae(e.cnae) not in known_cnaes or e.municipio_ibge not in known_muns:
            continue
        common = {"distribuidora_id": 401, "ano": ANO_CONSTRUIDO, "classe_consumo_id": "CO1",
                  "municipio_id": e.municipio_ibge, "cnae_id": _cnae(e.cnae), "pac": 45.0}  # fmt: skip
        unit = LeadBrutoFactory(**common, cep=f"{e.cep[:5]}-{e.cep[5:]}", bairro=_abreviado(e.bairro or ""))
        truth[unit.uc_id] = e.cnpj
        suffix = "999" if e.cep[5:] != "999" else "998"
        decoy = LeadBrutoFactory(**common, cep=f"{e.cep[:5]}-{suffix}", bairro="Loteamento Sem Nome")
        decoys.add(decoy.uc_id)
        if n % 10 == 0 and not e.cep.endswith("000"):  # the company says it is an MEI, or a micro company
            mei = rng.random() < 0.5
            cadastros.add_company(e.cnpj[:8], e.nome_fantasia or "EMPRESA", porte=1, mei=mei)
            big = LeadBrutoFactory(**{**common, "pac": 400.0}, cep=f"{e.cep[:5]}-{e.cep[5:]}",
                                   bairro=_abreviado(e.bairro or ""))  # fmt: skip
            implausible[big.uc_id] = e.cnpj

    report = enrichment.enrich_layer(distribuidora=401, ano=ANO_CONSTRUIDO, etapas=["cnpj"])

    identities = _identities()
    assert report.etapas["cnpj"]["unidades"] == len(truth) + len(decoys) + len(implausible)
    successes = {uc: i.cnpj for uc, i in identities.items() if i.resultado == "success"}
    right = sum(1 for uc, cnpj in successes.items() if truth.get(uc) == cnpj)
    precision = right / len(successes)
    recall = right / len(truth)
    assert len(truth) > 500
    assert precision >= 0.95, (precision, recall)
    assert recall >= 0.70, (precision, recall)
    assert not decoys & set(successes), "a decoy got an identity"
    for uc, cnpj in implausible.items():  # never the MEI or micro company itself
        assert successes.get(uc) != cnpj
        assert any(c.get("veto") in ("mei_demanda", "micro_demanda") for c in identities[uc].candidatos)
    # Every decision is explained in the log: method, candidates with probabilities, margin, release.
    log = models.LeadEnrichmentLog.objects.filter(etapa="cnpj", uc_id=next(iter(successes))).get()
    assert log.detalhes["metodo"] == "probabilistico" and log.detalhes["release"] == "2026-01-01"
    assert log.detalhes["candidatos"][0]["probabilidade"] >= 0.9 and log.detalhes["margem"] >= 3
    print(f"precision {precision:.3f}, recall {recall:.3f} over {len(truth)} units and {len(decoys)} decoys")


def _cnpj_rows() -> tuple[dict[int, tuple[str, dict[str, Any]]], dict[int, tuple[Any, ...]]]:
    """The cnpj step's log rows (result and details) and the identities, per unit."""
    log = {r.uc_id: (r.resultado, r.detalhes) for r in models.LeadEnrichmentLog.objects.filter(etapa="cnpj")}
    identities = {
        i.uc_id: (i.cnpj, i.cnpj_basico, i.resultado, i.motivo, i.probabilidade, i.margem, i.candidatos, i.razao_social)
        for i in models.LeadIdentidade.objects.all()
    }
    return log, identities


def test_chunks_decide_as_the_whole_layer(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The step decides a chunk of groups at a time: chunks of a few units write the same log rows and
    identities as one chunk of the whole layer, the guard across units included (the only
    establishment of its subclass in its town, in its bairro, is what a unit at its CEP and one at
    another CEP of that bairro would both succeed on: shared by both, though their chunks differ)."""
    established = cadastros.load_receita()
    known_cnaes = set(models.Cnae.objects.values_list("subclasse", flat=True))
    known_muns = set(models.Municipio.objects.values_list("cod_ibge", flat=True))
    usable = [e for e in established if _cnae(e.cnae) in known_cnaes and e.municipio_ibge in known_muns]
    per_subclass = Counter((e.municipio_ibge, e.cnae) for e in established)
    alone = next(
        e for e in usable
        if per_subclass[(e.municipio_ibge, e.cnae)] == 1 and e.bairro and not e.cep.endswith(("000", "999"))
    )  # fmt: skip

    def unit(e: cadastros.Estabelecimento, cep: str, bairro: str) -> models.LeadBruto:
        return LeadBrutoFactory(distribuidora_id=401, ano=ANO_CONSTRUIDO, classe_consumo_id="CO1",
                                municipio_id=e.municipio_ibge, cnae_id=_cnae(e.cnae), pac=45.0,
                                cep=f"{cep[:5]}-{cep[5:]}", bairro=bairro)  # fmt: skip

    twins = [unit(alone, alone.cep, alone.bairro), unit(alone, alone.cep[:5] + "999", alone.bairro)]
    for e in usable[:300]:
        unit(e, e.cep, _abreviado(e.bairro or ""))
        unit(e, e.cep[:5] + ("999" if e.cep[5:] != "999" else "998"), "Loteamento Sem Nome")

    monkeypatch.setattr(enrichment, "CHUNK_UNIDADES", 1)  # a chunk per group
    report = enrichment.enrich_layer(distribuidora=401, ano=ANO_CONSTRUIDO, etapas=["cnpj"])
    assert report.etapas["cnpj"]["lotes"] == len(
        {(u.municipio_id, u.cnae_id, u.cep) for u in models.LeadBruto.objects.all()}
    )
    chunked = _cnpj_rows()
    for twin in twins:
        resultado, detalhes = chunked[0][twin.uc_id]
        assert (resultado, detalhes["motivo"], detalhes["cnpj"]) == ("partial", "cnpj_compartilhado", None)
        assert detalhes["candidatos"][0]["cnpj"] == alone.cnpj
    assert {r for r, _ in chunked[0].values()} == {"success", "partial", "failed"}

    models.LeadEnrichmentLog.objects.all().delete()
    models.LeadIdentidade.objects.all().delete()
    monkeypatch.setattr(enrichment, "CHUNK_UNIDADES", 10**9)
    report = enrichment.enrich_layer(distribuidora=401, ano=ANO_CONSTRUIDO, etapas=["cnpj"])
    assert report.etapas["cnpj"]["lotes"] == 1
    assert _cnpj_rows() == chunked
    # The identities the step built from its decisions are those the log gives: rebuilt from the log,
    # none changes.
    with transaction.atomic():
        assert enrichment._identities_rebuild(401, ANO_CONSTRUIDO) == 0


@pytest.fixture
def mux(clean_imports: None) -> Iterator[None]:  # noqa: F811
    """The real Mux 2024 BDGD, the real Receita sample and CCEE loads (committed: imports use their own
    connections), plus constructed GD register rows for three of Mux's real CEG codes."""
    ingestion.bdgd_import(path=MUX_2024)
    cadastros.load_receita()
    cadastros.load_ccee()
    yield
    cadastros.wipe()
    with connection.cursor() as cursor:
        for table in ("lead_identidade", "lead_mercado_livre", "lead_enrichment_log", "lead_score"):
            cursor.execute(f"DELETE FROM intel_lead.{table}")
    for camada in ("UCAT", "UCMT", "UCBT"):  # the layer tables too: later tests write 401/2024 rows by hand
        ingestion.bdgd_layer_remove(distribuidora=401, ano=2024, camada=camada)


def _mux_unit(**filters: object) -> models.LeadBruto:
    return models.LeadBruto.objects.filter(distribuidora_id=401, ano=2024, **filters).order_by("uc_id").first()  # type: ignore[return-value]


def test_real_mux_units_are_enriched_step_by_step(mux: None) -> None:
    # GD: constructed register rows for three real CEG codes: a company, a natural person, and one absent.
    with_gd = list(
        models.LeadBruto.objects.filter(distribuidora_id=401, ano=2024, ceg_gd__isnull=False).order_by("uc_id")[:3]
    )
    company, person, _absent = with_gd
    cadastros.add_gd(company.ceg_gd, "13810056000153", "MISTER SERVICE LTDA", TAPEJARA, 75.0)
    cadastros.add_gd(person.ceg_gd, "12345678901", "FULANO DE TAL", TAPEJARA, 5.0)
    cadastros.add_company("13810056", "MISTER - SERVICE LTDA", porte=5, mei=False)
    # CCEE (Mux is not in the Goiás sample): constructed loads. In Ibiaçá one commerce load of 160 kW
    # fits one captive unit alone (150 kW; the BDGD says LIV=0, CCEE says free); in Tapejara the same
    # load fits several commerce units: none gets it.
    shop = _mux_unit(camada="UCMT", cnae_id="4632-0/01", municipio_id=IBIACA)
    cadastros.add_ccee_load(IBIACA, "02447928000144", "COMÉRCIO", 0.16)
    cadastros.add_ccee_load(TAPEJARA, "04865228000103", "COMÉRCIO", 0.16)

    report = enrichment.enrich_layer(distribuidora=401, ano=2024)

    units = models.LeadBruto.objects.filter(distribuidora_id=401, ano=2024).count()
    assert report.etapas["municipio"]["resultados"] == {"success": units}
    grupo_a = models.LeadBruto.objects.filter(distribuidora_id=401, ano=2024, camada="UCMT").count()
    assert report.etapas["ccee"]["unidades"] == grupo_a
    assert report.etapas["ccee"]["resultados"]["success"] == 1 and report.etapas["ccee"]["livres"] == 1
    disputed = models.LeadIdentidade.objects.filter(metodo="ccee", motivo="ambiguo").count()
    assert disputed + models.LeadIdentidade.objects.filter(metodo="ccee", motivo="carga_disputada").count() >= 2
    gd_units = models.LeadBruto.objects.filter(distribuidora_id=401, ano=2024, ceg_gd__isnull=False).count()
    assert report.etapas["gd"]["unidades"] == gd_units
    assert report.etapas["gd"]["resultados"] == {"success": 1, "failed": gd_units - 1}
    # Mux's towns have one CEP each (99950-000 ends in 000): no probabilistic success is possible there.
    assert "success" not in report.etapas["cnpj"]["resultados"]

    ids = [company.uc_id, person.uc_id, shop.uc_id]
    views = {v.uc_id: v for v in models.LeadCompletoDetalhado.objects.filter(uc_id__in=ids)}
    gd_row = views[company.uc_id]
    assert (gd_row.cnpj, gd_row.razao_social, gd_row.porte, gd_row.mei) == (
        "13810056000153", "MISTER - SERVICE LTDA", 5, False,
    )  # fmt: skip
    assert gd_row.identidade_metodo == "gd" and gd_row.enriquecimento_status == "success"
    assert gd_row.populacao and gd_row.pib_per_capita and gd_row.idhm  # Tapejara's context
    pf = models.LeadEnrichmentLog.objects.get(uc_id=person.uc_id, etapa="gd")
    assert pf.resultado == "failed" and pf.detalhes["motivo"] == "titular_pessoa_fisica"
    assert "12345678901" not in str(pf.detalhes) and "FULANO" not in str(pf.detalhes)
    free = views[shop.uc_id]
    assert (free.livre, free.livre_fonte, str(free.data_migracao)) == (True, "ccee", "2023-05-01")
    assert free.cnpj == "02447928000144" and free.identidade_metodo == "ccee"

    # Scoring reads the mark: a unit already free is not a migration lead.
    services.score_refresh()
    score = models.LeadScore.objects.get(uc_id=shop.uc_id)
    assert score.score_acl is None and score.razoes["acl"][0] == "ja_livre"

    # The design's first query now returns units.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uc_id FROM intel_lead.vw_lead_completo_detalhado "
            "WHERE enriquecimento_status = 'success' AND pac > 100"
        )
        assert shop.uc_id in {r[0] for r in cursor.fetchall()}


def test_rerun_writes_nothing_and_a_reimport_keeps_identities(mux: None) -> None:
    shop = _mux_unit(camada="UCMT", cnae_id="4632-0/01", municipio_id=IBIACA)
    cadastros.add_ccee_load(IBIACA, "02447928000144", "COMÉRCIO", 0.16)
    enrichment.enrich_layer(distribuidora=401, ano=2024)
    logged = models.LeadEnrichmentLog.objects.count()
    identities = {i.uc_id: (i.cnpj, i.resultado, i.candidatos) for i in models.LeadIdentidade.objects.all()}
    assert identities[shop.uc_id][:2] == ("02447928000144", "success")

    again = enrichment.enrich_layer(distribuidora=401, ano=2024)
    assert all(step.get("escritas", 0) == 0 for step in again.etapas.values())
    assert models.LeadEnrichmentLog.objects.count() == logged

    ingestion.bdgd_import(path=MUX_2024, layers=["UCMT"], force=True)
    assert {i.uc_id: (i.cnpj, i.resultado, i.candidatos) for i in models.LeadIdentidade.objects.all()} == identities
    assert models.LeadEnrichmentLog.objects.count() == logged
    assert models.LeadMercadoLivre.objects.get(uc_id=shop.uc_id).cnpj == "02447928000144"


def test_a_staff_review_wins_over_later_runs(mux: None, admin_user) -> None:  # type: ignore[no-untyped-def]
    company = models.LeadBruto.objects.filter(distribuidora_id=401, ano=2024, ceg_gd__isnull=False).order_by("uc_id")[0]
    cadastros.add_gd(company.ceg_gd, "13810056000153", "MISTER SERVICE LTDA", TAPEJARA, 75.0)
    enrichment.enrich_layer(distribuidora=401, ano=2024, etapas=["gd"])
    assert models.LeadCompletoDetalhado.objects.get(uc_id=company.uc_id).cnpj == "13810056000153"

    assert enrichment.identity_review(uc_ids=[company.uc_id], revisao="rejeitada", usuario=admin_user) == 1
    row = models.LeadCompletoDetalhado.objects.get(uc_id=company.uc_id)
    assert row.cnpj is None and row.enriquecimento_status == "failed"
    enrichment.enrich_layer(distribuidora=401, ano=2024, etapas=["gd"])
    identity = models.LeadIdentidade.objects.get(uc_id=company.uc_id)
    assert identity.revisao == "rejeitada" and identity.revisado_por == admin_user
    assert models.LeadEnrichmentLog.objects.filter(uc_id=company.uc_id, etapa="gd").count() == 1
    assert models.LeadCompletoDetalhado.objects.get(uc_id=company.uc_id).cnpj is None
    with pytest.raises(enrichment.EnrichmentError, match="revisão desconhecida"):
        enrichment.identity_review(uc_ids=[company.uc_id], revisao="talvez", usuario=admin_user)


def test_steps_without_their_source_are_skipped_and_say_so(db: None) -> None:
    unit = LeadBrutoFactory(classe_consumo_id="CO1", cnae_id="4711-3/02", cep="90000-123")
    report = enrichment.enrich_layer(distribuidora=401, ano=2024)
    assert "import_cnpj" in report.etapas["cnpj"]["ignorada"]
    assert "import_ccee_cargas" in report.etapas["ccee"]["ignorada"]
    assert "import_gd" in report.etapas["gd"]["ignorada"]
    assert list(models.LeadEnrichmentLog.objects.filter(uc_id=unit.uc_id).values_list("etapa", flat=True)) == [
        "municipio"
    ]


def test_command_and_task_run_the_steps_asked(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    cadastros.load_receita()
    unit = LeadBrutoFactory(classe_consumo_id="CO1", cnae_id="4711-3/02", cep="90000-123")
    call_command("enrich", "--distribuidora", "401", "--ano", "2024", "--etapas", "municipio,cnpj")
    out = capsys.readouterr().out
    assert "401/2024" in out and "municipio" in out and "cnpj" in out and "ccee" not in out
    assert set(models.LeadEnrichmentLog.objects.filter(uc_id=unit.uc_id).values_list("etapa", flat=True)) == {
        "municipio", "cnpj"
    }  # fmt: skip
    with pytest.raises(CommandError, match="etapa desconhecida: receita"):
        call_command("enrich", "--etapas", "municipio,receita")
    with pytest.raises(CommandError, match="nenhuma unidade"):
        call_command("enrich", "--distribuidora", "999")
    result = tasks.enrich_layer.apply(args=(401, 2024), kwargs={"etapas": ["cnpj"]}).get()
    assert result["401/2024"]["etapas"]["cnpj"]["escritas"] == 0  # nothing changed since the command


@pytest.mark.celery
def test_a_register_import_queues_its_step_on_a_real_worker(clean_imports: None) -> None:  # noqa: F811
    """The hook the register importers call: the step runs on a Celery worker once their transaction
    commits, over every layer."""
    import time

    from leads.tasks import enrich_after_import
    from tests.conftest import start_worker, stop_worker

    unit = LeadBrutoFactory(classe_consumo_id="CO1", cnae_id="4711-3/02", cep="90000-123")
    cadastros.load_receita()
    worker = start_worker()
    try:
        with transaction.atomic():
            enrich_after_import(etapas=["cnpj"])
            assert not models.LeadEnrichmentLog.objects.filter(uc_id=unit.uc_id).exists()
        deadline = time.monotonic() + 60
        while not models.LeadEnrichmentLog.objects.filter(uc_id=unit.uc_id, etapa="cnpj").exists():
            assert time.monotonic() < deadline, stop_worker(worker)
            time.sleep(0.5)
        log = models.LeadEnrichmentLog.objects.get(uc_id=unit.uc_id, etapa="cnpj")
        assert log.detalhes["release"] == "2026-01-01" and log.detalhes["motivo"] == "sem_candidatos"
        with pytest.raises(enrichment.EnrichmentError):
            enrich_after_import(etapas=["receita"])
    finally:
        stop_worker(worker)
        cadastros.wipe()
        with connection.cursor() as cursor:
            for table in ("lead_identidade", "lead_enrichment_log"):
                cursor.execute(f"DELETE FROM intel_lead.{table}")
