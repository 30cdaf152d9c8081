"""CCEE "parcela de carga – consumo": the reader on the real rows and the idempotent import."""

from __future__ import annotations

import codecs
import re
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from ingestion import registros
from ingestion.readers import ccee
from ingestion.readers.tabular import ReaderError, members
from leads.models import CceeCarga
from tests.conftest import http_server

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CARGAS = FIXTURES / "ccee" / "ccee_parcela_carga_consumo_2025_GO_sample.csv"
GD = FIXTURES / "gd" / "empreendimento-geracao-distribuida.zip"


def test_real_rows_are_read_with_their_municipality() -> None:
    names = {("GO", "Piracanjuba"): "5217104", ("GO", "Águas Lindas de Goiás"): "5200258"}
    stats = ccee.Stats()
    rows = [dict(zip(ccee.COLUMNS, r, strict=True)) for r in ccee.cargas(
        members(CARGAS)[0], municipios=ccee.Municipios(names), stats=stats
    )]  # fmt: skip
    assert len(rows) == 30 == stats.linhas
    first = rows[0]
    assert first["mes_referencia"] == "2025-12-01" and first["cnpj"] == "02447928000144"
    assert (first["cidade"], first["municipio_ibge"]) == ("PIRACANJUBA", "5217104")
    assert first["data_migracao"] == "2021-02-01" and first["capacidade_mw"] == "0.8"
    assert first["sigla_perfil_conectado"] == "CELG"
    # the source misspells the city; the closest name of its state is taken
    assert {r["municipio_ibge"] for r in rows if r["cidade"] == "ÁGUA LINDAS DE GOIÁS"} == {"5200258"}


def test_latin1_with_decimal_comma_and_a_utf8_bom(tmp_path: Path) -> None:
    header, first = CARGAS.read_text(encoding="utf-8").splitlines()[:2]
    comma = first.replace(";0.8;36.840834;0.0;36.840834", ";0,8;36,840834;0,0;36,840834")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(f"{header}\r\n{comma}\r\n".encode("latin-1"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(codecs.BOM_UTF8 + f"{header}\n{first}\n".encode())
    names = ccee.Municipios({("GO", "Piracanjuba"): "5217104"})
    [a] = ccee.cargas(members(latin)[0], municipios=names)
    [b] = ccee.cargas(members(bom)[0], municipios=names)
    assert a == b and a[14] == "0.8" and a[10] == "COMÉRCIO"


def test_another_layout_is_refused_naming_the_missing_columns() -> None:
    with pytest.raises(ReaderError, match=r"^empreendimento-geracao-distribuida.zip/empreendimento-geracao-distribuida"
                       r".csv, linha 1: não é o layout da CCEE \(parcela de carga – consumo\) \(faltam as colunas "
                       r"MES_REFERENCIA, "):  # fmt: skip
        list(ccee.cargas(members(GD)[0], municipios=ccee.Municipios({})))


def test_import_is_idempotent_and_updates_changed_rows(db: None, tmp_path: Path) -> None:
    call_command("import_ccee_cargas", str(CARGAS), verbosity=0)
    assert CceeCarga.objects.count() == 30
    carga = CceeCarga.objects.get(cnpj="02447928000144")
    assert carga.municipio_ibge == "5217104" and carga.data_migracao == date(2021, 2, 1)
    assert carga.consumo_total_mwh == Decimal("36.840834") and carga.mes_referencia == date(2025, 12, 1)
    again = registros.ccee_import_cargas(sources=[CARGAS])
    assert (again.linhas, again.alteradas) == (30, 0)
    lines = CARGAS.read_text(encoding="utf-8").splitlines()
    changed = tmp_path / "revisado.csv"
    changed.write_text("\n".join([lines[0], lines[1].replace(";36.840834\n", ";40.0").replace("36.840834", "40.0")]))
    result = registros.ccee_import_cargas(sources=[changed])
    assert (result.linhas, result.alteradas) == (1, 1)
    assert CceeCarga.objects.get(pk=carga.pk).consumo_total_mwh == Decimal("40.0")
    assert CceeCarga.objects.count() == 30


def test_a_bad_line_names_file_and_line_and_writes_nothing(db: None, tmp_path: Path) -> None:
    lines = CARGAS.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "cargas.csv"
    iso = re.sub(r"(\d{2})/(\d{2})/(\d{4})", r"\3-\2-\1", lines[5], count=1)
    bad.write_text("\n".join([*lines[:5], iso, *lines[6:]]) + "\n")
    with pytest.raises(CommandError) as error:
        call_command("import_ccee_cargas", str(bad), verbosity=0)
    assert re.fullmatch(r"cargas.csv, linha 6: DATA_MIGRACAO '\d{4}-\d{2}-\d{2}' não é dd/mm/aaaa", str(error.value))
    assert CceeCarga.objects.count() == 0


def test_an_address_is_downloaded_then_imported(db: None, tmp_path: Path) -> None:
    body = CARGAS.read_bytes()

    class Portal(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()

        def do_GET(self) -> None:
            self.do_HEAD()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with http_server(Portal) as base, override_settings(DATA_DIR=tmp_path, REGISTROS_HTTP_TIMEOUT=5):
        result = registros.ccee_import_cargas(sources=[f"{base}/dataset/parcela_carga_consumo_2025.csv"])
    assert (result.linhas, result.alteradas) == (30, 30)
    assert (tmp_path / "ccee" / "parcela_carga_consumo_2025.csv").read_bytes() == body
