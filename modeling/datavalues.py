"""Small builders for Wikibase JSON: datavalues, snaks, statements and references.

Everything here produces plain ``dict`` in the shape ``wbeditentity`` takes (WIKIBASE-API.md §8),
so an item plan is JSON from the start and WikibaseIntegrator only transports it. Quantities are
always Decimal strings with a sign (``"+12.5"``): WBI's ``format_amount`` turns small floats into
``"+1e-05"``, which Wikibase rejects (WIKIBASE-API.md §6.5).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.settings import WIKIDATA_ENTITY_BASE

#: Default globe and calendar: full Wikidata IRIs everywhere, locally too (WIKIBASE-API.md §10.7).
EARTH = "http://www.wikidata.org/entity/Q2"
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"

Json = dict[str, Any]


def item(qid: str) -> Json:
    """Datavalue of an item, e.g. ``item("Q34")``."""
    return {
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
        "type": "wikibase-entityid",
    }


def string(text: str) -> Json:
    """Datavalue of a string-typed value (string, external-id, url, commonsMedia, geo-shape)."""
    return {"value": text, "type": "string"}


def monolingualtext(text: str, language: str) -> Json:
    """Datavalue of a monolingual text."""
    return {"value": {"text": text, "language": language}, "type": "monolingualtext"}


def globecoordinate(lat: float, lon: float, precision: float) -> Json:
    """Datavalue of a coordinate, rounded to the decimals its precision supports."""
    text = f"{Decimal(str(precision)).normalize():f}"
    digits = min(len(text.split(".")[1]), 9) if "." in text else 0
    return {
        "value": {
            "latitude": round(float(lat), digits),
            "longitude": round(float(lon), digits),
            "altitude": None,
            "precision": precision,
            "globe": EARTH,
        },
        "type": "globecoordinate",
    }


def time(value: str, precision: int) -> Json:
    """Datavalue of a point in time (``value`` like ``"+1998-10-20T00:00:00Z"``)."""
    return {
        "value": {
            "time": value,
            "timezone": 0,
            "before": 0,
            "after": 0,
            "precision": precision,
            "calendarmodel": GREGORIAN,
        },
        "type": "time",
    }


def amount(number: Decimal | int | str) -> str:
    """A Wikibase amount string: sign, no exponent, no trailing zeros (``Decimal("12.50")`` → ``+12.5``)."""
    dec = Decimal(str(number))
    text = f"{dec:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text if text.startswith("-") else "+" + text


def quantity(
    number: Decimal | int | str, unit: str | None = None, *, entity_base: str = WIKIDATA_ENTITY_BASE
) -> Json:
    """Datavalue of a quantity; ``unit`` is a QID (expanded with ``entity_base``) or None (unitless)."""
    unit_iri = f"{entity_base.rstrip('/')}/entity/{unit}" if unit else "1"
    return {"value": {"amount": amount(number), "unit": unit_iri}, "type": "quantity"}


def snak(prop: str, datatype: str, datavalue: Json | None, snaktype: str = "value") -> Json:
    """A snak; pass ``datavalue=None`` with ``snaktype="novalue"``/``"somevalue"``."""
    out: Json = {"snaktype": snaktype, "property": prop, "datatype": datatype}
    if snaktype == "value":
        if datavalue is None:
            raise ValueError(f"a value snak for {prop} needs a datavalue, got None")
        out["datavalue"] = datavalue
    return out


def novalue(prop: str, datatype: str) -> Json:
    """A ``novalue`` snak (e.g. IUCN category "Not Applicable" → P814 novalue)."""
    return snak(prop, datatype, None, snaktype="novalue")


def reference(snaks: list[Json]) -> Json:
    """One reference block from its snaks (kept in the given property order)."""
    grouped: dict[str, list[Json]] = {}
    for s in snaks:
        grouped.setdefault(s["property"], []).append(s)
    return {"snaks": grouped, "snaks-order": list(grouped)}


def statement(
    mainsnak: Json, *, qualifiers: list[Json] | None = None, references: list[Json] | None = None
) -> Json:
    """A new statement (no id: the server assigns the GUID)."""
    out: Json = {"mainsnak": mainsnak, "type": "statement", "rank": "normal"}
    if qualifiers:
        grouped: dict[str, list[Json]] = {}
        for q in qualifiers:
            grouped.setdefault(q["property"], []).append(q)
        out["qualifiers"] = grouped
        out["qualifiers-order"] = list(grouped)
    out["references"] = list(references or [])
    return out


def format_snak(s: Json) -> str:
    """A short human-readable form of a snak's value (for the dry-run report and messages)."""
    if s.get("snaktype") != "value":
        return f"<{s.get('snaktype')}>"
    dv = s["datavalue"]
    v = dv["value"]
    kind = dv["type"]
    if kind == "wikibase-entityid":
        return str(v["id"])
    if kind == "monolingualtext":
        return f"{v['text']} ({v['language']})"
    if kind == "globecoordinate":
        return f"{v['latitude']}, {v['longitude']}"
    if kind == "time":
        return f"{v['time']} /{v['precision']}"
    if kind == "quantity":
        unit = v["unit"]
        return str(v["amount"]) + ("" if unit == "1" else " " + unit.rsplit("/", 1)[-1])
    return str(v)
