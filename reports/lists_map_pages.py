"""Campaign lists: the map of a large campaign as pages a browser opens at once.

One page with every marker stops being usable well before a national register's size (about
80 bytes and one Leaflet layer per monument: 80 MB at 10⁶). Above :data:`SINGLE_MAP_MAX` points
the map becomes a small tree of pages, each bounded:

* the national page carries counts per grid cell (:class:`Grid`, at most about
  :data:`GRID_CELLS`² cells, filled one point at a time) and links to one page per region;
* a region page carries that region's markers, or, for a region above the limit, its own counts
  per cell and links to parts of it, cut by :func:`tiles` into boxes of at most
  :data:`SINGLE_MAP_MAX` points each.

Every monument with coordinates is on exactly one part of each of its regions. Plain data in,
plain data out; :mod:`reports.lists_map` renders the pages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reports.lists_fold import Section

#: Largest number of markers on one map page (a campaign up to this size keeps one map).
SINGLE_MAP_MAX = 20_000
#: Cells along the longer side of an overview's extent (the grid step is the next round value).
GRID_CELLS = 100
#: Round grid steps in degrees, smallest first.
STEPS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
#: Pages a cell's popup links to (the most populated first; the page's list holds them all).
CELL_LINKS = 8


@dataclass
class MapPage:
    """One page of markers: a whole region, or one part of a region above the limit."""

    file: str
    title: str
    rows: list[dict[str, Any]] = field(repr=False)

    @property
    def bounds(self) -> list[list[float]]:
        """``[[south, west], [north, east]]`` of the page's points."""
        lats, lons = [r["lat"] for r in self.rows], [r["lon"] for r in self.rows]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]


@dataclass
class RegionMap:
    """A region of the map: its page (markers, or an overview of its parts) and its parts."""

    section: Section = field(repr=False)
    file: str
    parts: list[MapPage] = field(repr=False)

    @property
    def points(self) -> int:
        """Markers of the region (its monuments with coordinates)."""
        return sum(len(p.rows) for p in self.parts)


def located(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with coordinates (those drawn on a map)."""
    return [r for r in rows if r["lat"] is not None]


def tiles(rows: Sequence[dict[str, Any]], max_points: int) -> list[list[dict[str, Any]]]:
    """Cut points into boxes of at most ``max_points`` each (sort-tile-recursive).

    The points are sorted west to east and cut into ``s`` vertical strips of equal count, each
    strip sorted south to north and cut into pieces of at most ``max_points``, with ``s`` the
    square root of the number of pieces needed: boxes of about equal count and near-square in
    count, each a compact area a user can open from the region's overview.

    Args:
        rows: Points (``lat``, ``lon`` set).
        max_points: Largest box.

    Returns:
        The boxes, strips west to east, each south to north; one box when ``rows`` fits.
    """
    if len(rows) <= max_points:
        return [list(rows)]
    pieces = math.ceil(len(rows) / max_points)
    strips = math.ceil(math.sqrt(pieces))
    per_strip = math.ceil(pieces / strips) * max_points
    by_lon = sorted(rows, key=lambda r: (r["lon"], r["lat"], r["item"]))
    out: list[list[dict[str, Any]]] = []
    for start in range(0, len(by_lon), per_strip):
        strip = sorted(by_lon[start:start + per_strip], key=lambda r: (r["lat"], r["lon"], r["item"]))
        size = math.ceil(len(strip) / math.ceil(len(strip) / max_points))
        out.extend(strip[i:i + size] for i in range(0, len(strip), size))
    return out


def plan_regions(secs: Sequence[Section], max_points: int) -> list[RegionMap]:
    """One :class:`RegionMap` per section with points; file names relative to the map folder.

    A region within the limit is one page ``<slug>.html``; a larger one gets an overview
    ``<slug>.html`` and parts ``<slug>-1.html`` … named "<region>, part i of n".
    """
    out = []
    for sec in secs:
        boxes = tiles(located(sec.rows), max_points)
        if not boxes[0]:
            continue
        if len(boxes) == 1:
            parts = [MapPage(f"{sec.slug}.html", sec.label, boxes[0])]
        else:
            parts = [MapPage(f"{sec.slug}-{i}.html", f"{sec.label}, part {i} of {len(boxes)}", box)
                     for i, box in enumerate(boxes, 1)]
        out.append(RegionMap(sec, f"{sec.slug}.html", parts))
    return out


def grid_step(rows: Sequence[dict[str, Any]], cells: int = GRID_CELLS) -> float:
    """The smallest round step (:data:`STEPS`) giving at most ``cells`` cells along the longer side."""
    if not rows:
        return STEPS[-1]
    lats, lons = [r["lat"] for r in rows], [r["lon"] for r in rows]
    span = max(max(lats) - min(lats), max(lons) - min(lons))
    return next((s for s in STEPS if span / s <= cells), STEPS[-1])


class Grid:
    """Monuments per grid cell (cell ``(i, j)`` spans ``i·step`` to ``(i+1)·step`` degrees of
    latitude, ``j·step`` … of longitude), filled one point at a time, and the pages holding them."""

    def __init__(self, step: float) -> None:
        self.step = step
        self._cells: dict[tuple[int, int], list[int]] = {}
        self._pages: dict[tuple[int, int], dict[int, int]] = {}

    def _key(self, row: dict[str, Any]) -> tuple[int, int]:
        return math.floor(row["lat"] / self.step), math.floor(row["lon"] / self.step)

    def add(self, row: dict[str, Any]) -> None:
        """Count one monument (each once, even when it is in two regions)."""
        cell = self._cells.setdefault(self._key(row), [0, 0])
        cell[0] += 1
        cell[1] += row["image"] is not None

    def link(self, row: dict[str, Any], page: int) -> None:
        """Record that page number ``page`` shows ``row``."""
        pages = self._pages.setdefault(self._key(row), {})
        pages[page] = pages.get(page, 0) + 1

    def doc(self, pages: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """The page's data: ``{"step", "pages": [[href, title]], "cells": [[i, j, monuments,
        with_photo, [[page, count]…], more_pages]]}``, at most :data:`CELL_LINKS` links a cell,
        most populated first."""
        cells = []
        for key, (n, with_image) in sorted(self._cells.items()):
            ranked = sorted(self._pages.get(key, {}).items(), key=lambda pc: (-pc[1], pc[0]))
            cells.append([key[0], key[1], n, with_image, [list(pc) for pc in ranked[:CELL_LINKS]],
                          max(0, len(ranked) - CELL_LINKS)])
        return {"step": self.step, "pages": [list(p) for p in pages], "cells": cells}
