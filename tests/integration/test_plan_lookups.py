"""The plan stage's lookups (modeling/plan_lookups.py) on the local services: the hits do not
depend on how many values or labels go into one request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import layout
from modeling.campaign import load_campaign
from modeling.plan_lookups import LOOKUP_BATCH, lookup, read_lookups
from pipelines.ingest import ingest_flow
from sparql import client

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def test_lookups_in_large_batches_find_what_small_batches_find(services_factory, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated BBR-format register of 1,500 records, a fifth of them already items on the target
    (with the identifier, and the label and description the plans would give)."""
    monkeypatch.syspath_prepend(str(PROJECT))  # the benchmark's register generator and seeding
    from bench.bench_e2e import seed_existing
    from bench.e2e_data import generate_run

    gen = generate_run(tmp_path / "register", 1_500, existing_share=0.2)
    svc = services_factory(seed=True)
    seed_existing(svc.info, gen.seed, tmp_path)
    out = tmp_path / "run"
    ingest_flow(campaign=str(gen.campaign), out=str(out))
    campaign = load_campaign(gen.campaign)
    target = svc.target
    records = out / layout.RECORDS

    small = lookup(records, campaign, target, client.run, tmp_path / "small.json", batch_size=200)
    large = lookup(records, campaign, target, client.run, tmp_path / "large.json")

    assert json.loads((tmp_path / "small.json").read_text()) == json.loads(
        (tmp_path / "large.json").read_text())
    existing, collisions = read_lookups(tmp_path / "large.json")
    assert len(existing) == 300 and len(collisions) >= 300
    assert large["identifier_hits"] == small["identifier_hits"] == len(existing)
    assert large["collisions"] == small["collisions"] == len(collisions)
    values = large["identifier_values"]
    assert small["requests"]["reconcile_by_identifier"] == -(-values // 200) == 8
    assert large["requests"]["reconcile_by_identifier"] == -(-values // LOOKUP_BATCH) == 2
