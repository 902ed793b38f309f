"""Wikibase values as RDF: literals, ``wdv:`` value nodes, snaks, and the time cleaning rules.

WIKIBASE-API.md §9–10: the simple (truthy / ``ps:`` / ``pq:`` / ``pr:``) object of each
datatype, the full value nodes ``psv:``/``pqv:``/``prv:`` → ``wdv:`` for time,
globe-coordinate and quantity, novalue/somevalue, and the time cleaning rules (§10.4).
:class:`TripleSink` is the base of the entity builder in :mod:`sandbox.rdf`.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from sandbox.entity import GREGORIAN, JULIAN, value_hash
from sandbox.rdf_vocab import (
    COMMONS_DATA,
    COMMONS_FILE,
    EARTH,
    GEO,
    RDF_TYPE,
    UNIT_ONE,
    WIKIBASE,
    XSD,
    Vocabulary,
)

#: Old snak datatype spellings some fixtures use.
OLD_DATATYPES = {"wikibase-entityid": "wikibase-item", "globecoordinate": "globe-coordinate"}


def xsd_node(name: str) -> NamedNode:
    return NamedNode(XSD + name)


def _num(value: Any) -> str:
    """A number's lexical form the way PHP prints floats (12.0 → "12")."""
    f = float(value)
    if math.isfinite(f) and f == int(f) and abs(f) < 1e15:
        return str(int(f))
    text = repr(f)
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}E{int(exp)}"
        if "." not in mant:
            text = f"{mant}.0E{int(exp)}"
    return text


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _julian_to_gregorian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """Convert an astronomical-year Julian date to the proleptic Gregorian calendar."""
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    jdn = day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083
    a = jdn + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = 100 * b + d - 4800 + m // 10
    return year, month, day


def clean_time(time: str, precision: int, calendar: str) -> str | None:
    """XSD 1.1 ``dateTime`` lexical form of a Wikibase time, or None when it cannot be cleaned.

    Rules (Wikibase DateTimeValueCleaner/JulianDateTimeValueCleaner): drop ``+``, pad the year
    to 4 digits, month/day 00 → 01, reset month/day below year/month precision, negative years at
    year precision or finer + 1 (XSD has a year 0), clamp the day to the month, Julian dates at
    day precision → Gregorian. Year 0 and unknown calendars give None.
    """
    m = re.match(r"^([+-]?)(\d+)-(\d\d)-(\d\d)T\d\d:\d\d:\d\dZ$", time)
    if not m or calendar not in (GREGORIAN, JULIAN):
        return None
    year = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
    month, day = int(m.group(3)), int(m.group(4))
    if year == 0 or month > 12 or day > 31:
        return None
    if precision <= 9:
        month = day = 1
    elif precision == 10:
        day = 1
    month, day = max(month, 1), max(day, 1)
    if year < 0 and precision >= 9:
        year += 1
    if calendar == JULIAN and precision >= 11:
        year, month, day = _julian_to_gregorian(year, month, day)
    limit = 29 if month == 2 and _is_leap(year) else _MONTH_DAYS[month - 1]
    day = min(day, limit)
    sign = "-" if year < 0 else ""
    return f"{sign}{abs(year):04d}-{month:02d}-{day:02d}T00:00:00Z"


_URL_UNSAFE = re.compile(r'[<>"{}|^`\\ ]')


def _url_iri(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)


@functools.lru_cache(maxsize=16)
def _prefixes(vocab: Vocabulary) -> dict[str, str]:
    return vocab.prefixes()


@functools.lru_cache(maxsize=1024)
def _predicate(iri: str) -> NamedNode:
    """The node of a fixed predicate IRI (a few dozen of them, built once)."""
    return NamedNode(iri)


class TripleSink:
    """Collects the triples of one entity; knows how to write values and snaks."""

    def __init__(self, entity: dict[str, Any], vocab: Vocabulary,
                 property_type: Callable[[str], str | None]) -> None:
        self.entity = entity
        self.v = vocab
        self.p = _prefixes(vocab)
        self.property_type = property_type
        self.triples: list[Triple] = []

    def iri(self, prefix: str, local: str) -> NamedNode:
        """An IRI in one of the vocabulary's prefixes (``wds``, ``wdv``, ``p``…)."""
        return NamedNode(self.p[prefix] + local)

    def add(self, s: Any, p: Any, o: Any) -> None:
        """Append one triple (``p`` may be a plain IRI string)."""
        self.triples.append(Triple(s, p if not isinstance(p, str) else _predicate(p), o))

    def entity_node(self, eid: str) -> NamedNode:
        """The ``wd:`` node of an entity id."""
        return NamedNode(self.v.entity + eid)

    def datatype(self, snak: dict[str, Any]) -> str:
        """A snak's datatype (the property's when known, else the snak's own)."""
        dt = self.property_type(snak["property"])
        if dt is None:
            dt = snak.get("datatype", "string")
        return OLD_DATATYPES.get(dt, dt)

    def simple_value(self, snak: dict[str, Any]) -> Any:
        """The simple (truthy / ps: / pq: / pr:) object of a value snak."""
        dt = self.datatype(snak)
        dv = snak["datavalue"]
        value = dv["value"]
        vtype = dv.get("type")
        if vtype == "wikibase-entityid":
            eid = value.get("id")
            if not eid:
                letter = {"item": "Q", "property": "P", "lexeme": "L"}[value.get("entity-type",
                                                                                  "item")]
                eid = f"{letter}{value['numeric-id']}"
            return self.entity_node(eid)
        if vtype == "monolingualtext":
            return Literal(value["text"], language=value["language"])
        if vtype == "globecoordinate":
            globe = value.get("globe") or EARTH
            point = f"Point({_num(value['longitude'])} {_num(value['latitude'])})"
            if globe != EARTH:
                point = f"<{globe}> {point}"
            return Literal(point, datatype=NamedNode(GEO + "wktLiteral"))
        if vtype == "quantity":
            return Literal(value["amount"], datatype=xsd_node("decimal"))
        if vtype == "time":
            cleaned = clean_time(value["time"], int(value.get("precision", 11)),
                                 value.get("calendarmodel", GREGORIAN))
            if cleaned is None:
                return Literal(value["time"])
            return Literal(cleaned, datatype=xsd_node("dateTime"))
        # string-valued datatypes
        if dt == "commonsMedia":
            return NamedNode(COMMONS_FILE + quote(value, safe="~"))
        if dt in ("geo-shape", "tabular-data"):
            return NamedNode(COMMONS_DATA + quote(value, safe=";@$!*(),/~:"))
        if dt == "url":
            return NamedNode(_url_iri(value.strip()))
        return Literal(value)

    def value_node(self, snak: dict[str, Any]) -> NamedNode | None:
        """``wdv:`` node for time / coordinate / quantity values (triples added)."""
        dv = snak.get("datavalue")
        if not dv or dv.get("type") not in ("time", "globecoordinate", "quantity"):
            return None
        node = self.iri("wdv", value_hash(dv))
        value = dv["value"]
        wb = WIKIBASE
        if dv["type"] == "time":
            self.add(node, RDF_TYPE, NamedNode(wb + "TimeValue"))
            self.add(node, wb + "timeValue", self.simple_value(snak))
            self.add(node, wb + "timePrecision",
                     Literal(str(int(value.get("precision", 11))), datatype=xsd_node("integer")))
            self.add(node, wb + "timeTimezone",
                     Literal(str(int(value.get("timezone", 0))), datatype=xsd_node("integer")))
            self.add(node, wb + "timeCalendarModel",
                     NamedNode(value.get("calendarmodel", GREGORIAN)))
        elif dv["type"] == "globecoordinate":
            self.add(node, RDF_TYPE, NamedNode(wb + "GlobecoordinateValue"))
            self.add(node, wb + "geoLatitude", Literal(_num(value["latitude"]),
                                                       datatype=xsd_node("double")))
            self.add(node, wb + "geoLongitude", Literal(_num(value["longitude"]),
                                                        datatype=xsd_node("double")))
            precision = value.get("precision")
            if precision is None:
                self.add(node, RDF_TYPE, NamedNode(wb + "GeoAutoPrecision"))
                precision = 1 / 3600
            self.add(node, wb + "geoPrecision", Literal(_num(precision), datatype=xsd_node("double")))
            self.add(node, wb + "geoGlobe", NamedNode(value.get("globe") or EARTH))
        else:
            self.add(node, RDF_TYPE, NamedNode(wb + "QuantityValue"))
            self.add(node, wb + "quantityAmount", Literal(value["amount"],
                                                          datatype=xsd_node("decimal")))
            if value.get("upperBound") is not None:
                self.add(node, wb + "quantityUpperBound",
                         Literal(value["upperBound"], datatype=xsd_node("decimal")))
                self.add(node, wb + "quantityLowerBound",
                         Literal(value["lowerBound"], datatype=xsd_node("decimal")))
            unit = value.get("unit", "1")
            self.add(node, wb + "quantityUnit", NamedNode(UNIT_ONE if unit == "1" else unit))
        return node

    def snak(self, subject: Any, snak: dict[str, Any], simple: str, full: str | None,
             parent_key: str) -> None:
        """Triples of one snak under ``subject`` with prefixes ``simple`` (ps/pq/pr/wdt)."""
        pid = snak["property"]
        if snak["snaktype"] == "novalue":
            self.add(subject, RDF_TYPE, self.iri("wdno", pid))
            return
        if snak["snaktype"] == "somevalue":
            label = hashlib.md5(f"{parent_key}-{simple}-{pid}-{snak.get('hash', '')}"
                                .encode()).hexdigest()
            self.add(subject, self.iri(simple, pid), BlankNode(label))
            return
        self.add(subject, self.iri(simple, pid), self.simple_value(snak))
        if full:
            node = self.value_node(snak)
            if node is not None:
                self.add(subject, self.iri(full, pid), node)
