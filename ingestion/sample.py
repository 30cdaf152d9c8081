"""Synthetic BDGD files at any size, shaped like the real thing (no Django).

Rows are drawn from a real BDGD (by default the vendored Mux Energia 2024 file): whole UCBT rows are
resampled, so classes, CNAEs, dates (placeholders included), ' ' blanks, unknown codes and monthly
profiles keep their real joint distribution. Unit codes are new 64-hex pseudonyms; notable points and
transformers are placed around the seats of real municipalities of the distributor's state. About 2.5 %
of units appear twice (an older deactivated row holding part of the year, as in real files) and 1 %
point at a missing PN_CON, so they locate through their transformer.

Layers are written through CSV and GDAL's own ogr2ogr into an OpenFileGDB, then zipped like ANEEL's.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from osgeo import ogr

from .readers import bdgd

DUPLICATE_SHARE = 0.026  # Mux 2024: 337 extra rows for 12,963 units
MISSING_POINT_SHARE = 0.01
UNITS_PER_POINT = 5


@dataclass(frozen=True)
class SampleSpec:
    ucs: int
    out: Path
    source: Path
    distribuidora: int = 401
    ano: int = 2024
    seed: int = 20241231
    municipios_csv: Path | None = None
    uf: str = "RS"


def _source_table(path: Path, layer: str) -> tuple[dict[str, NDArray[Any]], list[tuple[str, int, int]]]:
    """Columns of a real layer as arrays, and its field definitions (name, OGR type, width)."""
    dataset = bdgd.open_dataset(path)
    lyr = dataset.GetLayerByName(layer)
    definition = lyr.GetLayerDefn()
    defns = [definition.GetFieldDefn(i) for i in range(definition.GetFieldCount())]
    fields = [(d.GetName(), d.GetType(), d.GetWidth()) for d in defns]
    columns: dict[str, list[NDArray[Any]]] = {}
    for batch in lyr.GetArrowStreamAsNumPy(options=["INCLUDE_FID=NO"]):
        for name, values in batch.items():
            columns.setdefault(name, []).append(values)
    return {k: np.concatenate(v) for k, v in columns.items()}, fields


def _decode(values: NDArray[Any]) -> NDArray[Any]:
    return np.char.decode(values, "utf-8") if values.dtype.kind == "S" else values


def _municipalities(spec: SampleSpec) -> pd.DataFrame:
    default = Path(__file__).resolve().parent.parent / "leads" / "data" / "municipios_enriquecidos.csv"
    path = spec.municipios_csv or default
    frame = pd.read_csv(path, dtype={"codigo_ibge": str})
    frame = frame[frame["uf"] == spec.uf]
    if frame.empty:
        raise ValueError(f"no municipalities of UF {spec.uf} in {path}")
    return frame[["codigo_ibge", "latitude_sede", "longitude_sede"]].reset_index(drop=True)


def _csvt(fields: list[tuple[str, int, int]], columns: list[str]) -> str:
    kinds = {name: (kind, width) for name, kind, width in fields}
    out = []
    for name in columns:
        kind, width = kinds.get(name, (ogr.OFTString, 40))
        out.append({ogr.OFTInteger: "Integer", ogr.OFTReal: "Real"}.get(kind, f"String({width or 254})"))
    return ",".join(f'"{t}"' for t in out)


def _ogr2ogr(gdb: Path, csv_path: Path, layer: str, *, points: bool = False) -> None:
    args = ["ogr2ogr", "-f", "OpenFileGDB", str(gdb), str(csv_path), "-nln", layer, "-lco", "TARGET_ARCGIS_VERSION=ALL"]
    if gdb.exists():
        args[1:1] = ["-update"]
    if points:
        args += ["-oo", "X_POSSIBLE_NAMES=X", "-oo", "Y_POSSIBLE_NAMES=Y", "-oo", "KEEP_GEOM_COLUMNS=NO",
                 "-a_srs", "EPSG:4674", "-nlt", "POINT"]  # fmt: skip
    else:
        args += ["-nlt", "NONE"]
    subprocess.run(args, check=True, capture_output=True)


def _write_layer(gdb: Path, work: Path, layer: str, frame: pd.DataFrame, fields: list[tuple[str, int, int]], *,
                 points: bool = False) -> None:  # fmt: skip
    csv_path = work / f"{layer}.csv"
    frame.to_csv(csv_path, index=False, quoting=csv.QUOTE_NONNUMERIC)
    columns = list(frame.columns)
    types = _csvt([*fields, ("X", ogr.OFTReal, 0), ("Y", ogr.OFTReal, 0)], columns)
    csv_path.with_suffix(".csvt").write_text(types)
    _ogr2ogr(gdb, csv_path, layer, points=points)


def write_sample(spec: SampleSpec) -> Path:
    """Write `spec.out` (a .gdb.zip) with BASE, PONNOT, UNTRMT, a UCBT_tab of `spec.ucs` units and the
    source's typical load curves (CRVCRG, which the units' TIP_CC name)."""
    rng = np.random.default_rng(spec.seed)
    ucbt, ucbt_fields = _source_table(spec.source, "UCBT_tab")
    ponnot, ponnot_fields = _source_table(spec.source, "PONNOT")
    municipios = _municipalities(spec)

    n_points = max(1, spec.ucs // UNITS_PER_POINT)
    n_transformers = max(1, n_points // 10)
    seat = rng.integers(0, len(municipios), n_points)
    points = pd.DataFrame({
        "COD_ID": np.char.add("P", np.arange(1, n_points + 1).astype(str)),
        "DIST": spec.distribuidora,
        "TIP_PN": _decode(ponnot["TIP_PN"])[rng.integers(0, len(ponnot["TIP_PN"]), n_points)],
        "MUN": municipios["codigo_ibge"].to_numpy()[seat],
        "DESCR": " ",
        "X": municipios["longitude_sede"].to_numpy()[seat] + rng.normal(0, 0.02, n_points),
        "Y": municipios["latitude_sede"].to_numpy()[seat] + rng.normal(0, 0.02, n_points),
    })  # fmt: skip
    transformer_of_point = rng.integers(0, n_transformers, n_points)
    transformers = pd.DataFrame({
        "COD_ID": np.char.add("T", np.arange(1, n_transformers + 1).astype(str)),
        "MUN": points["MUN"].to_numpy()[:n_transformers],
        "DESCR": " ",
        "X": points["X"].to_numpy()[:n_transformers],
        "Y": points["Y"].to_numpy()[:n_transformers],
    })  # fmt: skip

    # Units: whole real rows resampled, new codes, placed on generated points.
    take = rng.integers(0, len(ucbt["COD_ID"]), spec.ucs)
    frame = pd.DataFrame({name: _decode(values)[take] for name, values in ucbt.items() if name != "Shape"})
    codes = rng.integers(0, 2**63, size=(spec.ucs, 4), dtype=np.int64)
    frame["COD_ID"] = [f"{a:016x}{b:016x}{c:016x}{d:016x}" for a, b, c, d in codes]
    frame["DIST"] = spec.distribuidora
    point = rng.integers(0, n_points, spec.ucs)
    frame["PN_CON"] = points["COD_ID"].to_numpy()[point]
    frame["MUN"] = points["MUN"].to_numpy()[point]
    frame["UNI_TR_MT"] = transformers["COD_ID"].to_numpy()[transformer_of_point[point]]
    frame["PAC"] = np.char.add("UC", np.arange(1, spec.ucs + 1).astype(str))
    lost = rng.random(spec.ucs) < MISSING_POINT_SHARE
    frame.loc[lost, "PN_CON"] = "P0"  # no such point: located through UNI_TR_MT

    # Units that changed mid-year: an older deactivated row holds the first months.
    dup = np.flatnonzero(rng.random(spec.ucs) < DUPLICATE_SHARE)
    old = frame.iloc[dup].copy()
    old["SIT_ATIV"] = "DS"
    split = rng.integers(1, 12, len(dup))
    for m in range(1, 13):
        for prefix in ("ENE", "DIC", "FIC"):
            col = f"{prefix}_{m:02d}"
            before = m <= split
            old_values = np.where(before, frame[col].to_numpy()[dup], 0.0)
            frame.loc[frame.index[dup], col] = np.where(before, 0.0, frame[col].to_numpy()[dup])
            old[col] = old_values
    frame = pd.concat([frame, old], ignore_index=True)
    frame = frame.sample(frac=1.0, random_state=spec.seed).reset_index(drop=True)

    with tempfile.TemporaryDirectory(dir=spec.out.parent) as tmp:
        work = Path(tmp)
        stem = spec.out.name.removesuffix(".zip")
        if not stem.lower().endswith(".gdb"):
            raise ValueError(f"{spec.out}: the output must end in .gdb.zip")
        gdb = work / stem
        _write_base(gdb, spec)
        _write_layer(gdb, work, "PONNOT", points, ponnot_fields, points=True)
        _write_layer(gdb, work, "UNTRMT", transformers, ponnot_fields, points=True)
        _write_layer(gdb, work, "UCBT_tab", frame[[f[0] for f in ucbt_fields]], ucbt_fields)
        curves, curve_fields = _source_table(spec.source, "CRVCRG")
        curve_frame = pd.DataFrame({k: _decode(v) if v.dtype.kind in "OS" else v for k, v in curves.items()})
        curve_frame["DIST"] = spec.distribuidora
        _write_layer(gdb, work, "CRVCRG", curve_frame[[f[0] for f in curve_fields]], curve_fields)
        partial = spec.out.with_suffix(".zip.part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for file in sorted(gdb.rglob("*")):
                archive.write(file, Path(stem) / file.relative_to(gdb))
        shutil.move(partial, spec.out)
    return spec.out


def _write_base(gdb: Path, spec: SampleSpec) -> None:
    driver = ogr.GetDriverByName("OpenFileGDB")
    ds = driver.CreateDataSource(str(gdb))
    base = ds.CreateLayer("BASE", geom_type=ogr.wkbNone)
    base.CreateField(ogr.FieldDefn("DIST", ogr.OFTInteger))
    for name in ("DAT_INC", "DAT_FNL", "DAT_EXT", "DESCR"):
        base.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    feature = ogr.Feature(base.GetLayerDefn())
    feature.SetField("DIST", spec.distribuidora)
    feature.SetField("DAT_INC", f"01/01/{spec.ano}")
    feature.SetField("DAT_FNL", f"31/12/{spec.ano}")
    feature.SetField("DAT_EXT", f"31/12/{spec.ano}")
    feature.SetField("DESCR", "BDGD SINTETICA (amostra gerada)")
    base.CreateFeature(feature)
    ds = None
