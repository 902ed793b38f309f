"""The non-statement RDF of an entity: terms, sitelinks, property declarations, metadata."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from pyoxigraph import BlankNode, Literal, NamedNode

from sandbox.rdf_values import OLD_DATATYPES, TripleSink, xsd_node
from sandbox.rdf_vocab import CC, OWL, RDF_TYPE, RDFS, SCHEMA, SKOS, SOFTWARE_VERSION, WIKIBASE


class EntityTermsRdf(TripleSink):
    """Terms, sitelinks, property declaration and metadata triples of one entity."""

    def terms(self, munged: bool) -> None:
        """Labels, descriptions and aliases (plus ``skos:prefLabel``/``schema:name`` in dump form)."""
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
        """One ``schema:Article`` node per sitelink with its site and badges."""
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

    def property_declaration(self) -> None:
        """The ``wikibase:Property`` declaration and its predicate family."""
        pid = self.entity["id"]
        s = self.entity_node(pid)
        dt = OLD_DATATYPES.get(self.entity.get("datatype", "string"),
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
        restriction = BlankNode(hashlib.md5(f"genid-{pid}".encode()).hexdigest())
        self.add(novalue, RDF_TYPE, NamedNode(OWL + "Class"))
        self.add(novalue, OWL + "complementOf", restriction)
        self.add(restriction, RDF_TYPE, NamedNode(OWL + "Restriction"))
        self.add(restriction, OWL + "onProperty", self.iri("wdt", pid))
        self.add(restriction, OWL + "someValuesFrom", NamedNode(OWL + "Thing"))

    def metadata(self, munged: bool, revid: int | None, modified: str | None,
                 counts: bool) -> None:
        """Version, modification time, counts (on the entity, or on ``wdata:`` in dump form)."""
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
                                                               datatype=xsd_node("integer")))
        if modified is not None:
            self.add(meta_subject, SCHEMA + "dateModified", Literal(modified,
                                                                    datatype=xsd_node("dateTime")))
        if counts:
            claims = self.entity.get("claims") or {}
            n_statements = sum(len(v) for v in claims.values())
            n_ids = sum(1 for stmts in claims.values() for st in stmts
                        if self.datatype(st["mainsnak"]) == "external-id")
            n_links = len(self.entity.get("sitelinks") or {})
            for pred, n in (("statements", n_statements), ("sitelinks", n_links),
                            ("identifiers", n_ids)):
                self.add(meta_subject, WIKIBASE + pred, Literal(str(n), datatype=xsd_node("integer")))

