"""Every injected fault is survived: no duplicate item, one item per identifier, all uploaded."""

from __future__ import annotations

import pytest
import wikibaseintegrator.wbi_helpers as wbi_helpers
from _upload_support import (
    admin_units,
    items_per_identifier,
    plans_for,
    records,
    run_upload,
    write_counts,
)

pytestmark = pytest.mark.integration

FAULTS = {
    "maxlag": {"maxlag": {"count": 2, "lag": 3, "retry_after": 2, "on": "write"}},
    "ratelimited": {"ratelimited": {"count": 2, "retry_after": 2}},
    "http_429": {"http_429": {"count": 2, "retry_after": 2, "on": "write"}},
    "http_503": {"http_503": {"count": 2, "retry_after": 2, "on": "write"}},
    "drop": {"drop": {"count": 2, "on": "write"}},
    "editconflict": {"editconflict": {"count": 1}},
    "expired_session": {"expire_sessions": True},
    "slow": {"slow": {"count": 3, "delay_ms": 150}},
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_survived(fault, services_factory, tmp_path, monkeypatch):
    svc = services_factory()
    units = admin_units(svc.target, tmp_path)
    recs = records(4, start=100)
    plans = plans_for(svc.target, recs, units)
    if fault == "editconflict":  # conflicts only arise on updates: make the items exist first
        run_upload(svc.target, plans, tmp_path / "first.sqlite")
        plans = plans_for(svc.target, recs, units, {p.source_id: q for p, q in
                                                    zip(plans, items_for(svc, recs), strict=True)})
        for p in plans:  # pretend the register gained an alias: a real update for every item
            p.desired["aliases"] = {"sv": [{"language": "sv", "value": f"alias {p.source_id}"}]}
            p.data = {"aliases": {"sv": [{"language": "sv", "value": f"alias {p.source_id}", "add": ""}]}}
            p.action = "update"
    before = svc.edits()["saved"]
    svc.faults(**FAULTS[fault])
    waits: list[float] = []
    monkeypatch.setattr(wbi_helpers, "sleep", waits.append)  # WBI's own sleeps, if any, are recorded too
    summary = run_upload(svc.target, plans, tmp_path / "l.sqlite", sleep=waits.append, backoff=0.01)
    assert summary.failed == 0, summary.failures
    assert summary.created + summary.updated == 4
    found = items_per_identifier(svc.target, recs)
    assert all(len(q) == 1 for q in found.values()), found
    if fault in ("maxlag", "ratelimited", "http_429", "http_503"):
        assert 2 in waits or 2.0 in waits  # Retry-After honoured
        assert sum(summary.retries.values()) >= 2
    if fault == "editconflict":
        assert summary.retries.get("editconflict") == 1
        counts = write_counts(svc)
        assert svc.edits()["saved"] - before == 4  # the refused attempt saved nothing
        assert svc.edits()["count"] - before == 5  # … and was retried once after re-reading
        assert all(c == 2 for c in counts.values())  # one create + one update per item
    if fault == "drop":
        assert summary.retries.get("connection", 0) >= 1


def items_for(svc, recs):
    found = items_per_identifier(svc.target, recs)
    return [found[r["source_id"]][0] for r in recs]
