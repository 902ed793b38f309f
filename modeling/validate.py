"""Turn a read register into WGS84 records plus a table of rejected rows, vectorised.

Geometry comes from lat/lon (or easting/northing) columns, a WKT column, or the file's own
geometry. The CRS comes from ``source.crs`` (``--crs``) or from the file; projected-looking numbers
without a CRS stop the run with an :class:`~core.errors.InputError` asking for ``--crs``
(the kit never guesses a CRS). Rows that fail a check go to the rejects table
(``source_row, source_id, field, reason, value``) with one of the :data:`REASONS` codes; a row
failing several checks gets one reject line per failure. Every row sharing an id is rejected:
which one is right is for a person to decide.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import CRS

from core.errors import InputError
from modeling.dates import parse_date, parse_dates
from modeling.geo import (
    crs_label,
    in_bbox,
    looks_projected,
    parse_crs,
    projected_hint,
    to_wgs84,
)
from modeling.sources import SourceMeta
from modeling.validate_records import RESERVED as _RESERVED
from modeling.validate_records import date_warnings as _date_warnings
from modeling.validate_records import dissolve_parts as _dissolve
from modeling.validate_records import positions as _positions
from modeling.validate_records import records_frame as _records
from modeling.validate_records import repair_geometries as _repair

__all__ = ["REASONS", "REJECT_COLUMNS", "Validated", "parse_date", "parse_dates", "validate"]

logger = logging.getLogger(__name__)

REJECT_COLUMNS = ["source_row", "source_id", "field", "reason", "value"]

#: Reject reason codes and what they mean (documented in the README, "Ingest").
REASONS = {
    "ragged_row": "the row has a different number of fields than the header",
    "missing_id": "the identifier column is empty",
    "duplicate_id": "the identifier occurs on more than one row (all of them are rejected)",
    "missing_name": "the name column is empty",
    "missing_coordinates": "a coordinate is empty",
    "bad_coordinate": "a coordinate is not a number",
    "zero_coordinates": "both coordinates are 0 (a placeholder for 'no location')",
    "out_of_range": "the coordinates are not a valid position (in that CRS)",
    "swapped_coordinates": "x and y (lon and lat) look swapped: swapped back they are in the country",
    "outside_country": "the position lies outside the country's bounding box",
    "empty_geometry": "the feature has no geometry",
    "bad_geometry": "the WKT could not be parsed",
}


@dataclass
class Validated:
    """Validation output: good records, rejects, and facts for the summary."""

    records: gpd.GeoDataFrame
    rejects: pd.DataFrame
    crs_in: str | None = None
    decimal: str | None = None
    filtered: int = 0
    repaired_geometries: int = 0
    dissolved: int = 0
    warnings: dict[str, int] = field(default_factory=dict)


class _Rejects:
    """Collects reject rows as whole columns (one block per check)."""

    def __init__(self, n: int) -> None:
        self.blocks: list[pd.DataFrame] = []
        self.bad = np.zeros(n, dtype=bool)

    def add(self, mask: np.ndarray, reason: str, fld: str, value: Any, rows: np.ndarray,
            ids: np.ndarray) -> None:
        """Reject the rows in ``mask``; ``value`` is a full-length array/Series, a scalar, or
        a callable returning the values of the masked rows (built only when needed)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if callable(value):
            vals = np.asarray(value(mask), dtype=object)
        elif isinstance(value, (pd.Series, np.ndarray)):
            picked = value[mask] if isinstance(value, np.ndarray) else value.to_numpy()[mask]
            vals = np.asarray(picked, dtype=object)
        else:
            vals = np.full(int(mask.sum()), value, dtype=object)
        self.blocks.append(pd.DataFrame({"source_row": rows[mask], "source_id": ids[mask],
                                         "field": fld, "reason": reason,
                                         "value": pd.Series(vals, dtype=object).astype("str")}))
        self.bad |= mask

    def frame(self, extra: list[pd.DataFrame]) -> pd.DataFrame:
        blocks = [b for b in [*extra, *self.blocks] if len(b)]
        if not blocks:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_row" else "str")
                                 for c in REJECT_COLUMNS})
        out = pd.concat(blocks, ignore_index=True)
        out["source_row"] = out["source_row"].astype("int64")
        return out.sort_values(["source_row", "reason"], kind="stable").reset_index(drop=True)


def _require_columns(frame: pd.DataFrame, source: Any, meta: SourceMeta) -> None:
    wanted = [("id_column", source.id_column), ("name_column", source.name_column)]
    for key in ("lat_column", "lon_column", "wkt_column"):
        if getattr(source, key):
            wanted.append((key, getattr(source, key)))
    wanted += [(f"columns.{k}", v) for k, v in source.columns.items()]
    wanted += [(f"filter.{c}", c) for c in source.filter]
    available = [c for c in frame.columns if c not in {"source_row", "geometry"}]
    clash = sorted(set(source.columns) & _RESERVED)
    if clash:
        raise InputError(f"source.columns keys should not be record column names "
                         f"({', '.join(sorted(_RESERVED))}), got {', '.join(clash)}",
                         file=meta.file, field=clash[0])
    for key, col in wanted:
        if col not in frame.columns:
            near = [c for c in available if c.lower() == col.lower()]
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise InputError(f"column {col!r} (source.{key}) not found{hint}; available columns: "
                             f"{', '.join(available)}", file=meta.file, field=col)
    if not (source.lat_column or source.wkt_column or isinstance(frame, gpd.GeoDataFrame)):
        raise InputError("has no geometry: give lat_column and lon_column (--lat-column/"
                         "--lon-column) or wkt_column (--wkt-column)", file=meta.file)


def detect_decimal(values: pd.Series, sample: int = 5000) -> str:
    """``","`` when most non-empty values look like ``59,33`` (decimal comma), else ``"."``."""
    s = values[values.ne("")].head(sample)
    if s.empty:
        return "."
    arr = pa.array(s.to_numpy(dtype=object), type=pa.string())
    comma = pc.match_substring_regex(arr, r"^\s*[-+]?\d+,\d+\s*$").to_numpy(zero_copy_only=False)
    return "," if comma.mean() > 0.5 else "."


_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"


def to_numbers(values: pd.Series, decimal: str) -> np.ndarray:
    """Parse number strings vectorised (RE2 + cast): spaces (thousands) dropped, decimal comma
    handled; anything else becomes NaN."""
    arr = pa.array(values.to_numpy(dtype=object), type=pa.string())
    arr = pc.replace_substring_regex(arr, "[\\s\u00a0\u202f]", "")
    if decimal == ",":
        arr = pc.replace_substring(arr, ",", ".")
    ok = pc.match_substring_regex(arr, _NUMBER)
    arr = pc.if_else(ok, arr, pa.scalar(None, pa.string()))
    return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")


def _crs_or_fail(given: str | None, x: np.ndarray, y: np.ndarray, meta: SourceMeta,
                 what: str) -> CRS:
    """The CRS to use: the one given, else WGS84 if the numbers are degrees; never a guess."""
    if given:
        crs = parse_crs(given, file=meta.file)
        if crs.is_geographic and looks_projected(x, y):
            raise InputError(
                f"crs {given!r} is in degrees ({crs.name}) but {what} look projected "
                f"({projected_hint(x, y)}); give the projected CRS, e.g. EPSG:3006", file=meta.file)
        return crs
    if looks_projected(x, y):
        raise InputError(
            f"{what} look projected ({projected_hint(x, y)}), not longitude/latitude, and no CRS "
            "is given; give the register's CRS with --crs EPSG:<code> (source.crs), e.g. "
            "EPSG:3006 for SWEREF 99 TM, EPSG:28992 for RD New, EPSG:27700 for British National "
            "Grid",
            file=meta.file)
    return CRS.from_epsg(4326)


def _point_geometry(frame: pd.DataFrame, source: Any, meta: SourceMeta, rej: _Rejects,
                    rows: np.ndarray, ids: np.ndarray,
                    bbox: Any) -> tuple[np.ndarray, dict[str, Any]]:
    xs, ys = frame[source.lon_column], frame[source.lat_column]
    decimal = source.decimal or detect_decimal(pd.concat([xs, ys]))
    x, y = to_numbers(xs, decimal), to_numbers(ys, decimal)
    for col, raw, num in ((source.lon_column, xs, x), (source.lat_column, ys, y)):
        empty = raw.str.strip().eq("").to_numpy()
        rej.add(empty, "missing_coordinates", col, raw, rows, ids)
        rej.add(~empty & np.isnan(num), "bad_coordinate", col, raw, rows, ids)
    crs = _crs_or_fail(source.crs, x, y, meta, f"columns {source.lon_column}/{source.lat_column}")
    finite = np.isfinite(x) & np.isfinite(y)
    def pair(mask: np.ndarray) -> np.ndarray:
        return np.asarray((xs[mask] + " " + ys[mask]).to_numpy(dtype=object), dtype=object)

    zero = finite & (x == 0) & (y == 0)
    rej.add(zero, "zero_coordinates", f"{source.lon_column},{source.lat_column}", pair, rows, ids)
    lon, lat = to_wgs84(x, y, crs)
    valid = finite & ~zero & np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (
        np.abs(lon) <= 180)
    if crs.is_geographic:
        valid &= (np.abs(x) <= 180) & (np.abs(y) <= 90)
    if bbox is not None:
        inside = valid & in_bbox(lon, lat, bbox)
        slon, slat = to_wgs84(y, x, crs)
        swapped = finite & ~zero & ~inside & in_bbox(slon, slat, bbox)
        rej.add(swapped, "swapped_coordinates", f"{source.lon_column},{source.lat_column}", pair,
                rows, ids)
        rej.add(valid & ~inside & ~swapped, "outside_country",
                f"{source.lon_column},{source.lat_column}", pair, rows, ids)
        rej.add(finite & ~zero & ~valid & ~swapped, "out_of_range",
                f"{source.lon_column},{source.lat_column}", pair, rows, ids)
    else:
        rej.add(finite & ~zero & ~valid, "out_of_range",
                f"{source.lon_column},{source.lat_column}", pair, rows, ids)
    geoms = np.full(len(frame), None, dtype=object)
    geoms[valid] = shapely.points(lon[valid], lat[valid])
    return geoms, {"crs_in": crs_label(crs), "decimal": decimal}


def _shape_geometry(geoms: np.ndarray, given_crs: CRS | None, declared: bool, fld: str,
                    meta: SourceMeta, rej: _Rejects, rows: np.ndarray, ids: np.ndarray,
                    raw: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Reproject file/WKT geometries to WGS84; reject missing, empty and unprojectable ones."""
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    bounds = shapely.bounds(geoms)
    if given_crs is None:
        xs = np.concatenate([bounds[:, 0], bounds[:, 2]])
        ys = np.concatenate([bounds[:, 1], bounds[:, 3]])
        why = {"geojson": " (the GeoJSON has no 'crs' member, so RFC 7946 says WGS84)",
               "shapefile": " (the Shapefile has no .prj file, so its CRS is unknown)"}
        what = "geometry coordinates" + ("" if declared else why.get(meta.format, ""))
        crs = _crs_or_fail(None, xs, ys, meta, what)
    else:
        crs = given_crs
    out = geoms.copy()
    if not crs.equals(CRS.from_epsg(4326)):
        out[~missing] = shapely.transform(
            geoms[~missing], lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], crs)))
    b = shapely.bounds(out)
    finite = np.isfinite(b).all(axis=1)
    in_range = (finite & (np.abs(b[:, [0, 2]]) <= 180).all(axis=1)
                & (np.abs(b[:, [1, 3]]) <= 90).all(axis=1))
    rej.add(missing & ~np.isin(raw, ["", "None"]) & (fld != "geometry"), "bad_geometry", fld, raw,
            rows, ids)
    rej.add(missing & ((fld == "geometry") | np.isin(raw, ["", "None"])), "empty_geometry", fld,
            raw, rows, ids)
    rej.add(~missing & ~in_range, "out_of_range", fld, shapely.to_wkt(geoms, rounding_precision=2,
                                                                        trim=True), rows, ids)
    out[missing | ~in_range] = None
    return out, {"crs_in": crs_label(crs)}


def _ragged_rejects(meta: SourceMeta, id_column: str) -> pd.DataFrame:
    if not meta.ragged:
        return pd.DataFrame()
    pos = meta.header.index(id_column) if id_column in meta.header else 0
    ids = []
    for r in meta.ragged:
        parts = str(r["text"]).split(meta.delimiter or ",")
        ids.append(parts[pos].strip().strip('"') if pos < len(parts) else "")
    return pd.DataFrame({
        "source_row": [r["row"] if r["row"] is not None else 0 for r in meta.ragged],
        "source_id": ids, "field": "",
        "reason": "ragged_row",
        "value": [f"expected {r['expected']} fields, got {r['actual']}: {str(r['text'])[:200]}"
                  for r in meta.ragged],
    })


def _filter(frame: pd.DataFrame, source: Any) -> tuple[pd.DataFrame, int]:
    """Keep the rows ``source.filter`` selects; return them and how many were dropped."""
    before = len(frame)
    for col, keep in source.filter.items():
        frame = frame[frame[col].str.strip().isin([str(v) for v in keep])]
    filtered = before - len(frame)
    if filtered:
        logger.info("filter kept %d of %d rows", len(frame), before)
    return frame.reset_index(drop=True), filtered


def _file_geometry(frame: pd.DataFrame, source: Any, meta: SourceMeta, rej: _Rejects,
                   rows: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Geometries from a WKT column or the file itself, reprojected to WGS84."""
    if source.wkt_column:
        raw = frame[source.wkt_column].str.strip().to_numpy(dtype=object)
        geoms = shapely.from_wkt(np.where(raw == "", None, raw), on_invalid="ignore")
        fld, declared, given = source.wkt_column, False, source.crs
    else:
        geoms = np.asarray(frame.geometry.array, dtype=object)
        raw = np.where(shapely.is_missing(geoms), "None", "")
        fld, declared = "geometry", meta.crs_declared
        given = source.crs or (meta.crs_in if declared else None)
        if source.crs and meta.crs_in and declared and parse_crs(source.crs) != frame.crs:
            logger.warning("%s declares %s; using %s as configured", meta.file, meta.crs_in,
                           source.crs)
        if given is None and declared and frame.crs is not None:
            given = frame.crs.to_wkt()
    given_crs = parse_crs(given, file=meta.file) if given else None
    return _shape_geometry(geoms, given_crs, declared, fld, meta, rej, rows, ids, raw)


def validate(frame: pd.DataFrame, meta: SourceMeta, source: Any, *,
             country_bbox: tuple[float, float, float, float] | None = None) -> Validated:
    """Check rows and build WGS84 records.

    Args:
        frame: output of :func:`modeling.sources.read_source`.
        meta: its :class:`~modeling.sources.SourceMeta`.
        source: the campaign ``Source`` (columns, CRS, filter, decimal …).
        country_bbox: (min_lon, min_lat, max_lon, max_lat); points outside are rejected.

    Returns:
        A :class:`Validated` with the records GeoDataFrame (record contract of
        ``modeling.records``) and the rejects frame.

    Raises:
        InputError: a named column is missing, or coordinates look projected and no CRS is given.
    """
    _require_columns(frame, source, meta)
    frame, filtered = _filter(frame, source)
    n = len(frame)
    rows = frame["source_row"].to_numpy(dtype="int64")
    ids_s = frame[source.id_column].str.strip()
    ids = ids_s.to_numpy(dtype=object)
    names = frame[source.name_column].str.strip()
    rej = _Rejects(n)
    empty_id = ids_s.eq("").to_numpy()
    rej.add(empty_id, "missing_id", source.id_column, ids, rows, ids)
    dup = ids_s.duplicated(keep=False).to_numpy() & ~empty_id
    if not getattr(source, "dissolve", False):
        rej.add(dup, "duplicate_id", source.id_column, ids, rows, ids)
    rej.add(names.eq("").to_numpy(), "missing_name", source.name_column, names, rows, ids)

    if source.lat_column:
        geoms, facts = _point_geometry(frame, source, meta, rej, rows, ids, country_bbox)
    else:
        geoms, facts = _file_geometry(frame, source, meta, rej, rows, ids)
    geoms, repaired = _repair(geoms)
    merged = np.zeros(n, dtype=bool)
    if getattr(source, "dissolve", False) and dup.any():
        geoms, merged = _dissolve(ids_s, geoms, dup & ~rej.bad)

    lon, lat, plon, plat, area = _positions(geoms)
    present = ~shapely.is_missing(geoms)
    if country_bbox is not None and not source.lat_column:
        outside = present & ~in_bbox(lon, lat, country_bbox)
        if outside.any():
            where = (pd.Series(lon).round(5).astype(str) + " "
                     + pd.Series(lat).round(5).astype(str))
            rej.add(outside, "outside_country", "geometry", where.to_numpy(dtype=object), rows, ids)

    keep = ~rej.bad & ~merged
    records = _records(frame, source, meta, ids_s, names, geoms, lon, lat, plon, plat, area, keep)
    warnings = _date_warnings(records, source)
    return Validated(records=records, rejects=rej.frame([_ragged_rejects(meta, source.id_column)]),
                     crs_in=facts.get("crs_in"), decimal=facts.get("decimal"), filtered=filtered,
                     repaired_geometries=repaired, dissolved=int(merged.sum()), warnings=warnings)
