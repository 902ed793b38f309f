"""Campaign lists as data files: a CSV and a GeoJSON per region, and ``all.csv`` / ``all.geojson``.

The files are written row by row (10⁶ monuments are never one object in memory). :class:`ListFiles`
writes a region's two files and, for each monument met for the first time, its ``all.*`` line in
the same pass: a monument in a single region gets in ``all.csv`` the very line its region's file
got (the region columns are the same), and in ``all.geojson`` the same feature (a feature lists all
its regions), so each is formatted once. ``all.*`` are therefore in the lists' order: by region
(as ``all.wiki``), by name within a region, each monument once (at its first region), the ones
without a region last.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson

from reports.filters import FORMULA_START, csv_safe
from reports.lists_fold import Section, _none

CSV_COLUMNS = ["item", "id", "label", "label_lang", "region", "region_label", "designation", "designation_label",
               "designation_start", "lat", "lon", "image", "commons_category", "address", "upload_url", "wikidata_url"]
_OPEN, _CLOSE = b'{"type":"FeatureCollection","features":[', b"]}"


class _Lines:
    """What a ``csv.writer`` writes to (it writes each row as one string): a binary file, keeping
    the bytes of the last row so they can go to a second file too."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh, self.last = fh, b""

    def write(self, text: str) -> None:
        self.last = text.encode("utf-8")
        self.fh.write(self.last)


class _CsvRows:
    """One CSV file of list rows: fixed columns, lists joined with ``;``, every text cell
    formula-safe (:func:`reports.filters.csv_safe`), UTF-8, comma, RFC 4180 quoting."""

    def __init__(self, fh: IO[bytes], languages: Sequence[str]) -> None:
        cols = CSV_COLUMNS + [f"has_label_{lang}" for lang in languages]
        joined = cols.index("region")  # region, region_label, designation: lists joined with ";"
        self._head, self._tail = itemgetter(*cols[:joined]), itemgetter(*cols[joined + 3:])  # tuples
        self.lines = _Lines(fh)
        self._writer = csv.writer(self.lines, lineterminator="\n")
        self._writer.writerow(cols)

    def write(self, row: dict[str, Any], regions: tuple[Any, Any] | None = None) -> bytes:
        """Write ``row`` (its region columns ``regions``, else all its regions joined); returns
        the line's bytes."""
        regions = regions or (";".join(row["regions"]), ";".join(row["region_labels"]))
        cells = (*self._head(row), *regions, ";".join(row["designations"] or []), *self._tail(row))
        self._writer.writerow([csv_safe(v) if isinstance(v, str) and v.startswith(FORMULA_START) else v
                               for v in cells])  # the writer writes None as an empty field
        return self.lines.last


def _feature(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature", "id": r["item"],
        "geometry": {"type": "Point", "coordinates": [round(r["lon"], 7), round(r["lat"], 7)]},
        "properties": {
            "item": r["item"], "id": _none(r["id"]), "label": _none(r["label"]),
            "regions": r["regions"], "region_labels": r["region_labels"],
            "designation": _none(r["designation"]), "designation_start": _none(r["designation_start"]),
            "image": _none(r["image"]), "commons_category": _none(r["commons_category"]),
            "has_image": _none(r["image"]) is not None, "upload_url": r["upload_url"],
        },
    }


class _Features:
    """One GeoJSON FeatureCollection of list rows, written feature by feature (compact UTF-8):
    one Point per monument with coordinates, each monument once."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh, self.items = fh, set[str]()
        fh.write(_OPEN)

    def write(self, row: dict[str, Any], feature: bytes | None = None) -> bytes | None:
        """Write ``row``'s feature (``feature``: its bytes, made already) unless it has no
        coordinates or is in already; returns the bytes written, or None."""
        if row["lat"] is None or row["item"] in self.items:
            return None
        feature = feature or orjson.dumps(_feature(row))
        self.fh.write(b"," + feature if self.items else feature)
        self.items.add(row["item"])
        return feature

    def close(self) -> None:
        self.fh.write(_CLOSE)


def write_csv(path: Path, rows: Iterable[dict[str, Any]], languages: Sequence[str],
              section: Section | None = None) -> None:
    """Write list rows as CSV, row by row (see :class:`ListFiles` for the lists' own files).

    Args:
        path: The ``.csv`` file.
        rows: :func:`reports.lists_fold.records` of the whole table, or a section's rows.
        languages: Campaign languages (``has_label_<lang>`` columns).
        section: For a section's rows: its region fills ``region``/``region_label`` (else
            every region of the item, joined).
    """
    with path.open("wb") as fh:
        out = _CsvRows(fh, languages)
        for row in rows:
            out.write(row, (section.qid, section.label) if section else None)


def write_geojson(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write a GeoJSON FeatureCollection of the rows with coordinates (one Point per item),
    feature by feature (compact UTF-8 JSON).

    Returns:
        The number of features.
    """
    with path.open("wb") as fh:
        features = _Features(fh)
        for r in rows:
            features.write(r)
        features.close()
    return len(features.items)


class ListFiles:
    """Every region's ``<slug>.csv`` / ``<slug>.geojson`` and ``all.csv`` / ``all.geojson``, in one
    pass over the sections (use as a context manager; see the module doc for the order)."""

    def __init__(self, dest: Path, languages: Sequence[str]) -> None:
        self.dest, self.languages = dest, languages
        self._csv_fh = (dest / "all.csv").open("wb")
        self._geo_fh = (dest / "all.geojson").open("wb")
        self._csv = _CsvRows(self._csv_fh, languages)
        self._features = _Features(self._geo_fh)
        self._rows: set[str] = set()  # monuments in all.csv so far

    def section(self, section: Section) -> None:
        """Write the region's two files and the ``all.*`` lines of its monuments met first here."""
        own = (section.qid, section.label)
        with (self.dest / f"{section.slug}.csv").open("wb") as csv_fh, \
                (self.dest / f"{section.slug}.geojson").open("wb") as geo_fh:
            rows, features = _CsvRows(csv_fh, self.languages), _Features(geo_fh)
            for row in section.rows:
                line = rows.write(row, own)
                if row["item"] not in self._rows:
                    self._rows.add(row["item"])
                    if section.qid is not None and row["regions"] == [section.qid] and \
                            row["region_labels"] == [section.label]:
                        self._csv_fh.write(line)  # the region columns are the region's own
                    else:
                        self._csv.write(row)
                if (feature := features.write(row)) is not None:
                    self._features.write(row, feature)
            features.close()

    def close(self) -> None:
        """Finish ``all.csv`` and ``all.geojson``."""
        self._features.close()
        self._csv_fh.close()
        self._geo_fh.close()

    def __enter__(self) -> ListFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
