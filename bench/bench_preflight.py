"""Benchmark: the plan stage's preflight over 100,000 plans, from the store's columns vs decoding.

Plans 2,000 seeded BBR-like records with the sample campaign (30 municipalities, points spread
over Sweden), stores them with :func:`modeling.plan_store.store_row` and repeats those rows, with
new source ids, up to ``--plans`` rows in 2,000-row row groups (as the plan stage writes them).
Then times what ``preflight_task`` does with the plans, without the target's answers (the unit
coordinates are given):

* columns: :func:`modeling.preflight.store_refs` (the ``refs`` column), then
  :func:`~modeling.plausibility.located_units` and :func:`~modeling.plausibility.far_from_located`
  (``unit``/``lat``/``lon``), Arrow batches, nothing decoded;
* baseline: the same on the decoded plans (:func:`~modeling.preflight.plan_refs`,
  :func:`~modeling.plausibility.record_units`), as before issue 11 and still for older stores —
  measured on ``--baseline-plans`` rows and extrapolated; both results are compared there.

Also the cost the columns add to storing a plan (:func:`modeling.plan_index.index_columns`).
Times are CPU seconds of this process (``time.process_time``: steadier than wall time on the
shared 2-core machine; the work is single-threaded). Prints ``key=value`` lines (tabulated by
``python -m bench``).

Run: ``.venv/bin/python bench/bench_preflight.py [--plans 100000] [--baseline-plans 10000]``.
Target: 10⁵ plans in ≈ 1–2 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.contracts import PLAN_INDEX_COLUMNS
from modeling.campaign import load_campaign
from modeling.items import plan_items
from modeling.plan_index import index_columns
from modeling.plan_store import PlanWriter, iter_batches, store_row
from modeling.plausibility import (
    LOCATION_COLUMNS,
    far_from_located,
    far_from_units,
    located_units,
    record_units,
)
from modeling.preflight import plan_refs, read_plan_lines, store_refs

SEED = 11
CHUNK = 2_000
CAMPAIGN = Path(__file__).resolve().parents[1] / "campaigns" / "wlm-se-bbr-sample.yaml"
TOWNS = 30


def _plans(rng: np.random.Generator) -> tuple[list[dict], dict[str, tuple[float, float]]]:
    """2,000 plan dicts and their units' coordinates (a tenth of the points far from theirs)."""
    centres = {f"{c:04d}": (rng.uniform(55.5, 67.5), rng.uniform(12.0, 22.0)) for c in range(TOWNS)}
    qids = {code: f"Q{190000000 + i}" for i, code in enumerate(centres)}
    records = []
    for i in range(CHUNK):
        code = f"{int(rng.integers(0, TOWNS)):04d}"
        lat, lon = centres[code]
        far = rng.random() < 0.1
        records.append({
            "source_id": f"213{i:011d}", "name": f"Kv. Ärlan {i}", "municipality_code": code,
            "municipality": f"Kommun {code}", "type": "byggnad", "designation_type": "enskilt",
            "designation_date": "1965-04-02", "address": f"Storgatan {i}", "built": "1641",
            "lat": lat + rng.normal(0, 2.0 if far else 0.05),
            "lon": lon + rng.normal(0, 2.0 if far else 0.05), "source_row": i + 2})
    plans = plan_items(records, {r["source_id"]: "new" for r in records}, load_campaign(CAMPAIGN),
                       admin_units=qids, live_entities={}, today=date(2026, 10, 1))
    return [p.to_json() for p in plans], {qids[c]: centres[c] for c in centres}


def _store(path: Path, plans: list[dict], n: int) -> float:
    """Write ``n`` rows (the plans repeated, new source ids); returns CPU µs per
    index_columns call (best of 3)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for plan in plans:
            index_columns(plan)
        best = min(best, time.process_time() - started)
    per_plan_us = best / len(plans) * 1e6
    rows = pa.Table.from_pylist([store_row(p, fingerprint="f", labelled=["sv"]) for p in plans])
    with PlanWriter(path) as writer:
        for k in range(0, n, CHUNK):
            chunk = rows.slice(0, min(CHUNK, n - k))
            ids = pc.binary_join_element_wise(chunk.column("source_id"), pa.scalar(f"-{k}"), "")
            writer.write(chunk.set_column(0, "source_id", ids).to_pylist())
    return per_plan_us


def _columns(store: Path, points: dict[str, tuple[float, float]]) -> tuple[float, dict, list]:
    started = time.process_time()
    refs = store_refs(store)
    units = located_units(iter_batches(store, LOCATION_COLUMNS))
    far = far_from_located(iter_batches(store, LOCATION_COLUMNS),
                           {u: points[u] for u in units if u in points}, 50)
    return time.process_time() - started, refs, far


def _decoded(store: Path, points: dict[str, tuple[float, float]]) -> tuple[float, dict, list]:
    started = time.process_time()
    refs = plan_refs(read_plan_lines(store))
    pairs = list(record_units(read_plan_lines(store)))
    far = far_from_units(pairs, {u: points[u] for _, u, _, _ in pairs if u in points}, 50)
    return time.process_time() - started, refs, far


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--baseline-plans", type=int, default=10_000)
    args = parser.parse_args()
    plans, points = _plans(np.random.default_rng(SEED))
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "plans.parquet", Path(tmp) / "subset.parquet"
        per_plan_us = _store(big, plans, args.plans)
        _store(small, plans, args.baseline_plans)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        seconds, _, far = _columns(big, points)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sub_columns, refs, sub_far = _columns(small, points)
        sub_decoded, expected_refs, expected_far = _decoded(small, points)
        older = Path(tmp) / "older.parquet"
        pq.write_table(pq.read_table(small).drop_columns(list(PLAN_INDEX_COLUMNS)), older)
        same_as_older = store_refs(older) == refs
    baseline = sub_decoded * args.plans / args.baseline_plans
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"result: preflight_plans_s={seconds:.2f} baseline_s={baseline:.1f} "
          f"ratio={baseline / seconds:.0f}")
    print(f"preflight_plans={args.plans}")
    print(f"preflight_columns_s={seconds:.2f}")
    print(f"preflight_decoded_s_extrapolated={baseline:.1f}")
    print(f"preflight_ratio={baseline / seconds:.0f}")
    print(f"preflight_far_from_unit={len(far)}")
    print(f"preflight_index_us_per_plan={per_plan_us:.1f}")
    print(f"preflight_same_result={refs == expected_refs and sub_far == expected_far and same_as_older}")
    print(f"preflight_subset_columns_s={sub_columns:.3f}")
    print(f"peak_rss_mb_before_preflight={before:.0f}")
    print(f"peak_rss_mb_after_preflight={after:.0f}")
    print(f"peak_rss_mb={rss:.0f}")


if __name__ == "__main__":
    main()
