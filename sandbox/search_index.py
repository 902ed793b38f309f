"""The sandbox's search index: ``wbsearchentities`` terms, ``haswbstatement:`` and full text.

Reads the ``terms`` and ``statement_values`` tables of the revision store. With a search lag
armed (:class:`sandbox.faults.Lags`), ``haswbstatement`` answers for a freshly saved entity from
its previous statements until ``search_s`` seconds have passed, like CirrusSearch, whose index is
updated by a job queue some time after the edit.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sandbox.faults import Lags

if TYPE_CHECKING:
    from sandbox.store import RevisionStore


class SearchIndex:
    """Search over one :class:`~sandbox.store.RevisionStore`, lagging as ``lags`` says."""

    def __init__(self, store: RevisionStore, lags: Lags) -> None:
        self.store, self.lags = store, lags
        #: entity → (monotonic time the index catches up, statement values the index still has)
        self._unindexed: dict[str, tuple[float, list[tuple[str, str | None]]]] = {}

    def search_terms(self, text: str, language: str | None, entity_type: str,
                     limit: int, offset: int) -> list[tuple[str, str, str, str]]:
        """(entity, kind, lang, value) term hits whose folded value starts with ``text``."""
        folded = text.casefold()
        prefix = "Q%" if entity_type == "item" else "P%"
        sql = ("SELECT entity, kind, lang, value FROM terms WHERE kind IN ('label','alias') AND "
               "folded >= ? AND folded < ? AND entity LIKE ?")
        args: list[Any] = [folded, folded + "\U0010ffff", prefix]
        if language:
            sql += " AND lang=?"
            args.append(language)
        sql += " ORDER BY (folded=?) DESC, kind='alias', length(value), entity LIMIT ? OFFSET ?"
        args += [folded, limit * 4 + offset * 4, 0]
        rows = self.store.reader.execute(sql, args).fetchall()
        seen: dict[str, tuple[str, str, str, str]] = {}
        for row in rows:
            seen.setdefault(row[0], row)
        return list(seen.values())[offset:offset + limit]

    def haswbstatement(self, prop: str, value: str | None) -> set[str]:
        """Entities with a non-deprecated statement ``prop`` (= ``value`` when given).

        Entities saved less than ``lags.search_s`` seconds ago are matched on the statements
        the search index still holds (their previous version; none for a new entity).
        """
        if value is None:
            rows = self.store.reader.execute(
                "SELECT DISTINCT entity FROM statement_values WHERE property=?", (prop,)).fetchall()
        else:
            rows = self.store.reader.execute(
                "SELECT DISTINCT entity FROM statement_values WHERE property=? AND value=?",
                (prop, value)).fetchall()
        found = {r[0] for r in rows}
        for eid, stale in self.stale().items():
            if any(p == prop and (value is None or v == value) for p, v in stale):
                found.add(eid)
            else:
                found.discard(eid)
        return found

    def stale(self) -> dict[str, list[tuple[str, str | None]]]:
        """Entities the search index has not caught up with yet → the values it still holds."""
        with self.store.lock:
            if not self.lags.search_s:
                self._unindexed.clear()
                return {}
            now = time.monotonic()
            for eid in [e for e, (due, _) in self._unindexed.items() if due <= now]:
                del self._unindexed[eid]
            return {e: values for e, (_, values) in self._unindexed.items()}

    def note_unindexed(self, eid: str) -> None:
        """Before a save: remember what the lagging index still holds for ``eid``."""
        if not self.lags.search_s:
            return
        due = time.monotonic() + self.lags.search_s
        previous = self._unindexed.get(eid)
        if previous is not None and previous[0] > time.monotonic():
            self._unindexed[eid] = (due, previous[1])
            return
        rows = self.store._writer.execute("SELECT property, value FROM statement_values WHERE entity=?",
                                    (eid,)).fetchall()
        self._unindexed[eid] = (due, [(p, v) for p, v in rows])

    def label_search(self, word: str) -> set[str]:
        """Entities with a label/alias containing ``word`` (case-insensitive)."""
        rows = self.store.reader.execute(
            "SELECT DISTINCT entity FROM terms WHERE kind IN ('label','alias') AND folded LIKE ?",
            (f"%{word.casefold()}%",)).fetchall()
        return {r[0] for r in rows}
