from __future__ import annotations

from datetime import date

import pytest

from leads.enrichment import match
from leads.enrichment.match import Candidato, Carga, Unidade, UnidadeGrupoA

UNIT = Unidade(uc_id=1, cnae="4711302", cep="99950000", bairro="Centro", demanda_kw=120.0, ano=2024)


def cand(cnpj: str = "12345678000190", **kw: object) -> Candidato:
    fields: dict[str, object] = {"cnae_principal": "4711302", "cep": "99950123", "bairro": "CENTRO", "cnae_freq": 0.02}
    fields.update(kw)
    return Candidato(cnpj=cnpj, **fields)  # type: ignore[arg-type]


def test_normalisation_of_the_bdgd_and_receita_spellings() -> None:
    assert match.cnae7("4711-3/02") == "4711302" and match.cnae7("47113") is None and match.cnae7(None) is None
    assert match.cep8("1310100") == "01310100" and match.cep8("99.950-000") == "99950000"
    assert match.cep8("00000000") is None and match.cep8("123") is None
    assert match.bairro_norm("Jd. São João") == "JARDIM SAO JOAO"
    assert match.bairro_norm("BAIRRO VL NOVA") == "VILA NOVA"
    assert match.bairro_norm("Não definido") is None and match.bairro_norm("  ") is None


def test_one_candidate_at_its_exact_cep_with_the_same_subclass_is_a_success() -> None:
    unit = Unidade(uc_id=1, cnae="4711302", cep="99950123", bairro="Jd América", demanda_kw=120.0)
    d = match.decide(unit, [cand(bairro="JARDIM AMERICA")])
    assert d.resultado == "success" and d.cnpj == "12345678000190" and d.cnpj_basico == "12345678"
    assert d.probabilidade is not None and d.probabilidade > 0.99 and d.margem is not None and d.margem > 3
    (only,) = d.candidatos
    assert only.campos["cnae"] == "subclasse" and only.campos["cep"] == "exato" and only.campos["bairro"] == "igual"
    detail = d.as_json()
    assert detail["metodo"] == "probabilistico" and detail["candidatos"][0]["cnpj"] == "12345678000190"


def test_a_generic_cep_with_nothing_else_is_never_a_success() -> None:
    # Same subclass, same generic CEP (ends in 000), no bairro: even a rare subclass does not tell.
    unit = Unidade(uc_id=1, cnae="4711302", cep="99950000", bairro=None, demanda_kw=120.0)
    d = match.decide(unit, [cand(cep="99950000", cnae_freq=0.0005, bairro=None)])
    assert d.resultado != "success" and d.cnpj is None
    # A CEP that hundreds of establishments share is generic too, whatever its digits.
    unit2 = Unidade(uc_id=2, cnae="4711302", cep="99950123", bairro=None, demanda_kw=120.0)
    d2 = match.decide(unit2, [cand(cep_n=5000, bairro=None)])
    assert d2.resultado != "success" and d2.candidatos[0].campos["cep"] == "generico"
    # With a common subclass there is not even a likely candidate: failed, and the reason says why.
    d3 = match.decide(unit, [cand(cep="99950000", cnae_freq=0.05, bairro=None)])
    assert (d3.resultado, d3.motivo) == ("failed", "cep_generico")


def test_two_establishments_alike_are_ambiguous_and_kept_with_their_probabilities() -> None:
    unit = Unidade(uc_id=1, cnae="4711302", cep="99950123", bairro="Centro", demanda_kw=120.0)
    d = match.decide(unit, [cand("11111111000100"), cand("22222222000100")])
    assert d.resultado == "failed" and d.motivo == "ambiguo"
    assert [round(c.probabilidade, 2) for c in d.candidatos] == [0.5, 0.5]


def test_company_clear_but_not_the_establishment_is_partial_with_the_company() -> None:
    unit = Unidade(uc_id=1, cnae="4711302", cep="99950123", bairro="Centro", demanda_kw=120.0)
    d = match.decide(unit, [cand("11111111000100"), cand("11111111000290")])
    assert (d.resultado, d.motivo, d.cnpj, d.cnpj_basico) == ("partial", "estabelecimento_ambiguo", None, "11111111")


def test_the_runner_up_margin_decides_between_close_candidates() -> None:
    unit = Unidade(uc_id=1, cnae="4711302", cep="99950123", bairro="Centro", demanda_kw=120.0)
    # Same CEP and subclass; one is in the unit's bairro, the other is not: 5.4 bits apart.
    d = match.decide(unit, [cand("11111111000100"), cand("22222222000100", bairro="PLANALTO")])
    assert d.resultado == "success" and d.cnpj == "11111111000100" and d.margem == pytest.approx(5.43, abs=0.01)
    # The class alone, at a CEP prefix, in the bairro: likely, not clear.
    weak = match.decide(unit, [cand(cnae_principal="4711301", cep="99950999")])
    assert weak.resultado == "partial" and weak.motivo == "pouco_claro" and weak.cnpj is None


def test_none_of_these_wins_when_the_evidence_is_weak() -> None:
    unit = Unidade(uc_id=1, cnae="4711302", cep="99950123", bairro="Centro", demanda_kw=120.0)
    d = match.decide(unit, [cand(cnae_principal="4712100", cep="99950777", bairro="PLANALTO")])
    assert d.resultado == "failed" and d.motivo == "nenhum_provavel"
    assert d.p_nenhum is not None and d.p_nenhum > 0.9


def test_an_mei_or_a_micro_company_with_a_large_demand_is_not_a_match() -> None:
    unit = Unidade(uc_id=1, cnae="4711302", cep="99950123", bairro="Centro", demanda_kw=300.0, ano=2024)
    d = match.decide(unit, [cand(mei=True)])
    assert (d.resultado, d.motivo) == ("failed", "implausivel") and d.candidatos[0].veto == "mei_demanda"
    d2 = match.decide(unit, [cand(porte=1), cand("99999999000100", cnae_principal="4711301")])
    assert d2.resultado != "success" or d2.cnpj == "99999999000100"
    assert any(c.veto == "micro_demanda" for c in d2.candidatos)
    opened_later = match.decide(unit, [cand(data_inicio=date(2025, 3, 1))])
    assert opened_later.motivo == "implausivel" and opened_later.candidatos[0].veto == "aberto_depois"
    small = Unidade(uc_id=2, cnae="4711302", cep="99950123", bairro="Centro", demanda_kw=15.0)
    assert match.decide(small, [cand(mei=True)]).resultado == "success"


def test_no_candidate_is_a_failure_with_its_reason() -> None:
    d = match.decide(UNIT, [])
    assert (d.resultado, d.motivo, d.candidatos) == ("failed", "sem_candidatos", ())


def test_distance_counts_only_where_the_location_is_precise() -> None:
    unit = Unidade(uc_id=1, cnae="4711302", cep="99950000", bairro=None, demanda_kw=120.0)
    near = match.decide(unit, [cand(cep="99950000", bairro=None, distancia_m=40.0, precisao_m=50.0)])
    assert near.resultado == "success" and near.candidatos[0].campos["distancia"] == "junto"
    coarse = match.decide(unit, [cand(cep="99950000", bairro=None, distancia_m=40.0, precisao_m=3000.0)])
    assert coarse.resultado != "success" and coarse.candidatos[0].campos["distancia"] == "imprecisa"
    far = match.decide(unit, [cand(cep="99950000", bairro=None, distancia_m=5000.0, precisao_m=50.0)])
    assert far.resultado == "failed"


def test_a_cnpj_claimed_by_units_in_different_ceps_is_not_a_success_for_any() -> None:
    a = Unidade(uc_id=1, cnae="4711302", cep="99950123", bairro="Centro", demanda_kw=120.0)
    b = Unidade(uc_id=2, cnae="4711302", cep="99950456", bairro="Centro", demanda_kw=120.0)
    same_cep = Unidade(uc_id=3, cnae="4711302", cep="99950123", bairro="Centro", demanda_kw=80.0)
    one = cand(cep="99950123")
    other = cand(cep="99950456")
    decisions = match.decide_all([(a, [one]), (b, [other])])
    assert [(d.resultado, d.motivo, d.cnpj_basico) for d in decisions] == [
        ("partial", "cnpj_compartilhado", "12345678"),
        ("partial", "cnpj_compartilhado", "12345678"),
    ]
    # Two meters of one establishment (same CEP) both keep it.
    assert [d.resultado for d in match.decide_all([(a, [one]), (same_cep, [one])])] == ["success", "success"]


def test_ccee_gives_the_cnpj_when_one_load_survives_branch_and_capacity() -> None:
    loads = [
        Carga("02447928000144", "COMÉRCIO", 800.0, date(2021, 2, 1), "COAPIL"),
        Carga("04865228000103", "ALIMENTÍCIOS", 1545.0, date(2017, 7, 1), "DAUS"),
        Carga("05555555000155", "SANEAMENTO", 900.0, date(2020, 1, 1), "SANEAGO"),
    ]
    food = UnidadeGrupoA(uc_id=1, cnae="1011201", demanda_kw=1500.0, livre_bdgd=True)
    shop = UnidadeGrupoA(uc_id=2, cnae="4711302", demanda_kw=100.0, livre_bdgd=False)  # 8x off: not it
    bank = UnidadeGrupoA(uc_id=3, cnae="6422100", demanda_kw=900.0, livre_bdgd=True)
    d_food, d_shop, d_bank = match.decide_ccee([food, shop, bank], loads)
    assert (d_food.resultado, d_food.cnpj, d_food.data_migracao) == ("success", "04865228000103", date(2017, 7, 1))
    assert (d_shop.resultado, d_shop.motivo) == ("failed", "sem_carga_compativel")
    assert (d_bank.resultado, d_bank.motivo) == ("failed", "sem_carga_compativel")
    # Two units that each see only the same load: neither gets it.
    twin = UnidadeGrupoA(uc_id=4, cnae="1012101", demanda_kw=1400.0, livre_bdgd=True)
    assert [d.motivo for d in match.decide_ccee([food, twin], loads)] == ["carga_disputada", "carga_disputada"]
    assert match.decide_ccee([food], [])[0].motivo == "sem_cargas_no_municipio"
    assert match.ramo_compativel("4711302", "COMÉRCIO") and not match.ramo_compativel("4711302", "QUÍMICOS")
    assert match.ramo_compativel("8610101", "SERVIÇOS") and match.ramo_compativel(None, "QUÍMICOS")
