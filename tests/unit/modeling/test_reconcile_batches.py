"""Batched reconciliation lookups: two requests in flight, results and counts as if run in order."""

from __future__ import annotations

import threading

import pandas as pd

from core.settings import Target
from modeling.reconcile_ids import IN_FLIGHT, run_batches

TARGET = Target(name="t", api_url="http://127.0.0.1:9/w/api.php", sparql_url="http://127.0.0.1:9/query")


def test_batches_run_two_at_a_time_and_come_back_in_order():
    both = threading.Barrier(IN_FLIGHT, timeout=10)  # passes only when two requests are in flight
    seen: list[int] = []

    def runner(name, target, *, cache_dir=None, values):
        both.wait()
        seen.append(values[0])
        return pd.DataFrame({"value": values, "name": name})

    counter: dict[str, int] = {}
    batches = [{"values": [n, n + 1]} for n in range(0, 12, 2)]
    frames = run_batches(runner, "reconcile_by_identifier", TARGET, batches, counter=counter)
    assert [f["value"].tolist() for f in frames] == [b["values"] for b in batches]
    assert sorted(seen) == [b["values"][0] for b in batches]
    assert counter == {"reconcile_by_identifier": 6}
    one = run_batches(lambda name, target, *, cache_dir=None, values: pd.DataFrame({"value": values}),
                      "reconcile_candidates", TARGET, [{"values": [1]}], counter=counter)
    assert one[0]["value"].tolist() == [1] and counter["reconcile_candidates"] == 1
