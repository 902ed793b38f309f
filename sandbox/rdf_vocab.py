"""The IRI layout of Wikibase RDF: namespaces, the WDQS prefix set, site URLs.

The vocabulary (concept base, data base, site URLs) is parameterisable so the RDF of
:mod:`sandbox.rdf` can be compared with Wikibase's own test fixtures (``acme.test`` base).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.entity import SITES

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
    def for_base(cls, base: str) -> Vocabulary:
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
