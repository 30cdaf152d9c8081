"""Receita's CNPJ open data: the reader on the real rows and constructed quirks, the release import
(COPY, swap, idempotence, failures), the download from a local replay of Receita's index, the task."""

from __future__ import annotations

import codecs
import shutil
import threading
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from ingestion import cnpj, tasks
from ingestion.readers import cnpj as reader
from ingestion.readers.tabular import Member, ReaderError, members
from leads.models import CnpjEmpresa, CnpjEstabelecimento, CnpjRelease, CnpjSimples
from tests.conftest import http_server
from tests.ingestion.conftest import committed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cnpj"
RELEASE = FIXTURES / "2026-01"
ESTABELE = RELEASE / "Estabelecimentos0.zip"
TOM = {"3403": "2919207", "4119": "3106002", "0786": "3302403", "2117": "2512101", "7107": "3550308"}


def _zip(path: Path, member: str, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return path


def _estab_line(**changes: str) -> str:
    """One establishment line in Receita's layout (values of a real active row, changed as asked)."""
    fields = {
        0: "48033797", 1: "0001", 2: "50", 3: "1", 4: "LANCHONETE ALTO DA SERRA", 5: "02", 6: "20220921",
        7: "00", 8: "", 9: "", 10: "20220921", 11: "5611203", 12: "4723700,5611204,5620103", 13: "RODOVIA",
        14: "BR 381 KM 325,5", 15: "SN", 16: "", 17: "LAGES", 18: "35938000", 19: "MG", 20: "4119", 21: "31",
        22: "96097860", 23: "", 24: "", 25: "", 26: "", 27: "", 28: "", 29: "",
    }  # fmt: skip
    names = {"cnpj_basico": 0, "fantasia": 4, "situacao": 5, "data_situacao": 6, "inicio": 10, "cnae": 11}
    names |= {"secundarias": 12, "bairro": 17, "cep": 18, "tom": 20}
    for name, value in changes.items():
        fields[names[name]] = value
    return ";".join(f'"{fields[i]}"' for i in range(30))


# --- reader: the files of a release ---


def test_a_release_zip_holds_one_data_file_named_by_register_and_month() -> None:
    [member] = members(ESTABELE)
    assert member.name == "K3241.K03200Y0.D60110.ESTABELE"
    assert reader.kind_of(member) == "estabelecimentos"
    assert reader.member_month(member, today=date(2026, 12, 2)) == date(2026, 1, 1)
    [simples] = members(RELEASE / "Simples.zip")
    assert reader.kind_of(simples) == "simples"


def test_a_truncated_zip_fails_with_its_name(tmp_path: Path) -> None:
    broken = tmp_path / "Estabelecimentos0.zip"
    broken.write_bytes(ESTABELE.read_bytes()[:60_000])
    with pytest.raises(ReaderError, match=r"^Estabelecimentos0.zip: zip truncado ou danificado"):
        members(broken)


def test_lookups_and_partners_are_not_data_files() -> None:
    assert reader.kind_of(Member(Path("Socios0.zip"), "K3241.K03200Y0.D60110.SOCIOCSV")) is None
    assert reader.kind_of(Member(Path("Cnaes.zip"), "F.K03200$Z.D60110.CNAECSV")) is None
    assert reader.kind_of(Member(Path("Simples.zip"), "F.K03200$W.SIMPLES.CSV.D60110")) == "simples"


# --- import ---


def _wipe() -> None:
    for table in ("cnpj_estabelecimento", "cnpj_empresa", "cnpj_simples", "cnpj_release"):
        committed(f"DELETE FROM intel_lead.{table}")


@pytest.fixture
def clean_cnpj(transactional_db: None) -> Iterator[None]:
    """The import commits on its own connection and swaps tables: the test runs outside a transaction."""
    _wipe()
    yield
    _wipe()


def _release(folder: Path, month: str, estab_lines: list[str] | None = None) -> Path:
    """A release folder: the real fixture's zips renamed to `month`, optionally other establishments."""
    target = folder / month
    target.mkdir(parents=True)
    stamp = f"D{month[3]}{month[5:7]}10"
    for source in RELEASE.iterdir():
        with zipfile.ZipFile(source) as archive:
            [info] = archive.infolist()
            data = archive.read(info)
        if source.name.startswith("Estabelecimentos") and estab_lines is not None:
            data = ("\r\n".join(estab_lines) + "\r\n").encode("latin-1")
        _zip(target / source.name, info.filename.replace("D60110", stamp), data)
    return target


def _written(folder: Path, archive: str, data: bytes) -> Path:
    """`folder`'s release with the member of `archive` replaced by `data`, as written."""
    with zipfile.ZipFile(folder / archive) as zipped:
        [member] = zipped.namelist()
    _zip(folder / archive, member, data)
    return folder


def test_import_loads_the_release_and_a_second_run_is_a_no_op(clean_cnpj: None) -> None:
    call_command("import_cnpj", str(RELEASE), verbosity=0)
    release = CnpjRelease.objects.get()
    assert (release.referencia, release.status) == (date(2026, 1, 1), "ativa")
    assert (release.estabelecimentos, release.empresas, release.simples) == (852, 2000, 2000)
    estab = CnpjEstabelecimento.objects.get(cnpj="48033797000150")
    assert estab.municipio_ibge == "3106002" and estab.cnae_secundarias == ["4723700", "5611204", "5620103"]
    assert estab.data_inicio == date(2022, 9, 21) and estab.matriz
    assert (estab.nome_fantasia, estab.cep, estab.telefone1) == ("LANCHONETE ALTO DA SERRA", "35938000", "3196097860")
    company = CnpjEmpresa.objects.get(cnpj_basico="41287249")
    assert (company.razao_social, company.natureza_juridica, company.qualificacao_responsavel) == (
        "CAMILLE GOMES PEIXOTO", 2135, 50,
    )  # fmt: skip
    assert (company.capital_social, company.porte) == (10000, 1)
    simples = CnpjSimples.objects.get(cnpj_basico="13113070")
    # "00000000" is no date: an option still in force has no exclusion date
    assert (simples.opcao_simples, simples.data_opcao_simples, simples.data_exclusao_simples) == (
        True, date(2011, 1, 16), None,
    )  # fmt: skip
    assert simples.opcao_mei and simples.data_exclusao_mei is None
    # the municipalities the matching joins on are the units' own IBGE codes
    assert committed(
        "SELECT count(*) FROM intel_lead.cnpj_estabelecimento e JOIN intel_lead.municipio m "
        "ON m.cod_ibge = e.municipio_ibge"
    ) == [(852 - CnpjEstabelecimento.objects.filter(municipio_ibge__isnull=True).count(),)]
    indexes = {r[0] for r in committed("SELECT indexname FROM pg_indexes WHERE tablename = 'cnpj_estabelecimento'")}
    assert indexes == {
        "cnpj_estabelecimento_pkey", "cnpj_estab_mun_cnae_idx", "cnpj_estab_cep_idx", "cnpj_estab_basico_idx",
        "cnpj_estab_cnae_sec_gin",
    }  # fmt: skip

    result = cnpj.cnpj_import_release(paths=[RELEASE])
    assert result.skipped and CnpjRelease.objects.get().concluida_em == release.concluida_em


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_a_byte_order_mark_decides_the_encoding(clean_cnpj: None, tmp_path: Path, bom: bytes) -> None:
    codec = "utf-8" if bom == codecs.BOM_UTF8 else "utf-16-le"
    line = _estab_line(fantasia="PADARIA SÃO JOÃO")
    folder = _written(_release(tmp_path, "2026-02"), "Estabelecimentos0.zip", bom + f"{line}\r\n".encode(codec))
    cnpj.cnpj_import_release(paths=[folder])
    assert CnpjEstabelecimento.objects.get().nome_fantasia == "PADARIA SÃO JOÃO"


def test_latin1_quirks_are_normalised(clean_cnpj: None, tmp_path: Path) -> None:
    lines = [
        _estab_line(fantasia='BAR DO "ZE"', cep="1310100", data_situacao="0", inicio="00000000", cnae="111301"),
        _estab_line(cnpj_basico="11111111", fantasia="OFICINA\x00 NUL", secundarias="", data_situacao="20230231"),
        _estab_line(cnpj_basico="22222222", situacao="08"),  # closed: left out
        _estab_line(cnpj_basico="33333333", tom="9707", cep=""),  # abroad: no IBGE code
        _estab_line(cnpj_basico="44444444", fantasia="CAFÉ; AÇÚCAR", secundarias="4723700, 561120,X"),
    ]
    data = "\r\n".join(lines).encode("latin-1") + b"\r\n"
    result = cnpj.cnpj_import_release(paths=[_written(_release(tmp_path, "2026-02"), "Estabelecimentos0.zip", data)])
    assert result.linhas["estabelecimentos"] == 4
    rows = {e.cnpj_basico: e for e in CnpjEstabelecimento.objects.all()}
    assert sorted(rows) == ["11111111", "33333333", "44444444", "48033797"]
    first = rows["48033797"]
    assert first.nome_fantasia == 'BAR DO "ZE"' and first.cep == "01310100"
    assert first.data_situacao is None and first.data_inicio is None and first.cnae_principal == "0111301"
    assert rows["11111111"].nome_fantasia == "OFICINA NUL" and rows["11111111"].cnae_secundarias == []
    assert rows["11111111"].data_situacao is None  # 31 February
    assert rows["33333333"].municipio_ibge is None and rows["33333333"].cep is None
    assert rows["44444444"].nome_fantasia == "CAFÉ; AÇÚCAR"
    assert rows["44444444"].cnae_secundarias == ["4723700", "0561120"]


def test_capital_with_decimal_comma_and_out_of_range(clean_cnpj: None, tmp_path: Path) -> None:
    data = '"12345678";"ACME LTDA";"2062";"49";"1.234.567,89";"05";""\n"87654321";"X";"2062";"49";"-5,00";"";""\n'
    cnpj.cnpj_import_release(paths=[_written(_release(tmp_path, "2026-02"), "Empresas0.zip", data.encode("latin-1"))])
    acme, other = CnpjEmpresa.objects.get(cnpj_basico="12345678"), CnpjEmpresa.objects.get(cnpj_basico="87654321")
    assert (acme.capital_social, acme.porte) == (Decimal("1234567.89"), 5)
    assert (other.capital_social, other.porte) == (None, None)


def test_a_line_of_another_layout_fails_naming_file_and_line(clean_cnpj: None, tmp_path: Path) -> None:
    broken = _release(tmp_path, "2026-02", [_estab_line(), '"48033797";"0001";"50"'])
    with pytest.raises(cnpj.CnpjImportError) as error:
        cnpj.cnpj_import_release(paths=[broken])
    assert str(error.value) == (
        "Estabelecimentos0.zip/K3241.K03200Y0.D60210.ESTABELE, linha 2: 3 campos, o layout de estabelecimentos "
        "da Receita tem 30"
    )
    assert not CnpjEstabelecimento.objects.exists()


def test_a_damaged_member_fails_with_the_line_reached(clean_cnpj: None, tmp_path: Path) -> None:
    folder = _release(tmp_path, "2026-02")
    data = bytearray((folder / "Estabelecimentos0.zip").read_bytes())
    data[20_000:20_100] = b"\x00" * 100  # the central directory is intact, the deflate stream is not:
    # whatever comes first (garbage lines, a deflate error, the CRC at the end) names the file and line
    (folder / "Estabelecimentos0.zip").write_bytes(bytes(data))
    with pytest.raises(
        cnpj.CnpjImportError, match=r"^Estabelecimentos0.zip/K3241.K03200Y0.D60210.ESTABELE, linha \d+: "
    ):
        cnpj.cnpj_import_release(paths=[folder])
    assert not CnpjEstabelecimento.objects.exists()


def test_a_new_release_replaces_the_previous_one_whole(clean_cnpj: None, tmp_path: Path) -> None:
    cnpj.cnpj_import_release(paths=[RELEASE])
    newer = _release(tmp_path, "2026-02", [_estab_line(), _estab_line(cnpj_basico="11111111")])
    result = cnpj.cnpj_import_release(paths=[newer])
    assert result.linhas["estabelecimentos"] == 2
    assert sorted(CnpjEstabelecimento.objects.values_list("cnpj", flat=True)) == ["11111111000150", "48033797000150"]
    assert dict(CnpjRelease.objects.values_list("referencia", "status")) == {
        date(2026, 1, 1): "substituida",
        date(2026, 2, 1): "ativa",
    }


def test_a_bad_line_fails_and_leaves_the_previous_release_active(clean_cnpj: None, tmp_path: Path) -> None:
    cnpj.cnpj_import_release(paths=[RELEASE])
    broken = _release(tmp_path, "2026-02", [_estab_line(), _estab_line(cnae="ABC")])
    with pytest.raises(CommandError) as error:
        call_command("import_cnpj", str(broken), verbosity=0)
    assert str(error.value) == (
        "Estabelecimentos0.zip/K3241.K03200Y0.D60210.ESTABELE, linha 2: CNAE principal 'ABC' inválido"
    )
    assert CnpjEstabelecimento.objects.count() == 852
    assert dict(CnpjRelease.objects.values_list("referencia", "status")) == {
        date(2026, 1, 1): "ativa",
        date(2026, 2, 1): "falhou",
    }
    assert CnpjRelease.objects.get(referencia=date(2026, 2, 1)).erro == str(error.value)
    leftovers = committed("SELECT tablename FROM pg_tables WHERE tablename LIKE 'cnpj_%%_novo'")
    assert leftovers == []


def test_a_truncated_zip_in_the_release_changes_nothing(clean_cnpj: None, tmp_path: Path) -> None:
    cnpj.cnpj_import_release(paths=[RELEASE])
    broken = _release(tmp_path, "2026-02")
    zipped = broken / "Empresas0.zip"
    zipped.write_bytes(zipped.read_bytes()[:-200])
    with pytest.raises(cnpj.CnpjImportError, match=r"^Empresas0.zip: zip truncado ou danificado"):
        cnpj.cnpj_import_release(paths=[broken])
    assert CnpjRelease.objects.get(status="ativa").referencia == date(2026, 1, 1)
    assert CnpjEmpresa.objects.count() == 2000


def test_a_duplicate_establishment_fails_cleanly(clean_cnpj: None, tmp_path: Path) -> None:
    twice = _release(tmp_path, "2026-02", [_estab_line(), _estab_line()])
    with pytest.raises(cnpj.CnpjImportError, match=r"chave repetida na release \(Key \(cnpj\)=\(48033797000150\)"):
        cnpj.cnpj_import_release(paths=[twice])
    assert CnpjEstabelecimento.objects.count() == 0


def test_an_older_release_is_refused(clean_cnpj: None, tmp_path: Path) -> None:
    cnpj.cnpj_import_release(paths=[RELEASE])
    older = _release(tmp_path, "2025-12", [_estab_line()])
    with pytest.raises(cnpj.CnpjImportError) as error:
        cnpj.cnpj_import_release(paths=[older])
    assert str(error.value) == (
        "release 2025-12 é mais antiga que a ativa (2026-01); nada foi alterado (use --force para carregá-la)"
    )
    assert CnpjEstabelecimento.objects.count() == 852


def test_readers_keep_reading_the_old_release_until_the_swap(clean_cnpj: None, tmp_path: Path) -> None:
    """A reader holding the live table delays the swap (short lock timeout, retried) instead of seeing a mix."""
    from youon.lib.db import own_connection

    cnpj.cnpj_import_release(paths=[RELEASE])
    newer = _release(tmp_path, "2026-02", [_estab_line()])
    reader_conn = own_connection()
    reader_conn.execute("SELECT count(*) FROM intel_lead.cnpj_estabelecimento")  # holds its lock till commit
    done = threading.Event()

    def release_reader() -> None:
        done.wait(1.0)
        reader_conn.commit()

    releaser = threading.Thread(target=release_reader)
    releaser.start()
    with override_settings(CNPJ_SWAP_LOCK_TIMEOUT_MS=100, CNPJ_SWAP_ATTEMPTS=50):
        cnpj.cnpj_import_release(paths=[newer])
    releaser.join()
    reader_conn.close()
    assert CnpjEstabelecimento.objects.count() == 1


# --- download from Receita's index (a local replay) ---


def _site(tmp_path: Path) -> Path:
    """Receita's layout: an index of YYYY-MM/ folders, the newest holding the zips (and ones not loaded)."""
    root = tmp_path / "site"
    (root / "2025-12").mkdir(parents=True)
    shutil.copytree(_release(tmp_path / "src", "2026-01"), root / "2026-01")
    (root / "2026-01" / "Socios0.zip").write_bytes(b"not needed")
    return root


class _Receita(BaseHTTPRequestHandler):
    root: Path
    ranges: list[str] = []

    def _target(self) -> Path | None:
        path = (self.root / self.path.lstrip("/")).resolve()
        return path if path.exists() and self.root in (path, *path.parents) else None

    def _index(self, folder: Path) -> bytes:
        entries = "".join(
            f'<a href="{p.name}{"/" if p.is_dir() else ""}">{p.name}</a>\n' for p in sorted(folder.iterdir())
        )
        return f'<html><body><a href="?C=N;O=D">Name</a><a href="/dados/">Parent</a>\n{entries}</body></html>'.encode()

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, *, head: bool) -> None:
        target = self._target()
        if target is None:
            self.send_error(404)
            return
        body = self._index(target) if target.is_dir() else target.read_bytes()
        status, start = 200, 0
        wanted = self.headers.get("Range")
        if wanted and not target.is_dir() and not head:
            self.ranges.append(f"{target.name} {wanted}")
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            status = 206
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        if not head:
            self.wfile.write(body[start:])

    def log_message(self, *args: object) -> None:
        pass


def test_fetch_downloads_the_latest_folder_resuming_and_imports_it(clean_cnpj: None, tmp_path: Path) -> None:
    root = _site(tmp_path)
    _Receita.root, _Receita.ranges = root.resolve(), []
    dest = tmp_path / "dados"
    partial = dest / "2026-01" / "Estabelecimentos0.zip.part"
    partial.parent.mkdir(parents=True)
    partial.write_bytes((root / "2026-01" / "Estabelecimentos0.zip").read_bytes()[:50_000])  # an interrupted run
    with http_server(_Receita) as base, override_settings(CNPJ_DOWNLOAD_DIR=str(dest), CNPJ_HTTP_TIMEOUT=5):
        call_command("fetch_cnpj", "--base-url", f"{base}/", verbosity=0)
        assert _Receita.ranges == ["Estabelecimentos0.zip bytes=50000-"]
        assert sorted(p.name for p in (dest / "2026-01").iterdir()) == [
            "Empresas0.zip", "Estabelecimentos0.zip", "Simples.zip",
        ]  # fmt: skip
        assert (dest / "2026-01" / "Estabelecimentos0.zip").read_bytes() == (
            root / "2026-01" / "Estabelecimentos0.zip"
        ).read_bytes()
        release = CnpjRelease.objects.get()
        assert (release.referencia, release.status, release.estabelecimentos) == (date(2026, 1, 1), "ativa", 852)

        # the monthly task finds the release active: nothing downloaded or imported again
        with override_settings(CNPJ_BASE_URL=f"{base}/"):
            assert tasks.cnpj_fetch_release.run() == release.pk
        assert CnpjRelease.objects.get().concluida_em == release.concluida_em


def test_fetch_reports_a_site_without_release_folders(clean_cnpj: None, tmp_path: Path) -> None:
    (tmp_path / "vazio").mkdir()
    _Receita.root = (tmp_path / "vazio").resolve()
    with http_server(_Receita) as base, pytest.raises(CommandError) as error:
        call_command("fetch_cnpj", "--base-url", f"{base}/", verbosity=0)
    assert str(error.value) == f"{base}/: nenhuma pasta AAAA-MM/ no índice da Receita"
