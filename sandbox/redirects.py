"""Entity redirects left by ``wbmergeitems`` (a table of their own in the revision database)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

_SCHEMA = "CREATE TABLE IF NOT EXISTS redirects (source TEXT PRIMARY KEY, target TEXT NOT NULL)"


class Redirects:
    """``source → target`` entity redirects, persisted in SQLite."""

    def __init__(self, path: str | Path) -> None:
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        with self._lock:
            self._conn.execute(_SCHEMA)
            self._conn.commit()

    def target(self, entity_id: str) -> str | None:
        """Where ``entity_id`` redirects to, or None."""
        with self._lock:
            row = self._conn.execute("SELECT target FROM redirects WHERE source=?",
                                     (entity_id,)).fetchone()
        return str(row[0]) if row else None

    def add(self, source: str, target: str) -> None:
        """Make ``source`` redirect to ``target`` (redirects to ``source`` follow along)."""
        with self._lock:
            self._conn.execute("UPDATE redirects SET target=? WHERE target=?", (target, source))
            self._conn.execute("INSERT OR REPLACE INTO redirects VALUES (?, ?)", (source, target))
            self._conn.commit()

    def remove(self, source: str) -> None:
        """Turn ``source`` back into an ordinary entity."""
        with self._lock:
            self._conn.execute("DELETE FROM redirects WHERE source=?", (source,))
            self._conn.commit()

    def all(self) -> dict[str, str]:
        """Every redirect, ``source → target``."""
        with self._lock:
            rows = self._conn.execute("SELECT source, target FROM redirects").fetchall()
        return {str(source): str(target) for source, target in rows}

    def sources_of(self, target: str) -> list[str]:
        """The entities redirecting to ``target``."""
        with self._lock:
            rows = self._conn.execute("SELECT source FROM redirects WHERE target=? ORDER BY source",
                                      (target,)).fetchall()
        return [str(row[0]) for row in rows]
