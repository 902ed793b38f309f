"""Generate ``reserves_sample.geojson``: synthetic, realistic NVR-style protected areas in SWEREF 99 TM.

Seeded and deterministic. Imitates a Naturvårdsregistret (NVR) download: polygons and
multipolygons in EPSG:3006 with a GeoJSON ``crs`` member, the NVR column names, text dates
``"1998/10/20"``, municipality-code lists ``"2510,2523"``, IUCN categories as free text, and two
deliberately bad features (a null geometry; an NVRID used twice). See PROVENANCE.md.

Run from the project root::

    .venv/bin/python campaigns/data/wle-se-reserves-sample/generate.py
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

from pyproj import Transformer

SEED = 20260815
OUT = Path(__file__).with_name("reserves_sample.geojson")

MUNI = {"0180": "Stockholm", "0380": "Uppsala", "1480": "Göteborg", "1280": "Malmö",
        "0980": "Gotland", "0580": "Linköping", "1281": "Lund", "2480": "Umeå",
        "2510": "Jokkmokk", "2321": "Åre", "2523": "Gällivare", "0138": "Tyresö",
        "0136": "Haninge"}

# name, type, municipality codes, centre lat, lon, approximate area in ha, IUCN, parts
AREAS: list[tuple[str, str, str, float, float, float, str, int]] = [
    ("Judarskogen", "Naturreservat", "0180", 59.3440, 17.9230, 37, "IV", 1),
    ("Grimsta", "Naturreservat", "0180", 59.3530, 17.8650, 170, "IV", 1),
    ("Kyrkhamn", "Naturreservat", "0180", 59.3660, 17.8470, 41, "IV", 1),
    ("Årsta holmar", "Naturreservat", "0180", 59.3030, 18.0530, 19, "IV", 1),
    ("Flatenområdet", "Naturreservat", "0180", 59.2620, 18.1520, 140, "Not Applicable", 1),
    ("Älvsjöskogen", "Naturreservat", "0180", 59.2700, 17.9990, 65, "IV", 1),
    ("Hågadalen-Nåsten", "Naturreservat", "0380", 59.8420, 17.5600, 610, "IV", 1),
    ("Lunsen", "Naturreservat", "0380", 59.7750, 17.6800, 2200, "Ia", 1),
    ("Fjällnora", "Naturreservat", "0380", 59.8500, 17.9000, 330, "V", 1),
    ("Kronparken", "Naturreservat", "0380", 59.8600, 17.6150, 47, "IV", 1),
    ("Jumkilsåns dalgång", "Naturreservat", "0380", 59.9650, 17.4100, 260, "IV", 2),
    ("Rya skog", "Naturreservat", "1480", 57.6960, 11.9020, 23, "Ia", 1),
    ("Vättlefjäll", "Naturreservat", "1480", 57.8250, 12.0500, 1900, "V", 1),
    ("Välen", "Naturreservat", "1480", 57.6520, 11.9250, 54, "IV", 1),
    ("Sankt Jörgen", "Naturreservat", "1480", 57.7250, 12.0900, 110, "IV", 1),
    ("Hökälla", "Naturreservat", "1480", 57.7680, 12.0350, 140, "Not Applicable", 1),
    ("Limhamns kalkbrott", "Naturreservat", "1280", 55.5660, 12.9420, 44, "IV", 1),
    ("Klagshamns udde", "Naturreservat", "1280", 55.5220, 12.9030, 97, "IV", 1),
    ("Bunkeflo strandängar", "Naturreservat", "1280", 55.5450, 12.9150, 420, "IV", 2),
    ("Gotska Sandön", "Nationalpark", "0980", 58.3800, 19.2000, 4490, "II", 1),
    ("Hoburgen", "Naturreservat", "0980", 56.9230, 18.1250, 98, "IV", 1),
    ("Lojsta hed", "Naturreservat", "0980", 57.3100, 18.3800, 250, "IV", 1),
    ("Östergarnsholm", "Naturreservat", "0980", 57.4400, 18.9800, 61, "Ia", 1),
    ("Lilla Karlsö", "Naturreservat", "0980", 57.3120, 18.0600, 155, "Ia", 1),
    ("Tinnerö eklandskap", "Naturreservat", "0580", 58.3850, 15.6000, 500, "IV", 1),
    ("Bjärka-Säby", "Naturreservat", "0580", 58.2700, 15.7400, 830, "V", 2),
    ("Ullstämma", "Naturreservat", "0580", 58.3600, 15.6300, 72, "IV", 1),
    ("Dalby Söderskog", "Nationalpark", "1281", 55.6780, 13.3300, 36, "II", 1),
    ("Skrylle", "Naturreservat", "1281", 55.6920, 13.3550, 440, "V", 1),
    ("Fågelsångsdalen", "Naturreservat", "1281", 55.7160, 13.3200, 90, "IV", 1),
    ("Holmöarna", "Naturreservat", "2480", 63.8000, 20.8700, 23000, "IV", 2),
    ("Degernäs", "Naturreservat", "2480", 63.8550, 20.3400, 120, "Not Applicable", 1),
    ("Tavelsjöberget", "Naturreservat", "2480", 64.0300, 20.0500, 180, "IV", 1),
    ("Sarek", "Nationalpark", "2510", 67.2800, 17.7000, 197000, "II", 1),
    ("Padjelanta/Badjelánnda", "Nationalpark", "2510", 67.3300, 16.7000, 198000, "II", 1),
    ("Muddus/Muttos", "Nationalpark", "2510,2523", 66.9000, 20.2000, 50000, "II", 1),
    ("Vålådalen", "Naturreservat", "2321", 63.1700, 13.0500, 113000, "V", 1),
    ("Skäckerfjällen", "Naturreservat", "2321", 63.5700, 12.5000, 47000, "IV", 1),
    ("Fjällurskogar i Jokkmokk och Åre", "Naturreservat", "2510,2321", 66.6000, 18.3000, 2400, "IV",
     2),
    ("Tyresta", "Nationalpark", "0138,0136", 59.1800, 18.2500, 1970, "II", 1),
]


def _ring(rng: random.Random, cx: float, cy: float, radius: float) -> list[list[float]]:
    """A closed, star-shaped (hence simple) ring around (cx, cy), counter-clockwise."""
    n = rng.randint(9, 16)
    pts = []
    for i in range(n):
        angle = 2 * math.pi * i / n
        r = radius * rng.uniform(0.75, 1.2)
        pts.append([round(cx + r * math.cos(angle), 2), round(cy + r * math.sin(angle), 2)])
    pts.append(pts[0])
    return pts


def _geometry(rng: random.Random, cx: float, cy: float, hectares: float, parts: int) -> dict:
    radius = math.sqrt(hectares * 10_000 / parts / math.pi)
    if parts == 1:
        return {"type": "Polygon", "coordinates": [_ring(rng, cx, cy, radius)]}
    polys = []
    for k in range(parts):
        dx = (k - (parts - 1) / 2) * radius * 3
        polys.append([_ring(rng, cx + dx, cy + rng.uniform(-radius, radius) * 0.5, radius)])
    return {"type": "MultiPolygon", "coordinates": polys}


def build_features(rng: random.Random) -> list[dict]:
    """The good features, then the two bad ones."""
    to_3006 = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    nvr_ids = rng.sample(range(2000100, 2049999), len(AREAS) + 1)
    features = []
    for (name, kind, codes, lat, lon, ha, iucn, parts), nvrid in zip(AREAS, nvr_ids, strict=False):
        cx, cy = to_3006.transform(lon, lat)
        year = rng.randint(1909, 1950) if kind == "Nationalpark" else rng.randint(1962, 2022)
        props = {
            "NVRID": str(nvrid),
            "NAMN": name,
            "SKYDDSTYP": kind,
            "KOMMUN": ", ".join(MUNI[c] for c in codes.split(",")),
            "KOMMUNKOD": codes,
            "IUCNKAT": iucn,
            "WDPAID": str(rng.randint(1000, 555_700_000)),
            "URSBESLDAT": f"{year}/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}",
        }
        features.append({"type": "Feature", "properties": props,
                         "geometry": _geometry(rng, cx, cy, ha, parts)})
    # Bad 1: a reserve whose geometry was lost in the export.
    features.insert(12, {"type": "Feature", "geometry": None, "properties": {
        "NVRID": str(nvr_ids[-1]), "NAMN": "Svartsjölandet", "SKYDDSTYP": "Naturreservat",
        "KOMMUN": "Stockholm", "KOMMUNKOD": "0180", "IUCNKAT": "IV", "WDPAID": "555600123",
        "URSBESLDAT": "2014/05/20"}})
    # Bad 2: a second feature carrying the NVRID of "Välen" (a typo in the register).
    twin = next(f for f in features if f["properties"]["NAMN"] == "Välen")
    cx, cy = to_3006.transform(11.9400, 57.6400)
    features.insert(30, {"type": "Feature", "geometry": _geometry(rng, cx, cy, 30, 1),
                         "properties": {**twin["properties"], "NAMN": "Askimsviken",
                                        "URSBESLDAT": "2009/03/12"}})
    return features


def main() -> None:
    """Write the GeoJSON next to this script (one feature per line, like ogr2ogr output)."""
    rng = random.Random(SEED)
    features = build_features(rng)
    lines = [
        "{",
        '"type": "FeatureCollection",',
        '"name": "naturreservat_sample",',
        '"crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::3006" } },',
        '"features": [',
        ",\n".join(json.dumps(f, ensure_ascii=False) for f in features),
        "]",
        "}",
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
