"""ONS energy balance (generation by source) and CCEE hourly PLD: readers, imports, daily fetch."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from forecasting import services, tasks
from forecasting.models import BalancoHorario, PldHorario
from forecasting.readers import ccee, ons
from tests.forecasting.conftest import FIXTURES, Replay

BALANCO = FIXTURES / "ons" / "BALANCO_ENERGIA_SUBSISTEMA_2024_slice.csv"
PLD = FIXTURES / "ccee" / "PLD_HORARIO_2024_slice.csv"


def test_balance_reader_trims_ids_converts_time_and_keeps_real_zeros() -> None:
    report = ons.Relatorio()
    rows = list(ons.read_balanco(BALANCO.read_text(encoding="utf-8"), report))
    assert report.linhas == 239 and report.vazios == 1 and report.horas_inexistentes == 0
    assert report.por_subsistema == {"SIN": 48, "N": 47, "NE": 48, "S": 48, "SE": 48}
    first = rows[1]
    assert (first.subsistema, first.instante) == ("N", datetime(2024, 1, 1, 3, tzinfo=UTC))  # 00h local = 03h UTC
    assert first.valores["solar_mw"] == 0.0  # solar at night: a real zero, kept
    assert first.valores["carga_mw"] == pytest.approx(6539.56)  # the real ONS load of that hour
    empty = next(r for r in rows if r.subsistema == "SE" and r.instante == datetime(2024, 1, 1, 15, tzinfo=UTC))
    assert empty.valores["termica_mw"] is None


def test_balance_reader_names_what_is_wrong() -> None:
    with pytest.raises(ons.OnsFormatError, match="line 1: expected header"):
        list(ons.read_balanco("id_subsistema;din_instante;val_carga\n"))
    text = BALANCO.read_text(encoding="utf-8").replace("25419.920", "25.419,920")
    with pytest.raises(ons.OnsFormatError, match=r"line 6: val_gerhidraulica '25.419,920' is not a number"):
        list(ons.read_balanco(text))


def test_pld_reader_reads_latin1_decimal_comma_and_reports_empty() -> None:
    report = ons.Relatorio()
    rows = list(ccee.read(PLD.read_bytes(), report))
    assert report.linhas == 192 and report.valores == 191 and report.vazios == 1
    assert rows[0] == ccee.Pld("SE", datetime(2024, 1, 1, 3, tzinfo=UTC), 61.07)
    comma = "MES_REFERENCIA;SUBMERCADO;DIA;HORA;PLD_HORA\n202501;SUDESTE;1;1;1.234,50\n".encode("latin-1")
    assert [r.pld for r in ccee.read(comma)] == [1234.5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("MES;SUBMERCADO;DIA;HORA;PLD_HORA\n", "missing column\\(s\\) MES_REFERENCIA"),
        ("MES_REFERENCIA;SUBMERCADO;DIA;HORA;PLD_HORA\n202401;SUDESTE/SUL;1;0;61\n", "line 2: unknown submarket"),
        ("MES_REFERENCIA;SUBMERCADO;DIA;HORA;PLD_HORA\n202402;SUL;30;0;61\n", "line 2: .* is not a date"),
        ("MES_REFERENCIA;SUBMERCADO;DIA;HORA;PLD_HORA\n202402;SUL;1;0;abc\n", "line 2: PLD_HORA 'abc'"),
    ],
)
def test_pld_reader_names_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ccee.CceeFormatError, match=message):
        list(ccee.read(text.encode()))


@pytest.mark.django_db
def test_balance_import_reports_gaps_stores_nulls_and_is_idempotent(tmp_path: Path) -> None:
    report = services.balance_import(path=BALANCO)
    assert report["gravadas"] == 239 and report["horas_ausentes"] == {"N": 1, "NE": 0, "S": 0, "SE": 0, "SIN": 0}
    se = BalancoHorario.objects.get(subsistema="SE", instante=datetime(2024, 1, 1, 15, tzinfo=UTC))
    assert se.termica_mw is None and se.hidraulica_mw is not None
    assert services.balance_import(path=BALANCO)["gravadas"] == 0
    corrected = tmp_path / "BALANCO_ENERGIA_SUBSISTEMA_2024.csv"
    corrected.write_text(BALANCO.read_text(encoding="utf-8").replace("25419.920", "25420.000"), encoding="utf-8")
    assert services.balance_import(path=corrected)["gravadas"] == 1
    assert BalancoHorario.objects.count() == 239


@pytest.mark.django_db
def test_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "PLD_HORARIO_2024.csv"
    lines = PLD.read_bytes().decode("latin-1").splitlines()
    lines[150] = "202401;SUDESTE;47;2;22;sessenta"
    broken.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(CommandError, match="line 151: PLD_HORA 'sessenta' is not a number"):
        call_command("import_pld", str(broken))
    assert not PldHorario.objects.exists()
    call_command("import_pld", str(PLD))
    assert PldHorario.objects.count() == 191


@pytest.fixture
def market(settings, replay_server: str) -> str:  # type: ignore[no-untyped-def]
    settings.ONS_BALANCO_URL = (
        replay_server + "/dataset/balanco_energia_subsistema_ho/BALANCO_ENERGIA_SUBSISTEMA_{ano}.csv"
    )
    settings.CCEE_PLD_PACKAGE_URL = replay_server + "/api/3/action/package_show?id=pld_horario"
    package = (FIXTURES / "ccee" / "ccee_package_pld_horario.json").read_text().replace("{base}", replay_server)
    Replay.files = {
        "/dataset/balanco_energia_subsistema_ho/BALANCO_ENERGIA_SUBSISTEMA_2024.csv": (
            BALANCO.read_bytes(),
            "text/csv",
        ),
        "/api/3/action/package_show?id=pld_horario": (package.encode(), "application/json"),
        "/dl/7b9e2d41/content": (PLD.read_bytes(), "text/csv; charset=ISO-8859-1"),
    }
    return replay_server


@pytest.mark.django_db
def test_daily_market_fetch_finds_the_year_in_the_catalogue_and_imports_both(market: str) -> None:
    report = tasks.market_fetch.apply(kwargs={"ano": 2024}).get()
    assert report["balanco_2024"]["gravadas"] == 239 and report["pld_2024"]["gravadas"] == 191
    assert report["pld_2024"]["url"] == market + "/dl/7b9e2d41/content"
    again = tasks.market_fetch.apply(kwargs={"ano": 2024}).get()
    assert again["balanco_2024"]["gravadas"] == 0 and again["pld_2024"]["gravadas"] == 0


@pytest.mark.django_db
def test_market_fetch_of_a_year_not_published_fails_clearly(market: str) -> None:
    with pytest.raises(services.ForecastError, match="no CSV resource for 2031"):
        services.pld_fetch(ano=2031)
    with pytest.raises(services.ForecastError, match=r"BALANCO_ENERGIA_SUBSISTEMA_2031\.csv: 404"):
        services.balance_fetch(ano=2031)
    assert not BalancoHorario.objects.exists() and not PldHorario.objects.exists()


@pytest.mark.django_db
def test_import_commands_take_urls(market: str) -> None:
    call_command(
        "import_balanco", market + "/dataset/balanco_energia_subsistema_ho/BALANCO_ENERGIA_SUBSISTEMA_2024.csv"
    )
    assert BalancoHorario.objects.count() == 239
    with pytest.raises(CommandError, match="404"):
        call_command("import_ons", market + "/dataset/curva-carga-ho/CURVA_CARGA_2031.csv")


@pytest.mark.django_db
def test_dispatch_takes_wind_and_solar_of_the_week_before_when_every_subsystem_has_them() -> None:
    from datetime import timedelta

    from forecasting.models import PrevisaoHoraria, StatusModelo
    from tests.factories import ModeloVersaoFactory

    version = ModeloVersaoFactory(status=StatusModelo.ATIVO)
    day = [datetime(2024, 1, 9, 3, tzinfo=UTC) + timedelta(hours=h) for h in range(24)]
    loads = {"SE": 42_000.0, "S": 12_500.0, "NE": 12_000.0, "N": 7_000.0}
    for at in day:
        for sub, mw in loads.items():
            PrevisaoHoraria.objects.create(modelo=version, serie=sub, instante=at, emitida_em=at, carga_mw=mw)
    services.balance_import(path=BALANCO)  # 2024-01-01 and 02: N lacks 2024-01-02 03h local
    plan = services.dispatch_forecast_day()
    assert plan is not None and plan.intermitente_fonte.startswith("perfil de referência")
    BalancoHorario.objects.create(
        subsistema="N", instante=datetime(2024, 1, 2, 6, tzinfo=UTC), eolica_mw=300.0, solar_mw=0.0
    )
    plan = services.dispatch_forecast_day()
    assert plan is not None and plan.intermitente_fonte.startswith("balanço ONS")
    week_before = BalancoHorario.objects.get(subsistema="NE", instante=day[12] - timedelta(days=7))
    assert plan.problema.intermitente["NE"][12] == pytest.approx(week_before.eolica_mw + week_before.solar_mw)
    assert plan.problema.carga["SE"] == [42_000.0] * 24


@pytest.mark.parametrize("bad", ["NaN", "inf"])
def test_readers_refuse_values_that_are_not_finite_numbers(bad: str) -> None:
    load = f"id_subsistema;nom_subsistema;din_instante;val_cargaenergiahomwmed\nN;NORTE;2024-01-01 00:00:00;{bad}\n"
    with pytest.raises(ons.OnsFormatError, match="line 2"):
        list(ons.read(load))
    balance = BALANCO.read_text(encoding="utf-8").replace("25419.920", bad)
    with pytest.raises(ons.OnsFormatError, match="line 6: val_gerhidraulica"):
        list(ons.read_balanco(balance))
    price = f"MES_REFERENCIA;SUBMERCADO;DIA;HORA;PLD_HORA\n202401;SUL;1;0;{bad}\n".encode()
    with pytest.raises(ccee.CceeFormatError, match="line 2: PLD_HORA"):
        list(ccee.read(price))
