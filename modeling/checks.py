"""Pre-upload checks: every plan passes them all or is held back with the reason.

OpenRefine's scrutinizers (FIELD-NOTES §4.1) look only at the batch; these also look at the live
wiki where it matters: distinct identifier values and label+description collisions are checked
against existing items (lookups passed in by the plan stage) *and* within the batch, and
single-value is checked on the merged result (live statements + what we add).

Each check is a function ``(plan, ctx) -> message | None`` registered in :data:`CHECKS`; the
result is appended to ``plan.checks`` as ``{"check", "ok", "message"}``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from modeling.campaign import Campaign
from modeling.datavalues import format_snak
from modeling.plan_model import SINGLE_VALUE, Plan
from sparql.render import literal

Json = dict[str, Any]

MAX_TERM_LENGTH = 250
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\ufeff]")
FUTURE_PROPS = ("P580", "P571")


@dataclass
class Context:
    """What checks need beyond the plan: the campaign, live lookups and batch-wide counts."""

    campaign: Campaign
    today: date
    live_entities: Mapping[str, Json]
    existing_ids: Mapping[str, set[str]] | None
    collisions: Mapping[tuple[str, str, str], str] | None
    id_counts: Counter[str] = field(default_factory=Counter)
    term_counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)


def _statements(data: Json) -> Iterator[tuple[str, Json]]:
    for prop, sts in (data.get("claims") or {}).items():
        for st in sts:
            yield prop, st


def _new_statements(data: Json) -> Iterator[tuple[str, Json]]:
    return ((p, s) for p, s in _statements(data) if "id" not in s)


def final_terms(plan: Plan, live: Json | None) -> dict[str, tuple[str | None, str | None]]:
    """Language → (label, description) after the edit (live terms are never overwritten)."""
    data, live = plan.data, live or {}
    labels = (live.get("labels") or {}, data.get("labels") or {})
    descs = (live.get("descriptions") or {}, data.get("descriptions") or {})
    return {lang: (_term(labels, lang), _term(descs, lang))
            for lang in {*labels[0], *labels[1], *descs[0], *descs[1]}}


def _term(sources: tuple[Json, Json], lang: str) -> str | None:
    """The live term if there is one, else the planned one (a term is ``{"value": …}``)."""
    term = sources[0].get(lang) or sources[1].get(lang)
    return str(term["value"]) if term else None


def _term_texts(data: Json) -> Iterator[tuple[str, str]]:
    for kind in ("labels", "descriptions"):
        for lang, t in (data.get(kind) or {}).items():
            yield f"{kind[:-1]} {lang}", t["value"]
    for lang, aliases in (data.get("aliases") or {}).items():
        for a in aliases:
            yield f"alias {lang}", a["value"]


# --- the checks ------------------------------------------------------------------------------


def check_licence(plan: Plan, ctx: Context) -> str | None:
    """Only CC0 / public-domain data may go to Wikidata."""
    if ctx.campaign.may_upload:
        return None
    return (f"dataset licence {ctx.campaign.licence!r} does not allow upload to Wikidata "
            "(only CC0 or public domain); use the data for local QA and lists only")


def check_identifier_format(plan: Plan, ctx: Context) -> str | None:
    """The identifier value fully matches the campaign's format regex."""
    ident = ctx.campaign.register_mapping.identifier
    if plan.identifier is None:
        return f"no {ident.property} identifier value (empty source field)"
    if ident.format and not re.fullmatch(ident.format, plan.identifier):
        return f"{ident.property} {plan.identifier!r} should match {ident.format!r}"
    return None


def check_distinct_values(plan: Plan, ctx: Context) -> str | None:
    """The identifier is on no other item, and on no other record of the batch."""
    prop = ctx.campaign.register_mapping.identifier.property
    if plan.identifier is None:
        return None
    if ctx.id_counts[plan.identifier] > 1:
        return f"{prop} {plan.identifier!r} appears on {ctx.id_counts[plan.identifier]} records of this batch"
    others = set((ctx.existing_ids or {}).get(plan.identifier, set())) - {plan.qid}
    if others:
        return f"{prop} {plan.identifier!r} is already on {', '.join(sorted(others))}"
    return None


def check_single_value(plan: Plan, ctx: Context) -> str | None:
    """A single-value property ends up with at most one value (live + added)."""
    live = ctx.live_entities.get(plan.qid or "") or {}
    props = SINGLE_VALUE | {ctx.campaign.register_mapping.identifier.property}
    problems = []
    for prop in sorted(props & set(plan.data.get("claims") or {})):
        sts = plan.data["claims"][prop]
        touched = {s.get("id") for s in sts if s.get("id")}
        kept = [s for s in (live.get("claims") or {}).get(prop, [])
                if s.get("rank") != "deprecated" and s.get("id") not in touched]
        total = len(kept) + len(sts)
        if total > 1:
            problems.append(f"{prop} would have {total} values")
    return "; ".join(problems) or None


def check_new_item_terms(plan: Plan, ctx: Context) -> str | None:
    """A new item has a label, a description and P31."""
    if plan.qid is not None:
        return None
    missing = [name for name, ok in (
        ("label", plan.data.get("labels")), ("description", plan.data.get("descriptions")),
        ("P31 instance of", (plan.data.get("claims") or {}).get("P31"))) if not ok]
    return f"new item without {', '.join(missing)}" if missing else None


def check_label_not_description(plan: Plan, ctx: Context) -> str | None:
    """Label and description differ in every language."""
    live = ctx.live_entities.get(plan.qid or "")
    same = [lang for lang, (lab, desc) in final_terms(plan, live).items()
            if lab and desc and lab.casefold() == desc.casefold()]
    return f"label equals description in {', '.join(sorted(same))}" if same else None


def check_term_length(plan: Plan, ctx: Context) -> str | None:
    """Labels, descriptions and aliases are at most 250 characters."""
    long = [f"{where} ({len(text)} chars)" for where, text in _term_texts(plan.data) if len(text) > MAX_TERM_LENGTH]
    return f"longer than {MAX_TERM_LENGTH} characters: {', '.join(long)}" if long else None


def check_whitespace(plan: Plan, ctx: Context) -> str | None:
    """No double spaces, leading/trailing whitespace or control characters in texts."""
    texts = list(_term_texts(plan.data))
    for prop, st in _new_statements(plan.data):
        snak = st["mainsnak"]
        if snak.get("snaktype") == "value" and snak["datavalue"]["type"] in ("string", "monolingualtext"):
            texts.append((prop, format_snak(snak) if snak["datavalue"]["type"] == "string"
                          else snak["datavalue"]["value"]["text"]))
    bad = []
    for where, text in texts:
        if "  " in text:
            bad.append(f"{where}: double space")
        if text != text.strip():
            bad.append(f"{where}: leading/trailing whitespace")
        if _CONTROL.search(text):
            bad.append(f"{where}: control character")
    return "; ".join(bad) or None


def check_coordinates(plan: Plan, ctx: Context) -> str | None:
    """Coordinates fall inside the campaign country's bounding box."""
    bbox = ctx.campaign.country.bbox
    if not bbox:
        return None
    for _, st in _new_statements(plan.data):
        snak = st["mainsnak"]
        if snak.get("snaktype") == "value" and snak["datavalue"]["type"] == "globecoordinate":
            v = snak["datavalue"]["value"]
            if not (bbox[0] <= v["longitude"] <= bbox[2] and bbox[1] <= v["latitude"] <= bbox[3]):
                return (f"{snak['property']} {v['latitude']}, {v['longitude']} is outside "
                        f"{ctx.campaign.country.iso} (bbox {list(bbox)})")
    return None


def _after_today(value: Json, today: date) -> bool:
    m = re.match(r"([+-])(\d+)-(\d\d)-(\d\d)", value["time"])
    if not m or m.group(1) == "-":
        return False
    y, mo, d = int(m.group(2)), int(m.group(3)), int(m.group(4))
    p = int(value.get("precision", 11))
    key = (y,) if p <= 9 else (y, mo) if p == 10 else (y, mo, d)
    return key > (today.year, today.month, today.day)[: len(key)]


def check_future_dates(plan: Plan, ctx: Context) -> str | None:
    """P580 start time and P571 inception are not in the future."""
    bad = []
    for _, st in _statements(plan.data):
        snaks = [st["mainsnak"], *[q for qs in (st.get("qualifiers") or {}).values() for q in qs]]
        for s in snaks:
            if s["property"] in FUTURE_PROPS and s.get("snaktype") == "value" and \
                    _after_today(s["datavalue"]["value"], ctx.today):
                bad.append(f"{s['property']} {format_snak(s)}")
    return f"date in the future: {', '.join(bad)}" if bad else None


def check_sourced(plan: Plan, ctx: Context) -> str | None:
    """Every statement we add carries a reference."""
    bare = [p for p, st in _new_statements(plan.data) if not st.get("references")]
    return f"unsourced statements: {', '.join(bare)}" if bare else None


def check_label_description_unique(plan: Plan, ctx: Context) -> str | None:
    """No other item (live or in the batch) has the same label and description in a language."""
    live = ctx.live_entities.get(plan.qid or "")
    for lang, (lab, desc) in sorted(final_terms(plan, live).items()):
        if not lab or not desc:
            continue
        # Only a new record is held for a batch twin: an update to an existing item never is
        # (issue 15 §6); the new record sharing its terms is the one that would collide.
        if plan.qid is None and ctx.term_counts[(lang, lab, desc)] > 1:
            return f"label+description {lab!r}/{desc!r} ({lang}) is shared with another record of this batch"
        other = (ctx.collisions or {}).get((lang, lab, desc))
        if other and other != plan.qid:
            return f"label+description {lab!r}/{desc!r} ({lang}) already used by {other}"
    return None


#: Every check, in the order they are reported.
CHECKS: dict[str, Callable[[Plan, Context], str | None]] = {
    "licence": check_licence,
    "identifier_format": check_identifier_format,
    "distinct_values": check_distinct_values,
    "single_value": check_single_value,
    "new_item_terms": check_new_item_terms,
    "label_not_description": check_label_not_description,
    "term_length": check_term_length,
    "whitespace": check_whitespace,
    "coordinates_in_country": check_coordinates,
    "future_dates": check_future_dates,
    "sourced": check_sourced,
    "label_description_unique": check_label_description_unique,
}


def run_checks(
    plans: list[Plan],
    campaign: Campaign,
    *,
    live_entities: Mapping[str, Json],
    existing_ids: Mapping[str, set[str]] | None = None,
    collisions: Mapping[tuple[str, str, str], str] | None = None,
    today: date | None = None,
) -> list[Plan]:
    """Run every check on every plan, appending results to ``plan.checks``.

    Args:
        plans: The batch (batch-wide checks count across it).
        campaign: The campaign (licence, identifier format, country bbox).
        live_entities: QID → live entity JSON.
        existing_ids: Identifier value → QIDs that already hold it on the target.
        collisions: (language, label, description) → QID of an existing item.
        today: Reference date for the future-date check.

    Returns:
        The same plans (mutated), for chaining.
    """
    ctx = Context(campaign, today or date.today(), live_entities, existing_ids, collisions)
    for p in plans:
        if p.identifier and p.action != "unchanged":
            ctx.id_counts[p.identifier] += 1
        for lang, (lab, desc) in final_terms(p, live_entities.get(p.qid or "")).items():
            if lab and desc:
                ctx.term_counts[(lang, lab, desc)] += 1
    for p in plans:
        for name, check in CHECKS.items():
            if p.action == "unchanged" and name != "distinct_values":
                continue
            message = check(p, ctx)
            p.checks.append({"check": name, "ok": message is None, "message": message})
    return plans


def fetch_collisions(
    terms: list[tuple[str, str, str]], target: Any, *, run: Callable[..., Any],
    batch_size: int = 200,
) -> dict[tuple[str, str, str], str]:
    """Existing items with the same label and description in a language, batched by label.

    Args:
        terms: (language, label, description) of the planned items.
        target: The target to query.
        run: The query runner (the flow passes :func:`sparql.client.run`).
        batch_size: Labels per query.

    Returns:
        (language, label, description) → QID, for the terms that collide.
    """
    wanted = set(terms)
    labels = list(dict.fromkeys((lang, label) for lang, label, _ in terms))
    out: dict[tuple[str, str, str], str] = {}
    for i in range(0, len(labels), batch_size):
        chunk = [literal(label, lang) for lang, label in labels[i:i + batch_size]]
        frame = run("plan_label_collisions", target, labels=chunk)
        for row in frame.itertuples(index=False):
            key = (str(row.lang), str(row.label), str(row.description))
            if key in wanted:
                out.setdefault(key, str(row.item))
    return out
