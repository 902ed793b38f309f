"""Write-back: one edit per entity, add-only, no duplicates, re-run (and crash re-run) a no-op."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from core.errors import EditConflictError, UploadError
from modeling.contest.writeback import apply_writeback, wanted_by_entity
from modeling.datavalues import item, snak, statement, string
from modeling.ledger import Ledger


class Crash(Exception):
    """The process dies between the API's answer and the ledger write."""


class FakeWiki:
    """An in-memory wiki that applies ``wbeditentity`` claims like Wikibase (append, new revision)."""

    def __init__(self, entities: dict[str, dict]) -> None:
        self.entities = copy.deepcopy(entities)
        self.edits: list[tuple[str, dict]] = []
        self.fail_next: list[Exception] = []
        self.crash_after_write = False

    def get_entities(self, ids):
        return {i: copy.deepcopy(self.entities[i]) for i in ids if i in self.entities}

    def log_in(self):
        pass

    def edit(self, data, *, qid, summary, baserevid, attempt=0):
        if self.fail_next:
            raise self.fail_next.pop(0)
        ent = self.entities[qid]
        for st in data["claims"]:
            ent.setdefault("claims", {}).setdefault(st["mainsnak"]["property"], []).append(st)
        ent["lastrevid"] += 1
        self.edits.append((qid, data))
        if self.crash_after_write:
            raise Crash
        return {"entity": {"id": qid, "lastrevid": ent["lastrevid"]}}

    def values(self, entity, prop):
        return [
            s["mainsnak"]["datavalue"]["value"]
            for s in self.entities[entity].get("claims", {}).get(prop, [])
        ]


def _entities():
    other = statement(snak("P18", "commonsMedia", string("Someone else's photo.jpg")))
    depicts = statement(snak("P180", "wikibase-item", item("Q101")))
    return {
        "Q101": {"id": "Q101", "lastrevid": 10, "claims": {}},
        "Q102": {"id": "Q102", "lastrevid": 20, "claims": {"P18": [other]}},
        "M1001": {"id": "M1001", "lastrevid": 30, "statements": {}},
        "M1002": {"id": "M1002", "lastrevid": 40, "statements": {"P180": [depicts]}},
    }


ACCEPTED = pd.DataFrame(
    [
        ("Q101", "P18", "Vreta kyrka 1.jpg"),
        ("Q101", "P373", "Vreta kyrka"),
        ("Q101", "P18", "Vreta kyrka 2.jpg"),
        ("Q102", "P18", "Gamla bron SDC.jpg"),
        ("M1001", "P180", "Q101"),
        ("M1002", "P180", "Q101"),
    ],
    columns=["entity", "property", "value"],
)


def _run(wiki, ledger, **kw):
    return apply_writeback(
        wanted_by_entity(ACCEPTED),
        wiki,
        campaign="wlm-test",
        batch="b1",
        ledger=ledger,
        edit_summary="wikiloves-kit test",
        sleep=lambda s: None,
        **kw,
    )


def test_one_edit_per_entity_add_only(tmp_path):
    wiki = FakeWiki(_entities())
    with Ledger(tmp_path / "wb.sqlite") as ledger:
        s = _run(wiki, ledger)
    assert [e for e, _ in wiki.edits] == [
        "M1001",
        "Q101",
    ]  # one write each; Q102 and M1002 need none
    assert wiki.values("Q101", "P18") == ["Vreta kyrka 1.jpg"]  # one image, the first accepted
    assert wiki.values("Q101", "P373") == ["Vreta kyrka"]
    assert wiki.values("Q102", "P18") == [
        "Someone else's photo.jpg"
    ]  # never replaced, never doubled
    assert (s.written, s.statements_added, s.unchanged) == (2, 3, 2)
    assert s.kept == [
        {
            "entity": "Q102",
            "property": "P18",
            "value": "Gamla bron SDC.jpg",
            "reason": "already has P18 = Someone else's photo.jpg",
        }
    ]


def test_rerun_is_a_no_op(tmp_path):
    wiki = FakeWiki(_entities())
    with Ledger(tmp_path / "wb.sqlite") as ledger:
        _run(wiki, ledger)
        again = _run(wiki, ledger)
    assert len(wiki.edits) == 2 and again.written == 0 and again.skipped_done == 4


def test_crash_after_the_write_then_rerun_adds_nothing_twice(tmp_path):
    wiki = FakeWiki(_entities())
    wiki.crash_after_write = True
    with Ledger(tmp_path / "wb.sqlite") as ledger, pytest.raises(Crash):
        _run(wiki, ledger)
    assert ledger_status(tmp_path, "M1001") == "pending"
    wiki.crash_after_write = False
    with Ledger(tmp_path / "wb.sqlite") as ledger:
        s = _run(wiki, ledger)
    assert [v["id"] for v in wiki.values("M1001", "P180")] == ["Q101"]  # written once, not twice
    assert wiki.values("Q101", "P18") == ["Vreta kyrka 1.jpg"]
    assert s.failed == 0 and ledger_status(tmp_path, "M1001") == "done"


def test_transient_failures_and_conflicts_re_read_before_retrying(tmp_path):
    wiki = FakeWiki(_entities())
    transient = UploadError("HTTP 502", code="http-502")
    transient.wait = 0.0  # what a retryable error carries
    wiki.fail_next = [transient, EditConflictError("edit conflict", code="editconflict")]
    with Ledger(tmp_path / "wb.sqlite") as ledger:
        s = _run(wiki, ledger)
    assert s.failed == 0 and len(wiki.edits) == 2
    assert wiki.values("Q101", "P18") == ["Vreta kyrka 1.jpg"]


def test_final_error_is_recorded_and_retried_next_run(tmp_path):
    wiki = FakeWiki(_entities())
    wiki.fail_next = [UploadError("permissiondenied: no", code="permissiondenied")]
    with Ledger(tmp_path / "wb.sqlite") as ledger:
        first = _run(wiki, ledger)
        second = _run(wiki, ledger)
    assert first.failed == 1 and second.failed == 0 and len(wiki.edits) == 2


def test_dry_run_writes_nothing(tmp_path):
    wiki = FakeWiki(_entities())
    s = _run(wiki, None, dry_run=True)
    assert wiki.edits == [] and len(s.planned) == 3


def ledger_status(tmp_path, entity):
    with Ledger(tmp_path / "wb.sqlite") as ledger:
        row = ledger.get("wlm-test", f"writeback:{entity}")
        return row.status if row else None
