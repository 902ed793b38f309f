"""Record + reconciliation decision → item plan (Wikibase JSON), following the campaign mapping.

The *desired* entity holds everything the register says, each statement carrying the campaign's
one reference block (P248 stated in + P854 URL + P813 retrieved [+ P577 published],
FIELD-NOTES §1.5). :func:`plan_items` then diffs it against the live entity
(:mod:`modeling.diff`: add-only) and runs the pre-upload checks (:mod:`modeling.checks`).

A :class:`Plan` is what ``03_plan/plans.jsonl`` holds, one JSON object per line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import string as _string
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from modeling import datavalues as dv
from modeling.campaign import Campaign, ValueMap
from core.errors import CampaignError

log = logging.getLogger(__name__)

Json = dict[str, Any]
Action = Literal["create", "update", "unchanged", "held"]

HECTARE = "Q35852"
#: Datatypes of the properties the mapping writes itself (extras carry their own datatype).
DATATYPES = {
    "P31": "wikibase-item", "P17": "wikibase-item", "P131": "wikibase-item",
    "P625": "globe-coordinate", "P1435": "wikibase-item", "P580": "time", "P2046": "quantity",
    "P3896": "geo-shape", "P248": "wikibase-item", "P854": "url", "P813": "time", "P577": "time",
}
#: Properties that take one value: a different live value is never overwritten, only reported.
SINGLE_VALUE = frozenset({"P17", "P625", "P571", "P2046", "P3896", "P809", "P814", "P18", "P373"})


@dataclass
class Plan:
    """What the upload does for one record.

    Attributes:
        source_id: The register's id.
        qid: The existing item, or None for a new one.
        action: ``create``, ``update``, ``unchanged`` or ``held`` (not written; see ``checks``).
        data: The minimal ``wbeditentity`` JSON (empty when nothing is to be written).
        checks: One ``{"check", "ok", "message"}`` per pre-upload check.
        warnings: Non-blocking notes (unresolved P131, values kept because others wrote them …).
        desired: The full entity the register describes (for re-diffing after an edit conflict).
        identifier: The identifier property's value (``raa/bbr/…``), used for duplicate guards.
        base_revid: ``lastrevid`` of the live entity the diff was made against.
        changes: Per statement/term before → after (the dry-run report).
        held: Statements not written because they conflict with a live value (review them).
    """

    source_id: str
    qid: str | None
    action: Action
    data: Json
    checks: list[Json] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    desired: Json = field(default_factory=dict)
    identifier: str | None = None
    base_revid: int | None = None
    changes: list[Json] = field(default_factory=list)
    held: list[Json] = field(default_factory=list)

    @property
    def failed_checks(self) -> list[Json]:
        """The checks that did not pass."""
        return [c for c in self.checks if not c["ok"]]

    def to_json(self) -> Json:
        """A JSON-ready dict (one line of ``plans.jsonl``)."""
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Json) -> Plan:
        """Rebuild a plan from :meth:`to_json` output."""
        return cls(**raw)

    def fingerprint(self) -> str:
        """Hash of what the register wants (desired entity minus P813), for the ledger's re-run rule."""
        text = json.dumps(_strip_retrieved(self.desired), sort_keys=True, ensure_ascii=True)
        return hashlib.sha1(text.encode()).hexdigest()


def _strip_retrieved(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_retrieved(v) for k, v in obj.items() if k != "P813"}
    if isinstance(obj, list):
        return [_strip_retrieved(v) for v in obj]
    return obj


# --- record access -------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A record cell as a stripped string, or None for empty/NaN/NA."""
    if value is None:
        return None
    try:
        if isinstance(value, float) and math.isnan(value):
            return None
        if value != value:  # pd.NA / NaT compare unequal to themselves (or raise)
            return None
    except (TypeError, ValueError):
        return None
    text = str(value).strip()
    return text or None


class _Fields(dict):  # type: ignore[type-arg]
    """Template fields of a record: every column, plus ``source_id`` and ``name``."""

    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def fill(template: str, record: Mapping[str, Any], *, what: str) -> str | None:
    """Fill ``{column}`` placeholders from a record; None when a used field is empty.

    Raises:
        CampaignError: when the template names a field the records do not have.
    """
    names = [f for _, f, _, _ in _string.Formatter().parse(template) if f]
    values: dict[str, str] = {}
    for name in names:
        if name not in record:
            raise CampaignError(
                f"{what}: template {template!r} should only use record fields "
                f"({', '.join(sorted(map(str, record)))}), got {{{name}}}"
            )
        text = _text(record[name])
        if text is None:
            return None
        values[name] = text
    return template.format_map(_Fields(values))


def _parse_date(raw: str) -> tuple[str, int] | None:
    try:
        from modeling.validate import parse_date  # the ingest helper's parser (contract)
    except ImportError:  # pragma: no cover - only while the ingest part is missing
        return _iso_date(raw)
    return parse_date(raw)


def _iso_date(raw: str) -> tuple[str, int] | None:
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", raw.strip())
    if not m:
        return None
    y, mo, d = m.group(1), m.group(2) or "00", m.group(3) or "00"
    precision = 11 if m.group(3) else 10 if m.group(2) else 9
    return f"+{y}-{mo}-{d}T00:00:00Z", precision


def _day(d: date) -> Json:
    return dv.time(f"+{d.isoformat()}T00:00:00Z", 11)


# --- building the desired entity -----------------------------------------------------------


@dataclass
class _Builder:
    campaign: Campaign
    record: Mapping[str, Any]
    admin_units: Mapping[str, str]
    today: date
    claims: dict[str, list[Json]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def reference(self) -> Json:
        ref = self.campaign.mapping.reference
        snaks = [dv.snak("P248", "wikibase-item", dv.item(ref.stated_in))]
        if ref.url:
            url = fill(ref.url, self.record, what="mapping.reference.url")
            if url:
                snaks.append(dv.snak("P854", "url", dv.string(url)))
        retrieved = self.today if ref.retrieved == "today" else ref.retrieved
        snaks.append(dv.snak("P813", "time", _day(retrieved)))
        if ref.published:
            snaks.append(dv.snak("P577", "time", _day(ref.published)))
        return dv.reference(snaks)

    def add(self, mainsnak: Json, qualifiers: list[Json] | None = None) -> None:
        st = dv.statement(mainsnak, qualifiers=qualifiers, references=[self.reference()])
        self.claims.setdefault(mainsnak["property"], []).append(st)

    def mapped(self, prop: str, vm: ValueMap, what: str) -> Json | None:
        raw = _text(self.record.get(vm.column)) if vm.column else None
        if raw is not None and raw in vm.novalue:
            return dv.novalue(prop, "wikibase-item")
        qid = vm.map.get(raw) if raw is not None else None
        if qid is None and raw is not None:
            qid = {k.casefold(): v for k, v in vm.map.items()}.get(raw.casefold())
        if qid is None:
            if raw is not None and vm.map:
                self.warnings.append(f"{what}: {raw!r} is not in the value map; using the default")
            qid = vm.default
        return dv.snak(prop, "wikibase-item", dv.item(qid)) if qid else None


def build_entity(
    record: Mapping[str, Any],
    campaign: Campaign,
    *,
    admin_units: Mapping[str, str],
    today: date,
) -> tuple[Json, list[str], str | None]:
    """The full entity a register record describes.

    Args:
        record: One record (``records.parquet`` row as a mapping).
        campaign: The campaign (its ``mapping`` drives everything).
        admin_units: Admin-unit code or name → QID (``modeling.lookups.admin_unit_table``).
        today: The run date (P813 retrieved).

    Returns:
        (entity JSON with labels/descriptions/aliases/claims, warnings, identifier value).
    """
    m = campaign.mapping
    b = _Builder(campaign, record, admin_units, today)
    sid = str(record["source_id"])

    p31 = b.mapped("P31", m.instance_of, "P31 instance of")
    if p31:
        b.add(p31)
    b.add(dv.snak("P17", "wikibase-item", dv.item(campaign.country.qid)))

    if m.located_in:
        raw = _text(record.get(m.located_in.column))
        codes = [c.strip() for c in raw.split(m.located_in.split)] if raw and m.located_in.split else [raw]
        for code in filter(None, codes):
            qid = m.located_in.table.get(code) or admin_units.get(code)
            if qid:
                b.add(dv.snak("P131", "wikibase-item", dv.item(qid)))
            else:
                b.warnings.append(f"P131: admin unit {code!r} not found; no P131 statement")

    lat, lon = record.get("lat"), record.get("lon")
    if _text(lat) is not None and _text(lon) is not None:
        coord = dv.globecoordinate(float(lat), float(lon), m.coordinate_precision)
        b.add(dv.snak("P625", "globe-coordinate", coord))

    if m.designation:
        snak = b.mapped("P1435", m.designation, "P1435 designation")
        if snak:
            quals = []
            start = _text(record.get(m.designation.start_column)) if m.designation.start_column else None
            parsed = _parse_date(start) if start else None
            if parsed:
                quals.append(dv.snak("P580", "time", dv.time(*parsed)))
            elif start:
                b.warnings.append(f"P580: {start!r} is not a date; no start time")
            b.add(snak, quals)

    identifier = fill(m.identifier.value, record, what="mapping.identifier.value")
    if identifier:
        b.add(dv.snak(m.identifier.property, "external-id", dv.string(identifier)))

    for extra in m.extra:
        _add_extra(b, extra)

    if m.area:
        area = _text(record.get("area_m2"))
        if area is not None:
            ha = (Decimal(area) / Decimal(10000)).quantize(Decimal("0.01"))
            b.add(dv.snak("P2046", "quantity", dv.quantity(ha, HECTARE)))
    if m.geoshape:
        page = fill(m.geoshape, record, what="mapping.geoshape")
        if page:
            b.add(dv.snak("P3896", "geo-shape", dv.string(page)))

    entity: Json = {"type": "item", "labels": {}, "descriptions": {}, "aliases": {}, "claims": b.claims}
    for lang, tpl in m.labels.items():
        if text := fill(tpl, record, what=f"mapping.labels.{lang}"):
            entity["labels"][lang] = {"language": lang, "value": text}
    for lang, tpl in m.descriptions.items():
        if text := fill(tpl, record, what=f"mapping.descriptions.{lang}"):
            entity["descriptions"][lang] = {"language": lang, "value": text}
        else:
            b.warnings.append(f"description {lang}: a field of {tpl!r} is empty; none added")
    for lang, tpls in m.aliases.items():
        values = [t for t in (fill(x, record, what=f"mapping.aliases.{lang}") for x in tpls) if t]
        label = entity["labels"].get(lang, {}).get("value")
        values = [v for v in dict.fromkeys(values) if v != label]
        if values:
            entity["aliases"][lang] = [{"language": lang, "value": v} for v in values]
    log.debug("built entity for %s with %d properties", sid, len(b.claims))
    return entity, b.warnings, identifier


def _add_extra(b: _Builder, extra: Any) -> None:
    raw = _text(b.record.get(extra.column))
    if raw is None:
        return
    prop, dt = extra.property, extra.datatype
    if raw in extra.novalue:
        b.add(dv.novalue(prop, dt))
        return
    if dt == "wikibase-item":
        qid = extra.map.get(raw) or (raw if re.fullmatch(r"Q[1-9]\d*", raw) else None)
        if qid is None:
            b.warnings.append(f"{prop}: {raw!r} is not in the value map; no statement")
            return
        b.add(dv.snak(prop, dt, dv.item(qid)))
    elif dt == "time":
        parsed = _parse_date(raw)
        if parsed is None:
            b.warnings.append(f"{prop}: {raw!r} is not a date; no statement")
            return
        b.add(dv.snak(prop, dt, dv.time(*parsed)))
    elif dt == "monolingualtext":
        lang = extra.language or b.campaign.languages[0]
        b.add(dv.snak(prop, dt, dv.monolingualtext(raw, lang)))
    elif dt == "quantity":
        try:
            number = Decimal(raw.replace(",", "."))
        except ArithmeticError:
            b.warnings.append(f"{prop}: {raw!r} is not a number; no statement")
            return
        b.add(dv.snak(prop, dt, dv.quantity(number, extra.unit)))
    else:  # string, external-id, url, commonsMedia
        if dt == "commonsMedia":
            raw = re.sub(r"^(File|Fil|Image):", "", raw, flags=re.I)
        if dt == "external-id" and re.fullmatch(r"\d+\.0", raw):
            raw = raw[:-2]  # numeric ids read as floats by a spreadsheet
        b.add(dv.snak(prop, dt, dv.string(raw)))


# --- plans ---------------------------------------------------------------------------------


def _decision_map(decisions: Any) -> dict[str, str]:
    if hasattr(decisions, "to_dict") and hasattr(decisions, "columns"):
        return {str(s): str(q) for s, q in zip(decisions["source_id"], decisions["qid"], strict=True)}
    return {str(k): str(v) for k, v in dict(decisions).items()}


def _records(records: Any) -> Iterable[Mapping[str, Any]]:
    if hasattr(records, "to_dict") and hasattr(records, "columns"):
        frame = records.drop(columns=["geometry"], errors="ignore")
        return frame.to_dict(orient="records")
    return records


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
    from modeling.checks import run_checks  # checks import Plan from here
    from modeling.diff import diff_entity

    today = today or date.today()
    chosen = _decision_map(decisions)
    single = SINGLE_VALUE | {campaign.mapping.identifier.property}
    plans: list[Plan] = []
    for record in _records(records):
        sid = str(record["source_id"])
        desired, warnings, ident = build_entity(record, campaign, admin_units=admin_units, today=today)
        decision = chosen.get(sid, "")
        qid = decision if re.fullmatch(r"Q[1-9]\d*", decision) else None
        live = live_entities.get(qid) if qid else None
        if qid and (live is None or "missing" in live):
            plan = Plan(sid, qid, "held", {}, warnings=warnings, desired=desired, identifier=ident)
            plan.checks.append({"check": "decision", "ok": False,
                                "message": f"decided item {qid} does not exist on the target"})
            plans.append(plan)
            continue
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
        plans.append(plan)
    run_checks(plans, campaign, live_entities=live_entities, existing_ids=existing_ids,
               collisions=collisions, today=today)
    for plan in plans:
        if plan.failed_checks:
            plan.action = "held"
    return plans


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


def write_plans(plans: list[Plan], path: Any) -> None:
    """Write ``plans.jsonl`` (one plan per line, UTF-8)."""
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for p in plans:
            fh.write(json.dumps(p.to_json(), ensure_ascii=False, sort_keys=True) + "\n")


def read_plans(path: Any) -> list[Plan]:
    """Read ``plans.jsonl``.

    Raises:
        InputError: a line that is not a plan (names the file and line).
    """
    from pathlib import Path

    from core.errors import InputError

    plans = []
    path = Path(path)
    if not path.exists():
        raise InputError("plans file not found: run the plan stage first", file=str(path))
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            plans.append(Plan.from_json(json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise InputError(f"not an item plan: {exc}", file=str(path), row=n) from None
    return plans
