"""Entity JSON → Wikibase RDF (WDQS *munged* form by default, or the Special:EntityData dump form).

Implements WIKIBASE-API.md §9–10: truthy ``wdt:`` for best-rank statements, full statements
``p:``/``ps:``/``pq:``/``pr:``, value nodes (:mod:`sandbox.rdf_values`), references
``prov:wasDerivedFrom`` → ``wdref:``, ranks, terms, sitelinks, property declarations and
metadata (:mod:`sandbox.rdf_terms`), and the ``owl:sameAs`` form of redirects. The IRI layout
is a :class:`~sandbox.rdf_vocab.Vocabulary`, so the output can be compared with Wikibase's own
test fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Triple, serialize

from sandbox.entity import reference_hash
from sandbox.rdf_terms import EntityTermsRdf
from sandbox.rdf_values import clean_time
from sandbox.rdf_vocab import OWL, PROV, RDF_TYPE, WIKIBASE, WIKIDATA, Vocabulary

__all__ = ["WIKIDATA", "Vocabulary", "clean_time", "entity_triples",
           "redirect_triples", "to_ntriples", "to_turtle"]

#: Characters of a statement GUID replaced by ``-`` in its ``wds:`` IRI.
_GUID_UNSAFE = re.compile(r"[^\w-]", re.ASCII)


class EntityRdf(EntityTermsRdf):
    """Builds the triples of one entity."""

    def statements(self, munged: bool) -> None:
        """Full and truthy statements with their qualifiers and references."""
        s = self.entity_node(self.entity["id"])
        for pid, stmts in (self.entity.get("claims") or {}).items():
            ranks = {st.get("rank", "normal") for st in stmts}
            best = "preferred" if "preferred" in ranks else "normal"
            for st in stmts:
                guid = _GUID_UNSAFE.sub("-", st["id"])
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
                self.references(node, st.get("references") or [], munged)

    def references(self, node: NamedNode, references: list[dict[str, Any]],
                   munged: bool) -> None:
        """``prov:wasDerivedFrom`` → ``wdref:`` nodes of one statement, with their snaks."""
        for ref in references:
            rhash = ref.get("hash") or reference_hash(
                ref["snaks"], ref.get("snaks-order") or list(ref["snaks"]))
            rnode = self.iri("wdref", rhash)
            self.add(node, PROV + "wasDerivedFrom", rnode)
            if not munged:
                self.add(rnode, RDF_TYPE, NamedNode(WIKIBASE + "Reference"))
            for rpid in ref.get("snaks-order") or list(ref.get("snaks") or {}):
                for rs in ref["snaks"].get(rpid, []):
                    self.snak(rnode, rs, "pr", "prv", rhash)


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


def redirect_triples(source: str, target: str, vocab: Vocabulary = WIKIDATA) -> list[Triple]:
    """The WDQS form of a redirect (a merged item): ``wd:source owl:sameAs wd:target``.

    Args:
        source: The redirected entity id (the item merged away).
        target: The entity it redirects to.
        vocab: IRI layout (Wikidata's by default).

    Returns:
        The one triple WDQS holds for a redirect.
    """
    return [Triple(NamedNode(vocab.entity + source), NamedNode(OWL + "sameAs"),
                   NamedNode(vocab.entity + target))]


def to_turtle(triples: Iterable[Triple], vocab: Vocabulary = WIKIDATA) -> bytes:
    """Serialise triples as Turtle with the WDQS prefixes."""
    prefixes = {k: v for k, v in vocab.prefixes().items()
                if k in ("wd", "wds", "wdv", "wdref", "wdt", "p", "ps", "psv", "pq", "pqv", "pr",
                         "prv", "wdno", "wdata", "wikibase", "schema", "prov", "skos", "owl",
                         "geo", "rdf", "rdfs", "xsd", "cc")}
    return serialize(list(triples), format=RdfFormat.TURTLE, prefixes=prefixes) or b""


def to_ntriples(triples: Iterable[Triple]) -> bytes:
    """Serialise triples as N-Triples."""
    return serialize(list(triples), format=RdfFormat.N_TRIPLES) or b""
