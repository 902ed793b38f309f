"""The reconcile benchmark's data: valid N-Triples, whole-line load chunks, the expected matches."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox

PROJECT = Path(__file__).resolve().parents[3]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_reconcile",
                                                  PROJECT / "bench" / "bench_reconcile.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_reconcile"] = module
    spec.loader.exec_module(module)
    return module


def test_chunks_cut_at_line_ends_and_rejoin_to_the_input():
    bench = _bench()
    _, triples = bench.make_data(50)
    parts = list(bench.chunks(triples, 1000))
    assert len(parts) > 1
    assert b"".join(parts) == triples
    assert all(p.endswith(b"\n") for p in parts)
    assert list(bench.chunks(b"", 10)) == []
    assert list(bench.chunks(b"one long line .\n", 3)) == [b"one long line .\n"]


def test_data_loads_and_reconciles_in_process_as_designed():
    bench = _bench()
    records, triples = bench.make_data(400)
    store = ox.Store()
    store.bulk_load(triples, ox.RdfFormat.N_TRIPLES)
    assert len(store) == triples.count(b"\n")
    target = bench.Target(name="t", api_url="http://127.0.0.1:9/w/api.php",
                          sparql_url="http://127.0.0.1:9/query")
    m = bench.measure(records, target, bench.store_runner(store), baseline_sample=5)
    assert m["by_id"] == 360  # 90 % carry their identifier
    assert m["by_geo"] == 20  # the "geo" half of the rest: an item 5–40 m away, name variant
    assert m["requests"]["reconcile_by_identifier"] == 1  # 400 values, batch_size 1,000
    assert set(m["spent"]) == {"reconcile_by_identifier", "reconcile_candidates"}
