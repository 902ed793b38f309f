"""Country outlines for the offline map, from Natural Earth (public domain) shipped as package data.

``reports/static/ne-countries-50m.topojson.json`` is Natural Earth's 1:50m Admin-0 countries as
TopoJSON, from the npm ``world-atlas`` package 2.0.2 (see ``reports/static/README.md``). The
campaign's country is the one holding most of the list's points (no code table needed), drawn
with its neighbours for context. Nothing is downloaded at run time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPoint, Polygon, mapping, shape
from shapely.ops import unary_union
from shapely.strtree import STRtree
from shapely.validation import make_valid

BOUNDARIES = Path(__file__).resolve().parent / "static" / "ne-countries-50m.topojson.json"
#: Decimal places kept in the page (about 100 m: plenty at the map's country zoom).
DIGITS = 3
#: Points checked against the countries (a sample is enough to pick the country).
SAMPLE = 2_000


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, DIGITS), round(y * sy + ty, DIGITS)))
        out.append(points)
    return out


def _ring(arcs: list[list[tuple[float, float]]], indexes: Sequence[int]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


@lru_cache(maxsize=1)
def countries() -> list[dict[str, Any]]:
    """Every country as a GeoJSON Feature (``id``: ISO 3166-1 numeric, ``properties.name``)."""
    topology = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    features = []
    for geom in topology["objects"]["countries"]["geometries"]:
        if geom.get("type") == "Polygon":
            coords: Any = [[_ring(arcs, r) for r in geom["arcs"]]]
        elif geom.get("type") == "MultiPolygon":
            coords = [[_ring(arcs, r) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        features.append({"type": "Feature", "id": geom.get("id"), "properties": {"name": geom["properties"]["name"]},
                         "geometry": {"type": "MultiPolygon", "coordinates": coords}})
    return features


@lru_cache(maxsize=1)
def _index() -> tuple[STRtree, list[Any]]:
    shapes = [make_valid(shape(f["geometry"])) for f in countries()]
    return STRtree(shapes), shapes


def outlines_for(points: Sequence[tuple[float, float]], margin: float = 2.0) -> dict[str, Any]:
    """The country holding most of ``points`` (lon, lat) and the countries around them.

    Args:
        points: Marker positions as ``(lon, lat)``.
        margin: Degrees added around the points' extent; neighbours are clipped to that box.

    Returns:
        A GeoJSON FeatureCollection; the campaign's country has ``properties.main = true``. Empty
        when there are no points.
    """
    if not points:
        return {"type": "FeatureCollection", "features": []}
    tree, shapes = _index()
    step = max(1, len(points) // SAMPLE)
    sample = MultiPoint(list(points[::step]))
    hits: dict[int, int] = {}
    for point in sample.geoms:
        for i in tree.query(point, predicate="intersects"):
            hits[int(i)] = hits.get(int(i), 0) + 1
    main = max(hits, key=lambda i: hits[i]) if hits else None
    minx, miny, maxx, maxy = sample.bounds
    box = Polygon.from_bounds(minx - margin, miny - margin, maxx + margin, maxy + margin)
    around = {int(i) for i in tree.query(box, predicate="intersects")} | ({main} if main is not None else set())
    feats, out = countries(), []
    for i in sorted(around, key=lambda i: (i == main, i)):
        geometry = feats[i]["geometry"] if i == main else _clipped(shapes[i], box)
        if geometry and geometry["coordinates"]:
            out.append({**feats[i], "geometry": geometry, "properties": {**feats[i]["properties"], "main": i == main}})
    return {"type": "FeatureCollection", "features": out}


def _clipped(country: Any, box: Polygon) -> dict[str, Any] | None:
    """A neighbour clipped to the box: its polygons only, as plain lists with :data:`DIGITS` decimals."""
    part = country.intersection(box)
    polygons = [g for g in getattr(part, "geoms", [part]) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        return None
    geometry = mapping(unary_union(polygons))

    def walk(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, DIGITS)
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
