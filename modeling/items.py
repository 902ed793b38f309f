"""Record + reconciliation decision → item plan (Wikibase JSON), following the campaign mapping.

The *desired* entity holds everything the register says, each statement carrying the campaign's
one reference block (P248 stated in + P854 URL + P813 retrieved [+ P577 published],
FIELD-NOTES §1.5). :func:`plan_items` then diffs it against the live entity
(:mod:`modeling.diff`: add-only) and runs the pre-upload checks (:mod:`modeling.checks`).

A :class:`Plan` is one row of the plan store (:mod:`modeling.plan_store`); the entity itself is
built by :mod:`modeling.entity_builder`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, cast

from core.contracts import PLAN_JSON_PARTS
from core.errors import InputError
from modeling.campaign import Campaign
from modeling.checks import run_checks
from modeling.diff import diff_entity
from modeling.entity_builder import DATATYPES, HECTARE, build_entity, fill  # noqa: F401 - re-exported
from modeling.plan_model import SINGLE_VALUE, Action, Plan
from modeling.plan_store import iter_plan_dicts

log = logging.getLogger(__name__)

Json = dict[str, Any]

# --- plans ---------------------------------------------------------------------------------


def _decision_map(decisions: Any) -> dict[str, str]:
    if hasattr(decisions, "to_dict") and hasattr(decisions, "columns"):
        return {str(s): str(q) for s, q in zip(decisions["source_id"].tolist(), decisions["qid"].tolist(),
                                               strict=True)}
    return {str(k): str(v) for k, v in dict(decisions).items()}


def _records(records: Any) -> Iterable[Mapping[str, Any]]:
    if hasattr(records, "to_dict") and hasattr(records, "columns"):
        frame = records.drop(columns=["geometry"], errors="ignore")
        rows: list[dict[str, Any]] = frame.to_dict(orient="records")
        return rows
    return cast("Iterable[Mapping[str, Any]]", records)


def plan_items(
    records: Any,
    decisions: Any,
    campaign: Campaign,
    *,
    admin_units: Mapping[str, str],
    live_entities: Mapping[str, Json],
    existing_ids: Mapping[str, set[str]] | None = None,
    collisions: Mapping[tuple[str, str, str], str] | None = None,
    today: date | None = None,
) -> list[Plan]:
    """Turn records and reconciliation decisions into checked item plans.

    Args:
        records: ``records.parquet`` as a (Geo)DataFrame, or an iterable of mappings.
        decisions: ``decisions.csv`` as a DataFrame or a ``source_id -> qid|new|review`` mapping.
        campaign: The campaign.
        admin_units: Admin-unit code/name → QID for P131.
        live_entities: QID → current entity JSON (``wbgetentities``) for every decided QID.
        existing_ids: Identifier value → QIDs already holding it on the target (distinct-values
            check against the live wiki); None = not looked up.
        collisions: (language, label, description) → QID of an existing item with those terms.
        today: Run date (default: today).

    Returns:
        One plan per record, in record order.
    """
    today = today or date.today()
    chosen = _decision_map(decisions)
    single = SINGLE_VALUE | {campaign.register_mapping.identifier.property}
    plans = [_plan_one(record, chosen.get(str(record["source_id"]), ""), campaign, admin_units,
                       live_entities, single, today) for record in _records(records)]
    run_checks(plans, campaign, live_entities=live_entities, existing_ids=existing_ids,
               collisions=collisions, today=today)
    for plan in plans:
        if plan.failed_checks:
            plan.action = "held"
    return plans


def _plan_one(record: Mapping[str, Any], decision: str, campaign: Campaign, admin_units: Mapping[str, str],
              live_entities: Mapping[str, Json], single: frozenset[str], today: date) -> Plan:
    """One record's plan before the checks: built, and diffed against its live item."""
    sid = str(record["source_id"])
    desired, warnings, ident = build_entity(record, campaign, admin_units=admin_units, today=today)
    qid = decision if re.fullmatch(r"Q[1-9]\d*", decision) else None
    live = live_entities.get(qid) if qid else None
    if qid and (live is None or "missing" in live):
        plan = Plan(sid, qid, "held", {}, warnings=warnings, desired=desired, identifier=ident)
        plan.checks.append({"check": "decision", "ok": False,
                            "message": f"decided item {qid} does not exist on the target"})
        return plan
    result = diff_entity(desired, live, single_value=single)
    action: Action = "create" if live is None else ("update" if result.data else "unchanged")
    plan = Plan(
        sid, qid, action, result.data, warnings=warnings + result.warnings, desired=desired,
        identifier=ident, base_revid=(live or {}).get("lastrevid"), changes=result.changes,
        held=result.held,
    )
    if decision not in ("new",) and qid is None:
        why = "needs human review" if decision == "review" else f"no usable decision ({decision!r})"
        plan.checks.append({"check": "decision", "ok": False,
                            "message": f"reconciliation {why} (edit decisions.csv)"})
    return plan


def summarize(plans: list[Plan]) -> Json:
    """Counts per action and per failed check (``03_plan/summary.json``)."""
    actions: dict[str, int] = {}
    failed: dict[str, int] = {}
    for p in plans:
        actions[p.action] = actions.get(p.action, 0) + 1
        for c in p.failed_checks:
            failed[c["check"]] = failed.get(c["check"], 0) + 1
    return {
        "plans": len(plans),
        "actions": dict(sorted(actions.items())),
        "failed_checks": dict(sorted(failed.items())),
        "warnings": sum(len(p.warnings) for p in plans),
        "held_statements": sum(len(p.held) for p in plans),
    }


# --- stage inputs and outputs --------------------------------------------------------------


def candidate_terms(records: Any, campaign: Campaign) -> list[tuple[str, str, str]]:
    """(language, label, description) of every record (for the batched collision lookup)."""
    out = []
    for record in _records(records):
        entity, _, _ = build_entity(record, campaign, admin_units={}, today=date.today())
        for lang, label in entity["labels"].items():
            desc = entity["descriptions"].get(lang)
            if desc:
                out.append((lang, label["value"], desc["value"]))
    return list(dict.fromkeys(out))


def decisions_with_ledger(decisions: Any, ledger_qids: Mapping[str, str]) -> dict[str, str]:
    """Decisions where the ledger's known QIDs replace ``new`` (items created by an earlier run).

    A human decision naming a QID always wins; ``review`` stays ``review``.
    """
    chosen = _decision_map(decisions)
    for sid, qid in ledger_qids.items():
        if chosen.get(sid, "new") == "new":
            chosen[sid] = qid
    return chosen


def write_plans(plans: list[Plan], path: str | Path) -> None:
    """Write plans as JSON Lines (one plan per line, UTF-8): the export and test format."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for p in plans:
            fh.write(json.dumps(p.to_json(), ensure_ascii=False, sort_keys=True) + "\n")


def iter_plans(path: str | Path, batch_size: int = 5_000, source_ids: set[str] | None = None,
               parts: tuple[str, ...] = PLAN_JSON_PARTS) -> Iterator[list[Plan]]:
    """Plans of a store (``plans.parquet``) or a JSON Lines export, in batches.

    Args:
        path: The store or export.
        batch_size: Plans per batch (a batch is decoded at once: keep it small for a long stream).
        source_ids: Only these records; None = all.
        parts: The nested parts to decode from a store (the others keep their empty default),
            e.g. the upload's ``("data", "checks", "desired")``.

    Raises:
        InputError: a missing file, or a line/row that is not a plan (names the file and line).
    """
    for n, chunk in enumerate(iter_plan_dicts(path, batch_size, source_ids, parts)):
        try:
            yield [Plan.from_json(d) for d in chunk]
        except TypeError as exc:
            raise InputError(f"not an item plan: {exc}", file=str(path), row=n * batch_size + 1) from None


def read_plans(path: str | Path, source_ids: set[str] | None = None) -> list[Plan]:
    """Every plan of a store or a JSON Lines file as one list (small runs and tests; a long run
    streams :func:`iter_plans` instead).

    Raises:
        InputError: a missing file, or a line/row that is not a plan (names the file and line).
    """
    return [p for chunk in iter_plans(path, source_ids=source_ids) for p in chunk]
