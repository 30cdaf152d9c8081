"""ANEEL's open dataset "Relação de empreendimentos de Geração Distribuída"
(`empreendimento-geracao-distribuida.csv`), read in place (the CSV or a zip of it): pure Python.

Layout: `;`-separated, fields double-quoted, a header row (`DatGeracaoConjuntoDados;AnmPeriodoReferencia;
NumCNPJDistribuidora;...;CodEmpreendimento;...;MdaPotenciaInstaladaKW;...`), decimal comma, Latin-1 or
UTF-8. `NumCPFCNPJ` holds the holder's CNPJ for legal entities and a masked CPF for people.
`CodEmpreendimento` is the plant's CEG as the BDGD's `CEG_GD` carries it (`GD.RS.001.002.773`); both
sides go through `ceg()`. Rows come out as PostgreSQL text input in the order of `COLUMNS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .tabular import Member, ReaderError, records

Row = tuple[str | None, ...]

COLUMNS = (
    "cod_empreendimento", "cpf_cnpj", "titular", "tipo_consumidor", "municipio_ibge", "uf", "classe", "modalidade",
    "fonte", "potencia_kw", "data_conexao", "distribuidora_cnpj",
)  # fmt: skip
REQUIRED = (
    "NumCNPJDistribuidora", "DscClasseConsumo", "SigUF", "CodMunicipioIbge", "SigTipoConsumidor", "NumCPFCNPJ",
    "NomTitularEmpreendimento", "CodEmpreendimento", "DscModalidadeHabilitado", "DscFonteGeracao",
    "MdaPotenciaInstaladaKW",
)  # fmt: skip
KEY = ("cod_empreendimento",)
_CEG_PACKED = re.compile(r"([A-Z]{2,3})([A-Z]{2})(\d{3})(\d{3})(\d{3})")
_CEG = re.compile(r"[A-Z]{2,3}\.[A-Z]{2}\.\d{3}\.\d{3}\.\d{3}")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BR = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_NUMBER = re.compile(r"\d+(\.\d+)?")


def ceg(value: str) -> str:
    """A GD plant's CEG in one form (`GD.RS.001.002.773`): upper case, no spaces, the dots restored when
    a source drops them (`GDRS001002773`)."""
    plain = re.sub(r"\s+", "", value).upper()
    packed = _CEG_PACKED.fullmatch(plain.replace(".", "").replace("-", ""))
    if packed and not _CEG.fullmatch(plain):
        return ".".join(packed.groups())
    return plain


@dataclass
class Stats:
    linhas: int = 0
    pj: int = 0


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _date(value: str, label: str, number: int) -> str | None:
    value = value.strip()
    if not value:
        return None
    if m := _ISO.match(value):
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    if m := _BR.match(value):
        return f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    raise ReaderError(f"{label}, linha {number}: data {value!r} não é AAAA-MM-DD nem dd/mm/aaaa")


def empreendimentos(member: Member, *, stats: Stats | None = None) -> Iterator[Row]:
    """The plants of one ANEEL GD file, as COLUMNS rows."""
    stats = stats if stats is not None else Stats()
    label = member.label
    for number, r in records(member, required=REQUIRED, layout="da ANEEL (empreendimentos de GD)"):
        code = ceg(r["CODEMPREENDIMENTO"])
        if not code:
            raise ReaderError(f"{label}, linha {number}: CodEmpreendimento vazio")
        power = r["MDAPOTENCIAINSTALADAKW"]
        if "," in power:
            power = power.replace(".", "").replace(",", ".")
        if power and not _NUMBER.fullmatch(power):
            raise ReaderError(f"{label}, linha {number}: MdaPotenciaInstaladaKW {power!r} não é um número")
        tipo = r["SIGTIPOCONSUMIDOR"].upper()
        document = r["NUMCPFCNPJ"]
        if tipo == "PJ" or len(_digits(document)) == 14:
            document = _digits(document).zfill(14)
            stats.pj += 1
        mun = _digits(r["CODMUNICIPIOIBGE"])
        distribuidora = _digits(r["NUMCNPJDISTRIBUIDORA"])
        connected = r.get("DATCONEXAO") or r.get("DTHATUALIZACADASTRALEMPREEND") or ""
        stats.linhas += 1
        yield (
            code,
            document,
            r["NOMTITULAREMPREENDIMENTO"],
            tipo[:2],
            mun if len(mun) == 7 else None,
            r["SIGUF"].upper()[:2] or None,
            r["DSCCLASSECONSUMO"],
            r["DSCMODALIDADEHABILITADO"],
            r["DSCFONTEGERACAO"],
            power or None,
            _date(connected, label, number),
            distribuidora.zfill(14) if distribuidora else None,
        )
