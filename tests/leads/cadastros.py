"""Load the vendored real Receita CNPJ and CCEE rows into the register tables with plain SQL (test data
for the enrichment, independent of the importers)."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import connection

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CNPJ = FIXTURES / "cnpj" / "2026-01"
CCEE = FIXTURES / "ccee" / "ccee_parcela_carga_consumo_2025_GO_sample.csv"
RELEASE = date(2026, 1, 1)
MIGRACAO = date(2023, 5, 1)  # the migration date of constructed CCEE loads
TABLES = ("cnpj_estabelecimento", "cnpj_empresa", "cnpj_simples", "cnpj_release", "ccee_carga", "gd_empreendimento")


@dataclass(frozen=True)
class Estabelecimento:
    cnpj: str
    nome_fantasia: str
    data_inicio: date | None
    cnae: str
    secundarias: tuple[str, ...]
    bairro: str
    cep: str
    municipio_ibge: str


def _date(text: str) -> date | None:
    if not text or set(text) == {"0"}:
        return None
    return datetime.strptime(text, "%Y%m%d").date()


def _rows(archive: str) -> list[list[str]]:
    """The rows of the one member of a zip of the vendored release, as Receita publishes them."""
    with zipfile.ZipFile(CNPJ / archive) as zipped:
        (member,) = zipped.namelist()
        text = zipped.read(member).decode("latin-1")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"'))


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.upper()) if not unicodedata.combining(c)).strip()


def load_receita(referencia: date = RELEASE) -> list[Estabelecimento]:
    """The active establishments, the companies and the Simples/MEI options of the vendored release,
    written as an active release; returns the establishments loaded that have a CEP."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cod_tom, cod_ibge FROM intel_lead.municipio WHERE cod_tom <> ''")
        tom = {t.zfill(4): i for t, i in cursor.fetchall()}
        loaded = []
        for r in _rows("Estabelecimentos0.zip"):
            if r[5] != "02" or r[20].zfill(4) not in tom:
                continue
            cnpj = r[0] + r[1] + r[2]
            cep = r[18].zfill(8) if r[18] else None
            secundarias = [c for c in r[12].split(",") if c]
            cursor.execute(
                """INSERT INTO intel_lead.cnpj_estabelecimento (cnpj, cnpj_basico, matriz, nome_fantasia, situacao,
                       data_inicio, cnae_principal, cnae_secundarias, tipo_logradouro, logradouro, numero, complemento,
                       bairro, cep, uf, municipio_tom, municipio_ibge, telefone1, telefone2, email)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                [cnpj, r[0], r[3] == "1", r[4], int(r[5]), _date(r[10]), r[11], secundarias, r[13], r[14], r[15],
                 r[16], r[17], cep, r[19], r[20].zfill(4), tom[r[20].zfill(4)], r[21] + r[22], r[23] + r[24], r[27]],
            )  # fmt: skip
            if cep:
                mun = tom[r[20].zfill(4)]
                loaded.append(Estabelecimento(cnpj, r[4], _date(r[10]), r[11], tuple(secundarias), r[17], cep, mun))
        for r in _rows("Empresas0.zip"):
            cursor.execute(
                "INSERT INTO intel_lead.cnpj_empresa (cnpj_basico, razao_social, natureza_juridica, capital_social, "
                "porte, ente_federativo) VALUES (%s, %s, %s, %s, %s, %s)",
                [r[0], r[1], int(r[2]) if r[2] else None, r[4].replace(".", "").replace(",", "."),
                 int(r[5]) if r[5] else None, r[6]],
            )  # fmt: skip
        for r in _rows("Simples.zip"):
            cursor.execute(
                "INSERT INTO intel_lead.cnpj_simples (cnpj_basico, opcao_simples, opcao_mei) VALUES (%s, %s, %s)",
                [r[0], r[1] == "S", r[4] == "S"],
            )
        cursor.execute(
            "INSERT INTO intel_lead.cnpj_release (referencia, origem, status, arquivos, erro, assinatura) "
            "VALUES (%s, %s, 'ativa', '[]', '', '')",
            [referencia, str(CNPJ)],
        )
    return loaded


def add_company(cnpj_basico: str, razao_social: str, porte: int, mei: bool) -> None:
    """A company row for an establishment of the sample (the sample's Empresas are independent rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO intel_lead.cnpj_empresa (cnpj_basico, razao_social, porte, ente_federativo) "
            "VALUES (%s, %s, %s, '') "
            "ON CONFLICT (cnpj_basico) DO UPDATE SET razao_social = EXCLUDED.razao_social, porte = EXCLUDED.porte",
            [cnpj_basico, razao_social, porte],
        )
        cursor.execute(
            "INSERT INTO intel_lead.cnpj_simples (cnpj_basico, opcao_simples, opcao_mei) VALUES (%s, %s, %s) "
            "ON CONFLICT (cnpj_basico) DO UPDATE SET opcao_mei = EXCLUDED.opcao_mei",
            [cnpj_basico, mei, mei],
        )


def load_ccee() -> int:
    """The CCEE free-market loads of the sample (Goiás), with the IBGE code of their city."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nome, cod_ibge FROM intel_lead.municipio WHERE uf = 'GO'")
        cities = {_fold(n): c for n, c in cursor.fetchall()}
        with CCEE.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        for r in rows:
            cursor.execute(
                """INSERT INTO intel_lead.ccee_carga (mes_referencia, cod_perfil_agente, sigla_perfil_agente,
                       cod_parcela_carga, sigla_parcela_carga, cnpj, nome_empresarial, cidade, uf,
                       municipio_ibge, ramo_atividade, submercado, data_migracao, sigla_perfil_conectado, capacidade_mw,
                       consumo_acl_mwh, consumo_total_mwh)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                [date(int(r["MES_REFERENCIA"][:4]), int(r["MES_REFERENCIA"][4:]), 1), int(r["COD_PERF_AGENTE"]),
                 r["SIGLA_PERFIL_AGENTE"], int(r["COD_PARCELA_CARGA"]), r["SIGLA_PARCELA_CARGA"], r["CNPJ_CARGA"],
                 r["NOME_EMPRESARIAL"], r["CIDADE"], r["ESTADO_UF"], cities.get(_fold(r["CIDADE"])),
                 r["RAMO_ATIVIDADE"], r["SUBMERCADO"], datetime.strptime(r["DATA_MIGRACAO"], "%d/%m/%Y").date(),
                 r["SIGLA_PERFIL_AGENTE_CONECTADO"], float(r["CAPACIDADE_CARGA"]), float(r["CONSUMO_ACL"]),
                 float(r["CONSUMO_TOTAL"])],
            )  # fmt: skip
    return len(rows)


def add_gd(cod: str, cpf_cnpj: str, titular: str, municipio_ibge: str | None, potencia_kw: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO intel_lead.gd_empreendimento (cod_empreendimento, cpf_cnpj, titular, tipo_consumidor, "
            "municipio_ibge, potencia_kw, classe, modalidade, fonte) VALUES (%s, %s, %s, %s, %s, %s, '', '', '')",
            [cod, cpf_cnpj, titular, "PJ" if len(cpf_cnpj) == 14 else "PF", municipio_ibge, potencia_kw],
        )


def add_ccee_load(municipio: str, cnpj: str, ramo: str, mw: float, nome: str = "CARGA CONSTRUIDA") -> None:
    """A constructed CCEE load (in the dataset's layout) of a municipality."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(cod_parcela_carga), 0) + 1 FROM intel_lead.ccee_carga")
        parcela = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO intel_lead.ccee_carga (mes_referencia, cod_perfil_agente, sigla_perfil_agente, "
            "cod_parcela_carga, sigla_parcela_carga, cnpj, nome_empresarial, cidade, municipio_ibge, ramo_atividade, "
            "submercado, data_migracao, sigla_perfil_conectado, capacidade_mw) "
            "VALUES ('2025-12-01', 1, 'CONSTRUIDA', %s, 'CONSTRUIDA', %s, %s, '', %s, %s, 'SUL', %s, '', %s)",
            [parcela, cnpj, nome, municipio, ramo, MIGRACAO, mw],
        )


def wipe() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DELETE FROM intel_lead.{table}")
