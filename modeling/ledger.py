"""The upload ledger: a durable ``source_id → QID`` journal written before and after every edit.

SQLite in WAL mode with ``synchronous=FULL``, so a row committed before a process dies is on
disk. The uploader writes ``pending`` (with the intent ``create``/``update``) *before* each
``wbeditentity`` and ``done`` (QID + revision id) right after the API answers. On a re-run:

* ``done`` rows whose plan fingerprint is unchanged are skipped;
* ``pending`` rows with intent ``create`` and no QID are the crash window between the request
  and the ledger write. Each carries the unique **token** its create put in the edit summary
  (``wlkit-<batch>-<seq>``, :meth:`Ledger.pending` returns it) and the time it was written, so
  the uploader can find the create in the account's own contributions before anything new is
  created (:mod:`modeling.upload`);
* ``failed`` rows are retried on the next run, after the same check.

Every state change is also appended to ``ledger_history`` (audit trail; ``seq`` numbers tokens).

API for other stages: :meth:`Ledger.get`, :meth:`Ledger.rows`, :meth:`Ledger.qids`,
:meth:`Ledger.counts` (what checklists and progress pages report), :meth:`Ledger.unresolved`
(creates whose outcome is unknown), and the writers :meth:`Ledger.pending`,
:meth:`Ledger.done`, :meth:`Ledger.failed`. Older ledgers gain the ``token`` column on open.
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
    token TEXT,                    -- edit-summary token of the last create attempt
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
    error TEXT,
    token TEXT
);
"""

_COLUMNS = ("campaign", "source_id", "qid", "revid", "status", "batch", "at", "intent", "fingerprint",
            "error", "token")
#: Statuses a create can be left in with its outcome unknown (or refused): looked up first.
UNRESOLVED = ("pending", "failed")


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
    token: str | None = None

    @property
    def unresolved_create(self) -> bool:
        """A create whose outcome is unknown or was refused (no QID known yet)."""
        return self.status in UNRESOLVED and self.intent == "create" and not self.qid


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
        self._migrate()

    def _migrate(self) -> None:
        for table in ("ledger", "ledger_history"):
            cols = {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}
            if "token" not in cols:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN token TEXT")

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

    def counts(self, campaign: str) -> dict[str, int]:
        """Rows per status (``pending``/``done``/``failed``): what checklists and progress report."""
        cur = self._db.execute("SELECT status, COUNT(*) FROM ledger WHERE campaign=? GROUP BY status",
                               (campaign,))
        return dict(cur.fetchall())

    def unresolved(self, campaign: str) -> list[LedgerRow]:
        """Creates whose outcome is unknown or refused (``pending``/``failed``, no QID), oldest first."""
        return sorted((r for r in self.rows(campaign) if r.unresolved_create), key=lambda r: r.at)

    def _put(self, row: LedgerRow, *, token_prefix: str | None = None) -> str | None:
        """Write ``row`` and its history entry in one transaction.

        With ``token_prefix`` the row's token becomes ``<prefix>-<history seq>`` (unique per
        ledger) and is returned.
        """
        with self._db:  # one transaction: current state + history together
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute(
                "INSERT INTO ledger_history (campaign, source_id, qid, revid, status, batch, at, intent, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.campaign, row.source_id, row.qid, row.revid, row.status, row.batch, row.at,
                 row.intent, row.error),
            )
            token = row.token
            if token_prefix is not None:
                token = f"{token_prefix}-{cur.lastrowid}"
            self._db.execute("UPDATE ledger_history SET token=? WHERE seq=?", (token, cur.lastrowid))
            values = tuple(token if c == "token" else getattr(row, c) for c in _COLUMNS)
            self._db.execute(
                f"INSERT OR REPLACE INTO ledger ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                values,
            )
        return token

    def pending(self, campaign: str, source_id: str, *, intent: str, qid: str | None,
                batch: str, fingerprint: str) -> str:
        """Record the intent to write (call BEFORE the API call).

        Returns:
            The write's token, ``wlkit-<batch>-<seq>``: put it in the edit summary so the write
            can be found in the account's contributions whatever happens to this process.
        """
        prev = self.get(campaign, source_id)
        row = LedgerRow(campaign, source_id, qid or (prev.qid if prev else None),
                        prev.revid if prev else None, "pending", batch, _now(), intent, fingerprint)
        token = self._put(row, token_prefix=f"wlkit-{batch}")
        assert token is not None
        return token

    def done(self, campaign: str, source_id: str, *, qid: str, revid: int | None, batch: str,
             fingerprint: str, intent: str) -> None:
        """Record a confirmed write (or a confirmed no-op) right after the API answered."""
        prev = self.get(campaign, source_id)
        self._put(LedgerRow(campaign, source_id, qid, revid, "done", batch, _now(), intent, fingerprint,
                            token=prev.token if prev else None))

    def failed(self, campaign: str, source_id: str, *, batch: str, error: str,
               fingerprint: str | None = None) -> None:
        """Record a record that failed after all retries (keeps a known QID, the token and its time).

        An unresolved create keeps the time of its last request, so the next run knows from when
        to read the account's contributions.
        """
        prev = self.get(campaign, source_id)
        at = prev.at if prev and prev.status == "pending" and prev.token else _now()
        self._put(LedgerRow(campaign, source_id, prev.qid if prev else None, prev.revid if prev else None,
                            "failed", batch, at, prev.intent if prev else None, fingerprint, error,
                            prev.token if prev else None))
