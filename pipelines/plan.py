"""plan_flow: records + decisions → checked item plans → ``03_plan/``.

Thin wiring only: the logic is :mod:`modeling.planning` (chunked build, diff and checks into the
plan store), :mod:`modeling.plan_lookups` (identifier and label+description hits, batched SPARQL)
and :mod:`modeling.lookups` (admin units). Tasks hand each other paths and small summaries:
the lookups go to ``03_plan/lookups.json``, the plans to ``03_plan/plans.parquet``; live
entities are fetched per chunk (≤ 50 per ``wbgetentities``) inside the planning task.
Decisions are merged with the upload ledger, so items created by an earlier run are updated,
never created twice. A re-run whose inputs (records, decisions, ledger, campaign, target data
version) have the same fingerprint as the stored plans' is a no-op.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from clients.probe import data_version
from clients.wikibase import fetch_entities
from core.contracts import PlanSummary, read_summary, write_summary
from core.fingerprints import inputs_fingerprint
from core.layout import (
    DECISIONS,
    LEDGER,
    PLAN_LOOKUPS,
    PLAN_SUMMARY,
    PLANS,
    PLANS_JSONL,
    RECORDS,
    stage_dir,
)
from core.settings import Target, load_target
from modeling.campaign import Campaign, load_campaign
from modeling.decisions import read_decisions
from modeling.items import decisions_with_ledger
from modeling.ledger import Ledger
from modeling.lookups import admin_unit_table
from modeling.plan_lookups import lookup, read_lookups
from modeling.plan_store import export_jsonl
from modeling.planning import plan_to_store, plan_workers
from pipelines._options import API_READ_TASK, LOCAL_TASK, STAGE_FLOW, publish_summary
from pipelines.preflight import preflight_task
from sparql.client import run as sparql_run


def _decisions(out: str, campaign: Campaign) -> dict[str, str]:
    """Decisions, with the ledger's QIDs replacing ``new`` for items an earlier run created."""
    decisions = read_decisions(Path(out) / DECISIONS)
    known: dict[str, str] = {}
    if (Path(out) / LEDGER).exists():
        with Ledger(Path(out) / LEDGER) as ledger:
            known = ledger.qids(campaign.id)
    return decisions_with_ledger(decisions, known)


@task(**LOCAL_TASK)
def fingerprint(campaign: str, out: str, target: Target, version: str) -> str:
    """Fingerprint of the stage's inputs (file contents + the target's data version)."""
    files = [Path(out) / RECORDS, Path(out) / DECISIONS, Path(out) / LEDGER, Path(campaign)]
    return inputs_fingerprint(files, target.name, target.api_url, version)


# The SPARQL reads of this stage are retried like API reads and never cached: they must see
# items created since.
@task(**API_READ_TASK)
def admin_units(campaign: Campaign, target: Target, out: str, refresh: bool = False) -> dict[str, str]:
    """P131 lookup table, cached on disk under the target's data version (a seed or an edit on
    the target gives a new key, a reused table is logged, ``refresh`` looks it up again)."""
    return admin_unit_table(campaign, target, stage_dir(out, "plan") / "cache", query=sparql_run,
                            refresh=refresh, data_version=data_version(target))


@task(**API_READ_TASK)
def lookups(out: str, campaign: Campaign, target: Target) -> dict[str, Any]:
    """Identifier and label+description hits on the target → ``03_plan/lookups.json``."""
    return lookup(Path(out) / RECORDS, campaign, target, sparql_run, Path(out) / PLAN_LOOKUPS)


@task(**API_READ_TASK)
def build(out: str, campaign: Campaign, target: Target, units: dict[str, str], inputs: str,
          chunk_size: int) -> dict[str, Any]:
    """Plans chunk by chunk into ``03_plan/plans.parquet`` (a large register on one process per
    core); ``summary.json``; returns the summary."""
    existing, collisions = read_lookups(Path(out) / PLAN_LOOKUPS)
    summary = plan_to_store(Path(out) / RECORDS, _decisions(out, campaign), campaign, Path(out) / PLANS,
                            admin_units=units, fetch_live=partial(fetch_entities, target),
                            existing_ids=existing, collisions=collisions, chunk_size=chunk_size,
                            workers=plan_workers(Path(out) / RECORDS))
    return write_summary(out, PLAN_SUMMARY, {**summary, "inputs": inputs})


@flow(name="plan", **STAGE_FLOW)
def plan_flow(campaign: str, out: str, target: str = "local", refresh: bool = False,
              jsonl: bool = False, chunk_size: int = 2_000) -> dict[str, Any]:
    """Turn ingested records and reconciliation decisions into checked item plans.

    Args:
        campaign: Path of the campaign YAML.
        out: Run directory (reads ``01_ingest/``, ``02_reconcile/``; writes ``03_plan/``).
        target: Target profile (``local``, ``testwikidata``, ``wikidata`` or custom).
        refresh: Look cached lookups (admin units) up again, and re-plan even when the inputs
            did not change.
        jsonl: Also export the plans as ``03_plan/plans.jsonl`` (one plan per line).
        chunk_size: Records planned at a time (memory grows with it, not with the register).

    Returns:
        The summary (:class:`core.contracts.PlanSummary`: plans, actions, failed_checks,
        warnings, held_statements, labelled, inputs) and the ``preflight`` counts
        (``03_plan/preflight.json``: what the target lacks).
    """
    camp, tgt = load_campaign(campaign), load_target(target)
    stage_dir(out, "plan")
    version = data_version(tgt)
    inputs = fingerprint(campaign, out, tgt, version)
    previous = read_summary(out, PLAN_SUMMARY, PlanSummary)
    log = get_run_logger()
    noop = not refresh and previous is not None and previous.inputs == inputs and (Path(out) / PLANS).is_file()
    if noop and previous is not None:
        log.info("plan %s: inputs unchanged since the stored plans; nothing to do", camp.id)
        summary = previous.model_dump(mode="json")
    else:
        lookups(out, camp, tgt)
        summary = build(out, camp, tgt, admin_units(camp, tgt, out, refresh), inputs, chunk_size)
    if jsonl:
        export_jsonl(Path(out) / PLANS, Path(out) / PLANS_JSONL)
    if not noop or (summary.get("preflight") or {}).get("data_version") != version:
        summary["preflight"] = preflight_task(campaign, out, target)  # same plans + data: kept
        write_summary(out, PLAN_SUMMARY, summary)
    log.info("plan %s: %s", camp.id, {k: summary[k] for k in ("plans", "actions", "failed_checks")})
    publish_summary(camp.id, "plan", summary, files=[Path(out) / PLANS, Path(out) / PLAN_SUMMARY])
    return summary
