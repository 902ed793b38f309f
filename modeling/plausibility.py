"""Is each point near its administrative unit? Flags records for review (issue 15 §4).

A record geocoded to a town of the same name 300 km away passed every check, because only the
country's bounding box was looked at. Here each plan's coordinates (P625) are compared with the
coordinates of the admin unit it is placed in (P131): farther than
``mapping.located_in.max_distance_km`` and the record is listed for review in
``03_plan/preflight.json`` (``far_from_unit``). Not a blocker: large municipalities exist, and a
person decides. Pure logic: the unit coordinates are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

Json = dict[str, Any]
EARTH_RADIUS_KM = 6371.0088


def _first_value(entity: Json, prop: str) -> Any:
    for st in (entity.get("claims") or {}).get(prop, []):
        snak = st.get("mainsnak") or {}
        if snak.get("snaktype") == "value":
            return (snak.get("datavalue") or {}).get("value")
    return None


def record_units(plans: Iterable[Json]) -> Iterator[tuple[str, str, float, float]]:
    """``(source_id, unit QID, lat, lon)`` of each plan that has both P131 and P625."""
    for plan in plans:
        entity = plan.get("desired") or plan.get("data") or {}
        unit, point = _first_value(entity, "P131"), _first_value(entity, "P625")
        if isinstance(unit, dict) and isinstance(point, dict) and unit.get("id"):
            yield (str(plan.get("source_id")), str(unit["id"]), float(point["latitude"]),
                   float(point["longitude"]))


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
