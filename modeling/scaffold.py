"""``wlkit init``: look at a register the kit has never seen and propose how to read it.

:func:`inspect_register` reads the file the way ingest does (encoding, delimiter, layer are
detected), then proposes the identifier, name and coordinate columns from their values (an id is
unique and short, a name is text, coordinates are numbers in a plausible range) with name hints
in the languages registers are written in. For projected coordinates it lists the CRSs that put
the points inside the country (:mod:`modeling.crs_guess`) — suggested, never applied silently:
the campaign file written by :mod:`modeling.scaffold_yaml` says so next to each guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import shapely

from core.errors import InputError
from modeling.crs_guess import (
    CrsCandidate,
    country_extent,
    country_name,
    crs_candidates,
    guess_country,
)
from modeling.geo import crs_label, degree_range, in_bbox, looks_projected
from modeling.sources import read_source
from modeling.validate import detect_decimal, to_numbers

_ID_HINT = re.compile(r"(id|nr|no|num|nummer|number|code|ref|kgs|inventar|ident|key|entry|"
                      r"reference|tunnus)$|^(id|ref|code|kgs|nr|kennz|kennung)", re.I)
_DECIMAL = re.compile(r"^\s*-?\d+[.,]\d+\s*$")
_DATE = re.compile(r"^\s*(\d{4}[-/.]\d\d[-/.]\d\d|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{8})\s*$")
_CODE_HINT = re.compile(r"kod|code|nr|bfs|insee|ags|gdenr|num", re.I)
_NAME_HINT = re.compile(r"name|namn|naam|navn|nimi|nom|bezeichnung|benennung|titel|title|objekt|denomination|"
                        r"appellation|tico|designation_?name|label", re.I)
_X_HINT = re.compile(r"^(x|e|i|ita|east|easting|ost|rechts|rechtswert|lon|lng|long|longitude|"
                     r"laenge|länge|e_?koord|x_?koord|coord_?x|koord_?e|lv95_?e|x_?coord)$", re.I)
_Y_HINT = re.compile(r"^(y|n|p|pohjoinen|north|northing|nord|hoch|hochwert|lat|latitude|breite|"
                     r"n_?koord|y_?koord|coord_?y|koord_?n|lv95_?n|y_?coord)$", re.I)
_UNIT_HINT = re.compile(r"gemeinde|kommun|commune|municip|insee|bfs|gdenr|gmd|district|"
                        r"landkreis|comune|gemeente|parish", re.I)
_WKT = re.compile(r"^\s*(MULTI)?(POINT|POLYGON|LINESTRING)\s*\(", re.I)

#: ISO 3166-1 alpha-2 → Wikidata item of the country (the ones registers come from most).
COUNTRY_QIDS = {
    "AT": "Q40", "BE": "Q31", "BG": "Q219", "CH": "Q39", "CZ": "Q213", "DE": "Q183",
    "DK": "Q35", "EE": "Q191", "ES": "Q29", "FI": "Q33", "FR": "Q142", "GB": "Q145",
    "GR": "Q41", "HR": "Q224", "HU": "Q28", "IE": "Q27", "IS": "Q189", "IT": "Q38",
    "LT": "Q37", "LU": "Q32", "LV": "Q211", "NL": "Q55", "NO": "Q20", "PL": "Q36",
    "PT": "Q45", "RO": "Q218", "RS": "Q403", "SE": "Q34", "SI": "Q215", "SK": "Q214",
    "UA": "Q212", "US": "Q30", "CA": "Q16", "IN": "Q668", "BR": "Q155", "MX": "Q96",
    "AR": "Q414", "ZA": "Q258", "AU": "Q408", "NZ": "Q664", "IL": "Q801", "TR": "Q43",
}


@dataclass
class Proposal:
    """What ``wlkit init`` found out about a register (every guess says how sure it is)."""

    path: str
    format: str
    encoding: str | None
    delimiter: str | None
    layer: str | None
    rows: int
    columns: list[str]
    samples: dict[str, list[str]]
    id_column: str | None = None
    name_column: str | None = None
    lon_column: str | None = None
    lat_column: str | None = None
    wkt_column: str | None = None
    geometry: bool = False
    crs: str | None = None
    crs_declared: bool = False
    crs_candidates: list[CrsCandidate] = field(default_factory=list)
    unit_column: str | None = None
    unit_name_column: str | None = None
    country_guess: str | None = None
    inside: float | None = None
    notes: list[str] = field(default_factory=list)


def resolve_country(value: str | None) -> tuple[str | None, str | None]:
    """``(iso, qid)`` from ``--country``: an ISO code (``CH``) or a QID (``Q39``)."""
    if not value:
        return None, None
    value = value.strip()
    if re.fullmatch(r"Q[1-9]\d*", value):
        iso = next((k for k, v in COUNTRY_QIDS.items() if v == value), None)
        return iso, value
    iso = value.upper()
    if not re.fullmatch(r"[A-Z]{2}", iso):
        raise InputError(f"--country should be an ISO 3166-1 code like CH or an item like Q39, "
                         f"got {value!r}")
    return iso, COUNTRY_QIDS.get(iso)


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in {"source_row", "geometry"}
            and pd.api.types.is_string_dtype(frame[c])]


def _pick_id(frame: pd.DataFrame, cols: list[str]) -> str | None:
    """The identifier: unique (or, for multi-row areas, the most unique hinted) short column."""
    best, best_key = None, None
    for col in cols:
        s = frame[col].str.strip()
        filled = s.ne("")
        if filled.mean() < 0.95:
            continue
        unique = s[filled].nunique() / max(1, filled.sum())
        hint = bool(_ID_HINT.search(col.strip()))
        head = s[filled].head(200)
        if head.str.match(_DATE).mean() > 0.5 or head.str.match(_DECIMAL).mean() > 0.5:
            continue
        if unique < (0.9 if hint else 0.98) and not hint:
            continue
        key = (unique >= 0.9, hint, round(unique, 2) if unique < 0.9 else 1,
               -s.str.len().median(), -cols.index(col))
        if best_key is None or key > best_key:
            best, best_key = col, key
    return best


def _pick_name(frame: pd.DataFrame, cols: list[str], taken: set[str]) -> str | None:
    best, best_key = None, None
    for col in cols:
        if col in taken:
            continue
        s = frame[col].str.strip()
        letters = s.str.contains(r"[^\W\d_]", regex=True).mean()
        if letters < 0.8 or s.str.match(r"(?i)^(https?://|www\.)").mean() > 0.5:
            continue
        key = (bool(_NAME_HINT.search(col)), round(s.nunique() / max(1, len(s)), 1),
               s.str.len().median())
        if best_key is None or key > best_key:
            best, best_key = col, key
    return best


def _numeric(frame: pd.DataFrame, cols: list[str]) -> dict[str, np.ndarray]:
    out = {}
    for col in cols:
        vals = frame[col]
        nums = to_numbers(vals, detect_decimal(vals))
        if np.isfinite(nums).mean() > 0.8:
            out[col] = nums
    return out


def _pick_xy(nums: dict[str, np.ndarray], taken: set[str]) -> tuple[str, str] | None:
    cols = [c for c in nums if c not in taken]
    xs = [c for c in cols if _X_HINT.match(c.strip())]
    ys = [c for c in cols if _Y_HINT.match(c.strip())]
    if xs and ys:
        return xs[0], ys[0]
    varied = [c for c in cols if np.nanstd(nums[c]) > 0 and (nums[c] != 0).mean() > 0.5]
    for x in varied:  # no hints: two numeric columns in degree range, lat within ±90
        for y in varied:
            if x != y and degree_range(nums[x], nums[y]).mean() > 0.9:
                return x, y
    big = [c for c in varied if (np.abs(nums[c]) > 360).mean() > 0.9]
    if len(big) >= 2:  # projected, unnamed: in file order (init tries them swapped too)
        return big[0], big[1]
    return None


def inspect_register(path: str | Path, *, iso: str | None = None,
                     layer: str | None = None, encoding: str | None = None) -> Proposal:
    """Read a register and propose columns and CRS for its campaign file.

    Args:
        path: the register.
        iso: the country (ISO 3166-1 alpha-2), for CRS candidates and a plausibility check.
        layer: the layer of a GeoPackage.
        encoding: the text encoding (default: detected).

    Raises:
        InputError: the file cannot be read.
    """
    spec = SimpleNamespace(path=str(path), format="auto", encoding=encoding, delimiter=None,
                           layer=layer)
    frame, meta = read_source(spec)
    cols = _text_columns(frame)
    prop = Proposal(path=str(Path(path).resolve()), format=meta.format, encoding=meta.encoding,
                    delimiter=meta.delimiter, layer=meta.layer, rows=len(frame), columns=cols,
                    samples={c: frame[c].head(3).tolist() for c in cols})
    prop.id_column = _pick_id(frame, cols)
    if prop.id_column and frame[prop.id_column].duplicated().any():
        dups = int(frame[prop.id_column].duplicated(keep=False).sum())
        prop.notes.append(f"{dups} rows share an id in {prop.id_column}: if they are parts of one "
                          "area, set source.dissolve: true; otherwise they are rejected")
    taken = {prop.id_column} if prop.id_column else set()
    prop.name_column = _pick_name(frame, cols, taken)
    taken.add(prop.name_column or "")
    units = [c for c in cols if c not in taken and _UNIT_HINT.search(c)]
    prop.unit_column = next((c for c in units if _CODE_HINT.search(c)), units[0] if units else None)
    prop.unit_name_column = next((c for c in units if c != prop.unit_column
                                  and not _CODE_HINT.search(c)), None)
    bbox = country_extent(iso) if iso else None
    if "geometry" in frame and hasattr(frame, "crs"):
        _geometry(frame, meta, prop, bbox, iso)
    else:
        wkt = [c for c in cols if frame[c].head(50).str.match(_WKT).mean() > 0.8]
        if wkt:
            prop.wkt_column = wkt[0]
        else:
            _points(frame, cols, taken, prop, bbox, iso)
    for what in ("id_column", "name_column"):
        if getattr(prop, what) is None:
            prop.notes.append(f"no {what.replace('_', ' ')} found: choose one of {', '.join(cols)}")
    return prop


def _points(frame: pd.DataFrame, cols: list[str], taken: set[str], prop: Proposal,
            bbox: Any, iso: str | None) -> None:
    nums = _numeric(frame, cols)
    xy = _pick_xy(nums, taken)
    if xy is None:
        prop.notes.append("no coordinate columns found: give lat_column/lon_column or wkt_column")
        return
    prop.lon_column, prop.lat_column = xy
    x, y = nums[xy[0]], nums[xy[1]]
    if not looks_projected(x, y):
        prop.crs = "EPSG:4326"
        if iso is None:
            prop.country_guess = guess_country(x, y)
            if prop.country_guess:
                prop.notes.append(f"the points lie in {country_name(prop.country_guess)}: "
                                  f"run again with --country {prop.country_guess} to check them")
        if bbox is not None:
            prop.inside = float(in_bbox(x, y, bbox).mean())
            if prop.inside < 0.5 and in_bbox(y, x, bbox).mean() > 0.5:
                prop.lon_column, prop.lat_column = xy[1], xy[0]
                prop.inside = float(in_bbox(y, x, bbox).mean())
                prop.notes.append(f"{xy[0]} holds latitudes and {xy[1]} longitudes (swapped)")
        return
    _suggest(prop, x, y, bbox, iso)


def _suggest(prop: Proposal, x: np.ndarray, y: np.ndarray, bbox: Any, iso: str | None) -> None:
    if bbox is None:
        prop.notes.append("coordinates are projected: give --country to get CRS suggestions")
        return
    prop.crs_candidates = crs_candidates(x, y, bbox, country=country_name(iso or ""))
    if not prop.crs_candidates and prop.lat_column:
        swapped = crs_candidates(y, x, bbox, country=country_name(iso or ""))
        if swapped:
            prop.lon_column, prop.lat_column = prop.lat_column, prop.lon_column
            prop.crs_candidates = swapped
            prop.notes.append("the easting/northing columns were swapped to fit the country")
    if prop.crs_candidates:
        prop.crs = prop.crs_candidates[0].code
        prop.inside = prop.crs_candidates[0].inside
    else:
        prop.notes.append("no CRS of the EPSG database puts these points inside the country")


def _geometry(frame: Any, meta: Any, prop: Proposal, bbox: Any, iso: str | None) -> None:
    prop.geometry = True
    prop.crs_declared = bool(meta.crs_declared and meta.crs_in)
    if prop.crs_declared:
        prop.crs = crs_label(frame.crs) if frame.crs is not None else None
        return
    cent = shapely.centroid(np.asarray(frame.geometry.array, dtype=object))  # plain numbers:
    x, y = shapely.get_x(cent), shapely.get_y(cent)  # the declared CRS is not trusted here
    if looks_projected(x, y):
        _suggest(prop, x, y, bbox, iso)
