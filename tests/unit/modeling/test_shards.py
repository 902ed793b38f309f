"""Sharding for fan-out: identifier ranges from the ledger, even chunks, merged summaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from modeling.shards import (
    expand_campaign_paths,
    id_sort_key,
    merge_summaries,
    pending_ids,
    shard_by_range,
    split_evenly,
)

PROJECT = Path(__file__).resolve().parents[3]
# BBR-style 14-digit identifiers, plus shorter ones to check numeric ordering.
BBR = [f"2132000{n:07d}" for n in (17, 3, 250, 42, 1999, 8, 120)]


def test_ranges_partition_every_id_exactly_once_in_order():
    ids = [*BBR, "7", "10", "9"]
    shards = shard_by_range([*ids, "10"], 3)  # a duplicate is dropped
    assert [s.count for s in shards] == [4, 3, 3]
    flat = [i for s in shards for i in s.ids]
    assert sorted(flat, key=id_sort_key) == flat
    assert sorted(flat) == sorted(set(ids))
    assert flat[:3] == ["7", "9", "10"]  # numeric, not lexicographic order
    for shard in shards:
        assert all(shard.contains(i) for i in shard.ids)
        others = [i for s in shards if s is not shard for i in s.ids]
        assert not any(shard.contains(i) for i in others)
    assert shards[0].label == "shard-0 [7..21320000000003] (4)"


def test_more_shards_than_ids_and_no_ids():
    assert [s.ids for s in shard_by_range(["2", "1"], 8)] == [("1",), ("2",)]
    assert shard_by_range([], 4) == []
    with pytest.raises(ConfigError, match="at least 1, got 0"):
        split_evenly([1], 0)


def test_ledger_done_rows_are_not_sharded_again():
    status = {BBR[0]: "done", BBR[1]: "pending", BBR[2]: "failed", "999": "done"}
    todo = pending_ids(BBR, status)
    assert BBR[0] not in todo
    assert {BBR[1], BBR[2]} <= set(todo)  # a crashed or failed write is retried
    assert len(todo) == len(BBR) - 1
    assert [i for s in shard_by_range(todo, 2) for i in s.ids] == todo


def test_expand_campaign_paths_from_folder_glob_and_file():
    campaigns = PROJECT / "campaigns"
    from_dir = expand_campaign_paths([campaigns])
    # every campaign YAML of the folder, sorted (README.md and the data folder are not campaigns)
    assert [Path(p).name for p in from_dir] == sorted(p.name for p in campaigns.glob("*.yaml"))
    assert {"wle-se-reserves-sample.yaml", "wlm-se-bbr-sample.yaml"} <= {Path(p).name for p in from_dir}
    assert expand_campaign_paths([str(campaigns / "wl*-sample.yaml"), from_dir[0]]) == from_dir
    with pytest.raises(ConfigError, match=r"got 'campaigns/nope\.yaml'"):
        expand_campaign_paths(["campaigns/nope.yaml"])


def test_merge_summaries_sums_counts_and_keeps_shared_values():
    merged = merge_summaries(
        [
            {"created": 2, "updated": 1, "dry_run": False, "batch": "b1", "errors": ["x"]},
            {"created": 3, "updated": 0, "dry_run": False, "batch": "b1", "errors": []},
            {"created": 0, "updated": 4, "dry_run": False, "batch": "b2", "errors": ["y"]},
        ]
    )
    assert merged == {
        "created": 5,
        "updated": 5,
        "dry_run": False,
        "batch": ["b1", "b2"],
        "errors": ["x", "y"],
    }
