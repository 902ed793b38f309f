"""Which coordinate reference systems put a register's points inside its country.

The kit never applies a CRS it guessed: these candidates are *suggested* (by ``wlkit init`` and
by ingest's diagnoses) for a person to confirm. Candidates come from PROJ's own database (the
``proj.db`` pyproj ships): every projected EPSG CRS whose area of use meets the country's extent.
Each is tried on a sample of the points and ranked by how many points it puts inside the
country, then inside its own area of use, then by whether that area is named after the country
(SWEREF 99 TM's area is "Sweden", UTM zone 33N's is a 6° strip of the world), then by the smaller
area. Country extents come from the same database (``extent`` table, e.g. EPSG area 1226
"Switzerland"), country names from Babel's CLDR data.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyproj
from babel import Locale
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_crs_info
from pyproj.enums import PJType
from pyproj.exceptions import CRSError, ProjError

from modeling.geo import in_bbox

logger = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]

#: Extent names in the EPSG database that are not the CLDR English name of the country.
_EXTENT_NAMES = {"GB": "UK", "US": "USA", "CZ": "Czechia", "KR": "Korea, Republic of (South Korea)",
                 "RU": "Russian Federation", "VN": "Vietnam", "BO": "Bolivia", "IR": "Iran"}
#: How many points are tried per candidate (a random but reproducible sample).
SAMPLE = 400


@dataclass(frozen=True)
class CrsCandidate:
    """One CRS that would place the points: its code, name and how well it fits."""

    code: str
    name: str
    inside: float
    in_area: float
    area_name: str

    def describe(self) -> str:
        """``EPSG:2056 (CH1903+ / LV95): 100% of the points inside``."""
        return f"{self.code} ({self.name}): {self.inside:.0%} of the points inside"


def country_name(iso: str, language: str = "en") -> str:
    """The country's name for an ISO 3166-1 alpha-2 code (``CH`` → ``Switzerland``)."""
    return str(Locale(language).territories.get(iso.upper(), iso.upper()))


@lru_cache(maxsize=64)
def country_extent(iso: str) -> BBox | None:
    """The country's (min_lon, min_lat, max_lon, max_lat) from PROJ's EPSG extents, or None.

    The whole extent (offshore included: lighthouses, wrecks, marine reserves), else onshore.

    Args:
        iso: ISO 3166-1 alpha-2 code.
    """
    name = _EXTENT_NAMES.get(iso.upper(), country_name(iso))
    path = os.path.join(pyproj.datadir.get_data_dir(), "proj.db")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT west_lon, south_lat, east_lon, north_lat FROM extent WHERE auth_name='EPSG' "
            "AND deprecated=0 AND name IN (?, ?) ORDER BY name = ? DESC LIMIT 1",
            (name, f"{name} - onshore", name)).fetchone()
    if row is None or None in row:
        return None
    west, south, east, north = (float(v) for v in row)
    if west > east:  # crosses the antimeridian: not handled by a simple box
        return None
    return west, south, east, north


def guess_country(lon: np.ndarray, lat: np.ndarray) -> str | None:
    """The ISO code of the smallest country extent holding most points (degrees), or None.

    Extents are the EPSG database's country-level areas; a guess for ``wlkit init`` to show
    and a person to confirm, never used silently.
    """
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return None
    isos = {name: iso for iso, name in Locale("en").territories.items() if len(iso) == 2}
    isos.update({name: iso for iso, name in _EXTENT_NAMES.items()})
    path = os.path.join(pyproj.datadir.get_data_dir(), "proj.db")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT name, west_lon, south_lat, east_lon, north_lat FROM extent WHERE "
                          "auth_name='EPSG' AND deprecated=0 AND west_lon IS NOT NULL AND "
                          "west_lon <= east_lon").fetchall()
    best: tuple[float, str] | None = None
    for name, west, south, east, north in rows:
        if name not in isos:
            continue
        share = in_bbox(lon[ok], lat[ok], (west, south, east, north)).mean()
        size = (east - west) * (north - south)
        if share >= 0.9 and (best is None or size < best[0]):
            best = (size, isos[name])
    return best[1] if best else None


def _sample(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    x, y = x[ok], y[ok]
    if len(x) > SAMPLE:
        pick = np.random.default_rng(0).choice(len(x), SAMPLE, replace=False)
        x, y = x[pick], y[pick]
    return x, y


def _try(code: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            crs = CRS.from_user_input(code)
            # To the CRS's own geographic base: no datum shift to look up (fast), and the
            # metres a datum shift would move a point do not matter for "inside the country".
            tr = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
            lon, lat = tr.transform(x, y, errcheck=False)
    except (CRSError, ProjError):
        return None
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def crs_candidates(x: np.ndarray, y: np.ndarray, bbox: BBox, *, country: str | None = None,
                   limit: int = 5, min_inside: float = 0.8) -> list[CrsCandidate]:
    """Projected CRSs that put the points (x = easting, y = northing) inside ``bbox``.

    Args:
        x: eastings as the register gives them.
        y: northings.
        bbox: the country's (min_lon, min_lat, max_lon, max_lat).
        country: the country's English name, to prefer CRSs whose area of use is named after it.
        limit: at most this many candidates.
        min_inside: the share of points a candidate must put inside the country.

    Returns:
        The best candidates first (empty when none fits).
    """
    xs, ys = _sample(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"))
    if len(xs) == 0:
        return []
    infos = query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS,
                           area_of_interest=AreaOfInterest(*bbox), contains=False)
    scored, seen = [], set()
    for info in infos:
        if info.deprecated or info.area_of_use is None or info.code in seen:
            continue
        seen.add(info.code)
        got = _try(f"EPSG:{info.code}", xs, ys)
        if got is None:
            continue
        inside = float(in_bbox(got[0], got[1], bbox).mean())
        if inside < min_inside:
            continue
        area = info.area_of_use
        in_area = float(in_bbox(got[0], got[1], (area.west, area.south, area.east, area.north))
                        .mean())
        named = bool(country) and str(country).lower() in (area.name or "").lower()
        size = (area.east - area.west) * (area.north - area.south)
        key = (-round(inside, 2), -round(in_area, 2), not named, size, int(info.code))
        scored.append((key, CrsCandidate(f"EPSG:{info.code}", info.name, inside, in_area,
                                         area.name or "")))
    scored.sort(key=lambda kv: kv[0])
    return [c for _, c in scored[:limit]]


def swapped_candidates(x: np.ndarray, y: np.ndarray, bbox: BBox, *, country: str | None = None,
                       limit: int = 3) -> list[CrsCandidate]:
    """Like :func:`crs_candidates` for the columns read the other way round (y, x)."""
    return crs_candidates(y, x, bbox, country=country, limit=limit)
