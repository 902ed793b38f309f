"""Entity JSON → Wikibase RDF (WDQS *munged* form by default, or the Special:EntityData dump form).

Implements WIKIBASE-API.md §9–10: truthy ``wdt:`` for best-rank statements, full statements
``p:``/``ps:``/``pq:``/``pr:``, value nodes ``psv:``/``pqv:``/``prv:`` → ``wdv:`` for time,
globe-coordinate and quantity, references ``prov:wasDerivedFrom`` → ``wdref:``, ranks, terms,
sitelinks, property declarations, novalue/somevalue, and the time cleaning rules (§10.4).
The vocabulary (concept base, data base, site URLs) is parameterisable so the output can be
compared with Wikibase's own test fixtures.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable
from urllib.parse import quote

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from sandbox.entity import GREGORIAN, JULIAN, SITES, reference_hash, value_hash

WIKIBASE = "http://wikiba.se/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = "http://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
GEO = "http://www.opengis.net/ont/geosparql#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
CC = "http://creativecommons.org/ns#"
EARTH = "http://www.wikidata.org/entity/Q2"
UNIT_ONE = "http://www.wikidata.org/entity/Q199"
COMMONS_FILE = "http://commons.wikimedia.org/wiki/Special:FilePath/"
COMMONS_DATA = "http://commons.wikimedia.org/data/main/"
SOFTWARE_VERSION = "1.0.0"
#: Old snak datatype spellings some fixtures use.
_OLD_DATATYPES = {"wikibase-entityid": "wikibase-item", "globecoordinate": "globe-coordinate"}


def _site_info(site: str) -> tuple[str, str, str, str] | None:
    info = SITES.get(site)
    if info is None:
        return None
    group, lang, root = info
    return group, lang, root + "wiki/$1", root


@dataclass(frozen=True)
class Vocabulary:
    """IRI layout. Defaults: Wikidata's (``http://www.wikidata.org/entity/Q1`` etc.)."""

    entity: str = "http://www.wikidata.org/entity/"
    top: str = "http://www.wikidata.org/"
    data: str = "https://www.wikidata.org/wiki/Special:EntityData/"
    #: site id → (group, language, page URL pattern with $1, site root IRI) or None.
    site: Callable[[str], tuple[str, str, str, str] | None] = field(default=_site_info)

    @classmethod
    def for_base(cls, base: str) -> "Vocabulary":
        """Vocabulary for a concept base like ``http://www.wikidata.org`` (WBI's WIKIBASE_URL)."""
        base = base.rstrip("/")
        return cls(entity=f"{base}/entity/", top=f"{base}/",
                   data=f"{base}/wiki/Special:EntityData/")

    def prefixes(self) -> dict[str, str]:
        """The WDQS prefix set for this vocabulary (used by the SPARQL endpoint and Turtle)."""
        t = self.top
        return {
            "wd": self.entity, "wds": f"{self.entity}statement/", "wdv": f"{t}value/",
            "wdref": f"{t}reference/", "wdt": f"{t}prop/direct/",
            "wdtn": f"{t}prop/direct-normalized/", "p": f"{t}prop/",
            "ps": f"{t}prop/statement/", "psv": f"{t}prop/statement/value/",
            "psn": f"{t}prop/statement/value-normalized/", "pq": f"{t}prop/qualifier/",
            "pqv": f"{t}prop/qualifier/value/", "pqn": f"{t}prop/qualifier/value-normalized/",
            "pr": f"{t}prop/reference/", "prv": f"{t}prop/reference/value/",
            "prn": f"{t}prop/reference/value-normalized/", "wdno": f"{t}prop/novalue/",
            "wdata": self.data, "wikibase": WIKIBASE, "schema": SCHEMA, "prov": PROV,
            "skos": SKOS, "owl": OWL, "geo": GEO, "geof": "http://www.opengis.net/def/function/geosparql/",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": RDFS, "xsd": XSD,
            "ontolex": "http://www.w3.org/ns/lemon/ontolex#", "dct": "http://purl.org/dc/terms/",
            "bd": "http://www.bigdata.com/rdf#", "mwapi": "https://www.mediawiki.org/ontology#API/",
            "cc": CC,
        }

    def shared_prefixes(self) -> tuple[str, ...]:
        """IRI prefixes of nodes shared between entities (value and reference nodes)."""
        return (f"{self.top}value/", f"{self.top}reference/")


WIKIDATA = Vocabulary()


# --- literals and values ---------------------------------------------------------------------------


def _xsd(name: str) -> NamedNode:
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
    return _URL_UNSAFE.sub(lambda m: "%{:02X}".format(ord(m.group())), url)


class EntityRdf:
    """Builds the triples of one entity."""

    def __init__(self, entity: dict[str, Any], vocab: Vocabulary,
                 property_type: Callable[[str], str | None]) -> None:
        self.entity = entity
        self.v = vocab
        self.p = vocab.prefixes()
        self.property_type = property_type
        self.triples: list[Triple] = []

    # helpers
    def iri(self, prefix: str, local: str) -> NamedNode:
        return NamedNode(self.p[prefix] + local)

    def add(self, s: Any, p: Any, o: Any) -> None:
        self.triples.append(Triple(s, p if not isinstance(p, str) else NamedNode(p), o))

    def entity_node(self, eid: str) -> NamedNode:
        return NamedNode(self.v.entity + eid)

    def datatype(self, snak: dict[str, Any]) -> str:
        dt = self.property_type(snak["property"])
        if dt is None:
            dt = snak.get("datatype", "string")
        return _OLD_DATATYPES.get(dt, dt)

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
            return Literal(value["amount"], datatype=_xsd("decimal"))
        if vtype == "time":
            cleaned = clean_time(value["time"], int(value.get("precision", 11)),
                                 value.get("calendarmodel", GREGORIAN))
            if cleaned is None:
                return Literal(value["time"])
            return Literal(cleaned, datatype=_xsd("dateTime"))
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
                     Literal(str(int(value.get("precision", 11))), datatype=_xsd("integer")))
            self.add(node, wb + "timeTimezone",
                     Literal(str(int(value.get("timezone", 0))), datatype=_xsd("integer")))
            self.add(node, wb + "timeCalendarModel",
                     NamedNode(value.get("calendarmodel", GREGORIAN)))
        elif dv["type"] == "globecoordinate":
            self.add(node, RDF_TYPE, NamedNode(wb + "GlobecoordinateValue"))
            self.add(node, wb + "geoLatitude", Literal(_num(value["latitude"]),
                                                       datatype=_xsd("double")))
            self.add(node, wb + "geoLongitude", Literal(_num(value["longitude"]),
                                                        datatype=_xsd("double")))
            precision = value.get("precision")
            if precision is None:
                self.add(node, RDF_TYPE, NamedNode(wb + "GeoAutoPrecision"))
                precision = 1 / 3600
            self.add(node, wb + "geoPrecision", Literal(_num(precision), datatype=_xsd("double")))
            self.add(node, wb + "geoGlobe", NamedNode(value.get("globe") or EARTH))
        else:
            self.add(node, RDF_TYPE, NamedNode(wb + "QuantityValue"))
            self.add(node, wb + "quantityAmount", Literal(value["amount"],
                                                          datatype=_xsd("decimal")))
            if value.get("upperBound") is not None:
                self.add(node, wb + "quantityUpperBound",
                         Literal(value["upperBound"], datatype=_xsd("decimal")))
                self.add(node, wb + "quantityLowerBound",
                         Literal(value["lowerBound"], datatype=_xsd("decimal")))
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
                                .encode()).hexdigest()  # noqa: S324
            self.add(subject, self.iri(simple, pid), BlankNode(label))
            return
        self.add(subject, self.iri(simple, pid), self.simple_value(snak))
        if full:
            node = self.value_node(snak)
            if node is not None:
                self.add(subject, self.iri(full, pid), node)

    # sections
    def terms(self, munged: bool) -> None:
        s = self.entity_node(self.entity["id"])
        for lang, term in (self.entity.get("labels") or {}).items():
            lit = Literal(term["value"], language=term.get("language", lang))
            self.add(s, RDFS + "label", lit)
            if not munged:
                self.add(s, SKOS + "prefLabel", lit)
                self.add(s, SCHEMA + "name", lit)
        for lang, term in (self.entity.get("descriptions") or {}).items():
            self.add(s, SCHEMA + "description",
                     Literal(term["value"], language=term.get("language", lang)))
        for lang, aliases in (self.entity.get("aliases") or {}).items():
            for term in aliases:
                self.add(s, SKOS + "altLabel",
                         Literal(term["value"], language=term.get("language", lang)))

    def sitelinks(self) -> None:
        s = self.entity_node(self.entity["id"])
        for site, link in (self.entity.get("sitelinks") or {}).items():
            info = self.v.site(site)
            if info is None:
                continue
            group, lang, pattern, root = info
            title = link["title"].replace(" ", "_")
            page = NamedNode(pattern.replace("$1", quote(title, safe=";@$!*(),/~:")))
            self.add(page, RDF_TYPE, NamedNode(SCHEMA + "Article"))
            self.add(page, SCHEMA + "about", s)
            self.add(page, SCHEMA + "inLanguage", Literal(lang))
            self.add(page, SCHEMA + "isPartOf", NamedNode(root))
            self.add(page, SCHEMA + "name", Literal(link["title"], language=lang))
            self.add(NamedNode(root), WIKIBASE + "wikiGroup", Literal(group or "none"))
            for badge in link.get("badges", []):
                self.add(page, WIKIBASE + "badge", self.entity_node(badge))

    def statements(self, munged: bool) -> None:
        s = self.entity_node(self.entity["id"])
        for pid, stmts in (self.entity.get("claims") or {}).items():
            ranks = {st.get("rank", "normal") for st in stmts}
            best = "preferred" if "preferred" in ranks else "normal"
            for st in stmts:
                guid = re.sub(r"[^\w-]", "-", st["id"], flags=re.ASCII)
                node = self.iri("wds", guid)
                rank = st.get("rank", "normal")
                self.add(s, self.iri("p", pid), node)
                if not munged:
                    self.add(node, RDF_TYPE, NamedNode(WIKIBASE + "Statement"))
                if rank == best:
                    self.add(node, RDF_TYPE, NamedNode(WIKIBASE + "BestRank"))
                    self.snak(s, st["mainsnak"], "wdt", None, guid)
                self.add(node, WIKIBASE + "rank",
                         NamedNode(WIKIBASE + rank.capitalize() + "Rank"))
                self.snak(node, st["mainsnak"], "ps", "psv", guid)
                for qpid in st.get("qualifiers-order") or list(st.get("qualifiers") or {}):
                    for q in (st.get("qualifiers") or {}).get(qpid, []):
                        self.snak(node, q, "pq", "pqv", guid)
                for ref in st.get("references") or []:
                    rhash = ref.get("hash") or reference_hash(
                        ref["snaks"], ref.get("snaks-order") or list(ref["snaks"]))
                    rnode = self.iri("wdref", rhash)
                    self.add(node, PROV + "wasDerivedFrom", rnode)
                    if not munged:
                        self.add(rnode, RDF_TYPE, NamedNode(WIKIBASE + "Reference"))
                    for rpid in ref.get("snaks-order") or list(ref.get("snaks") or {}):
                        for rs in ref["snaks"].get(rpid, []):
                            self.snak(rnode, rs, "pr", "prv", rhash)

    def property_declaration(self) -> None:
        pid = self.entity["id"]
        s = self.entity_node(pid)
        dt = _OLD_DATATYPES.get(self.entity.get("datatype", "string"),
                                self.entity.get("datatype", "string"))
        wb = WIKIBASE
        self.add(s, RDF_TYPE, NamedNode(wb + "Property"))
        type_name = "".join(w.capitalize() if w != "commonsMedia" else "CommonsMedia"
                            for w in dt.split("-"))
        self.add(s, wb + "propertyType", NamedNode(wb + type_name))
        links = [("directClaim", "wdt"), ("claim", "p"), ("statementProperty", "ps"),
                 ("statementValue", "psv"), ("qualifier", "pq"), ("qualifierValue", "pqv"),
                 ("reference", "pr"), ("referenceValue", "prv"), ("novalue", "wdno")]
        for pred, prefix in links:
            self.add(s, wb + pred, self.iri(prefix, pid))
        obj = dt in ("wikibase-item", "wikibase-property", "commonsMedia", "url", "geo-shape",
                     "tabular-data", "wikibase-lexeme", "wikibase-form", "wikibase-sense")
        simple_kind = NamedNode(OWL + ("ObjectProperty" if obj else "DatatypeProperty"))
        for prefix in ("wdt", "ps", "pq", "pr"):
            self.add(self.iri(prefix, pid), RDF_TYPE, simple_kind)
        for prefix in ("p", "psv", "pqv", "prv"):
            self.add(self.iri(prefix, pid), RDF_TYPE, NamedNode(OWL + "ObjectProperty"))
        novalue = self.iri("wdno", pid)
        restriction = BlankNode(hashlib.md5(f"genid-{pid}".encode()).hexdigest())  # noqa: S324
        self.add(novalue, RDF_TYPE, NamedNode(OWL + "Class"))
        self.add(novalue, OWL + "complementOf", restriction)
        self.add(restriction, RDF_TYPE, NamedNode(OWL + "Restriction"))
        self.add(restriction, OWL + "onProperty", self.iri("wdt", pid))
        self.add(restriction, OWL + "someValuesFrom", NamedNode(OWL + "Thing"))

    def metadata(self, munged: bool, revid: int | None, modified: str | None,
                 counts: bool) -> None:
        eid = self.entity["id"]
        s = self.entity_node(eid)
        is_prop = self.entity.get("type") == "property"
        if is_prop:
            pass  # declared in property_declaration (kept in both forms)
        elif not munged:
            self.add(s, RDF_TYPE, NamedNode(WIKIBASE + "Item"))
        meta_subject = s if munged else NamedNode(self.v.data + eid)
        if not munged:
            self.add(meta_subject, RDF_TYPE, NamedNode(SCHEMA + "Dataset"))
            self.add(meta_subject, SCHEMA + "about", s)
            self.add(meta_subject, CC + "license",
                     NamedNode("http://creativecommons.org/publicdomain/zero/1.0/"))
            self.add(meta_subject, SCHEMA + "softwareVersion", Literal(SOFTWARE_VERSION))
        if revid is not None:
            self.add(meta_subject, SCHEMA + "version", Literal(str(revid),
                                                               datatype=_xsd("integer")))
        if modified is not None:
            self.add(meta_subject, SCHEMA + "dateModified", Literal(modified,
                                                                    datatype=_xsd("dateTime")))
        if counts:
            claims = self.entity.get("claims") or {}
            n_statements = sum(len(v) for v in claims.values())
            n_ids = sum(1 for stmts in claims.values() for st in stmts
                        if self.datatype(st["mainsnak"]) == "external-id")
            n_links = len(self.entity.get("sitelinks") or {})
            for pred, n in (("statements", n_statements), ("sitelinks", n_links),
                            ("identifiers", n_ids)):
                self.add(meta_subject, WIKIBASE + pred, Literal(str(n), datatype=_xsd("integer")))


def entity_triples(
    entity: dict[str, Any],
    vocab: Vocabulary = WIKIDATA,
    property_type: Callable[[str], str | None] | None = None,
    form: str = "munged",
    counts: bool = True,
    revid: int | None = None,
    modified: str | None = None,
) -> list[Triple]:
    """All RDF triples of one entity.

    Args:
        entity: Wikibase entity JSON (``id``, ``type``, terms, ``claims``, ``sitelinks``…).
        vocab: IRI layout (Wikidata's by default).
        property_type: Datatype lookup for properties (falls back to the snak's ``datatype``).
        form: ``munged`` (what WDQS holds; default) or ``dump`` (Special:EntityData form).
        counts: Emit ``wikibase:statements``/``sitelinks``/``identifiers``.
        revid: ``schema:version`` (default: ``entity["lastrevid"]``).
        modified: ``schema:dateModified`` (default: ``entity["modified"]``).

    Returns:
        The triples (value and reference nodes included).
    """
    if form not in ("munged", "dump"):
        raise ValueError(f"form should be 'munged' or 'dump', got {form!r}")
    munged = form == "munged"
    builder = EntityRdf(entity, vocab, property_type or (lambda pid: None))
    builder.metadata(munged, entity.get("lastrevid") if revid is None else revid,
                     entity.get("modified") if modified is None else modified, counts)
    if entity.get("type") == "property":
        builder.property_declaration()
    builder.terms(munged)
    builder.sitelinks()
    builder.statements(munged)
    # de-duplicate, keep order
    seen: set[Triple] = set()
    out = []
    for t in builder.triples:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def is_shared_subject(subject: Any, vocab: Vocabulary, site_roots: Iterable[str] = ()) -> bool:
    """Whether triples about ``subject`` are shared between entities (value/ref/site nodes)."""
    if not isinstance(subject, NamedNode):
        return False
    value = subject.value
    return value.startswith(vocab.shared_prefixes()) or value in site_roots


def to_turtle(triples: Iterable[Triple], vocab: Vocabulary = WIKIDATA) -> bytes:
    """Serialise triples as Turtle with the WDQS prefixes."""
    prefixes = {k: v for k, v in vocab.prefixes().items()
                if k in ("wd", "wds", "wdv", "wdref", "wdt", "p", "ps", "psv", "pq", "pqv", "pr",
                         "prv", "wdno", "wdata", "wikibase", "schema", "prov", "skos", "owl",
                         "geo", "rdf", "rdfs", "xsd", "cc")}
    return serialize(list(triples), format=RdfFormat.TURTLE, prefixes=prefixes)


def to_ntriples(triples: Iterable[Triple]) -> bytes:
    """Serialise triples as N-Triples."""
    return serialize(list(triples), format=RdfFormat.N_TRIPLES)
