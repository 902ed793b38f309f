"""Recovery evidence: tokens found in the account's own contributions, and when absence counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from modeling.ledger import LedgerRow
from modeling.upload_recovery import CLOCK_SKEW, Evidence, summary_token

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


@dataclass
class Edit:
    title: str
    revid: int
    timestamp: str
    comment: str
    new: bool


class Contribs:
    def __init__(self, edits: list[Edit]) -> None:
        self.edits = edits
        self.asked: list[str] = []

    def own_edits_since(self, since: str, *, source: str = "usercontribs") -> list[Edit]:
        self.asked.append(since)
        return self.edits


def _row(sid: str, token: str | None, at: datetime, status: str = "pending") -> LedgerRow:
    return LedgerRow("c", sid, None, None, status, "b1", at.isoformat(), "create", "fp", None, token)


def test_a_token_in_a_create_summary_names_the_item():
    contribs = Contribs([
        Edit("Q7", 1, "2026-10-01T11:59:00Z",
             f"/* wbeditentity-create-item:0| */ x {summary_token('wlkit-b1-12')}", True),
        Edit("Q7", 2, "2026-10-01T11:59:30Z", f"/* wbeditentity-update:0| */ {summary_token('wlkit-b1-13')}", False),
        Edit("Q8", 3, "2026-10-01T11:59:40Z", f"{summary_token('wlkit-b1-120')}", True),
    ])
    ev = Evidence(contribs, commit_grace=60, now=lambda: NOW)
    rows = [_row("a", "wlkit-b1-12", NOW - timedelta(minutes=2)), _row("b", "wlkit-b1-13", NOW)]
    assert ev.refresh(rows) == 3
    assert contribs.asked == [(NOW - timedelta(minutes=2) - CLOCK_SKEW).strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert ev.item_of(rows[0]) == "Q7"
    assert ev.item_of(rows[1]) is None  # an update is not the create: token 13 made nothing
    assert ev.item_of(_row("c", "wlkit-b1-1", NOW)) is None  # -1 is not a prefix of -12/-120


def test_absence_counts_only_after_the_commit_grace():
    ev = Evidence(Contribs([]), commit_grace=60, now=lambda: NOW)
    young = _row("a", "wlkit-b1-1", NOW - timedelta(seconds=30))
    old = _row("b", "wlkit-b1-2", NOW - timedelta(seconds=90))
    assert ev.too_young(young) and not ev.too_young(old)
    assert ev.wait_needed([young, old]) == 30.0
    assert not ev.too_young(_row("c", None, NOW))  # no token: nothing to wait for


def test_old_rows_are_left_to_the_identifier_search():
    contribs = Contribs([])
    ev = Evidence(contribs, now=lambda: NOW)
    assert ev.refresh([_row("a", "wlkit-b1-1", NOW - timedelta(days=3), status="failed")]) == 0
    assert contribs.asked == []
