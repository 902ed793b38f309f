"""The sandbox's pyoxigraph store: one named graph per entity, plus one for shared nodes.

Each saved revision replaces the entity's graph. Value (``wdv:``), reference (``wdref:``) and
site nodes can be used by many entities; their triples live once in :data:`SHARED_GRAPH` and are
reference-counted in the SQLite store, so the union default graph never holds duplicates.
Queries use ``use_default_graph_as_union=True``. Data loaded through ``/admin/load`` goes to
:data:`LOADED_GRAPH` (or a graph of the caller's choice).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, Store, Triple

from sandbox.rdf import Vocabulary, entity_triples, is_shared_subject

log = logging.getLogger(__name__)

SHARED_GRAPH = NamedNode("urn:x-wlkit:graph:shared")
LOADED_GRAPH = NamedNode("urn:x-wlkit:graph:loaded")
ENTITY_GRAPH_PREFIX = "urn:x-wlkit:entity:"


def entity_graph(entity_id: str) -> NamedNode:
    """Named graph holding one entity's own triples."""
    return NamedNode(ENTITY_GRAPH_PREFIX + entity_id)


class EntityGraph:
    """Keeps the RDF of every entity in an on-disk pyoxigraph store."""

    def __init__(self, path: str | Path | None, vocab: Vocabulary) -> None:
        self.store = Store(str(path)) if path is not None else Store()
        self.vocab = vocab
        self._site_roots: set[str] = set()

    def split(self, entity: dict[str, Any], property_type: Any
              ) -> tuple[list[Triple], dict[str, list[Triple]]]:
        """(own triples, shared node → its triples) of an entity's current revision."""
        triples = entity_triples(entity, self.vocab, property_type)
        own: list[Triple] = []
        shared: dict[str, list[Triple]] = {}
        roots = {info[3] for site in (entity.get("sitelinks") or {})
                 if (info := self.vocab.site(site))}
        self._site_roots |= roots
        for t in triples:
            if is_shared_subject(t.subject, self.vocab, roots):
                shared.setdefault(t.subject.value, []).append(t)
            else:
                own.append(t)
        # Blank nodes hanging off shared nodes (somevalue in references) go with them.
        return own, shared

    def replace(self, entity_id: str, own: list[Triple], new_shared: dict[str, list[Triple]],
                dropped: list[str]) -> None:
        """Swap an entity's graph, insert newly referenced shared nodes, drop unreferenced ones."""
        graph = entity_graph(entity_id)
        self.store.remove_graph(graph) if self.store.contains_named_graph(graph) else None
        quads = [Quad(t.subject, t.predicate, t.object, graph) for t in own]
        for triples in new_shared.values():
            quads.extend(Quad(t.subject, t.predicate, t.object, SHARED_GRAPH) for t in triples)
        for node in dropped:
            for q in list(self.store.quads_for_pattern(NamedNode(node), None, None,
                                                       SHARED_GRAPH)):
                self.store.remove(q)
        self.store.extend(quads)

    def versions(self) -> dict[str, int]:
        """Entity id → schema:version currently in the store."""
        out = {}
        version = NamedNode("http://schema.org/version")
        for quad in self.store.quads_for_pattern(None, version, None, None):
            g = quad.graph_name
            if isinstance(g, NamedNode) and g.value.startswith(ENTITY_GRAPH_PREFIX):
                try:
                    out[g.value[len(ENTITY_GRAPH_PREFIX):]] = int(quad.object.value)
                except ValueError:
                    pass
        return out

    def rebuild(self, entities: list[dict[str, Any]], property_type: Any) -> dict[str, int]:
        """Drop all entity/shared graphs and re-export every entity; returns shared counts."""
        for g in list(self.store.named_graphs()):
            if g.value.startswith(ENTITY_GRAPH_PREFIX) or g == SHARED_GRAPH:
                self.store.remove_graph(g)
        counts: dict[str, int] = {}
        quads = []
        shared_done: set[str] = set()
        for entity in entities:
            own, shared = self.split(entity, property_type)
            graph = entity_graph(entity["id"])
            quads.extend(Quad(t.subject, t.predicate, t.object, graph) for t in own)
            for node, triples in shared.items():
                counts[node] = counts.get(node, 0) + 1
                if node not in shared_done:
                    shared_done.add(node)
                    quads.extend(Quad(t.subject, t.predicate, t.object, SHARED_GRAPH)
                                 for t in triples)
        if quads:
            self.store.bulk_extend(quads)
        self.store.flush()
        return counts

    def query(self, sparql: str, prefixes: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """Run a SPARQL query over the union of all graphs."""
        return self.store.query(sparql, prefixes=prefixes, use_default_graph_as_union=True,
                                **kwargs)
