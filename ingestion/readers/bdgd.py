"""Read BDGD File Geodatabases as ANEEL publishes them (pure Python + GDAL, no Django).

A BDGD is a `.gdb` folder, usually zipped (`<Name>_<CodANEEL>_<YYYY-MM-DD>_<Model>_<YYYYMMDD-HHMM>.gdb.zip`).
GDAL's OpenFileGDB driver reads it in place (`/vsizip/`). Layers are read by name through GDAL's Arrow
stream, in batches, so memory stays bounded whatever the layer size. The field mapping of each layer is
declared once below (`LAYERS`): which BDGD columns the platform reads, their type, and which are required.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from osgeo import gdal, ogr

gdal.UseExceptions()

Kind = Literal["text", "int", "real", "wkb"]
MONTHS = tuple(f"{m:02d}" for m in range(1, 13))
FILE_NAME = re.compile(
    r"^(?P<nome>.+?)_(?P<cod>\d+)_(?P<data>\d{4}-\d{2}-\d{2})_(?P<modelo>M\d+|V\d+)_(?P<gerado>\d{8}-\d{4})",
    re.IGNORECASE,
)


class BdgdError(Exception):
    """A BDGD file that cannot be imported as it is; the message names what is wrong."""


@dataclass(frozen=True)
class Column:
    """One BDGD column the platform reads: name in the file, type, and whether the layer needs it."""

    name: str
    kind: Kind
    required: bool = False

    @property
    def staging(self) -> tuple[str, ...]:
        """Column name(s) in the staging table: a point geometry is staged as its x and y."""
        return ("x", "y") if self.kind == "wkb" else (self.name.lower(),)


@dataclass(frozen=True)
class LayerSpec:
    camada: str  # the platform's layer name (UCBT, UCMT, UCAT, PONNOT, UNTRMT)
    layer: str  # the layer's name in the geodatabase
    columns: tuple[Column, ...] = field(default_factory=tuple)


def _monthly(prefix: str, required: bool = True) -> tuple[Column, ...]:
    return tuple(Column(f"{prefix}_{m}", "real", required) for m in MONTHS)


_UNIT_COMMON = (
    Column("COD_ID", "text"),  # absent in the 2021/2022 public files: the unit is then keyed on PAC
    Column("DIST", "int", True),
    Column("PAC", "text", True),
    Column("PN_CON", "text", True),
    Column("CTMT", "text"),
    Column("UNI_TR_AT", "text"),
    Column("SUB", "text"),
    Column("CONJ", "int"),
    Column("MUN", "text", True),
    Column("CEG_GD", "text"),
    Column("BRR", "text"),
    Column("CEP", "text"),
    Column("CLAS_SUB", "text", True),
    Column("CNAE", "text"),
    Column("TIP_CC", "text"),
    Column("FAS_CON", "text"),
    Column("GRU_TEN", "text", True),
    Column("TEN_FORN", "text"),
    Column("GRU_TAR", "text", True),
    Column("SIT_ATIV", "text", True),
    Column("DAT_CON", "text"),
    Column("CAR_INST", "real"),
    Column("LIV", "int"),
    Column("ARE_LOC", "text"),
    Column("TIP_SIST", "text"),  # added in 2022 (V11): V10 files lack it
)

LAYERS: dict[str, LayerSpec] = {
    "PONNOT": LayerSpec(
        "PONNOT",
        "PONNOT",
        (
            Column("COD_ID", "text", True),
            Column("DIST", "int"),
            Column("TIP_PN", "text"),
            Column("MUN", "text"),
            Column("DESCR", "text"),
            Column("Shape", "wkb", True),
        ),
    ),
    "UNTRMT": LayerSpec(
        "UNTRMT",
        "UNTRMT",
        (Column("COD_ID", "text", True), Column("MUN", "text"), Column("DESCR", "text"), Column("Shape", "wkb", True)),
    ),
    "UCBT": LayerSpec(
        "UCBT",
        "UCBT_tab",
        (
            *_UNIT_COMMON,
            Column("UNI_TR_MT", "text"),
            Column("RAMAL", "text"),
            Column("SEMRED", "int"),
            *_monthly("ENE"),
            *_monthly("DIC"),
            *_monthly("FIC"),
        ),
    ),
    "UCMT": LayerSpec(
        "UCMT",
        "UCMT_tab",
        (
            *_UNIT_COMMON,
            Column("DEM_CONT", "real"),
            Column("SEMRED", "int"),
            *_monthly("ENE"),
            *_monthly("DEM"),
            *_monthly("DIC"),
            *_monthly("FIC"),
        ),
    ),
    "UCAT": LayerSpec(
        "UCAT",
        "UCAT_tab",
        (
            *_UNIT_COMMON,
            Column("DEM_CONT", "real"),
            *_monthly("ENE_P"),
            *_monthly("ENE_F"),
            *_monthly("DEM_P"),
            *_monthly("DEM_F"),
            *_monthly("DIC"),
            *_monthly("FIC"),
        ),
    ),
}

_OGR_KINDS: dict[int, set[Kind]] = {
    ogr.OFTString: {"text"},
    ogr.OFTInteger: {"int", "real"},
    ogr.OFTInteger64: {"int", "real"},
    ogr.OFTReal: {"real"},
}
_KIND_NAMES = {ogr.OFTString: "String", ogr.OFTInteger: "Integer", ogr.OFTInteger64: "Integer64", ogr.OFTReal: "Real"}


@dataclass(frozen=True)
class FileInfo:
    """What a BDGD file says about itself (from BASE and its name)."""

    path: str
    distribuidora: int | None
    ano: int | None
    data_base: str | None
    modelo: str | None
    extra: bool
    layers: tuple[str, ...]


@dataclass
class LayerReader:
    """Batches of one layer as Arrow tables in staging order (missing optional columns are null)."""

    spec: LayerSpec
    columns: tuple[Column, ...]  # the spec's columns, in staging order
    source: dict[str, str]  # spec column -> the column's name in this file (absent optional columns left out)
    rows: int
    _layer: Any = field(repr=False, default=None)
    _dataset: Any = field(repr=False, default=None)

    def batches(self, size: int = 50_000) -> Iterator[pa.Table]:
        stream = self._layer.GetArrowStreamAsPyArrow(options=[f"MAX_FEATURES_IN_BATCH={size}", "INCLUDE_FID=NO"])
        for chunk in stream:
            batch = pa.RecordBatch.from_struct_array(chunk) if isinstance(chunk, pa.StructArray) else chunk
            names: list[str] = []
            arrays: list[pa.Array] = []
            for column in self.columns:
                names.extend(column.staging)
                arrays.extend(_staged(batch, self.source.get(column.name), column))
            yield pa.Table.from_arrays(arrays, names=names)


_ARROW_TYPES = {"text": pa.string(), "int": pa.int64(), "real": pa.float64()}


def _staged(batch: pa.RecordBatch, source: str | None, column: Column) -> list[pa.Array]:
    """The staging value(s) of one column: ' ' (the BDGD's empty text) becomes null, text is trimmed."""
    n = batch.num_rows
    if column.kind == "wkb":
        if source is None:
            return [pa.nulls(n, pa.float64()), pa.nulls(n, pa.float64())]
        return list(_point_xy(batch.column(source)))
    if source is None:
        return [pa.nulls(n, _ARROW_TYPES[column.kind])]
    values = batch.column(source)
    if column.kind == "text":
        trimmed = pc.utf8_trim_whitespace(values.cast(pa.string()))
        return [pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)]
    return [values.cast(_ARROW_TYPES[column.kind])]


def _point_xy(wkb: pa.Array) -> tuple[pa.Array, pa.Array]:
    """x and y of WKB points (2D, Z or M); empty points (NaN) and other geometries become null."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for value in wkb.to_pylist():
        if value is None or len(value) < 21:
            xs.append(None)
            ys.append(None)
            continue
        order = "<" if value[0] == 1 else ">"
        (kind,) = struct.unpack_from(order + "I", value, 1)
        x, y = struct.unpack_from(order + "dd", value, 5)
        if (kind & 0x0FFFFFFF) % 1000 != 1 or x != x or y != y:  # a point (ISO or EWKB flags), not empty
            xs.append(None)
            ys.append(None)
        else:
            xs.append(x)
            ys.append(y)
    return pa.array(xs, pa.float64()), pa.array(ys, pa.float64())


def resolve(path: str | Path) -> str:
    """The GDAL path of a `.gdb` folder or a zipped one; BdgdError when it is neither."""
    p = Path(path)
    if not p.exists():
        raise BdgdError(f"{path}: no such file or folder")
    if p.is_dir():
        if not p.name.lower().endswith(".gdb"):
            raise BdgdError(f"{path}: a folder, but not a File Geodatabase (.gdb)")
        return str(p)
    if p.suffix.lower() == ".zip":
        return f"/vsizip/{p.resolve()}"
    raise BdgdError(f"{path}: not a File Geodatabase (expected a .gdb folder or a .gdb.zip)")


def open_dataset(path: str | Path) -> Any:
    gdal_path = resolve(path)
    try:
        dataset = gdal.OpenEx(gdal_path, gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["OpenFileGDB"])
    except RuntimeError as exc:
        raise BdgdError(f"{path}: not a readable File Geodatabase ({_gdal_message(exc)})") from exc
    if dataset is None or dataset.GetLayerCount() == 0:
        raise BdgdError(f"{path}: not a readable File Geodatabase (no layers)")
    return dataset


def _gdal_message(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


def file_info(path: str | Path, dataset: Any | None = None) -> FileInfo:
    dataset = dataset or open_dataset(path)
    layers = tuple(dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount()))
    dist = ano = None
    data_base = None
    match = FILE_NAME.match(Path(path).name)
    if match:
        dist, data_base = int(match["cod"]), match["data"]
    base = dataset.GetLayerByName("BASE")
    if base is not None:
        base.ResetReading()
        feature = base.GetNextFeature()
        if feature is not None:
            items = feature.items()
            dist = items.get("DIST") or dist
            fim = items.get("DAT_FNL") or items.get("DAT_EXT")
            if fim and re.fullmatch(r"\d{2}/\d{2}/\d{4}", fim.strip()):
                d, m, y = fim.strip().split("/")
                data_base = data_base or f"{y}-{m}-{d}"
    if data_base:
        ano = int(data_base[:4])
    return FileInfo(
        path=str(path),
        distribuidora=int(dist) if dist is not None else None,
        ano=ano,
        data_base=data_base,
        modelo=match["modelo"].upper() if match else None,
        extra=data_base is not None and not data_base.endswith("-12-31"),
        layers=layers,
    )


def layer_reader(dataset: Any, camada: str) -> LayerReader | None:
    """A reader of one platform layer, or None when the geodatabase does not have it.

    Raises BdgdError when a required column is missing or a column has the wrong type.
    """
    spec = LAYERS[camada]
    layer = dataset.GetLayerByName(spec.layer)
    if layer is None:
        return None
    definition = layer.GetLayerDefn()
    fields = {
        definition.GetFieldDefn(i).GetName().upper(): definition.GetFieldDefn(i)
        for i in range(definition.GetFieldCount())
    }
    geometry_name = layer.GetGeometryColumn() or ("Shape" if definition.GetGeomType() != ogr.wkbNone else "")
    source: dict[str, str] = {}
    missing: list[str] = []
    for column in spec.columns:
        if column.kind == "wkb":
            if geometry_name:
                source[column.name] = geometry_name
                continue
            missing.append(column.name)
            continue
        defn = fields.get(column.name.upper())
        if defn is None:
            if column.required:
                missing.append(column.name)
            continue
        if column.kind not in _OGR_KINDS.get(defn.GetType(), set()):
            found = _KIND_NAMES.get(defn.GetType(), defn.GetTypeName())
            raise BdgdError(
                f"{spec.layer}.{column.name} is {found}, expected {column.kind} "
                f"({'String' if column.kind == 'text' else 'Integer' if column.kind == 'int' else 'Real'})"
            )
        # The Arrow stream names fields as the file spells them (names are case-insensitive in a GDB).
        source[column.name] = defn.GetName()
    if missing:
        raise BdgdError(f"{spec.layer} lacks required column(s): {', '.join(missing)}")
    return LayerReader(
        spec=spec, columns=spec.columns, source=source, rows=layer.GetFeatureCount(), _layer=layer, _dataset=dataset
    )


def sha256_of(path: str | Path) -> str:
    """sha256 of a zip, or of a .gdb folder's files (names and contents, in name order)."""
    p = Path(path)
    digest = hashlib.sha256()
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            digest.update(str(f.relative_to(p)).encode())
        with f.open("rb") as handle:
            for chunk in iter(partial(handle.read, 1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Curve:
    """A typical load curve (CRVCRG): 96 quarter-hour powers of one day type (DU, SA, DO)."""

    cod_id: str
    tipo_dia: str
    potencias: tuple[float, ...]


def read_curves(dataset: Any) -> list[Curve]:
    """Every typical load curve of the file (CRVCRG: a few hundred rows); empty when the file has none.

    A missing quarter hour reads as 0; a curve with a blank name or day type is left out."""
    layer = dataset.GetLayerByName("CRVCRG")
    if layer is None:
        return []
    curves = []
    layer.ResetReading()
    for feature in layer:
        cod_id = (feature.GetField("COD_ID") or "").strip()
        tipo_dia = (feature.GetField("TIP_DIA") or "").strip().upper()
        if not cod_id or not tipo_dia:
            continue
        values = tuple(float(feature.GetField(f"POT_{i:02d}") or 0.0) for i in range(1, 97))
        curves.append(Curve(cod_id, tipo_dia, values))
    return curves
