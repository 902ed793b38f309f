"""Reconciliation against the real local services, seeded with each sample's staging items.

For both bundled samples: load ``staging_seed.jsonl`` (items "already on Wikidata") into an
isolated sandbox, reconcile the sample's records through the real SPARQL client and endpoint,
and check every seeded kind ends where it should — and that nothing else matches. SPARQL
requests are counted at the client to prove the identifier lookup is batched (≥ 100 per request).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from modeling.campaign import load_campaign
from modeling.decisions import read_previous, review_table, write_outputs
from modeling.ingest import ingest
from modeling.reconcile import identifier_values, reconcile_detailed
from sandbox.services import seed_files
from sparql import client

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ["wlm-se-bbr-sample", "wle-se-reserves-sample"]

pytestmark = pytest.mark.integration


def _sample_records(sample: str):
    """The sample's records as the ingest stage hands them to reconcile."""
    campaign = load_campaign(ROOT / "campaigns" / f"{sample}.yaml")
    bbox = tuple(campaign.country.bbox) if campaign.country.bbox else None
    return campaign, ingest(campaign.source, base_dir=campaign.base_dir, country_bbox=bbox).records


def _seed(sample: str) -> tuple[Path, dict[str, list[str]], list[dict]]:
    path = ROOT / "campaigns" / "data" / sample / "staging_seed.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    kinds = json.loads(lines[0].split("kinds: ", 1)[1])
    entities = [json.loads(line) for line in lines[1:] if line.strip()]
    return path, kinds, entities


def _items_with_id(entities: list[dict], prop: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in entities:
        for st in e["claims"].get(prop, []):
            out.setdefault(st["mainsnak"]["datavalue"]["value"], []).append(e["id"])
    return out


def _labels(entities: list[dict]) -> dict[str, str]:
    return {e["id"]: e["labels"]["sv"]["value"] for e in entities}


@pytest.mark.parametrize("sample", SAMPLES)
def test_staging_items_are_found_and_nothing_else(sample: str, services_factory, tmp_path: Path) -> None:
    services = services_factory(seed=True)
    seed_path, kinds, entities = _seed(sample)
    seeded = seed_files(services.api_url, [seed_path], secret=services.info.admin_secret)
    assert seeded["seeded"] == len(entities)

    campaign, records = _sample_records(sample)
    calls: list[tuple[str, dict]] = []

    def counting_run(name, target, **params):
        calls.append((name, params))
        return client.run(name, target, **params)

    result = reconcile_detailed(records, campaign, services.target, query=counting_run)
    dec = result.decisions.set_index("source_id")
    prop = campaign.mapping.identifier.property
    values = identifier_values(records, campaign)
    on_items = _items_with_id(entities, prop)
    labels = _labels(entities)

    # Batching: one request per batch_size identifiers, never one per record.
    id_calls = [p for n, p in calls if n == "reconcile_by_identifier"]
    size = campaign.reconcile.batch_size
    assert len(id_calls) == math.ceil(len(records) / size)
    assert all(len(p["values"]) == size for p in id_calls[:-1])
    if len(records) >= 100:
        assert len(id_calls[0]["values"]) >= 100
    geo_calls = [n for n, _ in calls if n == "reconcile_candidates"]
    assert 1 <= len(geo_calls) <= 12  # per area, not per record

    # Seeded with the identifier (complete or minimal, deprecated included) → matched by id.
    for sid in kinds["id"] + kinds["id_minimal"]:
        (qid,) = on_items[values[sid]]
        assert dec.loc[sid, "qid"] == qid, (sid, dec.loc[sid].to_dict())
        assert dec.loc[sid, "reason"].startswith("identifier")
    assert any("deprecated" in dec.loc[s, "reason"] for s in kinds["id"])

    # Geo: the variant-named item of the right class, by distance + name.
    names = records.set_index(records["source_id"].astype(str))["name"]
    for sid in kinds["geo"]:
        qid = dec.loc[sid, "qid"]
        assert qid in labels, (sid, names[sid], dec.loc[sid].to_dict())
        assert dec.loc[sid, "reason"].startswith("geo+name")
        assert labels[qid] != names[sid]  # a variant, not the same string
    # Ambiguous → review with both items listed; duplicate id → review naming both items.
    for sid in kinds["ambiguous"]:
        assert dec.loc[sid, "qid"] == "review" and dec.loc[sid, "reason"].startswith("close call")
        assert len(dec.loc[sid, "candidates"].split(";")) == 2
    (dup,) = kinds["duplicate"]
    q1, q2 = on_items[values[dup]]
    assert dec.loc[dup, "qid"] == "review" and dec.loc[dup, "reason"] == f"id on {q1} and {q2}"
    # The unrelated item (other class, same name, 10 m) never matches; nothing else does either.
    seeded_sids = {s for k in kinds.values() for s in k}
    (unrelated,) = kinds["unrelated"]
    assert dec.loc[unrelated, "qid"] == "new"
    others = dec.drop(index=[s for s in seeded_sids if s != unrelated])
    assert set(others["qid"]) == {"new"}, others[others["qid"] != "new"]

    # Outputs for people: review.csv lists the ambiguous candidates with labels and links.
    review = review_table(result.decisions, result.pairs, records, services.target.entity_prefix,
                          campaign.mapping.identifier.url)
    amb = review[review["source_id"].isin(kinds["ambiguous"])]
    assert len(amb) == 2 * len(kinds["ambiguous"])
    assert amb["candidate_label"].str.len().gt(0).all() and amb["distance_m"].notna().all()
    summary = write_outputs(result.decisions, review, tmp_path, {"requests": result.requests})
    assert summary["matched_by_id"] == len(kinds["id"]) + len(kinds["id_minimal"])
    assert summary["matched_by_geo"] == len(kinds["geo"])
    assert summary["review"] == len(kinds["ambiguous"]) + 1
    assert summary["new"] == len(records) - summary["matched_by_id"] - summary["matched_by_geo"] \
        - summary["review"]

    # A person resolves a review row in decisions.csv and re-runs: the choice is kept.
    path = tmp_path / "decisions.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    pick = dec.loc[kinds["ambiguous"][0], "candidates"].split(";")[1].split(":")[0]
    df.loc[df["source_id"] == kinds["ambiguous"][0], "qid"] = pick  # edited, still "auto"
    df.to_csv(path, index=False)
    previous, previous_auto = read_previous(tmp_path)
    again = reconcile_detailed(records, campaign, services.target, query=client.run, previous=previous,
                               previous_auto=previous_auto).decisions.set_index("source_id")
    assert again.loc[kinds["ambiguous"][0], "qid"] == pick
    assert again.loc[kinds["ambiguous"][0], "decided_by"] == "human"
