"""Normalise text at ingest instead of holding items for trivia (issue 15 §6).

Registers carry double spaces, tabs, non-breaking spaces and decomposed accents ("e" + U+0301)
that nobody means. Every text column of the records is Unicode-normalised to NFC, and runs of
whitespace are collapsed to one space and trimmed, so an address with a double space no longer
stops an item at the pre-upload checks. Identifiers are only NFC-normalised and trimmed: their
inner spacing may be significant. What changed is counted per column and reported in the ingest
summary (``normalised``), so nothing happens silently.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Whitespace runs (incl. NBSP, narrow NBSP, tabs, line breaks) become one space.
_SPACES = "[\\s\u00a0\u202f\u2007]+"
#: Columns left as they are (numbers and positions, not text).
_SKIP = {"geometry", "source_row", "lat", "lon", "centroid_lat", "centroid_lon", "area_m2"}


def normalise_series(values: pd.Series, *, collapse: bool = True) -> tuple[pd.Series, int]:
    """NFC-normalise (and collapse whitespace in) a string column.

    Args:
        values: strings (``""`` for empty).
        collapse: collapse whitespace runs to one space and trim.

    Returns:
        ``(normalised, changed)``: the new column and how many values changed.
    """
    arr = pa.array(values.to_numpy(dtype=object), type=pa.string())
    out = pc.utf8_normalize(arr, "NFC")
    if collapse:
        out = pc.utf8_trim_whitespace(pc.replace_substring_regex(out, _SPACES, " "))
    else:
        out = pc.utf8_trim_whitespace(out)
    changed = int(pc.sum(pc.not_equal(arr, out).fill_null(False)).as_py() or 0)
    return pd.Series(out.to_pylist(), index=values.index, dtype="str"), changed


def normalise_records(records: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Normalise every text column of the records; return them and the counts per column.

    ``source_id`` is NFC-normalised and trimmed only; other text columns also get their
    whitespace collapsed. Columns with no change are left out of the counts.
    """
    counts: dict[str, int] = {}
    out = records.copy()
    for col in records.columns:
        if col in _SKIP or not pd.api.types.is_string_dtype(records[col]):
            continue
        new, changed = normalise_series(records[col].fillna(""), collapse=col != "source_id")
        if changed:
            out[col] = new
            counts[col] = changed
    return out, counts
