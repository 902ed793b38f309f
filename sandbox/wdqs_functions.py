"""Functions behind the rewritten WDQS services (labels, around, box) and ``geof:distance``.

:func:`custom_functions` binds them to one pyoxigraph store; they read labels and coordinate
value nodes straight from it. Distances are great-circle kilometres on Earth (WDQS's unit).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from pyoxigraph import Literal, NamedNode, Store

from sandbox.wdqs_services import FN, RDFS_LABEL, WIKIBASE

GEOF_DISTANCE = "http://www.opengis.net/def/function/geosparql/distance"
XSD = "http://www.w3.org/2001/XMLSchema#"
GEO_WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
EARTH_RADIUS_KM = 6371.0088
_POINT = re.compile(r"^\s*(?:<([^>]*)>\s*)?Point\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$",
                    re.IGNORECASE)
_DESCRIPTION = NamedNode("http://schema.org/description")
_ALT_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
_LAT, _LON = NamedNode(WIKIBASE + "geoLatitude"), NamedNode(WIKIBASE + "geoLongitude")
_GLOBE = NamedNode(WIKIBASE + "geoGlobe")


def great_circle_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance in km between two (lon, lat) points in degrees."""
    lon1, lat1, lon2, lat2 = map(math.radians, (lon1, lat1, lon2, lat2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * \
        math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _on_earth(globe: str | None) -> bool:
    return not globe or globe.rstrip("/").endswith("/Q2")


def _values(store: Store, subject: Any, predicate: NamedNode) -> list[Any]:
    return [q.object for q in store.quads_for_pattern(subject, predicate, None, None)]


def wkt_point(text: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT ``Point(lon lat)`` text on Earth (no globe IRI, or Q2), else None."""
    m = _POINT.match(text)
    if not m or not _on_earth(m.group(1)):
        return None
    return float(m.group(2)), float(m.group(3))


def point_of(store: Store, term: Any) -> tuple[float, float] | None:
    """(lon, lat) of a WKT literal or a ``psv:P625`` value node on Earth, else None."""
    if isinstance(term, Literal):
        return wkt_point(term.value)
    if isinstance(term, NamedNode):
        lat, lon = _values(store, term, _LAT), _values(store, term, _LON)
        globes = _values(store, term, _GLOBE)
        if lat and lon and _on_earth(globes[0].value if globes else None):
            return float(lon[0].value), float(lat[0].value)
    return None


def _languages(langs: Any) -> list[str]:
    return [lang for lang in getattr(langs, "value", "").split(",") if lang]


def _term_in(store: Store, subject: Any, predicate: NamedNode, langs: Any) -> list[Literal]:
    """Literals of ``predicate`` in the first of ``langs`` that has any."""
    if not isinstance(subject, NamedNode):
        return []
    found: dict[str, list[Literal]] = {}
    for obj in _values(store, subject, predicate):
        if isinstance(obj, Literal) and obj.language:
            found.setdefault(obj.language, []).append(obj)
    for lang in _languages(langs):
        if found.get(lang):
            return found[lang]
    return []


def custom_functions(store: Store) -> dict[NamedNode, Callable[..., Any]]:
    """The endpoint's custom SPARQL functions, reading from ``store``."""

    def label(subject: Any, langs: Any) -> Any:
        hits = _term_in(store, subject, NamedNode(RDFS_LABEL), langs)
        if hits:
            return hits[0]
        if isinstance(subject, NamedNode):  # WDQS falls back to the entity id
            return Literal(re.split(r"[/#]", subject.value)[-1])
        return subject if isinstance(subject, Literal) else None

    def description(subject: Any, langs: Any) -> Any:
        hits = _term_in(store, subject, _DESCRIPTION, langs)
        return hits[0] if hits else None

    def alt_label(subject: Any, langs: Any) -> Any:
        hits = _term_in(store, subject, _ALT_LABEL, langs)
        if not hits:
            return None
        return Literal(", ".join(sorted(h.value for h in hits)), language=hits[0].language)

    def distance(a: Any, b: Any, *_units: Any) -> Any:
        pa, pb = point_of(store, a), point_of(store, b)
        if pa is None or pb is None:
            return None
        return Literal(repr(great_circle_km(*pa, *pb)), datatype=NamedNode(XSD + "double"))

    def inbox(loc: Any, a: Any, b: Any, mode: Any) -> Any:
        p, pa, pb = point_of(store, loc), point_of(store, a), point_of(store, b)
        if p is None or pa is None or pb is None:
            return None
        return Literal(in_box(p, pa, pb, getattr(mode, "value", "sw-ne")))

    return {NamedNode(FN + "label"): label, NamedNode(FN + "description"): description,
            NamedNode(FN + "altLabel"): alt_label, NamedNode(FN + "distance"): distance,
            NamedNode(GEOF_DISTANCE): distance, NamedNode(FN + "inbox"): inbox}


def in_box(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float],
            mode: str) -> bool:
    """Whether ``p`` lies in the box of corners ``a``/``b`` (SW/NE, or west/east)."""
    lon, lat = p
    if mode == "sw-ne":
        south, north, west, east = a[1], b[1], a[0], b[0]
    else:
        south, north, west, east = min(a[1], b[1]), max(a[1], b[1]), a[0], b[0]
    if not south <= lat <= north:
        return False
    if west <= east:
        return west <= lon <= east
    return lon >= west or lon <= east  # the box crosses the antimeridian
