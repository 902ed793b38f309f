"""A grid index over the store's coordinate literals, for ``wikibase:around`` / ``wikibase:box``.

WDQS answers its geographic services from a geospatial index; without one the endpoint would
test every coordinate of the store against every center or box (a full scan per request). This
index keeps every triple whose object is a ``geo:wktLiteral`` on Earth in cells of
:data:`CELL_DEG` degrees, per predicate, so a lookup reads only the cells around the asked
area and tests the few points in them exactly (the same great-circle distance and box test as
the rewrite's ``FILTER``, :mod:`sandbox.wdqs_functions`).

Upkeep: built from the store on the first lookup or before the first bulk load (one scan
inside the store); then :class:`sandbox.graph.EntityGraph` hands it each entity graph swap and
each bulk-loaded entity as it applies it, and
anything else that changes the store (``/admin/load``, ``/admin/unload``, a rebuild)
invalidates it, so the next lookup rebuilds it. Every change and lookup holds :attr:`lock`.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from typing import NamedTuple, cast

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Store, Triple

from sandbox.wdqs_functions import EARTH_RADIUS_KM, GEO_WKT, great_circle_km, in_box, wkt_point

#: Side of a grid cell in degrees (about 11 km north–south).
CELL_DEG = 0.1
_WKT = NamedNode(GEO_WKT)
_SCAN = f"""SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isLITERAL(?o) && DATATYPE(?o) = <{GEO_WKT}>) }}"""
_SCAN_NAMED = f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o
  FILTER(isLITERAL(?o) && DATATYPE(?o) = <{GEO_WKT}>) }} }}"""
_SCAN_GRAPH = """SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o
  FILTER(isLITERAL(?o) && DATATYPE(?o) = <{wkt}>) }} }}"""


class GeoHit(NamedTuple):
    """One indexed triple ``subject predicate location``: terms in N-Triples syntax, the point."""

    subject: str
    location: str
    lon: float
    lat: float
    blank: bool = False


_Entry = tuple[str, GeoHit]  # (predicate IRI, hit)


class SpatialIndex:
    """Coordinate literals of one store by predicate and grid cell (see the module doc)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.RLock()
        self._grid: dict[tuple[str, int, int], dict[GeoHit, int]] | None = None
        self._graphs: dict[str, list[_Entry]] = {}

    def holds(self, graph: str) -> bool:
        """Whether entries of ``graph`` are indexed."""
        with self.lock:
            return graph in self._graphs

    def invalidate(self) -> None:
        """Forget everything; the next lookup rebuilds from the store."""
        with self.lock:
            self._grid, self._graphs = None, {}

    def refresh_graph(self, graph: str) -> None:
        """Re-read graph ``graph`` from the store (after a load into it); builds if unbuilt.

        Building here, at load time, spares the first geographic query the scan (WDQS too
        indexes coordinates as it loads them).
        """
        with self.lock:
            if self._grid is None:
                self._built()
                return
            for pred, hit in self._graphs.pop(graph, []):
                self._remove(pred, hit)
            scan = _SCAN_GRAPH.format(graph=graph, wkt=GEO_WKT)
            for sol in cast(QuerySolutions, self.store.query(scan)):
                self._load_row(graph, sol["s"], sol["p"], sol["o"])

    def build(self) -> None:
        """Build the index now if it is unbuilt (one scan of the store), so that what is loaded
        next is indexed as it arrives (:meth:`sandbox.graph.EntityGraph.insert_new`) and the
        first geographic query after a bulk seed does not wait for a scan of everything."""
        with self.lock:
            self._built()

    def set_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        """Graph ``graph`` now holds ``triples``: replace its entries (no-op while unbuilt)."""
        with self.lock:
            if self._grid is None:
                return
            for pred, hit in self._graphs.pop(graph, []):
                self._remove(pred, hit)
            entries = [e for t in triples if (e := _entry(t.subject, t.predicate, t.object))]
            for pred, hit in entries:
                self._add(pred, hit)
            if entries:
                self._graphs[graph] = entries

    @staticmethod
    def point(wkt: str) -> tuple[float, float] | None:
        """(lon, lat) of a WKT point text on Earth, else None."""
        return wkt_point(wkt)

    def within(self, predicate: str, center: tuple[float, float], radius_km: float
               ) -> list[tuple[GeoHit, float]]:
        """Hits of ``predicate`` at most ``radius_km`` from ``center`` (lon, lat), with distance."""
        lon, lat = center
        dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
        coslat = math.cos(math.radians(min(abs(lat) + dlat, 90.0)))
        dlon = 360.0 if coslat < 1e-9 else min(360.0, dlat / coslat)
        out = []
        for hit in self._candidates(predicate, lat - dlat, lat + dlat, lon - dlon, lon + dlon):
            dist = great_circle_km(hit.lon, hit.lat, lon, lat)
            if dist <= radius_km:
                out.append((hit, dist))
        return out

    def in_box(self, predicate: str, a: tuple[float, float], b: tuple[float, float], mode: str
               ) -> list[GeoHit]:
        """Hits of ``predicate`` in the box of corners ``a``/``b`` (as ``wikibase:box``)."""
        if mode == "sw-ne":
            south, north, west, east = a[1], b[1], a[0], b[0]
        else:
            south, north, west, east = min(a[1], b[1]), max(a[1], b[1]), a[0], b[0]
        spans = [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]
        found: dict[GeoHit, None] = {}
        for w, e in spans:
            for hit in self._candidates(predicate, south, north, w, e):
                if in_box((hit.lon, hit.lat), a, b, mode):
                    found[hit] = None
        return list(found)

    def _candidates(self, predicate: str, south: float, north: float, west: float, east: float
                    ) -> list[GeoHit]:
        """Every hit of ``predicate`` in the cells meeting the box (wrapping at ±180°)."""
        with self.lock:
            grid = self._built()
            y0, y1 = _cell(max(south, -90.0)), _cell(min(north, 90.0))
            if east - west >= 360.0:
                xs: Iterable[int] = range(_cell(-180.0), _cell(180.0) + 1)
            else:
                x0, x1 = _cell(_wrap(west)), _cell(_wrap(east))
                xs = range(x0, x1 + 1) if x0 <= x1 else [*range(x0, _cell(180.0) + 1),
                                                         *range(_cell(-180.0), x1 + 1)]
            out: dict[GeoHit, None] = {}
            for x in xs:
                for y in range(y0, y1 + 1):
                    out.update(dict.fromkeys(grid.get((predicate, x, y), ())))
            return list(out)

    def _built(self) -> dict[tuple[str, int, int], dict[GeoHit, int]]:
        if self._grid is None:
            self._grid, self._graphs = {}, {}
            for sol in cast(QuerySolutions, self.store.query(_SCAN_NAMED)):
                self._load_row(sol["g"].value, sol["s"], sol["p"], sol["o"])
            for sol in cast(QuerySolutions, self.store.query(_SCAN)):
                self._load_row("", sol["s"], sol["p"], sol["o"])
        return self._grid

    def _load_row(self, graph: str, s: object, p: object, o: object) -> None:
        entry = _entry(s, p, o)
        if entry:
            self._graphs.setdefault(graph, []).append(entry)
            self._add(*entry)

    def _add(self, pred: str, hit: GeoHit) -> None:
        assert self._grid is not None
        cell = self._grid.setdefault((pred, _cell(hit.lon), _cell(hit.lat)), {})
        cell[hit] = cell.get(hit, 0) + 1  # the same triple may sit in several graphs

    def _remove(self, pred: str, hit: GeoHit) -> None:
        assert self._grid is not None
        key = (pred, _cell(hit.lon), _cell(hit.lat))
        cell = self._grid.get(key, {})
        if cell.get(hit, 0) > 1:
            cell[hit] -= 1
        else:
            cell.pop(hit, None)
            if not cell:
                self._grid.pop(key, None)


def has_coordinates(triples_by_node: dict[str, list[Triple]]) -> bool:
    """Whether any of the triples has a WKT point object."""
    return any(_entry(t.subject, t.predicate, t.object)
               for triples in triples_by_node.values() for t in triples)


def _entry(s: object, p: object, o: object) -> _Entry | None:
    """(predicate, hit) of a triple whose object is a WKT point on Earth, else None."""
    if not (isinstance(o, Literal) and o.datatype == _WKT and isinstance(p, NamedNode)):
        return None
    text = o.value
    point: tuple[float, float] | None = None
    if text.startswith("Point(") and text.endswith(")"):  # the usual form, read without regex
        try:
            lon, lat = text[6:-1].split()
            point = float(lon), float(lat)
        except ValueError:
            point = None
    if point is None:
        point = wkt_point(text)
    if point is None or not isinstance(s, (NamedNode, BlankNode)):
        return None
    return p.value, GeoHit(str(s), str(o), point[0], point[1], isinstance(s, BlankNode))


def _cell(deg: float) -> int:
    return math.floor(deg / CELL_DEG)


def _wrap(lon: float) -> float:
    return ((lon + 180.0) % 360.0) - 180.0 if not -180.0 <= lon <= 180.0 else lon
