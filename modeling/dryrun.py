"""Dry-run data: per item, what the upload would write — streamed to disk, never held whole.

:class:`DryRunWriter` takes plans one at a time and appends one JSON line per item to
``04_upload/dry_run/items-<action>.jsonl`` (create, update, held, unchanged — the order the report
shows them in), keeping only counts and the set of entity ids the report must label.
``meta.json`` beside them records the campaign, target, batch and counts. :mod:`reports.dry_run`
renders these files (labels fetched by the flow); nothing here talks to a wiki or renders anything.

:func:`row_entry` makes an entry from a plan-store row decoding only what the entry shows: the
entity whose statements are listed (``desired`` for a new item, ``data`` for a changed one), the
changes, held statements and warnings, the checks only of a row whose ``failed`` column says one
failed, and for every other item just the label out of ``desired``. Entries are made one row at a
time, never from a chunk of decoded plans (at 10⁶ items the decoded objects, not the decoding,
cost most: the cyclic GC walks every one that lives long). :mod:`modeling.dryrun_store` drives it
over a store, on worker processes for a large one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson

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
_WRITES = ("create", "update")
_LABELS_KEY = '"labels":'
_DECODER = json.JSONDecoder()


def items_file(action: str) -> str:
    """File name of one action's items (``items-create.jsonl`` …)."""
    return f"items-{action}.jsonl"


def _first_label(entity: Json | None) -> str | None:
    for term in ((entity or {}).get("labels") or {}).values():
        return str(term["value"])
    return None


def _label_of_text(text: str | None) -> str | None:
    """The first label of an entity stored as compact JSON, decoding only its ``labels`` object.

    ``"labels":`` cannot occur inside a JSON string (a quote there is escaped), and only the
    entity itself has a ``labels`` key, so the first occurrence is the entity's.
    """
    if not text:
        return None
    at = text.find(_LABELS_KEY)
    if at < 0:
        return None
    labels, _ = _DECODER.raw_decode(text, at + len(_LABELS_KEY))
    return _first_label({"labels": labels})


def _snaks(groups: Json | None, order: list[str] | None = None) -> list[Json]:
    groups = groups or {}
    props = [p for p in (order or []) if p in groups] + sorted(p for p in groups if p not in (order or []))
    return [{"property": p, "values": [format_snak(s) for s in groups[p]]} for p in props]


def statements(entity: Json) -> tuple[list[Json], list[list[Json]]]:
    """Each statement of ``entity`` (``wbeditentity`` JSON) with its qualifiers and references.

    An item's statements usually share one reference block, so references are listed once per
    item and each statement points at them by number (a block seen before is recognised before
    it is formatted).

    Returns:
        ``(statements, references)``: ``{"property", "value", "qualifiers": [{"property",
        "values"}], "refs": [1-based numbers into references]}`` per statement, properties in the
        entity's order; ``references`` as lists of ``{"property", "values"}``.
    """
    out: list[Json] = []
    refs: list[list[Json]] = []
    seen: dict[bytes, int] = {}  # reference blocks met so far (as JSON) → their numbers
    for prop, sts in (entity.get("claims") or {}).items():
        for st in sts:
            numbers = []
            for ref in st.get("references") or ():
                key = orjson.dumps(ref)
                number = seen.get(key)
                if number is None:
                    snaks = _snaks(ref.get("snaks"), ref.get("snaks-order"))
                    if snaks not in refs:
                        refs.append(snaks)
                    number = seen[key] = refs.index(snaks) + 1
                numbers.append(number)
            quals = st.get("qualifiers")
            out.append({"property": prop, "value": format_snak(st["mainsnak"]),
                        "qualifiers": _snaks(quals, st.get("qualifiers-order")) if quals else [],
                        "refs": numbers})
    return out, refs


def _entry(head: Json, entity: Json | None, changes: list[Json], held: list[Json],
           checks: list[Json], warnings: list[str]) -> Json:
    """An entry from a plan's parts (``head``: source_id, qid, action, label, identifier)."""
    sts, refs = statements(entity) if entity is not None else ([], [])
    return {
        **head,
        "changes": [
            {"what": c.get("property") or f"{c['kind']} {c.get('language', '')}".strip(),
             "kind": c["kind"], "qualifier": c.get("qualifier"), "before": c.get("before"), "after": c.get("after")}
            for c in changes
        ] if entity is not None else [],
        "statements": sts,
        "references": refs,
        "held": list(held),
        "failed_checks": [{"check": c["check"], "message": c["message"]} for c in checks if not c["ok"]],
        "warnings": list(warnings),
    }


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
    label = _first_label(plan.desired) or _first_label(plan.data) or plan.source_id
    head = {"source_id": plan.source_id, "qid": plan.qid, "action": plan.action, "label": label,
            "identifier": plan.identifier}
    entity = plan.data if plan.action in _WRITES else None
    return _entry(head, entity, plan.changes, plan.held, plan.checks, plan.warnings)


def _list(text: str | None) -> list[Any]:
    if text is None or text == "[]":
        return []
    value = orjson.loads(text)
    return value if isinstance(value, list) else []


def row_entry(row: Json) -> Json:
    """The entry (as :func:`entry`) of one plan-store row, decoding only what the entry shows."""
    action, desired = row["action"], row["desired"]
    entity = orjson.loads(row["data"] or desired) if action in _WRITES else None
    if entity is not None and row["data"] is None:
        label = _first_label(entity)  # a new item: its data is the desired entity, decoded already
    else:
        label = _label_of_text(desired) or _label_of_text(row["data"])
    head = {"source_id": row["source_id"], "qid": row["qid"], "action": action,
            "label": label or row["source_id"], "identifier": row["identifier"]}
    checks = _list(row["checks"]) if row["failed"] else []
    changes = _list(row["changes"]) if entity is not None else []
    return _entry(head, entity, changes, _list(row["held"]), checks, _list(row["warnings"]))


def _shown_values(item: Json) -> list[Any]:
    """Every value an entry shows that may be an entity id."""
    values: list[Any] = []
    for st in item["statements"]:
        values += (st["property"], st["value"])
        for snak in st["qualifiers"]:
            values.append(snak["property"])
            values += snak["values"]
    for ref in item["references"]:
        for snak in ref:
            values.append(snak["property"])
            values += snak["values"]
    for c in item["changes"]:
        values += (c["what"], c["qualifier"], c["before"], c["after"])
    for h in item["held"]:
        values += (h.get("property"), h.get("register"), *(h.get("live") or []))
    return values


def entity_ids(item: Json, known: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Every property and item id an entry shows (statement values, qualifiers, references, held)
    that is not in ``known`` (the writer's ids so far: most values repeat from item to item)."""
    values = _shown_values(item)
    try:
        new = set(values) - known
    except TypeError:  # a value that is not a string (a change's before/after can be anything)
        new = {v for v in values if isinstance(v, str)} - known
    return {v for v in new if isinstance(v, str) and _ENTITY_ID.match(v)}


@dataclass
class EntryLines:
    """Entries of a batch of plans as JSON lines per action (plus the review copies) and the
    entity ids they show: what a worker process hands back to the writer."""

    lines: dict[str, list[bytes]] = field(default_factory=lambda: {a: [] for a in (*ACTIONS, REVIEW)})
    ids: set[str] = field(default_factory=set)

    def add(self, item: Json) -> None:
        """Add one entry (:func:`entry` or :func:`row_entry`)."""
        self.ids |= entity_ids(item, self.ids)
        line = orjson.dumps(item) + b"\n"
        self.lines[item["action"]].append(line)
        if item["action"] == "held" or item["held"] or item["failed_checks"]:
            self.lines[REVIEW].append(line)


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
        self._files: dict[str, IO[bytes]] = {
            a: (self.dir / items_file(a)).open("wb") for a in (*ACTIONS, REVIEW)}
        self.review = 0

    def add(self, plan: Plan) -> None:
        """Write one plan's entry."""
        self.add_entry(entry(plan))

    def add_entry(self, item: Json) -> None:
        """Write one entry (:func:`entry` or :func:`row_entry`)."""
        part = EntryLines()
        part.add(item)
        self.add_lines(part)

    def add_lines(self, part: EntryLines) -> None:
        """Write a batch of entries, already serialized (:class:`EntryLines`)."""
        for action, lines in part.lines.items():
            if lines:
                self._files[action].write(b"".join(lines))
            if action == REVIEW:
                self.review += len(lines)
            else:
                self.counts[action] += len(lines)
        self.ids |= part.ids

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


def iter_lines(dest: str | Path, action: str) -> Iterator[bytes]:
    """The entries of one action as JSON lines (undecoded), in the order they were planned."""
    path = Path(dest) / DRY_RUN_DIR / items_file(action)
    if not path.is_file():
        return
    with path.open("rb") as fh:
        yield from (line for line in fh if line.strip())


def iter_entries(dest: str | Path, action: str) -> Iterator[Json]:
    """The entries of one action, one at a time, in the order they were planned."""
    return (orjson.loads(line) for line in iter_lines(dest, action))
