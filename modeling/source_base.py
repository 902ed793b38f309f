"""What every register reader shares: the source spec, how a file was read, text encodings.

:mod:`modeling.sources` picks the reader (CSV/XLSX there, GIS formats in
:mod:`modeling.source_gis`, JSON records in :mod:`modeling.source_json`); all of them report a
:class:`SourceMeta` and turn attribute values into strings with :func:`stringify`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
from charset_normalizer import from_bytes

_LATIN_ALPHABETS = {"Basic Latin", "Control character", "Latin-1 Supplement", "Latin Extended-A",
                    "Latin Extended-B", "Latin Extended Additional", "General Punctuation",
                    "Currency Symbols", "Spacing Modifier Letters", "Letterlike Symbols"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


class SourceSpec(Protocol):
    """What :func:`read_source` needs from a source (``modeling.campaign.Source`` fits)."""

    # read-only members, so a Source whose ``format`` is a Literal fits too
    @property
    def path(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def encoding(self) -> str | None: ...
    @property
    def delimiter(self) -> str | None: ...
    @property
    def layer(self) -> str | None: ...


@dataclass
class SourceMeta:
    """How a file was read: reported in ``01_ingest/summary.json``."""

    file: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    layer: str | None = None
    crs_in: str | None = None
    crs_declared: bool = False
    records_read: int = 0
    ragged: list[dict[str, Any]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


def detect_encoding(data: bytes) -> str:
    """Pick the text encoding of ``data``.

    A BOM decides first; then strict UTF-8; otherwise charset-normalizer looks at the lines that
    hold non-ASCII bytes, and for Latin-script text Windows-1252 is preferred over look-alike
    guesses (cp1250, mac_roman …) since that is what spreadsheet exports in Western Europe use.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = _non_ascii_sample(data)
    best = from_bytes(sample).best()
    if best is None or set(best.alphabets) <= _LATIN_ALPHABETS:
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"
    return best.encoding


def _non_ascii_sample(data: bytes, limit: int = 4000) -> bytes:
    """Up to ``limit`` snippets around non-ASCII bytes (where the encoding shows)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    idx = np.flatnonzero(arr >= 0x80)[:limit]
    if idx.size == 0:
        return data[:65536]
    pieces = [data[max(0, i - 40): i + 40] for i in idx[:: max(1, idx.size // 400)]]
    return b"\n".join(pieces)


def stringify(series: pd.Series) -> pd.Series:
    """Turn an attribute column into strings: integral floats lose ``.0``, nulls become ``""``.

    Identifiers stored as floats by GIS software (``555514026.0``) come back as ``"555514026"``.
    """
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(values)
        integral = finite & (np.floor(values) == values) & (np.abs(values) < 1e15)
        out = series.astype(str)
        whole = values[integral].astype("int64")
        out[integral] = pd.Series(whole, index=series.index[integral]).astype(str)
        out[~finite] = ""
        return out.astype("str")
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").fillna("").astype("str")
    if pd.api.types.is_bool_dtype(series):
        return series.map({True: "true", False: "false"}).fillna("").astype("str")
    return series.astype("str").fillna("")
