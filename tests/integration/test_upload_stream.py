"""The real upload streams the plan store: plans are taken one at a time, only the parts the upload
reads are decoded, and counts and exactly-once hold as with a list (local sandbox services)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _upload_support import (
    admin_units,
    campaign,
    items_per_identifier,
    plans_for,
    records,
    write_counts,
)

from modeling.items import Plan
from modeling.ledger import Ledger
from modeling.plan_store import PlanWriter, store_row
from modeling.upload import UploadOptions
from pipelines.upload import store_plans, upload_plans

pytestmark = pytest.mark.integration


def _store(plans: list[Plan], path):
    with PlanWriter(path) as writer:
        for start in range(0, len(plans), 4):
            writer.write([store_row(p.to_json(), fingerprint=p.fingerprint(), labelled=[])
                          for p in plans[start:start + 4]])
    return path


def test_the_upload_streams_the_store_and_a_rerun_writes_nothing(services_factory, tmp_path):
    svc = services_factory()
    units = admin_units(svc.target, tmp_path)
    recs = records(10)
    decisions = {r["source_id"]: "new" for r in recs} | {recs[0]["source_id"]: "review",
                                                          recs[1]["source_id"]: "review"}
    store = _store(plans_for(svc.target, recs, units, decisions), tmp_path / "plans.parquet")
    total, stream = store_plans(store, None)
    assert total == 10 and isinstance(stream, Iterator)

    pulled: list[int] = []
    at_write: list[int] = []

    def counted(plans: Iterator[Plan]) -> Iterator[Plan]:
        for plan in plans:
            assert plan.warnings == plan.changes == []  # not decoded: the upload never reads them
            pulled.append(1)
            yield plan

    ledger = tmp_path / "04_upload" / "ledger.sqlite"
    opts = UploadOptions(sleep=lambda s: None, on_write=lambda _n: at_write.append(len(pulled)))
    first = upload_plans(counted(stream), campaign(), svc.target, ledger_path=ledger, options=opts,
                         total=total, progress=False)
    assert (first.plans, first.created, first.held, first.failed) == (10, 8, 2, 0)
    assert at_write == list(range(3, 11))  # the k-th write happens with 2 held + k plans taken
    assert sum(write_counts(svc).values()) == 8

    _, again = store_plans(store, None)
    second = upload_plans(again, campaign(), svc.target, ledger_path=ledger, progress=False,
                          options=UploadOptions(sleep=lambda s: None))  # total not given: counted
    assert (second.plans, second.skipped_done, second.held, second.writes) == (10, 8, 2, 0)
    assert sum(write_counts(svc).values()) == 8
    assert all(len(q) == 1 for q in items_per_identifier(svc.target, recs[2:]).values())
    with Ledger(ledger) as led:
        assert led.counts(campaign().id).get("done") == 8

    shard = {r["source_id"] for r in recs[:5]}
    shard_total, shard_plans = store_plans(store, shard)
    assert shard_total == 5 and {p.source_id for p in shard_plans} == shard
