"""Coordinate reference systems and vectorised geometry helpers for ingest.

Everything here works on whole arrays (NumPy / shapely 2 ufuncs / one pyproj ``Transformer``
call), never point by point. Axis order is always x/y = easting/northing = lon/lat
(``always_xy=True``), whatever the CRS definition says.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from core.errors import InputError

logger = logging.getLogger(__name__)

WGS84 = "EPSG:4326"

#: Degrees may exceed ±180/±90 by this much (rounding in exports) before numbers "look projected".
_DEGREE_SLACK = 1e-6


def parse_crs(text: str, *, file: str | None = None) -> CRS:
    """Parse a CRS given as ``EPSG:3006``, ``3006``, a URN, WKT or PROJ string.

    Args:
        text: the CRS as the user or the campaign file wrote it.
        file: the input file, named in the error.

    Returns:
        The pyproj CRS.

    Raises:
        InputError: when pyproj cannot understand it.
    """
    value = text.strip()
    if value.isdigit():
        value = f"EPSG:{value}"
    try:
        return CRS.from_user_input(value)
    except CRSError as exc:
        raise InputError(
            f"crs should be a coordinate reference system like EPSG:3006, got {text!r} ({exc})",
            file=file,
        ) from None


def crs_label(crs: CRS | None) -> str | None:
    """A short name for a CRS: ``EPSG:3006`` when it has an EPSG code, else its name."""
    if crs is None:
        return None
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else crs.name


@lru_cache(maxsize=32)
def _transformer(src_wkt: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(src_wkt), dst, always_xy=True)


def to_wgs84(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Reproject coordinate arrays to WGS84 longitude/latitude in one call.

    Args:
        x: eastings (or longitudes) as float64; NaN allowed.
        y: northings (or latitudes).
        crs: the CRS of ``x``/``y``.

    Returns:
        ``(lon, lat)`` float64 arrays; non-finite where the transformation failed.
    """
    if crs.equals(CRS.from_epsg(4326)):
        return np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    transformer = _transformer(crs.to_wkt(), WGS84)
    lon, lat = transformer.transform(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"),
                                     errcheck=False)
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def degree_range(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where (x, y) can be a longitude/latitude pair."""
    inside: np.ndarray = (np.abs(x) <= 180 + _DEGREE_SLACK) & (np.abs(y) <= 90 + _DEGREE_SLACK)
    return inside


def looks_projected(x: np.ndarray, y: np.ndarray) -> bool:
    """Whether coordinates that claim to be degrees are more likely metres of a projected CRS.

    True when most finite, non-zero pairs are far outside the longitude/latitude range (beyond
    ±360, so a latitude typo like 95 is not mistaken for metres). A few stray values are not
    enough: they are per-row errors, reported as rejects.
    """
    ok = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if not ok.any():
        return False
    far = ~degree_range(x[ok], y[ok]) & (np.maximum(np.abs(x[ok]), np.abs(y[ok])) > 360)
    return bool(far.mean() > 0.5)


def projected_hint(x: np.ndarray, y: np.ndarray) -> str:
    """Describe the coordinate ranges for a "give --crs" error message."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return "no finite coordinates"
    return (f"x {np.nanmin(x[ok]):,.0f}…{np.nanmax(x[ok]):,.0f}, "
            f"y {np.nanmin(y[ok]):,.0f}…{np.nanmax(y[ok]):,.0f}")


def in_bbox(lon: np.ndarray, lat: np.ndarray,
            bbox: tuple[float, float, float, float]) -> np.ndarray:
    """True where the point lies in ``bbox`` = (min_lon, min_lat, max_lon, max_lat)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    return (lon >= min_lon) & (lon <= max_lon) & (lat >= min_lat) & (lat <= max_lat)


def equal_area_crs(lon: float, lat: float) -> CRS:
    """A Lambert azimuthal equal-area CRS centred on (lon, lat): exact areas, little distortion."""
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m +no_defs")


def polygon_stats(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centroid (inside the shape) and area for WGS84 polygons, vectorised.

    The centroid is computed in a local equal-area projection; when it falls outside its own
    polygon (a crescent, a multipolygon of islands) the representative point
    (``point_on_surface``) is used instead, so the point always lies inside the area.

    Args:
        geoms: shapely geometries in EPSG:4326 (points and None allowed: they get NaN).

    Returns:
        ``(centroid_lon, centroid_lat, area_m2)`` float64 arrays.
    """
    n = len(geoms)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    area = np.full(n, np.nan)
    poly = np.zeros(n, dtype=bool)
    present = ~shapely.is_missing(geoms)
    poly[present] = np.isin(shapely.get_type_id(geoms[present]), (3, 6))  # Polygon, MultiPolygon
    poly &= ~shapely.is_empty(geoms)
    if not poly.any():
        return lon, lat, area
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[poly])
    laea = equal_area_crs((xmin + xmax) / 2, (ymin + ymax) / 2)
    fwd = Transformer.from_crs(WGS84, laea, always_xy=True)
    back = Transformer.from_crs(laea, WGS84, always_xy=True)
    projected = shapely.transform(geoms[poly], lambda xy: np.column_stack(
        fwd.transform(xy[:, 0], xy[:, 1])))
    area[poly] = shapely.area(projected)
    cent = shapely.centroid(projected)
    shapely.prepare(projected)
    outside = ~shapely.contains(projected, cent)
    if outside.any():
        cent[outside] = shapely.point_on_surface(projected[outside])
    clon, clat = back.transform(shapely.get_x(cent), shapely.get_y(cent))
    lon[poly], lat[poly] = clon, clat
    return lon, lat, area
