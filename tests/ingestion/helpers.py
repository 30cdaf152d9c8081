"""Small File Geodatabases written with GDAL's OpenFileGDB driver, for bad-input tests."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from osgeo import ogr

from ingestion.readers.bdgd import LAYERS

_OGR = {"text": ogr.OFTString, "int": ogr.OFTInteger, "real": ogr.OFTReal}


def write_ucbt_gdb(
    folder: Path,
    rows: list[dict[str, object]],
    *,
    types: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    name: str = "Teste_401_2024-12-31_V11_20250101-0000.gdb",
) -> Path:
    """A geodatabase with a BASE row and a UCBT_tab holding `rows` (every spec column, unless dropped)."""
    path = folder / name
    if path.exists():
        shutil.rmtree(path)
    driver = ogr.GetDriverByName("OpenFileGDB")
    ds = driver.CreateDataSource(str(path))
    base = ds.CreateLayer("BASE", geom_type=ogr.wkbNone)
    for field in ("DAT_INC", "DAT_FNL"):
        base.CreateField(ogr.FieldDefn(field, ogr.OFTString))
    base.CreateField(ogr.FieldDefn("DIST", ogr.OFTInteger))
    feature = ogr.Feature(base.GetLayerDefn())
    feature.SetField("DIST", 401)
    feature.SetField("DAT_INC", "01/01/2024")
    feature.SetField("DAT_FNL", "31/12/2024")
    base.CreateFeature(feature)
    layer = ds.CreateLayer("UCBT_tab", geom_type=ogr.wkbNone)
    columns = [c for c in LAYERS["UCBT"].columns if c.name not in drop]
    for column in columns:
        kind = (types or {}).get(column.name, column.kind)
        layer.CreateField(ogr.FieldDefn(column.name, _OGR[kind]))
    for row in rows:
        feature = ogr.Feature(layer.GetLayerDefn())
        for column in columns:
            value = row.get(column.name)
            if value is not None:
                feature.SetField(column.name, value)
        layer.CreateFeature(feature)
    ds = None
    return path


def zip_gdb(gdb: Path) -> Path:
    target = gdb.with_name(gdb.name + ".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(gdb.rglob("*")):
            archive.write(file, Path(gdb.name) / file.relative_to(gdb))
    return target


def unit(cod_id: str, **values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "COD_ID": cod_id, "DIST": 401, "PAC": f"UC{cod_id}", "PN_CON": "1108", "MUN": "4320909", "CLAS_SUB": "RE1",
        "GRU_TEN": "BT", "GRU_TAR": "B1", "SIT_ATIV": "AT", "DAT_CON": "13/04/2022", "CAR_INST": 3.5, "LIV": 0,
        "FAS_CON": "AN", "TEN_FORN": "10", "ARE_LOC": "UB", "CNAE": " ",
    }  # fmt: skip
    for m in range(1, 13):
        row[f"ENE_{m:02d}"] = 100.0
        row[f"DIC_{m:02d}"] = 0.0
        row[f"FIC_{m:02d}"] = 0.0
    row.update(values)
    return row
