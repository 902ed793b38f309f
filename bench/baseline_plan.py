"""Baseline for the end-to-end benchmark: the plan stage as it was before issue 11.

The same modeling functions as today, wired the old way: the records GeoDataFrame, the live
entities and the list of every plan travel between Prefect tasks as parameters and results,
and the plans are written as one ``plans.jsonl``. Prefect walks every nested value of those
parameters (``visit_collection``) — the cost the path-passing flow avoids. Only the benchmark
uses this module.

Run: ``python -m bench.baseline_plan CAMPAIGN OUT`` (after ``wlkit ingest`` and ``reconcile``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
from prefect import flow, task

from clients.wikibase import fetch_entities
from core.settings import Target, load_target
from modeling.campaign import Campaign, load_campaign
from modeling.checks import fetch_collisions
from modeling.decisions import read_decisions
from modeling.items import candidate_terms, plan_items, summarize, write_plans
from modeling.lookups import admin_unit_table
from modeling.reconcile import fetch_identifier_hits, identifier_values
from sparql.client import run


@task
def load_inputs(out: str) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Records and decisions, returned as task results (the old way)."""
    decisions = read_decisions(Path(out) / "02_reconcile" / "decisions.csv")
    chosen = {str(s): str(q) for s, q in zip(decisions["source_id"], decisions["qid"], strict=True)}
    return gpd.read_parquet(Path(out) / "01_ingest" / "records.parquet"), chosen


@task
def live_entities(decisions: dict[str, str], target: Target) -> dict[str, Any]:
    """Every live entity at once."""
    return fetch_entities(target, sorted({q for q in decisions.values() if q.startswith("Q")}))


@task
def existing_ids(records: gpd.GeoDataFrame, campaign: Campaign, target: Target) -> dict[str, set[str]]:
    """Identifier hits from the whole frame."""
    hits = fetch_identifier_hits(list(identifier_values(records, campaign).dropna()), campaign, target, run)
    out: dict[str, set[str]] = {}
    for item, value in zip(hits["item"], hits["value"], strict=True):
        out.setdefault(value, set()).add(item)
    return out


@task
def collisions(records: gpd.GeoDataFrame, campaign: Campaign, target: Target) -> dict:
    """Label+description collisions from the whole frame."""
    return fetch_collisions(candidate_terms(records, campaign), target, run=run)


@task
def make_plans(records, decisions, campaign, units, live, ids, coll) -> list:
    """Every plan, returned as one list."""
    return plan_items(records, decisions, campaign, admin_units=units, live_entities=live,
                      existing_ids=ids, collisions=coll)


@task
def write(plans: list, out: str) -> dict[str, Any]:
    """``plans.jsonl`` from the list."""
    write_plans(plans, Path(out) / "03_plan" / "baseline-plans.jsonl")
    return summarize(plans)


@flow(name="plan-baseline")
def baseline_plan_flow(campaign: str, out: str) -> dict[str, Any]:
    """The pre-issue-11 plan flow."""
    camp, tgt = load_campaign(campaign), load_target("local")
    records, decisions = load_inputs(out)
    units = admin_unit_table(camp, tgt, None, query=run)
    plans = make_plans(records, decisions, camp, units, live_entities(decisions, tgt),
                       existing_ids(records, camp, tgt), collisions(records, camp, tgt))
    return write(plans, out)


if __name__ == "__main__":
    print(baseline_plan_flow(sys.argv[1], sys.argv[2]))
