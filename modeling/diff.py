"""Add-only diff of a desired entity against the live one → minimal ``wbeditentity`` data.

Rules (FIELD-NOTES §1.4–1.6):

* never remove or change a statement someone else wrote; statements not mentioned in the data
  are kept by the server, so the data holds only new statements and existing ones we *extend*
  (with their ``id``);
* the same value already present (coordinates within a tolerance, times by value + precision)
  → add our reference to it when it has no equivalent one (references compare on stated-in +
  URL/identifier, never on P813 retrieved) and missing qualifiers, never a duplicate;
* a different value on a single-value property (P625, P17, the identifier, P571, P2046 …) is held
  for review, not written; P625/P18 present → never overwritten;
* labels/descriptions are only added in languages that have none; aliases only added.
"""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from modeling.datavalues import format_snak

Json = dict[str, Any]

#: Coordinates closer than this are the same value (FIELD-NOTES §2.7: re-write only when >100 m).
COORD_TOLERANCE_M = 100.0
#: Reference snaks that identify a source; P813 retrieved is deliberately absent.
REF_LOCATORS = ("P854",)


@dataclass
class DiffResult:
    """The minimal data plus what changed and what was held back."""

    data: Json = field(default_factory=dict)
    changes: list[Json] = field(default_factory=list)
    held: list[Json] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- value equality ------------------------------------------------------------------------


def _copy(value: Any) -> Any:
    """A deep copy of plain JSON data (a pickle round trip: several times faster than deepcopy)."""
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _metres(a: Json, b: Json) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a["latitude"], a["longitude"], b["latitude"], b["longitude"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(min(1.0, h)))


def _time_key(v: Json) -> tuple[Any, ...]:
    p = int(v.get("precision", 11))
    t = str(v["time"])
    sign, rest = (t[0], t[1:]) if t[0] in "+-" else ("+", t)
    year, month, day = rest.split("T")[0].split("-")[:3]
    parts: tuple[Any, ...] = (sign, int(year))
    if p >= 10:
        parts += (int(month),)
    if p >= 11:
        parts += (int(day),)
    if p < 9:  # decade, century …: compare the significant year digits only
        parts = (sign, int(year) // 10 ** (9 - p))
    return (p, v.get("calendarmodel"), *parts)


def _amount(text: str) -> Decimal | str:
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return text


def same_snak(a: Json, b: Json, *, tolerance_m: float = COORD_TOLERANCE_M) -> bool:
    """Whether two snaks state the same thing (property, snak type and value)."""
    if a.get("property") != b.get("property") or a.get("snaktype") != b.get("snaktype"):
        return False
    if a.get("snaktype") != "value":
        return True
    va, vb = a["datavalue"], b["datavalue"]
    if va.get("type") != vb.get("type"):
        return False
    x, y = va["value"], vb["value"]
    kind = va["type"]
    if kind == "wikibase-entityid":
        return bool(x.get("id") == y.get("id"))
    if kind == "globecoordinate":
        return x.get("globe") == y.get("globe") and _metres(x, y) <= tolerance_m
    if kind == "time":
        return _time_key(x) == _time_key(y)
    if kind == "quantity":
        return _amount(x["amount"]) == _amount(y["amount"]) and x.get("unit") == y.get("unit")
    if kind == "monolingualtext":
        return bool(x["text"] == y["text"] and x["language"] == y["language"])
    return bool(x == y)


# --- references -----------------------------------------------------------------------------


def _ref_values(ref: Json, props: tuple[str, ...]) -> set[str]:
    out = set()
    for p in props:
        for s in ref.get("snaks", {}).get(p, []):
            if s.get("snaktype") == "value":
                out.add(format_snak(s))
    return out


def equivalent_reference(ours: Json, theirs: Json, *, locators: tuple[str, ...] = REF_LOCATORS) -> bool:
    """Whether a live reference already says what ours says (stated-in + URL/id, not retrieved)."""
    if _ref_values(ours, ("P248",)) != _ref_values(theirs, ("P248",)):
        return False
    our_loc, their_loc = _ref_values(ours, locators), _ref_values(theirs, locators)
    return not our_loc or not their_loc or bool(our_loc & their_loc)


# --- the diff -------------------------------------------------------------------------------


def _terms(desired: Json, live: Json, res: DiffResult) -> None:
    for kind in ("labels", "descriptions"):
        for lang, term in desired.get(kind, {}).items():
            have = (live.get(kind) or {}).get(lang)
            if not have:
                res.data.setdefault(kind, {})[lang] = term
                res.changes.append({"kind": kind[:-1], "language": lang, "before": None, "after": term["value"]})
            elif have["value"] != term["value"]:
                res.warnings.append(f"{kind[:-1]} {lang}: kept {have['value']!r} (register: {term['value']!r})")
    for lang, aliases in desired.get("aliases", {}).items():
        known = {a["value"] for a in (live.get("aliases") or {}).get(lang, [])}
        label = (live.get("labels") or {}).get(lang, {}).get("value")
        label = label or res.data.get("labels", {}).get(lang, {}).get("value")
        for a in aliases:
            if a["value"] not in known and a["value"] != label:
                res.data.setdefault("aliases", {}).setdefault(lang, []).append({**a, "add": ""})
                res.changes.append({"kind": "alias", "language": lang, "before": None, "after": a["value"]})


def _extend(existing: Json, ours: Json, res: DiffResult, prop: str) -> None:
    """Add our reference / missing qualifiers to an equal live statement (sent with its id)."""
    updated = _copy(existing)
    changed = False
    for qprop, qsnaks in (ours.get("qualifiers") or {}).items():
        if not (existing.get("qualifiers") or {}).get(qprop):
            updated.setdefault("qualifiers", {})[qprop] = qsnaks
            updated.setdefault("qualifiers-order", []).append(qprop)
            res.changes.append({"kind": "qualifier", "property": prop, "qualifier": qprop,
                                "before": format_snak(existing["mainsnak"]),
                                "after": ", ".join(format_snak(q) for q in qsnaks)})
            changed = True
    for ref in ours.get("references", []):
        if not any(equivalent_reference(ref, r) for r in existing.get("references", [])):
            updated.setdefault("references", []).append(ref)
            res.changes.append({"kind": "reference", "property": prop,
                                "before": format_snak(existing["mainsnak"]),
                                "after": "+ reference " + ", ".join(sorted(_ref_values(ref, ("P248", "P854"))))})
            changed = True
    if changed:
        res.data.setdefault("claims", {}).setdefault(prop, []).append(updated)


def diff_entity(
    desired: Json,
    live: Json | None,
    *,
    single_value: frozenset[str] | set[str] = frozenset(),
    tolerance_m: float = COORD_TOLERANCE_M,
) -> DiffResult:
    """Minimal ``wbeditentity`` data bringing ``live`` up to ``desired`` without removing anything.

    Args:
        desired: The full entity from :func:`modeling.items.build_entity`.
        live: The live entity (``wbgetentities`` record), or None for a new item.
        single_value: Properties that take one value (a different live value → held).
        tolerance_m: Coordinates within this distance are equal.

    Returns:
        :class:`DiffResult`; ``data`` is empty when nothing needs writing. For a new item
        ``data`` *is* ``desired`` (not a copy: neither is changed afterwards, and copying
        cost a third of the plan stage at 10⁵ records).
    """
    res = DiffResult()
    if live is None:
        res.data = desired
        for kind in ("label", "description"):
            for lang, t in desired.get(kind + "s", {}).items():
                res.changes.append({"kind": kind, "language": lang, "before": None, "after": t["value"]})
        for prop, sts in desired.get("claims", {}).items():
            for st in sts:
                res.changes.append({"kind": "statement", "property": prop, "before": None,
                                    "after": format_snak(st["mainsnak"])})
        return res
    _terms(desired, live, res)
    live_claims = live.get("claims") or {}
    for prop, sts in desired.get("claims", {}).items():
        current = [s for s in live_claims.get(prop, []) if s.get("rank") != "deprecated"]
        for st in sts:
            equal = [s for s in current if same_snak(s["mainsnak"], st["mainsnak"], tolerance_m=tolerance_m)]
            if len(equal) > 1:
                res.warnings.append(f"{prop}: the item already has {len(equal)} equal statements; skipped")
                continue
            if equal:
                _extend(equal[0], st, res, prop)
                continue
            if prop in single_value and current:
                res.held.append({"property": prop, "live": [format_snak(s["mainsnak"]) for s in current],
                                 "register": format_snak(st["mainsnak"]),
                                 "reason": "single-value property already has a different value"})
                continue
            res.data.setdefault("claims", {}).setdefault(prop, []).append(_copy(st))
            res.changes.append({"kind": "statement", "property": prop,
                                "before": ", ".join(format_snak(s["mainsnak"]) for s in current) or None,
                                "after": format_snak(st["mainsnak"])})
    return res
