"""The SQLite upload ledger."""

from __future__ import annotations

import sqlite3

from modeling.ledger import Ledger


def test_pending_then_done_with_history(tmp_path):
    path = tmp_path / "04_upload" / "ledger.sqlite"
    with Ledger(path) as led:
        led.pending("c", "1", intent="create", qid=None, batch="b1", fingerprint="f")
        row = led.get("c", "1")
        assert (row.status, row.qid, row.intent) == ("pending", None, "create")
        led.done("c", "1", qid="Q200000001", revid=12, batch="b1", fingerprint="f", intent="create")
        assert led.qids("c") == {"1": "Q200000001"}
        assert led.history("c", "1") == [("pending", None), ("done", "Q200000001")]
    # durable and reopenable; WAL + FULL sync
    with Ledger(path) as led:
        assert led.get("c", "1").revid == 12
        assert led._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert led._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_failed_keeps_the_known_qid_and_one_row_per_record(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as led:
        led.done("c", "1", qid="Q5", revid=3, batch="b1", fingerprint="f", intent="update")
        led.pending("c", "1", intent="update", qid=None, batch="b2", fingerprint="g")
        led.failed("c", "1", batch="b2", error="modification-failed: bad")
        row = led.get("c", "1")
        assert (row.status, row.qid, row.error) == ("failed", "Q5", "modification-failed: bad")
        led.pending("other", "1", intent="create", qid=None, batch="b2", fingerprint="g")
        assert [r.campaign for r in led.rows("c")] == ["c"]
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM ledger").fetchone()[0]
    assert rows == 2


def test_each_write_gets_a_unique_token_kept_until_done(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite") as led:
        first = led.pending("c", "1", intent="create", qid=None, batch="b1", fingerprint="f")
        second = led.pending("c", "2", intent="create", qid=None, batch="b1", fingerprint="f")
        assert first.startswith("wlkit-b1-") and first != second
        led.failed("c", "1", batch="b1", error="connection")
        row = led.get("c", "1")
        assert row.token == first and row.unresolved_create
        assert [r.source_id for r in led.unresolved("c")] == ["1", "2"]
        led.done("c", "2", qid="Q9", revid=1, batch="b1", fingerprint="f", intent="create")
        assert led.counts("c") == {"failed": 1, "done": 1}
        assert [r.source_id for r in led.unresolved("c")] == ["1"]


def test_an_old_ledger_gains_the_token_column(tmp_path):
    path = tmp_path / "ledger.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE ledger (campaign TEXT NOT NULL, source_id TEXT NOT NULL, qid TEXT, revid INTEGER,"
        " status TEXT NOT NULL, batch TEXT, at TEXT NOT NULL, intent TEXT, fingerprint TEXT, error TEXT,"
        " PRIMARY KEY (campaign, source_id));"
        "INSERT INTO ledger VALUES ('c', '1', NULL, NULL, 'pending', 'b0', '2026-10-01T10:00:00+00:00',"
        " 'create', 'f', NULL);")
    db.close()
    with Ledger(path) as led:
        row = led.get("c", "1")
        assert (row.status, row.token) == ("pending", None)
        assert led.pending("c", "1", intent="create", qid=None, batch="b1", fingerprint="f").startswith("wlkit-b1-")
