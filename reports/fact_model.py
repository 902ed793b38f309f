"""What a report fact is (a measured value with its evidence) and the small file readers.

:mod:`reports.facts` measures the facts of a run; this module holds their types and the readers
they share, so both stay short.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    """What a fact rests on: a number (of a total), the file it came from, and a date."""

    number: float | int | None = None
    total: int | None = None
    file: str | None = None
    date: date | None = None


@dataclass(frozen=True)
class Fact:
    """One measured value. ``value is None`` means unknown (the file it needs is missing)."""

    key: str
    value: Any = None
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def known(self) -> bool:
        """True when the fact was measured."""
        return self.value is not None


@dataclass
class Facts:
    """All facts of one campaign run, keyed by fact name."""

    campaign_id: str
    run_dir: Path | None
    items: dict[str, Fact] = field(default_factory=dict)

    def add(self, key: str, value: Any, **evidence: Any) -> None:
        """Record a fact with its evidence (keywords of :class:`Evidence`)."""
        self.items[key] = Fact(key, value, Evidence(**evidence))

    def get(self, key: str) -> Fact:
        """Return the fact, or an unknown fact when it was never measured."""
        return self.items.get(key, Fact(key))

    def value(self, key: str, default: Any = None) -> Any:
        """Return the fact's value, or ``default`` when unknown."""
        v = self.get(key).value
        return default if v is None else v


def mdate(path: Path) -> date:
    """The file's modification date (local time)."""
    return datetime.fromtimestamp(path.stat().st_mtime).date()


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object file, or None when missing or unreadable (its facts stay unknown)."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("%s: not readable JSON (%s); its facts stay unknown", path, exc)
        return None
    return data if isinstance(data, dict) else None


def csv_rows(path: Path) -> list[dict[str, str]] | None:
    """The rows of a CSV file as dicts, or None when it does not exist."""
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def rel(run_dir: Path, rel_path: str) -> str:
    """``rel_path`` shown under the run directory's name (evidence in reports)."""
    return str(Path(run_dir.name) / rel_path)
