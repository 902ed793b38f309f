"""Is each point near its administrative unit? Flags records for review (issue 15 §4).

A record geocoded to a town of the same name 300 km away passed every check, because only the
country's bounding box was looked at. Here each plan's coordinates (P625) are compared with the
coordinates of the admin unit it is placed in (P131): farther than
``mapping.located_in.max_distance_km`` and the record is listed for review in
``03_plan/preflight.json`` (``far_from_unit``). Not a blocker: large municipalities exist, and a
person decides. Pure logic: the unit coordinates are passed in.

The plan store keeps each plan's unit and point as columns (``unit``, ``lat``, ``lon``,
:mod:`modeling.plan_index`): :func:`located_units` and :func:`far_from_located` read them in
Arrow batches, vectorised; :func:`record_units` takes decoded plans (a ``plans.jsonl``, or a store
an older version wrote).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from modeling.plan_index import location

Json = dict[str, Any]
EARTH_RADIUS_KM = 6371.0088
#: The plan store columns :func:`located_units` and :func:`far_from_located` read.
LOCATION_COLUMNS = ["source_id", "unit", "lat", "lon"]


def record_units(plans: Iterable[Json]) -> Iterator[tuple[str, str, float, float]]:
    """``(source_id, unit QID, lat, lon)`` of each plan that has both P131 and P625."""
    for plan in plans:
        unit, lat, lon = location(plan)
        if unit is not None and lat is not None and lon is not None:
            yield str(plan.get("source_id")), unit, lat, lon


def _located(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The rows of a :data:`LOCATION_COLUMNS` batch with a unit and a point."""
    has = pc.and_(pc.is_valid(batch.column("unit")),
                  pc.and_(pc.is_valid(batch.column("lat")), pc.is_valid(batch.column("lon"))))
    return batch.filter(has)


def located_units(batches: Iterable[pa.RecordBatch]) -> set[str]:
    """The units of the plans that have both P131 and P625 (store columns, see module doc)."""
    units: set[str] = set()
    for batch in batches:
        units.update(pc.unique(_located(batch).column("unit")).to_pylist())
    return units


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                 lon2: np.ndarray) -> np.ndarray:
    """Great-circle distances in km, vectorised."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))), dtype=float)


def far_from_units(pairs: list[tuple[str, str, float, float]],
                   unit_points: Mapping[str, tuple[float, float]], max_km: float) -> list[Json]:
    """Records farther than ``max_km`` from their unit's coordinates, farthest first.

    Args:
        pairs: from :func:`record_units`.
        unit_points: unit QID → (lat, lon); units without coordinates are skipped.
        max_km: the distance beyond which a record is flagged.

    Returns:
        ``{"source_id", "unit", "km"}`` rows.
    """
    known = [p for p in pairs if p[1] in unit_points]
    if not known:
        return []
    lat = np.array([p[2] for p in known])
    lon = np.array([p[3] for p in known])
    ulat = np.array([unit_points[p[1]][0] for p in known])
    ulon = np.array([unit_points[p[1]][1] for p in known])
    km = haversine_km(lat, lon, ulat, ulon)
    far = np.flatnonzero(km > max_km)
    rows = [{"source_id": known[i][0], "unit": known[i][1], "km": round(float(km[i]), 1)}
            for i in far]
    return sorted(rows, key=lambda r: -r["km"])


def far_from_located(batches: Iterable[pa.RecordBatch],
                     unit_points: Mapping[str, tuple[float, float]], max_km: float) -> list[Json]:
    """:func:`far_from_units` over :data:`LOCATION_COLUMNS` batches of the plan store, vectorised
    (memory: one batch and the flagged rows)."""
    names = sorted(unit_points)
    if not names:
        return []
    wanted = pa.array(names, pa.string())
    ulat = np.array([unit_points[u][0] for u in names], dtype=float)
    ulon = np.array([unit_points[u][1] for u in names], dtype=float)
    rows: list[Json] = []
    for batch in batches:
        located = _located(batch)
        index = pc.index_in(located.column("unit"), value_set=wanted)
        known = located.filter(pc.is_valid(index))
        at = index.drop_null().to_numpy()
        km = haversine_km(known.column("lat").to_numpy(), known.column("lon").to_numpy(),
                          ulat[at], ulon[at])
        far = pa.array(np.flatnonzero(km > max_km))
        rows += [{"source_id": s, "unit": u, "km": round(k, 1)} for s, u, k in zip(
            known.column("source_id").take(far).to_pylist(),
            known.column("unit").take(far).to_pylist(), km[far.to_numpy()].tolist(), strict=True)]
    return sorted(rows, key=lambda r: -r["km"])
