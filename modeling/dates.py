"""Register dates → Wikibase time values with their precision, vectorised over a column.

Registers write dates many ways; each is mapped to the Wikibase JSON time string
(``+1998-10-20T00:00:00Z``) and precision (11 day, 10 month, 9 year, 8 decade). Lower
precisions zero the finer fields, as Wikidata stores them (``+1780-00-00T00:00:00Z``).

>>> parse_date("1998/10/20")
('+1998-10-20T00:00:00Z', 11)
>>> parse_date("1780-talet")
('+1780-00-00T00:00:00Z', 8)
>>> parse_date("26.01.16")
('+2016-01-26T00:00:00Z', 11)
>>> parse_date("not a date") is None
True
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTHS.update({"maj": 5, "okt": 10, "mai": 5, "mrz": 3, "dez": 12})

# (anchored regex with named groups y|yy, m|mon, d; precision)
_PATTERNS: list[tuple[str, int]] = [
    (r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
     r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?", 11),
    (r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})", 11),
    (r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})", 11),
    (r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<yy>\d{2})", 11),
    (r"(?P<d>\d{1,2})[- ](?P<mon>[A-Za-z]{3})[- ](?P<y>\d{4})", 11),
    (r"(?P<d>\d{1,2})[- ](?P<mon>[A-Za-z]{3})[- ](?P<yy>\d{2})", 11),
    (r"(?P<y>\d{4})-(?P<m>\d{1,2})", 10),
    (r"(?P<y>\d{4})/(?P<m>\d{1,2})", 10),
    (r"(?P<y>\d{3,4})", 9),
    (r"(?P<y>\d{2,3}0)(?:-?tal(?:et)?|s)", 8),
]


def _two_digit_years(yy: pd.Series, pivot: int) -> pd.Series:
    """``16`` → 2016 and ``98`` → 1998: years after ``pivot`` belong to the last century."""
    return np.where(yy <= pivot, 2000 + yy, 1900 + yy)


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 1, 12) - 1]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    out: np.ndarray = days + ((month == 2) & leap)
    return out


def parse_dates(values: pd.Series, *, pivot: int | None = None) -> pd.DataFrame:
    """Parse a column of date strings (vectorised: RE2 regexes over the distinct values).

    Args:
        values: the raw strings (any index); empty strings and nulls give no date.
        pivot: two-digit years up to this value are 20xx, later ones 19xx (default: this year).

    Returns:
        A frame on the same index with ``time`` (Wikibase time string or None) and
        ``precision`` (nullable Int64).
    """
    pivot = date.today().year % 100 if pivot is None else pivot
    codes, uniques = pd.factorize(values.astype("str").fillna(""), use_na_sentinel=False)
    text = pc.utf8_trim_whitespace(pa.array(np.asarray(uniques, dtype=object), type=pa.string()))
    n = len(text)
    year = np.zeros(n, dtype="int64")
    month = np.zeros(n, dtype="int64")
    day = np.zeros(n, dtype="int64")
    precision = np.zeros(n, dtype="int64")
    todo = np.asarray(pc.not_equal(text, "").to_numpy(zero_copy_only=False), dtype=bool)
    for regex, prec in _PATTERNS:
        if not todo.any():
            break
        rows = np.flatnonzero(todo)
        found = pc.extract_regex(text.take(pa.array(rows)), f"^(?:{regex})$")
        hit = np.asarray(found.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if not hit.any():
            continue
        rows = rows[hit]
        got = {f.name: found.field(f.name).filter(pa.array(hit)) for f in found.type}

        def ints(name: str, got: dict[str, pa.Array] = got) -> np.ndarray:
            values: np.ndarray = pc.cast(got[name], pa.int64()).to_numpy()
            return values

        y = _two_digit_years(ints("yy"), pivot) if "yy" in got else ints("y")
        if "mon" in got:
            names = pc.utf8_lower(got["mon"]).to_pylist()
            m = np.array([_MONTHS.get(x, 0) for x in names], dtype="int64")  # distinct values only
        else:
            m = ints("m") if "m" in got else np.zeros(len(rows), dtype="int64")
        d = ints("d") if "d" in got else np.zeros(len(rows), dtype="int64")
        ok = np.ones(len(rows), dtype=bool)
        if prec >= 10:
            ok &= (m >= 1) & (m <= 12)
        if prec == 11:
            ok &= (d >= 1) & (d <= _days_in_month(y, m))
        year[rows], month[rows], day[rows] = y, m, d
        precision[rows] = np.where(ok, prec, -1)
        todo[rows] = False
    return _time_frame(year, month, day, precision, codes, values.index)


def _time_frame(
    year: np.ndarray, month: np.ndarray, day: np.ndarray, precision: np.ndarray,
    codes: np.ndarray, index: pd.Index,
) -> pd.DataFrame:
    """Wikibase time strings and precisions of the distinct values, spread back over ``codes``."""
    good = precision > 0
    stamp = np.full(len(precision), None, dtype=object)
    if good.any():
        ys = pd.Series(year[good]).astype(str).str.zfill(4)
        ms = pd.Series(month[good]).astype(str).str.zfill(2)
        ds = pd.Series(day[good]).astype(str).str.zfill(2)
        stamp[good] = ("+" + ys + "-" + ms + "-" + ds + "T00:00:00Z").to_numpy(dtype=object)
    prec = pd.array(precision[codes], dtype="Int64")
    prec[~good[codes]] = pd.NA
    return pd.DataFrame({"time": pd.Series(stamp[codes], index=index, dtype=object),
                         "precision": pd.Series(prec, index=index)})


def parse_date(value: str | None) -> tuple[str, int] | None:
    """Parse one date string into ``(wikibase time string, precision)``, or None.

    Handles ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (with an optional time), ``YYYY/MM/DD``,
    ``DD.MM.YYYY``, ``DD.MM.YY``, ``DD-Mon-YY`` and decades like ``1780-talet`` or ``1780s``.
    """
    if value is None:
        return None
    row = parse_dates(pd.Series([value])).iloc[0]
    if row["time"] is None or pd.isna(row["precision"]):
        return None
    return str(row["time"]), int(row["precision"])
