"""Region outlines for the offline map: a country's first-level divisions, shipped as package data.

``reports/static/regions/<ISO 3166-1 alpha-2>.json`` holds one country's regions (Swedish län,
Italian regioni, Swiss cantons, German Länder, French régions …), simplified from Natural Earth's
1:10m admin-1 layer (public domain) by ``tools/build_region_outlines.py`` (provenance in
``reports/static/README.md``). Coordinates are integers of ``1/scale`` degree, delta-coded per
ring; the page decodes them (``wlkMap.regionFeatures`` in ``static/wlk-map.js``), so a map
carries only its own country's file as it is. Nothing is downloaded at run time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

REGIONS_DIR = Path(__file__).resolve().parent / "static" / "regions"


def available() -> list[str]:
    """ISO 3166-1 alpha-2 codes of the countries with region outlines, sorted."""
    return sorted(p.stem for p in REGIONS_DIR.glob("*.json"))


@lru_cache(maxsize=8)
def regions_for(iso: str) -> dict[str, Any] | None:
    """The region outlines of one country, in the shipped (compact) form.

    Args:
        iso: The campaign's ISO 3166-1 alpha-2 code (``campaign.country.iso``; any case).

    Returns:
        ``{"country", "source", "scale", "regions": [{"name", "wikidata", "iso", "p"}]}``, where
        ``p`` is a list of polygons, each a list of rings ``[x0, y0, dx1, dy1, …]`` in
        ``1/scale`` degree; None when the kit has no outlines for that code.
    """
    code = iso.strip().upper()
    if len(code) != 2 or not code.isalpha():
        return None
    path = REGIONS_DIR / f"{code}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def decode_ring(ring: list[int], scale: int) -> list[tuple[float, float]]:
    """One delta-coded ring as ``(lon, lat)`` pairs (closed: first point repeated at the end).

    Mirrors ``wlkMap.regionFeatures`` in the page; used by the tests and by anyone reading
    the data from Python.
    """
    points, x, y = [], 0, 0
    for i in range(0, len(ring) - 1, 2):
        x, y = x + ring[i], y + ring[i + 1]
        points.append((x / scale, y / scale))
    if points and points[0] != points[-1]:
        points.append(points[0])
    return points


def region_features(iso: str) -> dict[str, Any]:
    """The regions of one country as a GeoJSON FeatureCollection (empty when none are shipped)."""
    doc = regions_for(iso) or {}
    features = []
    for region in doc.get("regions", []):
        coords = [[decode_ring(r, doc["scale"]) for r in polygon] for polygon in region["p"]]
        features.append({"type": "Feature",
                         "properties": {"name": region["name"], "wikidata": region["wikidata"], "iso": region["iso"]},
                         "geometry": {"type": "MultiPolygon", "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}
