from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from leads import models
from leads.enrichment import services as enrichment
from tests.factories import LeadBrutoFactory
from tests.leads.test_admin import staff_client  # noqa: F401 (fixture)

from . import cadastros

pytestmark = pytest.mark.django_db


def test_unit_page_shows_why_it_got_its_cnpj_and_staff_can_reject_it(staff_client: Client) -> None:  # noqa: F811
    known = set(models.Cnae.objects.values_list("subclasse", flat=True))
    e = next(
        e for e in cadastros.load_receita()
        if not e.cep.endswith("000") and f"{e.cnae[:4]}-{e.cnae[4]}/{e.cnae[5:]}" in known
    )  # fmt: skip
    cadastros.add_company(e.cnpj[:8], "EMPRESA DO ADMIN LTDA", porte=3, mei=False)
    unit = LeadBrutoFactory(
        classe_consumo_id="CO1", cnae_id=f"{e.cnae[:4]}-{e.cnae[4]}/{e.cnae[5:]}", cep=e.cep,
        bairro=e.bairro, municipio_id=e.municipio_ibge, pac=40.0,
    )  # fmt: skip
    enrichment.enrich_layer(distribuidora=401, ano=2024, etapas=["cnpj"])

    page = staff_client.get(reverse("admin:leads_leadbruto_change", args=[unit.uc_id])).content.decode()
    assert e.cnpj in page and "EMPRESA DO ADMIN LTDA" in page and "pequeno porte" in page
    assert "Cadastro CNPJ (probabilístico)" in page and "cep: exato" in page and "cnae: subclasse" in page

    response = staff_client.post(
        reverse("admin:leads_leadidentidade_changelist"),
        {"action": "rejeitar", "_selected_action": [unit.uc_id]},
        follow=True,
    )
    assert "1 identidade(s) marcadas como rejeitada" in response.content.decode()
    identity = models.LeadIdentidade.objects.get(uc_id=unit.uc_id)
    assert identity.revisao == "rejeitada" and identity.revisado_por is not None
    assert models.LeadCompletoDetalhado.objects.get(uc_id=unit.uc_id).enriquecimento_status == "failed"
    detail = staff_client.get(reverse("admin:leads_leadidentidade_change", args=[unit.uc_id])).content.decode()
    assert "Rejeitada" in detail and e.cnpj in detail
