"""Write the municipality outlines the maps fall back to offline: one GeoJSON per UF under
static/youon/geo/municipios/, from IBGE's Malha Municipal 2022 (simplified), coordinates to 4 decimals
(about 10 m: enough for outlines).

    .venv/bin/python scripts/municipio_outlines.py PATH/BR_Municipios_2022.geojson
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "static" / "youon" / "geo" / "municipios"


def rounded(coordinates: object) -> object:
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], int | float):
        return [round(float(c), 4) for c in coordinates]
    return [rounded(c) for c in coordinates]  # type: ignore[union-attr]


def main(source: Path) -> None:
    by_uf: dict[str, list[dict[str, object]]] = defaultdict(list)
    for feature in json.loads(source.read_text())["features"]:
        if not feature.get("geometry"):
            continue
        props, geometry = feature["properties"], feature["geometry"]
        by_uf[props["SIGLA_UF"]].append({
            "type": "Feature",
            "properties": {"cod_ibge": props["CD_MUN"], "nome": props["NM_MUN"]},
            "geometry": {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])},
        })  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    for uf, features in sorted(by_uf.items()):
        body = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
        (OUT / f"{uf}.geojson").write_text(body)
        print(f"{uf}: {len(features)} municípios, {len(body) // 1024} KiB")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
