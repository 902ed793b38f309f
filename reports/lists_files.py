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
    seen: set[str] = set()
    with path.open("wb") as fh:
        fh.write(_OPEN)
        for r in rows:
            if r["lat"] is None or r["item"] in seen:
                continue
            fh.write(b"," if seen else b"")
            seen.add(r["item"])
            fh.write(orjson.dumps(_feature(r)))
        fh.write(_CLOSE)
    return len(seen)


class ListFiles:
    """Every region's ``<slug>.csv`` / ``<slug>.geojson`` and ``all.csv`` / ``all.geojson``, in one
    pass over the sections (use as a context manager; see the module doc for the order)."""

    def __init__(self, dest: Path, languages: Sequence[str]) -> None:
        self.dest, self.languages = dest, languages
        self._csv_fh = (dest / "all.csv").open("wb")
        self._geo_fh = (dest / "all.geojson").open("wb")
        self._csv = _CsvRows(self._csv_fh, languages)
        self._geo_fh.write(_OPEN)
        self._rows: set[str] = set()  # monuments in all.csv so far
        self._features: set[str] = set()  # and in all.geojson

    def section(self, section: Section) -> None:
        """Write the region's two files and the ``all.*`` lines of its monuments met first here."""
        own = (section.qid, section.label)
        with (self.dest / f"{section.slug}.csv").open("wb") as csv_fh, \
                (self.dest / f"{section.slug}.geojson").open("wb") as geo_fh:
            rows = _CsvRows(csv_fh, self.languages)
            geo_fh.write(_OPEN)
            seen: set[str] = set()
            for row in section.rows:
                item = row["item"]
                line = rows.write(row, own)
                if item not in self._rows:
                    self._rows.add(item)
                    same = section.qid is not None and row["regions"] == [section.qid] and \
                        row["region_labels"] == [section.label]
                    if same:
                        self._csv_fh.write(line)  # the region columns are the region's own
                    else:
                        self._csv.write(row)
                if row["lat"] is None or item in seen:
                    continue
                feature = orjson.dumps(_feature(row))
                geo_fh.write(b"," if seen else b"")
                seen.add(item)
                geo_fh.write(feature)
                if item not in self._features:
                    self._geo_fh.write(b"," if self._features else b"")
                    self._features.add(item)
                    self._geo_fh.write(feature)
            geo_fh.write(_CLOSE)

    def close(self) -> None:
        """Finish ``all.csv`` and ``all.geojson``."""
        self._geo_fh.write(_CLOSE)
        self._csv_fh.close()
        self._geo_fh.close()

    def __enter__(self) -> ListFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
