"""Reference tables shipped in `leads/data/`, parsed into rows for the domain tables (no Django).

Sources (see leads/data/ORIGIN.md): ANEEL's DDA code lists (2022-09 and the 2019 list for older codes),
ANEEL's catalog of published geodatabases (distributors and their codes), IBGE municipalities and
CNAE 2.3, plus the product's own mappings (market segments, PF/PJ per consumer class).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class DomainRows:
    """Rows for one table, in `columns` order, keyed by the first column."""

    table: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[object, ...]] = field(default_factory=list)


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _dda(data_dir: Path, name: str) -> dict[str, dict[str, dict[str, str]]]:
    """{tabela: {cod_id: row}} of one DDA file; codes keep their order of appearance."""
    tables: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in _read_csv(data_dir / name):
        code = row["cod_id"].strip()
        if code:
            tables[row["tabela"]][code] = row
    return tables


def _dda_codes(data_dir: Path, tabela: str) -> list[tuple[str, dict[str, str], str | None]]:
    """Codes of a DDA table: the 2022 list, then 2019 codes the 2022 list dropped.

    Each item is (code, row, successor): an old code whose description matches a current code
    (`I` -> `IN`, both "Industrial") names that code as its successor.
    """
    current = _dda(data_dir, "dda_2022-09.csv").get(tabela, {})
    old = _dda(data_dir, "dda_m10_2019.csv").get(tabela, {})
    by_description = {row["descr"].strip().lower(): code for code, row in current.items()}
    items: list[tuple[str, dict[str, str], str | None]] = [(code, row, None) for code, row in current.items()]
    for code, row in old.items():
        if code not in current:
            items.append((code, row, by_description.get(row["descr"].strip().lower())))
    return items


def grupos_tensao(data_dir: Path = DATA_DIR) -> DomainRows:
    rows = [(code, row["descr"].strip()) for code, row, _ in _dda_codes(data_dir, "TGRUTEN")]
    return DomainRows("grupo_tensao", ("codigo", "descricao"), rows)


def grupos_tarifarios(data_dir: Path = DATA_DIR) -> DomainRows:
    rows = [(code, row["descr"].strip()) for code, row, _ in _dda_codes(data_dir, "TGRUTAR")]
    return DomainRows("grupo_tarifario", ("codigo", "descricao"), rows)


def tipos_sistema(data_dir: Path = DATA_DIR) -> DomainRows:
    rows = []
    for code, row, _ in _dda_codes(data_dir, "TFASCON"):
        extra = json.loads(row["extra"]) if row.get("extra") else {}
        fases = int(extra["FASES"]) if "FASES" in extra else None
        fios = int(extra["QUANT_FIOS"]) if "QUANT_FIOS" in extra else None
        rows.append((code, row["descr"].strip(), fases, fios))
    return DomainRows("tipo_sistema", ("codigo", "descricao", "fases", "fios"), rows)


def tensoes(data_dir: Path = DATA_DIR) -> DomainRows:
    rows = []
    for code, row, _ in _dda_codes(data_dir, "TTEN"):
        volts = float(row["valor"]) if row.get("valor") else None
        rows.append((code, volts, row["descr"].strip()))
    return DomainRows("tensao", ("codigo", "volts", "descricao"), rows)


def classes_consumo(data_dir: Path = DATA_DIR) -> DomainRows:
    tipo = {row["codigo"]: row["tipo_cliente"] for row in _read_csv(data_dir / "classe_consumo_tipo_cliente.csv")}
    rows = []
    for code, row, successor in _dda_codes(data_dir, "TCLASUBCLA"):
        # '0' is "not informed": neither PF nor PJ.
        tipo_cliente = None if code == "0" else tipo.get(successor or code)
        if code != "0" and tipo_cliente is None:
            raise ValueError(f"classe_consumo_tipo_cliente.csv has no PF/PJ for consumer class {code!r}")
        rows.append((code, row["descr"].strip(), tipo_cliente, successor))
    return DomainRows("classe_consumo", ("codigo", "descricao", "tipo_cliente", "alias_de_id"), rows)


def modalidades_tarifarias(data_dir: Path = DATA_DIR) -> DomainRows:
    rows = [(row["codigo"], row["descricao"]) for row in _read_csv(data_dir / "modalidade_tarifaria.csv")]
    return DomainRows("modalidade_tarifaria", ("codigo", "descricao"), rows)


def segmentos(data_dir: Path = DATA_DIR) -> DomainRows:
    rows = [(row["codigo"], row["nome"], row["descricao"]) for row in _read_csv(data_dir / "segmento_mercado.csv")]
    return DomainRows("segmento_mercado", ("codigo", "nome", "descricao"), rows)


def segmento_por_divisao(data_dir: Path = DATA_DIR) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for row in _read_csv(data_dir / "cnae_divisao_segmento.csv"):
        for divisao in range(int(row["divisao_inicio"]), int(row["divisao_fim"]) + 1):
            mapping[f"{divisao:02d}"] = row["segmento"]
    return mapping


def cnaes(data_dir: Path = DATA_DIR) -> DomainRows:
    """CNAE 2.3 subclasses, then the CNAE 2.2 codes IBGE retired, as aliases of their preferred 2.3 code."""
    segmento = segmento_por_divisao(data_dir)
    columns = (
        "subclasse", "descricao", "classe", "classe_descricao", "grupo", "grupo_descricao", "divisao",
        "divisao_descricao", "secao", "secao_descricao", "segmento_id", "alias_de_id",
    )  # fmt: skip
    by_code: dict[str, tuple[object, ...]] = {}
    for row in _read_csv(data_dir / "cnae_2_3_subclasses_hierarquia.csv"):
        divisao = row["divisao"]
        if divisao not in segmento:
            raise ValueError(f"cnae_divisao_segmento.csv maps no market segment for CNAE division {divisao}")
        by_code[row["subclasse"]] = (
            row["subclasse"], row["descricao_subclasse"], row["classe"], row["descricao_classe"], row["grupo"],
            row["descricao_grupo"], divisao, row["descricao_divisao"], row["secao"], row["descricao_secao"],
            segmento[divisao], None,
        )  # fmt: skip
    rows = list(by_code.values())
    for row in _read_csv(data_dir / "cnae_2_2_para_2_3_correspondencia.csv"):
        old, new = row["subclasse_2_2"], row["subclasse_2_3"]
        if row["codigo_preferencial"] == "sim" and old not in by_code:
            target = by_code[new]
            by_code[old] = (old, row["descricao_2_2"], *target[2:11], new)
            rows.append(by_code[old])
    return DomainRows("cnae", columns, rows)


def distribuidoras(data_dir: Path = DATA_DIR) -> DomainRows:
    """Distributors of ANEEL's catalog, keyed on the ANEEL code; the latest publication names them."""
    spellings: dict[int, set[str]] = defaultdict(set)
    latest: dict[int, tuple[str, str]] = {}
    for row in _read_csv(data_dir / "hub_catalog_2025-10.csv"):
        code = int(row["cod_aneel"])
        name = row["distribuidora"].strip()
        spellings[code].add(name)
        stamp = f"{row['data_base']} {row['gerado']}"
        if code not in latest or stamp > latest[code][0]:
            latest[code] = (stamp, name)
    rows = [(code, latest[code][1], json.dumps(sorted(spellings[code]))) for code in sorted(latest)]
    return DomainRows("distribuidora", ("cod_aneel", "nome", "nomes"), rows)


def _float(value: str) -> float | None:
    return float(value) if value not in ("", None) else None


def municipios(data_dir: Path = DATA_DIR) -> DomainRows:
    columns = (
        "cod_ibge", "nome", "uf", "regiao", "capital", "cod_tom", "populacao_2022", "area_km2",
        "pib_per_capita_2022", "idhm_2010", "sede",
    )  # fmt: skip
    rows = []
    for row in _read_csv(data_dir / "municipios_enriquecidos.csv"):
        lat, lon = _float(row["latitude_sede"]), _float(row["longitude_sede"])
        sede = f"SRID=4674;POINT({lon} {lat})" if lat is not None and lon is not None else None
        populacao = int(row["pop_censo_2022"]) if row["pop_censo_2022"] else None
        rows.append((
            row["codigo_ibge"], row["nome"], row["uf"], row["regiao"], row["capital"] == "1",
            row["codigo_receita_tom"], populacao, _float(row["area_km2_2022"]),
            _float(row["pib_per_capita_2022_calc"]), _float(row["idhm_2010"]), sede,
        ))  # fmt: skip
    return DomainRows("municipio", columns, rows)


def all_tables(data_dir: Path = DATA_DIR) -> list[DomainRows]:
    """Every domain table, in an order that satisfies their foreign keys."""
    return [
        distribuidoras(data_dir),
        municipios(data_dir),
        grupos_tensao(data_dir),
        grupos_tarifarios(data_dir),
        modalidades_tarifarias(data_dir),
        tipos_sistema(data_dir),
        tensoes(data_dir),
        classes_consumo(data_dir),
        segmentos(data_dir),
        cnaes(data_dir),
    ]
