"""Read the files the contest stage starts from, in the shapes the other modules expect.

* monuments: the campaign scope as the lists stage wrote it (``05_lists/all.csv``);
* uploads, users, category files: what the Commons fetch wrote (``core.contracts``).

A missing file stops with an :class:`~core.errors.InputError` that says which stage makes it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from core.contracts import CATEGORY_FILES_SCHEMA, UPLOADS_SCHEMA, USERS_SCHEMA
from core.errors import InputError
from core.layout import CONTEST_CATEGORY_FILES, CONTEST_UPLOADS, CONTEST_USERS, LISTS_ALL
from modeling.columns import first_part

#: Columns of a monuments frame (one row per monument in the campaign scope).
MONUMENT_COLUMNS = [
    "item",
    "id",
    "label",
    "region",
    "region_label",
    "lat",
    "lon",
    "image",
    "commons_category",
]
_LIST_COLUMNS = ("categories", "category_sortkeys", "templates", "depicts")


def read_monuments(out: str | Path) -> pd.DataFrame:
    """The monuments in scope, from ``05_lists/all.csv`` (first region when an item has several).

    Raises:
        InputError: the lists stage has not run, or its table lacks a column.
    """
    path = Path(out) / LISTS_ALL
    if not path.exists():
        raise InputError(
            "the monument list is missing; run `wlkit lists` for this campaign first",
            file=str(path),
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
    missing = [c for c in MONUMENT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"columns {missing} should be present, got {list(frame.columns)}", file=str(path)
        )
    return normalise_monuments(frame)


def normalise_monuments(frame: pd.DataFrame) -> pd.DataFrame:
    """Bring a monuments frame to :data:`MONUMENT_COLUMNS` (empty strings → None, one region).

    Args:
        frame: At least ``item`` and ``id``; other columns are filled with None when absent.

    Returns:
        A new frame with exactly :data:`MONUMENT_COLUMNS`.
    """
    out = pd.DataFrame({c: frame.get(c) for c in MONUMENT_COLUMNS})
    for col in ("region", "region_label"):
        out[col] = first_part(out[col], ";")
    for col in ("label", "region", "region_label", "image", "commons_category", "id"):
        out[col] = out[col].replace("", None)
    out["lat"] = pd.to_numeric(out["lat"], errors="coerce")
    out["lon"] = pd.to_numeric(out["lon"], errors="coerce")
    return out


def _read(path: Path, schema: pa.Schema, stage_hint: str) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"missing; {stage_hint}", file=str(path))
    table = pq.read_table(path)
    names = schema.names
    missing = [c for c in names if c not in table.column_names]
    if missing:
        raise InputError(
            f"columns {missing} should be present, got {table.column_names}", file=str(path)
        )
    return table.select(names).to_pandas()


def read_uploads(out: str | Path) -> pd.DataFrame:
    """``07_contest/uploads.parquet`` with list columns as lists (never null)."""
    frame = _read(Path(out) / CONTEST_UPLOADS, UPLOADS_SCHEMA, "the Commons fetch writes it")
    return normalise_uploads(frame)


def normalise_uploads(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill null list cells with empty lists and null counts with 0 (a copy)."""
    frame = frame.copy()
    for col in _LIST_COLUMNS:
        if col not in frame:
            frame[col] = [[] for _ in range(len(frame))]
        else:
            empty = frame[col].isna()
            if empty.any():
                frame.loc[empty, col] = pd.Series(
                    [[] for _ in range(int(empty.sum()))], index=frame.index[empty], dtype="object"
                )
    frame["globalusage"] = (
        pd.to_numeric(frame.get("globalusage", 0), errors="coerce").fillna(0).astype("int64")
    )
    frame["wikitext"] = frame["wikitext"].fillna("") if "wikitext" in frame else ""
    return frame.reset_index(drop=True)


def read_users(out: str | Path) -> pd.DataFrame:
    """``07_contest/users.parquet`` (``user, registration``)."""
    return _read(Path(out) / CONTEST_USERS, USERS_SCHEMA, "the Commons fetch writes it")


def read_category_files(out: str | Path) -> pd.DataFrame:
    """``07_contest/category_files.parquet``; an empty frame when the fetch wrote none."""
    path = Path(out) / CONTEST_CATEGORY_FILES
    if not path.exists():
        return pd.DataFrame({"category": pd.Series(dtype=str), "title": pd.Series(dtype=str)})
    return _read(path, CATEGORY_FILES_SCHEMA, "the Commons fetch writes it")
