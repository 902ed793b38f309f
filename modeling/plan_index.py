"""What the preflight needs of a plan, as scalar store columns computed once, when it is stored.

The preflight (:mod:`modeling.preflight`, :mod:`modeling.plausibility`) used to decode every
plan's ``data`` and ``desired`` JSON twice: 10–25 s of a 20,000-record plan stage. The plan
store (:mod:`modeling.plan_store`) now keeps, per plan, the columns
:data:`core.contracts.PLAN_INDEX_COLUMNS`:

``refs``
    The entities the plan refers to, one sorted, space-separated token each:
    ``P1435:wikibase-item`` — a property used by a main, qualifier or reference snak, with the
    snak's datatype (``P1435:`` when the snak carries none; one token per datatype);
    ``Q34`` — an item or property used as a value. Entity ids and datatypes never contain a
    space or a colon.
``unit``, ``lat``, ``lon``
    The first P131 value and the first P625 value of the plan's entity (null when absent).

:func:`parse_refs` turns ``refs`` back into (id, role, datatype) triples.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
_ENTITY_TYPES = ("item", "property")


def first_value(entity: Json, prop: str) -> Any:
    """The datavalue of the first ``value`` main snak of ``prop`` in ``entity`` (or None)."""
    for st in (entity.get("claims") or {}).get(prop, []):
        snak = st.get("mainsnak") or {}
        if snak.get("snaktype") == "value":
            return (snak.get("datavalue") or {}).get("value")
    return None


def location(plan: Json) -> tuple[str | None, float | None, float | None]:
    """``(unit QID, lat, lon)`` of a plan: its P131 and P625 values (each None when absent)."""
    entity = plan.get("desired") or plan.get("data") or {}
    unit, point = first_value(entity, "P131"), first_value(entity, "P625")
    qid = str(unit["id"]) if isinstance(unit, dict) and unit.get("id") else None
    if isinstance(point, dict) and "latitude" in point and "longitude" in point:
        return qid, float(point["latitude"]), float(point["longitude"])
    return qid, None, None


def _snaks(statement: Json, walked: set[int]) -> list[Json]:
    """The main, qualifier and not yet ``walked`` reference snaks of a statement."""
    snaks = [statement.get("mainsnak") or {}]
    for qs in (statement.get("qualifiers") or {}).values():
        snaks.extend(qs)
    for ref in statement.get("references") or ():
        for rs in (ref.get("snaks") or {}).values():
            for snak in rs:
                if id(snak) not in walked:
                    walked.add(id(snak))
                    snaks.append(snak)
    return snaks


def ref_tokens(plan: Json) -> str:
    """The ``refs`` column of a plan (``data`` and ``desired`` walked; see the module doc).

    A record's reference snaks are shared objects on every statement (built once by
    :mod:`modeling.entity_builder`): each is walked once, so a plan costs about 10 µs.
    """
    tokens: set[str | tuple[str, str]] = set()
    walked: set[int] = set()
    data, desired = plan.get("data"), plan.get("desired")
    for part in (desired,) if data is desired else (data, desired):
        for statements in ((part or {}).get("claims") or {}).values():
            for st in statements:
                for snak in _snaks(st, walked):
                    prop = snak.get("property")
                    if not prop:
                        continue
                    tokens.add((prop, snak.get("datatype") or ""))
                    dv = snak.get("datavalue")
                    value = dv.get("value") if dv else None
                    if isinstance(value, dict) and value.get("entity-type") in _ENTITY_TYPES:
                        tokens.add(value.get("id") or f"Q{value.get('numeric-id')}")
    return " ".join(sorted(t if isinstance(t, str) else f"{t[0]}:{t[1]}" for t in tokens))


def index_columns(plan: Json) -> Json:
    """The :data:`core.contracts.PLAN_INDEX_COLUMNS` values of a plan dict."""
    unit, lat, lon = location(plan)
    return {"refs": ref_tokens(plan), "unit": unit, "lat": lat, "lon": lon}


def parse_refs(refs: str) -> list[tuple[str, str, str | None]]:
    """``(id, role, datatype)`` of each token of a ``refs`` value: role ``statement`` (with the
    snak's datatype, None when it carried none) or ``value`` (datatype None)."""
    out: list[tuple[str, str, str | None]] = []
    for token in refs.split():
        eid, colon, datatype = token.partition(":")
        out.append((eid, "statement", datatype or None) if colon else (eid, "value", None))
    return out
