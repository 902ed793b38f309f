"""The upload ledger: a durable ``source_id → QID`` journal written before and after every edit.

SQLite in WAL mode with ``synchronous=FULL``, so a row committed before a process dies is on
disk. The uploader writes ``pending`` (with the intent ``create``/``update``) *before* each
``wbeditentity`` and ``done`` (QID + revision id) right after the API answers. On a re-run:

* ``done`` rows whose plan fingerprint is unchanged are skipped;
* ``pending`` rows with intent ``create`` and no QID are the crash window between the API's
  answer and the ledger write: the uploader looks the identifier up on the wiki before creating
  anything, so a crash never yields a second item (FIELD-NOTES §1.4.4, §4.3.1–2).

Every state change is also appended to ``ledger_history`` (audit trail).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    campaign TEXT NOT NULL,
    source_id TEXT NOT NULL,
    qid TEXT,
    revid INTEGER,
    status TEXT NOT NULL,          -- pending | done | failed
    batch TEXT,
    at TEXT NOT NULL,              -- ISO 8601 UTC
    intent TEXT,                   -- create | update | unchanged
    fingerprint TEXT,              -- Plan.fingerprint() of the plan last written
    error TEXT,
    PRIMARY KEY (campaign, source_id)
);
CREATE TABLE IF NOT EXISTS ledger_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign TEXT NOT NULL,
    source_id TEXT NOT NULL,
    qid TEXT,
    revid INTEGER,
    status TEXT NOT NULL,
    batch TEXT,
    at TEXT NOT NULL,
    intent TEXT,
    error TEXT
);
"""

_COLUMNS = ("campaign", "source_id", "qid", "revid", "status", "batch", "at", "intent", "fingerprint", "error")


@dataclass(frozen=True)
class LedgerRow:
    """One ledger row (see the module docstring for the statuses)."""

    campaign: str
    source_id: str
    qid: str | None
    revid: int | None
    status: str
    batch: str | None
    at: str
    intent: str | None = None
    fingerprint: str | None = None
    error: str | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Ledger:
    """Open (creating if needed) the ledger at ``path``; use as a context manager."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def get(self, campaign: str, source_id: str) -> LedgerRow | None:
        """The row for one record, or None."""
        cur = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM ledger WHERE campaign=? AND source_id=?",
            (campaign, source_id),
        )
        row = cur.fetchone()
        return LedgerRow(*row) if row else None

    def rows(self, campaign: str) -> list[LedgerRow]:
        """All rows of a campaign, ordered by source id."""
        cur = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM ledger WHERE campaign=? ORDER BY source_id", (campaign,)
        )
        return [LedgerRow(*r) for r in cur.fetchall()]

    def history(self, campaign: str, source_id: str) -> list[tuple[str, str | None]]:
        """(status, qid) transitions of one record, oldest first."""
        cur = self._db.execute(
            "SELECT status, qid FROM ledger_history WHERE campaign=? AND source_id=? ORDER BY seq",
            (campaign, source_id),
        )
        return [(s, q) for s, q in cur.fetchall()]

    def qids(self, campaign: str) -> dict[str, str]:
        """``source_id → QID`` for every row that knows its item."""
        cur = self._db.execute(
            "SELECT source_id, qid FROM ledger WHERE campaign=? AND qid IS NOT NULL", (campaign,)
        )
        return dict(cur.fetchall())

    def _put(self, row: LedgerRow) -> None:
        values = tuple(getattr(row, c) for c in _COLUMNS)
        with self._db:  # one transaction: current state + history together
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                f"INSERT OR REPLACE INTO ledger ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                values,
            )
            self._db.execute(
                "INSERT INTO ledger_history (campaign, source_id, qid, revid, status, batch, at, intent, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.campaign, row.source_id, row.qid, row.revid, row.status, row.batch, row.at,
                 row.intent, row.error),
            )

    def pending(self, campaign: str, source_id: str, *, intent: str, qid: str | None,
                batch: str, fingerprint: str) -> None:
        """Record the intent to write (call BEFORE the API call)."""
        prev = self.get(campaign, source_id)
        self._put(LedgerRow(campaign, source_id, qid or (prev.qid if prev else None),
                            prev.revid if prev else None, "pending", batch, _now(), intent, fingerprint))

    def done(self, campaign: str, source_id: str, *, qid: str, revid: int | None, batch: str,
             fingerprint: str, intent: str) -> None:
        """Record a confirmed write (or a confirmed no-op) right after the API answered."""
        self._put(LedgerRow(campaign, source_id, qid, revid, "done", batch, _now(), intent, fingerprint))

    def failed(self, campaign: str, source_id: str, *, batch: str, error: str,
               fingerprint: str | None = None) -> None:
        """Record a record that failed after all retries (keeps a known QID)."""
        prev = self.get(campaign, source_id)
        self._put(LedgerRow(campaign, source_id, prev.qid if prev else None, prev.revid if prev else None,
                            "failed", batch, _now(), prev.intent if prev else None, fingerprint, error))
