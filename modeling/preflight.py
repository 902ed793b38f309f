"""Preflight: does the target hold every entity and property the campaign and its plans refer to?

A dry run used to report "4,621 edits" while the country, designation and stated-in items did not
exist on the target. :func:`campaign_refs` and :func:`plan_refs` list what the campaign file and
the item plans point at (items as values, properties with the datatype the plans write),
:func:`check_refs` compares that with what the target answers, and the result is written to
``03_plan/preflight.json`` (by :func:`pipelines.preflight.run_preflight`):

.. code-block:: json

    {"target": "local", "data_version": "rev:5123", "checked": 41, "ok": false,
     "blocking": true,
     "missing": [{"id": "Q39", "kind": "item", "roles": ["country"], "used_by": 6809}],
     "wrong_datatype": [{"id": "P1435", "kind": "property", "expected": "wikibase-item",
                         "actual": "string", "roles": ["designation"], "used_by": 6809}],
     "far_from_unit": [{"source_id": "KGS-9001", "unit": "Q910000351", "km": 131.7}],
     "services": {"api": "wlkit sandbox", "sparql": true}, "at": "2026-…Z"}

``used_by`` counts the plans that refer to the entity (0 when only the campaign file does).
The plans' part is read from the store's ``refs`` column (:func:`store_refs`, no JSON decoded:
about a second at 10⁵ plans); a store an older version wrote, or a ``plans.jsonl``, is decoded
and walked (:func:`plan_refs`).
``far_from_unit`` lists records farther than ``mapping.located_in.max_distance_km`` from their
P131 unit's coordinates (:mod:`modeling.plausibility`): for review, not blocking.
Missing entities and wrong datatypes block the upload (:func:`blocking_message`); the dry-run
report lists them first. Pure logic: the entity lookup is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from modeling.plan_index import parse_refs
from modeling.plan_store import has_index, iter_batches, iter_plan_dicts

Json = dict[str, Any]
#: ids → ``{"missing": bool, "type": "item"|"property", "datatype": str|None}``.
InfoFetcher = Callable[[list[str]], Mapping[str, Json]]

#: Datatypes of the properties the kit writes whatever the campaign (FIELD-NOTES §1).
STANDARD_DATATYPES = {
    "P31": "wikibase-item", "P17": "wikibase-item", "P131": "wikibase-item",
    "P1435": "wikibase-item", "P248": "wikibase-item", "P625": "globe-coordinate",
    "P580": "time", "P571": "time", "P813": "time", "P577": "time", "P854": "url",
    "P2046": "quantity", "P3896": "geo-shape", "P6375": "monolingualtext",
}


@dataclass
class Ref:
    """One entity the campaign refers to."""

    id: str
    datatypes: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    used_by: int = 0

    @property
    def kind(self) -> str:
        """``property`` or ``item``."""
        return "property" if self.id.startswith("P") else "item"


def _add(refs: dict[str, Ref], eid: str | None, role: str, datatype: str | None = None) -> None:
    if not eid:
        return
    ref = refs.setdefault(eid, Ref(eid))
    ref.roles.add(role)
    if datatype:
        ref.datatypes.add(datatype)


def campaign_refs(campaign: Any) -> dict[str, Ref]:
    """What the campaign file refers to, with a role each (``country``, ``stated in`` …)."""
    refs: dict[str, Ref] = {}
    m = campaign.mapping
    _add(refs, campaign.country.qid, "country")
    _add(refs, "P17", "country", "wikibase-item")
    _add(refs, "P31", "instance of", "wikibase-item")
    _add(refs, "P625", "coordinates", "globe-coordinate")
    _add(refs, m.identifier.property, "identifier", "external-id")
    for q in [*m.instance_of.map.values(), m.instance_of.default]:
        _add(refs, q, "instance of")
    if m.designation is not None:
        _add(refs, "P1435", "designation", "wikibase-item")
        for q in [*m.designation.map.values(), m.designation.default]:
            _add(refs, q, "designation")
        if m.designation.start_column:
            _add(refs, "P580", "designation start", "time")
    if m.located_in is not None:
        _add(refs, "P131", "located in", "wikibase-item")
        _add(refs, m.located_in.admin_class, "admin unit class")
        if m.located_in.code_property:
            _add(refs, m.located_in.code_property, "admin unit code")
    _add(refs, m.reference.stated_in, "stated in")
    _add(refs, "P248", "stated in", "wikibase-item")
    _add(refs, "P813", "retrieved", "time")
    if m.reference.url:
        _add(refs, "P854", "reference URL", "url")
    if m.reference.published:
        _add(refs, "P577", "published", "time")
    for extra in m.extra:
        _add(refs, extra.property, f"extra {extra.column}", extra.datatype)
        for q in extra.map.values():
            _add(refs, q, f"extra {extra.column}")
    for q in campaign.reconcile.classes:
        _add(refs, q, "reconcile class")
    for q in campaign.lists.designations:
        _add(refs, q, "lists scope")
    return refs


def _snaks(entity: Json) -> Iterator[Json]:
    for statements in (entity.get("claims") or {}).values():
        for st in statements:
            yield st.get("mainsnak") or {}
            for qs in (st.get("qualifiers") or {}).values():
                yield from qs
            for ref in st.get("references") or []:
                for rs in (ref.get("snaks") or {}).values():
                    yield from rs


def plan_refs(plans: Iterable[Json], refs: dict[str, Ref] | None = None) -> dict[str, Ref]:
    """Add what the item plans (``plans.jsonl`` lines) refer to; count the plans per entity."""
    refs = {} if refs is None else refs
    for plan in plans:
        seen: set[str] = set()
        for part in (plan.get("data") or {}, plan.get("desired") or {}):
            for snak in _snaks(part):
                prop = snak.get("property")
                if not prop:
                    continue
                _add(refs, prop, "statement", snak.get("datatype"))
                seen.add(prop)
                value = (snak.get("datavalue") or {}).get("value")
                if isinstance(value, dict) and value.get("entity-type") in ("item", "property"):
                    qid = value.get("id") or f"Q{value.get('numeric-id')}"
                    _add(refs, qid, "value")
                    seen.add(qid)
        for eid in seen:
            refs[eid].used_by += 1
    return refs


def index_refs(columns: Iterable[pa.Array], refs: dict[str, Ref] | None = None) -> dict[str, Ref]:
    """:func:`plan_refs` from chunks of the store's ``refs`` column (no plan decoded).

    Plans of a register mostly share their ``refs`` value: each distinct value of a chunk is
    parsed once and counted as often as it occurs.
    """
    refs = {} if refs is None else refs
    for column in columns:
        counts = pc.value_counts(column)
        for text, n in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(),
                           strict=True):
            seen: set[str] = set()
            for eid, role, datatype in parse_refs(text or ""):
                _add(refs, eid, role, datatype)
                seen.add(eid)
            for eid in seen:
                refs[eid].used_by += n
    return refs


def store_refs(path: str | Path, refs: dict[str, Ref] | None = None) -> dict[str, Ref]:
    """Add what the plans of a store (or a ``plans.jsonl``) refer to: from the ``refs`` column
    when the store has it (:func:`index_refs`), else by decoding each plan (:func:`plan_refs`)."""
    if has_index(path):
        return index_refs((b.column(0) for b in iter_batches(path, ["refs"])), refs)
    return plan_refs(read_plan_lines(path), refs)


def read_plan_lines(path: str | Path) -> Iterator[Json]:
    """Stream the plans of the plan store (or a ``plans.jsonl``) as dicts (only snaks are needed)."""
    for chunk in iter_plan_dicts(path, batch_size=500, parts=("data", "desired")):
        yield from chunk


def _entry(ref: Ref, **extra: Any) -> Json:
    return {"id": ref.id, "kind": ref.kind, **extra, "roles": sorted(ref.roles),
            "used_by": ref.used_by}


def check_refs(refs: Mapping[str, Ref], fetch: InfoFetcher) -> Json:
    """Compare the references with the target.

    Args:
        refs: from :func:`campaign_refs` / :func:`plan_refs`.
        fetch: ids → info (``missing``, ``type``, ``datatype``), e.g.
            :func:`clients.probe.entity_info` bound to a target.

    Returns:
        ``checked``, ``missing``, ``wrong_datatype``, ``ok`` and ``blocking`` of the
        ``preflight.json`` contract (most used first).
    """
    info = fetch(sorted(refs, key=lambda e: (e[0], int(e[1:]) if e[1:].isdigit() else 0)))
    missing, wrong = [], []
    for ref in sorted(refs.values(), key=lambda r: (-r.used_by, r.id)):
        got = info.get(ref.id) or {"missing": True}
        if got.get("missing"):
            missing.append(_entry(ref))
            continue
        actual = got.get("datatype")
        if ref.kind == "property" and ref.datatypes and actual and actual not in ref.datatypes:
            wrong.append(_entry(ref, expected="|".join(sorted(ref.datatypes)), actual=actual))
    blocking = bool(missing or wrong)
    return {"checked": len(refs), "missing": missing, "wrong_datatype": wrong, "ok": not blocking,
            "blocking": blocking}


def blocking_message(result: Mapping[str, Any], limit: int = 8) -> str | None:
    """One line naming what the target lacks, or None when nothing blocks."""
    if not result.get("blocking"):
        return None
    parts = [f"{m['id']} ({', '.join(m['roles'])})" for m in result.get("missing", [])[:limit]]
    parts += [f"{w['id']} is {w['actual']}, should be {w['expected']}"
              for w in result.get("wrong_datatype", [])[:limit]]
    more = len(result.get("missing", [])) + len(result.get("wrong_datatype", [])) - len(parts)
    tail = f" and {more} more" if more > 0 else ""
    return (f"the target {result.get('target', '')!r} lacks what the plans refer to: "
            f"{'; '.join(parts)}{tail}. Create them (on a local target: `wlkit staging prepare "
            "CAMPAIGN.yaml`) or fix the campaign file; see 03_plan/preflight.json")
