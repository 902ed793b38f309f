"""plan_flow: records + decisions → checked item plans → ``03_plan/``.

Thin wiring only: the logic is :mod:`modeling.items` (plans), :mod:`modeling.diff` (add-only
diff), :mod:`modeling.checks` (pre-upload QA) and the batched lookups (admin units, live
entities ≤ 50 per ``wbgetentities``, identifier values and label+description pairs by SPARQL).
Decisions are merged with the upload ledger, so items created by an earlier run are updated,
never created twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
from prefect import flow, get_run_logger, task

from modeling.campaign import Campaign, load_campaign
from modeling.checks import fetch_collisions
from modeling.decisions import read_decisions
from modeling.items import candidate_terms, decisions_with_ledger, plan_items, summarize, write_plans
from core.layout import DECISIONS, LEDGER, PLAN_SUMMARY, PLANS, RECORDS, stage_dir
from modeling.ledger import Ledger
from modeling.lookups import admin_unit_table
from modeling.reconcile import fetch_identifier_hits, identifier_values
from core.settings import Target, load_target
from clients.wikibase import fetch_entities
from pipelines._options import API_READ_TASK, LOCAL_TASK, SPARQL_TASK, STAGE_FLOW, publish_summary
from pipelines.preflight import preflight_task
from clients.probe import data_version

#: SPARQL reads of this stage: retried, not cached (they must see items created since).
LOOKUP_TASK: dict[str, Any] = {**API_READ_TASK, "tags": ["sparql"]}


@task(**LOCAL_TASK)
def load_inputs(out: str, campaign: Campaign) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Records and decisions (ledger QIDs replace ``new`` for items an earlier run created)."""
    records = gpd.read_parquet(Path(out) / RECORDS)
    decisions = read_decisions(Path(out) / DECISIONS)
    ledger_path = Path(out) / LEDGER
    known: dict[str, str] = {}
    if ledger_path.exists():
        with Ledger(ledger_path) as ledger:
            known = ledger.qids(campaign.id)
    return records, decisions_with_ledger(decisions, known)


@task(**LOOKUP_TASK)
def admin_units(campaign: Campaign, target: Target, out: str, refresh: bool = False) -> dict[str, str]:
    """P131 lookup table, cached on disk under the target's data version (a seed or an edit on
    the target gives a new key, a reused table is logged, ``refresh`` looks it up again)."""
    return admin_unit_table(campaign, target, stage_dir(out, "plan") / "cache", refresh=refresh,
                            data_version=data_version(target))


@task(**API_READ_TASK)
def live_entities(decisions: dict[str, str], target: Target) -> dict[str, Any]:
    """Live entities of every decided QID (≤ 50 per wbgetentities)."""
    return fetch_entities(target, sorted({q for q in decisions.values() if q.startswith("Q")}))


@task(**LOOKUP_TASK)
def existing_ids(records: gpd.GeoDataFrame, campaign: Campaign, target: Target) -> dict[str, set[str]]:
    """Identifier value → items holding it on the target (distinct-values check)."""
    from sparql.client import run

    hits = fetch_identifier_hits(list(identifier_values(records, campaign).dropna()), campaign, target, run)
    out: dict[str, set[str]] = {}
    for item, value in zip(hits["item"], hits["value"], strict=True):
        out.setdefault(value, set()).add(item)
    return out


@task(**LOOKUP_TASK)
def collisions(records: gpd.GeoDataFrame, campaign: Campaign, target: Target) -> dict:
    """Existing items sharing a planned label + description."""
    return fetch_collisions(candidate_terms(records, campaign), target)


@task(**LOCAL_TASK)
def make_plans(records, decisions, campaign, units, live, ids, coll) -> list:
    """Build, diff and check the plans."""
    return plan_items(records, decisions, campaign, admin_units=units, live_entities=live,
                      existing_ids=ids, collisions=coll)


@task(**LOCAL_TASK)
def write(plans: list, out: str) -> dict[str, Any]:
    """``plans.jsonl`` + ``summary.json``."""
    write_plans(plans, Path(out) / PLANS)
    summary = summarize(plans)
    (Path(out) / PLAN_SUMMARY).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


@flow(name="plan", **STAGE_FLOW)
def plan_flow(campaign: str, out: str, target: str = "local", refresh: bool = False) -> dict[str, Any]:
    """Turn ingested records and reconciliation decisions into checked item plans.

    Args:
        campaign: Path of the campaign YAML.
        out: Run directory (reads ``01_ingest/``, ``02_reconcile/``; writes ``03_plan/``).
        target: Target profile (``local``, ``testwikidata``, ``wikidata`` or custom).
        refresh: Look cached lookups (admin units) up again.

    Returns:
        The summary: plans, actions, failed_checks, warnings, held_statements, and the
        ``preflight`` counts (``03_plan/preflight.json``: what the target lacks).
    """
    camp, tgt = load_campaign(campaign), load_target(target)
    records, decisions = load_inputs(out, camp)
    plans = make_plans(records, decisions, camp, admin_units(camp, tgt, out, refresh), live_entities(decisions, tgt),
                       existing_ids(records, camp, tgt), collisions(records, camp, tgt))
    summary = write(plans, out)
    summary["preflight"] = preflight_task(campaign, out, target)
    get_run_logger().info("plan %s: %s", camp.id, summary)
    publish_summary(camp.id, "plan", summary, files=[Path(out) / PLANS, Path(out) / PLAN_SUMMARY])
    return summary
