"""Dry-run data: per item, what the upload would write — streamed to disk, never held whole.

:class:`DryRunWriter` takes plans one at a time (from the plan store's chunks) and appends one
JSON line per item to ``04_upload/dry_run/items-<action>.jsonl`` (create, update, held,
unchanged — the order the report shows them in), keeping only counts and the set of entity ids
the report must label. ``meta.json`` beside them records the campaign, target, batch and counts.
:mod:`reports.dry_run` renders these files (labels fetched by the flow); nothing here talks to
a wiki or renders anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from core.settings import Target
from modeling.campaign import Campaign
from modeling.datavalues import format_snak
from modeling.plan_model import Plan

Json = dict[str, Any]
#: Report order: what will be written first, then what a reviewer must look at, then the rest.
ACTIONS = ("create", "update", "held", "unchanged")
#: Folder of the dry-run data and pages inside ``04_upload/``.
DRY_RUN_DIR = "dry_run"
#: Entries a reviewer must look at (held items, and items with held statements or failed
#: checks), copied here too so the report can open with them.
REVIEW = "review"
META = "meta.json"
_ENTITY_ID = re.compile(r"^[QPL][1-9]\d*$")


def items_file(action: str) -> str:
    """File name of one action's items (``items-create.jsonl`` …)."""
    return f"items-{action}.jsonl"


def _label(plan: Plan) -> str:
    for src in (plan.desired, plan.data):
        for term in (src.get("labels") or {}).values():
            return str(term["value"])
    return plan.source_id


def _snaks(groups: Json | None, order: list[str] | None = None) -> list[Json]:
    groups = groups or {}
    props = [p for p in (order or []) if p in groups] + sorted(p for p in groups if p not in (order or []))
    return [{"property": p, "values": [format_snak(s) for s in groups[p]]} for p in props]


def statements(entity: Json) -> tuple[list[Json], list[list[Json]]]:
    """Each statement of ``entity`` (``wbeditentity`` JSON) with its qualifiers and references.

    An item's statements usually share one reference block, so references are listed once per
    item and each statement points at them by number.

    Returns:
        ``(statements, references)``: ``{"property", "value", "qualifiers": [{"property",
        "values"}], "refs": [1-based numbers into references]}`` per statement, properties in the
        entity's order; ``references`` as lists of ``{"property", "values"}``.
    """
    out: list[Json] = []
    refs: list[list[Json]] = []
    for prop, sts in (entity.get("claims") or {}).items():
        for st in sts:
            numbers = []
            for ref in st.get("references", []):
                snaks = _snaks(ref.get("snaks"), ref.get("snaks-order"))
                if snaks not in refs:
                    refs.append(snaks)
                numbers.append(refs.index(snaks) + 1)
            out.append({"property": prop, "value": format_snak(st["mainsnak"]),
                        "qualifiers": _snaks(st.get("qualifiers"), st.get("qualifiers-order")), "refs": numbers})
    return out, refs


def entry(plan: Plan) -> Json:
    """One item of the dry-run report as plain data.

    Args:
        plan: The item plan.

    Returns:
        ``source_id, qid, action, label, identifier, changes`` (before → after),
        ``statements`` (what the edit sends, with qualifiers and reference numbers),
        ``references`` (the item's distinct reference blocks), ``held``,
        ``failed_checks`` and ``warnings``.
    """
    writes = plan.action in ("create", "update")
    sts, refs = statements(plan.data) if writes else ([], [])
    return {
        "source_id": plan.source_id,
        "qid": plan.qid,
        "action": plan.action,
        "label": _label(plan),
        "identifier": plan.identifier,
        "changes": [
            {"what": c.get("property") or f"{c['kind']} {c.get('language', '')}".strip(),
             "kind": c["kind"], "qualifier": c.get("qualifier"), "before": c.get("before"), "after": c.get("after")}
            for c in plan.changes
        ] if writes else [],
        "statements": sts,
        "references": refs,
        "held": list(plan.held),
        "failed_checks": [{"check": c["check"], "message": c["message"]} for c in plan.failed_checks],
        "warnings": list(plan.warnings),
    }


def entity_ids(item: Json) -> set[str]:
    """Every property and item id an entry shows (statement values, qualifiers, references, held)."""
    ids: set[str] = set()

    def add(*values: Any) -> None:
        ids.update(v for v in values if isinstance(v, str) and _ENTITY_ID.match(v))

    for st in item["statements"]:
        add(st["property"], st["value"])
        for snak in st["qualifiers"]:
            add(snak["property"], *snak["values"])
    for ref in item["references"]:
        for snak in ref:
            add(snak["property"], *snak["values"])
    for c in item["changes"]:
        add(c["what"], c.get("qualifier"), c.get("before"), c.get("after"))
    for h in item["held"]:
        add(h.get("property"), h.get("register"), *(h.get("live") or []))
    return ids


class DryRunWriter:
    """Append dry-run entries per action to ``<dest>/dry_run/`` (use as a context manager).

    Attributes:
        counts: Items per action so far.
        ids: Entity ids the report will label.
    """

    def __init__(self, dest: str | Path, campaign: Campaign, target: Target, batch: str) -> None:
        self.dir = Path(dest) / DRY_RUN_DIR
        self.dir.mkdir(parents=True, exist_ok=True)
        self.meta: Json = {
            "campaign": {"id": campaign.id, "name": campaign.name, "languages": campaign.fallback_chain},
            "target": {"name": target.name, "api_url": target.api_url},
            "batch": batch,
            "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.counts = dict.fromkeys(ACTIONS, 0)
        self.ids: set[str] = set()
        self._meta: Json | None = None
        self._files: dict[str, TextIO] = {
            a: (self.dir / items_file(a)).open("w", encoding="utf-8") for a in (*ACTIONS, REVIEW)}
        self.review = 0

    def add(self, plan: Plan) -> None:
        """Write one plan's entry."""
        item = entry(plan)
        self.counts[plan.action] += 1
        self.ids |= entity_ids(item)
        line = json.dumps(item, ensure_ascii=False) + "\n"
        self._files[plan.action].write(line)
        if plan.action == "held" or item["held"] or item["failed_checks"]:
            self.review += 1
            self._files[REVIEW].write(line)

    def close(self) -> Json:
        """Close the files and write ``meta.json``; returns the meta (with counts and ids)."""
        if self._meta is not None:
            return self._meta
        for fh in self._files.values():
            fh.close()
        meta = {**self.meta, "counts": self.counts, "writes": self.counts["create"] + self.counts["update"],
                "review": self.review, "entity_ids": sorted(self.ids, key=lambda i: (i[0], len(i), i))}
        (self.dir / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        self._meta = meta
        return meta

    def __enter__(self) -> DryRunWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def write_dry_run(plans: Iterable[Plan], campaign: Campaign, target: Target, batch: str,
                  dest: str | Path) -> Json:
    """Stream ``plans`` into the dry-run data files under ``<dest>/dry_run/``.

    Args:
        plans: Item plans, in any order (one at a time; an iterator over the plan store is fine).
        campaign: The campaign.
        target: The target the upload would write to (name and API URL only).
        batch: The batch id the real run would use.
        dest: ``04_upload/``.

    Returns:
        The meta: campaign, target, batch, generated, counts, writes, review (items to look at),
        entity_ids.
    """
    with DryRunWriter(dest, campaign, target, batch) as writer:
        for plan in plans:
            writer.add(plan)
    return writer.close()


def read_meta(dest: str | Path) -> Json:
    """The meta of a dry run written under ``<dest>/dry_run/``."""
    meta: Json = json.loads((Path(dest) / DRY_RUN_DIR / META).read_text(encoding="utf-8"))
    return meta


def iter_entries(dest: str | Path, action: str) -> Iterator[Json]:
    """The entries of one action, one at a time, in the order they were planned."""
    path = Path(dest) / DRY_RUN_DIR / items_file(action)
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
