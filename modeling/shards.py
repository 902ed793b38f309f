"""Splitting work for fan-out: identifier ranges, even chunks, and merging shard summaries.

Plain functions used by ``pipelines/scale.py``; no Prefect here. Upload shards are contiguous
*identifier ranges* recomputed from the ledger on every run (the ledger is the source of
truth): rows already ``done`` are left out before splitting, so a re-run after a crash only
shards what is still to do, and two shards never hold the same identifier.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from core.errors import ConfigError

T = TypeVar("T")


def id_sort_key(source_id: str) -> tuple[int, str]:
    """Sort key putting numeric identifiers in numeric order (``"9" < "10"``), others after.

    >>> sorted(["10", "9", "A2"], key=id_sort_key)
    ['9', '10', 'A2']
    """
    text = str(source_id)
    return (len(text), text) if text.isdigit() else (10**6, text)


@dataclass(frozen=True)
class IdRange:
    """A shard: the identifiers ``first``…``last`` (inclusive, in :func:`id_sort_key` order)."""

    index: int
    first: str
    last: str
    ids: tuple[str, ...]

    @property
    def count(self) -> int:
        """Number of identifiers in the shard."""
        return len(self.ids)

    def contains(self, source_id: str) -> bool:
        """True when ``source_id`` falls inside this range."""
        key = id_sort_key(source_id)
        return id_sort_key(self.first) <= key <= id_sort_key(self.last)

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``shard-2 [21320000010001..21320000019999] (250)``."""
        return f"shard-{self.index} [{self.first}..{self.last}] ({self.count})"


def split_evenly(items: Sequence[T], n: int) -> list[list[T]]:
    """Split ``items`` into at most ``n`` contiguous chunks whose sizes differ by at most one.

    Args:
        items: The items, already in the wanted order.
        n: Number of chunks wanted (>= 1). Fewer come back when there are fewer items.

    Returns:
        Non-empty chunks in order; ``[]`` when ``items`` is empty.

    Raises:
        ConfigError: ``n`` is smaller than 1.

    >>> split_evenly([1, 2, 3, 4, 5], 2)
    [[1, 2, 3], [4, 5]]
    """
    if n < 1:
        raise ConfigError(f"number of shards should be at least 1, got {n}")
    n = min(n, len(items))
    if n == 0:
        return []
    size, extra = divmod(len(items), n)
    chunks, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        chunks.append(list(items[start:end]))
        start = end
    return chunks


def pending_ids(source_ids: Iterable[str], ledger_status: Mapping[str, str]) -> list[str]:
    """Identifiers still to upload: not in the ledger, or not ``done`` there, sorted.

    Args:
        source_ids: Identifiers that have a plan.
        ledger_status: ``source_id → status`` from the ledger (``pending``/``done``/``failed``).

    Returns:
        Unique identifiers in :func:`id_sort_key` order.
    """
    todo = {sid for sid in source_ids if ledger_status.get(sid) != "done"}
    return sorted(todo, key=id_sort_key)


def shard_by_range(source_ids: Iterable[str], n_shards: int) -> list[IdRange]:
    """Partition identifiers into ``n_shards`` contiguous, non-overlapping identifier ranges.

    Args:
        source_ids: Identifiers (duplicates are dropped).
        n_shards: Wanted number of shards (fewer when there are fewer identifiers).

    Returns:
        The ranges in order; together they hold every identifier exactly once.
    """
    ordered = sorted(set(source_ids), key=id_sort_key)
    return [
        IdRange(index=i, first=chunk[0], last=chunk[-1], ids=tuple(chunk))
        for i, chunk in enumerate(split_evenly(ordered, n_shards))
    ]


def expand_campaign_paths(patterns: Iterable[str | Path]) -> list[str]:
    """Campaign YAML paths from files, directories (their ``*.yaml``) and glob patterns.

    Args:
        patterns: Entries as given on the command line or in a deployment.

    Returns:
        Unique paths, sorted, as strings.

    Raises:
        ConfigError: An entry matches no YAML file.
    """
    found: set[str] = set()
    for entry in patterns:
        text = str(entry)
        path = Path(text)
        if path.is_dir():
            matches = [str(p) for p in path.glob("*.y*ml")]
        elif any(ch in text for ch in "*?["):
            matches = [m for m in glob.glob(text) if m.endswith((".yaml", ".yml"))]
        else:
            matches = [text] if path.is_file() else []
        if not matches:
            raise ConfigError(f"campaign path should name a YAML file, folder or glob, got {text!r}")
        found.update(matches)
    return sorted(found)


def merge_summaries(summaries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge shard summaries: numbers are summed, nested dicts merged, other values collected.

    >>> merge_summaries([{"created": 2, "by": {"a": 1}, "batch": "x"},
    ...                  {"created": 3, "by": {"a": 1, "b": 2}, "batch": "x"}])
    {'created': 5, 'by': {'a': 2, 'b': 2}, 'batch': 'x'}
    """
    merged: dict[str, Any] = {}
    for summary in summaries:
        for key, value in summary.items():
            if key not in merged:
                merged[key] = dict(value) if isinstance(value, Mapping) else value
                continue
            current = merged[key]
            if isinstance(value, bool) or isinstance(current, bool):
                merged[key] = bool(current) or bool(value)
            elif isinstance(value, (int, float)) and isinstance(current, (int, float)):
                merged[key] = current + value
            elif isinstance(value, Mapping) and isinstance(current, Mapping):
                merged[key] = merge_summaries([current, value])
            elif isinstance(value, list) and isinstance(current, list):
                merged[key] = current + value
            elif current != value:
                merged[key] = (current if isinstance(current, list) else [current]) + [value]
    return merged
