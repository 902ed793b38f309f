"""Diagnoses instead of silent emptiness: when most rows fail the same way, say why and how to fix.

A register read with the wrong CRS, with swapped coordinate columns, or with the wrong column
named for the name or the coordinates used to give "0 ok, 6,812 rejected" and an empty dry run.
:func:`diagnose` looks at the rejects after validation: when one reason covers most rows
(:data:`MAJORITY`), it works out the likely cause and the flag that fixes it (trying the
projected CRSs of :mod:`modeling.crs_guess` on the rejected points), and ingest stops with that
message. :func:`projected_hint` adds CRS suggestions to the "give --crs" error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from modeling.crs_guess import BBox, CrsCandidate, crs_candidates, swapped_candidates
from modeling.geo import looks_projected, parse_crs
from modeling.validate import detect_decimal, to_numbers

#: One reject reason on more than this share of the rows stops ingest with a diagnosis.
MAJORITY = 0.5
_COORD_REASONS = ("outside_country", "out_of_range")


@dataclass
class Diagnosis:
    """Why most rows failed, and what to do about it."""

    reason: str
    rows: int
    total: int
    message: str
    fix: str | None = None
    candidates: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """For ``summary.json``."""
        return {"reason": self.reason, "rows": self.rows, "total": self.total,
                "message": self.message, "fix": self.fix, "candidates": self.candidates}


def raw_xy(frame: pd.DataFrame, source: Any) -> tuple[np.ndarray, np.ndarray]:
    """The coordinates as the register gives them (x = easting/longitude), NaN where unusable."""
    if source.lat_column:
        xs, ys = frame[source.lon_column], frame[source.lat_column]
        decimal = source.decimal or detect_decimal(pd.concat([xs, ys]))
        return to_numbers(xs, decimal), to_numbers(ys, decimal)
    if source.wkt_column:
        raw = frame[source.wkt_column].str.strip().to_numpy(dtype=object)
        geoms = shapely.from_wkt(np.where(raw == "", None, raw), on_invalid="ignore")
    elif "geometry" in frame:
        geoms = np.asarray(frame.geometry.array, dtype=object)
    else:
        return np.array([]), np.array([])
    cent = shapely.centroid(geoms)
    return shapely.get_x(cent).astype("float64"), shapely.get_y(cent).astype("float64")


def _where(country: str | None) -> str:
    return country or "the country's bounding box"


def projected_hint(frame: pd.DataFrame, source: Any, bbox: BBox | None,
                   country: str | None) -> str:
    """CRS suggestions for projected-looking coordinates without a CRS (empty when none fits)."""
    if bbox is None:
        return ""
    x, y = raw_xy(frame, source)
    if not looks_projected(x, y):
        return ""
    found = crs_candidates(x, y, bbox, country=country, limit=3)
    if not found:
        return ""
    best = found[0]
    others = "; ".join(c.describe() for c in found[1:])
    return (f"with {best.code} ({best.name}) {best.inside:.0%} of the points fall inside "
            f"{_where(country)}: add --crs {best.code}" + (f" (also possible: {others})"
                                                           if others else ""))


def _coordinate_diagnosis(frame: pd.DataFrame, source: Any, rows: np.ndarray, count: int,
                          total: int, bbox: BBox, country: str | None) -> Diagnosis:
    sub = frame[frame["source_row"].isin(rows)]
    x, y = raw_xy(sub, source)
    head = f"{count:,} of {total:,} points fall outside {_where(country)}"
    current = parse_crs(source.crs).to_epsg() if source.crs else None
    if looks_projected(x, y) or current not in (None, 4326):
        found = [c for c in crs_candidates(x, y, bbox, country=country)
                 if c.code != f"EPSG:{current}"]
        if found:
            return _with_crs(head, found, count, total, "outside_country")
        swapped = swapped_candidates(x, y, bbox, country=country)
        if swapped:
            c = swapped[0]
            return Diagnosis("swapped_coordinates", count, total,
                             f"{head}; with the columns swapped and {c.code} ({c.name}) they fall "
                             f"inside: {_swap_flags(source)} --crs {c.code}",
                             fix=f"{_swap_flags(source)} --crs {c.code}", candidates=[c.code])
    return Diagnosis("outside_country", count, total,
                     f"{head}; check the coordinate columns and the CRS (source.crs, now "
                     f"{source.crs or 'EPSG:4326 by default'}) and country.bbox {list(bbox)}")


def _with_crs(head: str, found: list[CrsCandidate], count: int, total: int,
              reason: str) -> Diagnosis:
    best = found[0]
    also = f" (also possible: {', '.join(c.code for c in found[1:3])})" if len(found) > 1 else ""
    return Diagnosis(reason, count, total,
                     f"{head}; with {best.code} ({best.name}) {best.inside:.0%} of them fall "
                     f"inside: add --crs {best.code}{also}", fix=f"--crs {best.code}",
                     candidates=[c.code for c in found])


def _swap_flags(source: Any) -> str:
    if source.lat_column:
        return f"--lat-column {source.lon_column} --lon-column {source.lat_column}"
    return "swap the axes (x/y)"


def _numeric_columns(frame: pd.DataFrame, skip: set[str]) -> list[str]:
    """Columns whose values are mostly numbers (where coordinates may really be)."""
    out = []
    for col in frame.columns:
        if col in skip or col in {"source_row", "geometry"} or not pd.api.types.is_string_dtype(
                frame[col]):
            continue
        vals = frame[col].head(500)
        nums = to_numbers(vals, detect_decimal(vals))
        if np.isfinite(nums).mean() > 0.8:
            out.append(col)
    return out


def _filled_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in {"source_row", "geometry"}
            and pd.api.types.is_string_dtype(frame[c]) and frame[c].str.strip().ne("").all()]


def diagnose(frame: pd.DataFrame, source: Any, rejects: pd.DataFrame, *,
             bbox: BBox | None = None, country: str | None = None) -> Diagnosis | None:
    """The likely cause when one reject reason covers most rows, else None.

    Args:
        frame: the register as read (:func:`modeling.sources.read_source`).
        source: the campaign ``Source``.
        rejects: the rejects table from :func:`modeling.validate.validate`.
        bbox: the country's (min_lon, min_lat, max_lon, max_lat), when known.
        country: the country's name, for the message.
    """
    total = len(frame)
    if total == 0 or rejects.empty:
        return None
    per_reason = rejects.groupby("reason")["source_row"].nunique().sort_values(ascending=False)
    reason, count = str(per_reason.index[0]), int(per_reason.iloc[0])
    if count <= MAJORITY * total:
        return None
    rows = rejects.loc[rejects["reason"] == reason, "source_row"].unique()
    fld = str(rejects.loc[rejects["reason"] == reason, "field"].iloc[0])
    if reason in _COORD_REASONS and bbox is not None:
        return _coordinate_diagnosis(frame, source, rows, count, total, bbox, country)
    if reason == "swapped_coordinates":
        return Diagnosis(reason, count, total,
                         f"{count:,} of {total:,} points fall inside {_where(country)} only with "
                         f"x and y swapped: the columns look swapped; {_swap_flags(source)}",
                         fix=_swap_flags(source))
    if reason in ("bad_coordinate", "missing_coordinates"):
        what = "holds no number" if reason == "bad_coordinate" else "is empty"
        sample = rejects.loc[rejects["reason"] == reason, "value"].head(3).tolist()
        nums = _numeric_columns(frame, {source.lat_column or "", source.lon_column or ""})
        return Diagnosis(reason, count, total,
                         f"column {fld} {what} in {count:,} of {total:,} rows (e.g. "
                         f"{', '.join(map(repr, sample))}); is it the coordinate column? Columns "
                         f"holding numbers: {', '.join(nums) or 'none'}; choose them with "
                         "--lat-column/--lon-column", fix="--lat-column/--lon-column")
    if reason in ("missing_name", "missing_id"):
        flag = "--name-column" if reason == "missing_name" else "--id-column"
        filled = _filled_columns(frame)
        return Diagnosis(reason, count, total,
                         f"column {fld} is empty in {count:,} of {total:,} rows; choose another "
                         f"with {flag} (columns filled in every row: {', '.join(filled[:8])})",
                         fix=flag)
    if reason == "duplicate_id":
        return Diagnosis(reason, count, total,
                         f"the identifier column {fld} repeats in {count:,} of {total:,} rows: "
                         "choose the register's unique id with --id-column, or, when several rows "
                         "are parts of one area, add --dissolve", fix="--id-column or --dissolve")
    if reason == "out_of_range":
        crs = source.crs or "EPSG:4326"
        return Diagnosis(reason, count, total,
                         f"{count:,} of {total:,} rows have coordinates that are not a valid "
                         f"position in {crs}: check --crs (source.crs) and the coordinate "
                         "columns", fix="--crs")
    return Diagnosis(reason, count, total,
                     f"{count:,} of {total:,} rows are rejected as {reason} (column {fld})")
