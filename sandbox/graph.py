"""The sandbox's pyoxigraph store: one named graph per entity, plus one for shared nodes.

Each saved revision replaces the entity's graph. Value (``wdv:``), reference (``wdref:``) and
site nodes can be used by many entities; their triples live once in :data:`SHARED_GRAPH` and are
reference-counted in the SQLite store, so the union default graph never holds duplicates.
Queries use ``use_default_graph_as_union=True``. An item merged away (a redirect) keeps only
the WDQS redirect form ``wd:Qold owl:sameAs wd:Qnew`` in its graph. Data loaded through ``/admin/load`` goes to
:data:`LOADED_GRAPH` (or a graph of the caller's choice).

An entity's graph is swapped in one SPARQL update (one transaction): a query sees the old or
the new version of an item, never none. With a query lag armed (:class:`sandbox.faults.Lags`)
each swap is applied only ``query_s`` seconds after the save, like WDQS's updater. The
coordinates' spatial index (:class:`sandbox.spatial_index.SpatialIndex`, behind
``wikibase:around``/``box``) is updated with each swap as it is applied, and invalidated by
anything else that changes the store.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, Triple

from sandbox.entity import value_hash
from sandbox.faults import Lags
from sandbox.rdf import Vocabulary, entity_triples, redirect_triples
from sandbox.rdf_vocab import OWL
from sandbox.spatial_index import SpatialIndex, has_coordinates

log = logging.getLogger(__name__)

SHARED_GRAPH = NamedNode("urn:x-wlkit:graph:shared")
LOADED_GRAPH = NamedNode("urn:x-wlkit:graph:loaded")
ENTITY_GRAPH_PREFIX = "urn:x-wlkit:entity:"
_SAME_AS = NamedNode(OWL + "sameAs")


def entity_graph(entity_id: str) -> NamedNode:
    """Named graph holding one entity's own triples."""
    return NamedNode(ENTITY_GRAPH_PREFIX + entity_id)


def shared_nodes(entity: dict[str, Any], vocab: Vocabulary) -> set[str]:
    """IRIs of the shared RDF nodes (value, reference, site nodes) an entity's RDF uses."""
    value_prefix, ref_prefix = vocab.shared_prefixes()
    out: set[str] = set()

    def snak(s: dict[str, Any]) -> None:
        dv = s.get("datavalue")
        if dv and dv.get("type") in ("time", "globecoordinate", "quantity"):
            out.add(value_prefix + value_hash(dv))

    for stmts in (entity.get("claims") or {}).values():
        for st in stmts:
            snak(st["mainsnak"])
            for qs in (st.get("qualifiers") or {}).values():
                for q in qs:
                    snak(q)
            for ref in st.get("references") or []:
                out.add(ref_prefix + ref["hash"])
                for rs in ref["snaks"].values():
                    for r in rs:
                        snak(r)
    for site in entity.get("sitelinks") or {}:
        info = vocab.site(site)
        if info:
            out.add(info[3])
    return out


class EntityGraph:
    """Keeps the RDF of every entity in an on-disk pyoxigraph store."""

    def __init__(self, path: str | Path | None, vocab: Vocabulary, lags: Lags | None = None) -> None:
        self.store = Store(str(path)) if path is not None else Store()
        self.vocab = vocab
        self.lags = lags or Lags()
        self._site_roots: set[str] = set()
        #: (monotonic due time, SPARQL update, spatial index change applied with it)
        self._queue: list[tuple[float, str, Callable[[], None]]] = []
        self.spatial = SpatialIndex(self.store)
        self._queue_lock = threading.Lock()

    def split(self, entity: dict[str, Any], property_type: Any
              ) -> tuple[list[Triple], dict[str, list[Triple]]]:
        """(own triples, shared node → its triples) of an entity's current revision."""
        triples = entity_triples(entity, self.vocab, property_type)
        own: list[Triple] = []
        shared: dict[str, list[Triple]] = {}
        roots = {info[3] for site in (entity.get("sitelinks") or {})
                 if (info := self.vocab.site(site))}
        self._site_roots |= roots
        prefixes = self.vocab.shared_prefixes()  # value, reference and site nodes are shared
        for t in triples:
            subject = t.subject
            if isinstance(subject, NamedNode) and \
                    ((iri := subject.value).startswith(prefixes) or iri in roots):
                shared.setdefault(iri, []).append(t)
            else:
                own.append(t)
        # Blank nodes hanging off shared nodes (somevalue in references) go with them.
        return own, shared

    def replace(self, entity_id: str, own: list[Triple], new_shared: dict[str, list[Triple]],
                dropped: list[str]) -> None:
        """Swap an entity's graph, insert newly referenced shared nodes, drop unreferenced ones.

        One SPARQL update, so one transaction; applied after ``lags.query_s`` seconds when set.
        """
        graph = entity_graph(entity_id)
        parts = [f"DROP SILENT GRAPH {graph}"]
        for node in dropped:
            parts.append(f"DELETE WHERE {{ GRAPH {SHARED_GRAPH} {{ <{node}> ?p ?o }} }}")
        data = [f"GRAPH {graph} {{ {_triples(own)} }}"]
        shared = [t for triples in new_shared.values() for t in triples]
        if shared:
            data.append(f"GRAPH {SHARED_GRAPH} {{ {_triples(shared)} }}")
        parts.append(f"INSERT DATA {{ {' '.join(data)} }}")

        def index() -> None:
            self.spatial.set_graph(graph.value, own)
            if has_coordinates(new_shared) or (dropped and self.spatial.holds(SHARED_GRAPH.value)):
                self.spatial.invalidate()  # coordinates in references: rare, rebuilt lazily

        self._submit(" ;\n".join(parts), index)

    def insert_new(self, entries: list[tuple[str, list[Triple], dict[str, list[Triple]]]]
                   ) -> None:
        """Load the graphs of entities new to the store, and their shared nodes, in one bulk load.

        What :meth:`replace` does for each entity (with nothing to drop), for many at once
        (bulk seeding, :mod:`sandbox.seed_bulk`): Oxigraph's bulk loader, many times faster
        than updates, but not one transaction (a query running meanwhile may see part of the
        entities). Under a query lag, or behind queued swaps, each entity is queued through
        :meth:`replace` instead.

        Args:
            entries: (entity id, own triples, shared node → triples newly referenced).
        """
        with self._queue_lock:
            queued = bool(self.lags.query_s or self._queue)
        if queued:
            for eid, own, shared in entries:
                self.replace(eid, own, shared, [])
            return
        lines: list[str] = []
        shared_done: set[str] = set()
        for eid, own, shared in entries:
            graph = f"<{ENTITY_GRAPH_PREFIX}{eid}> .\n"
            lines.extend(f"{t} {graph}" for t in own)
            for node, triples in shared.items():
                if node not in shared_done:
                    shared_done.add(node)
                    lines.extend(f"{t} {SHARED_GRAPH} .\n" for t in triples)
        with self.spatial.lock:
            self.spatial.build()  # indexed as loaded: no scan of 10⁵ items at the first query
            self.store.bulk_load("".join(lines).encode(), format=RdfFormat.N_QUADS,
                                 lenient=True)
            for eid, own, _ in entries:
                self.spatial.set_graph(ENTITY_GRAPH_PREFIX + eid, own)
            if any(has_coordinates(shared) for _, _, shared in entries):
                self.spatial.invalidate()  # coordinates in references: rare, rebuilt lazily

    def redirect(self, source: str, target: str) -> None:
        """Replace ``source``'s triples by the WDQS redirect form ``wd:source owl:sameAs wd:target``.

        One SPARQL update (one transaction), queued like :meth:`replace` under a query lag.
        """
        graph = entity_graph(source)
        triples = _triples(redirect_triples(source, target, self.vocab))
        self._submit(f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{ {triples} }} }}",
                     lambda: self.spatial.set_graph(graph.value, []))

    def _submit(self, update: str, index: Callable[[], None]) -> None:
        """Apply a SPARQL update now, or queue it behind the query lag / earlier queued ones."""
        with self._queue_lock:
            if self.lags.query_s or self._queue:
                self._queue.append((time.monotonic() + self.lags.query_s, update, index))
                return
            self._apply(update, index)

    def _apply(self, update: str, index: Callable[[], None]) -> None:
        """Apply ``update`` and its spatial index change together (under the index lock)."""
        with self.spatial.lock:
            self.store.update(update)
            index()

    def apply_due(self) -> None:
        """Apply the queued swaps whose lag has passed (all of them when the lag is off)."""
        with self._queue_lock:
            now = time.monotonic()
            while self._queue and (not self.lags.query_s or self._queue[0][0] <= now):
                _, update, index = self._queue.pop(0)
                self._apply(update, index)

    def versions(self) -> dict[str, int]:
        """Entity id → schema:version currently in the store."""
        self.apply_due()
        out = {}
        version = NamedNode("http://schema.org/version")
        for quad in self.store.quads_for_pattern(None, version, None, None):
            g = quad.graph_name
            if (isinstance(g, NamedNode) and g.value.startswith(ENTITY_GRAPH_PREFIX)
                    and isinstance(quad.object, Literal)):
                with contextlib.suppress(ValueError):
                    out[g.value[len(ENTITY_GRAPH_PREFIX):]] = int(quad.object.value)
        return out

    def redirects(self) -> dict[str, str]:
        """Redirect source id → target id, as the ``owl:sameAs`` triples in the store say."""
        self.apply_due()
        out = {}
        for quad in self.store.quads_for_pattern(None, _SAME_AS, None, None):
            g = quad.graph_name
            if isinstance(g, NamedNode) and g.value.startswith(ENTITY_GRAPH_PREFIX) and \
                    isinstance(quad.object, NamedNode):
                out[g.value[len(ENTITY_GRAPH_PREFIX):]] = quad.object.value[len(self.vocab.entity):]
        return out

    def rebuild(self, entities: list[dict[str, Any]], property_type: Any,
                redirects: dict[str, str] | None = None) -> dict[str, int]:
        """Drop all entity/shared graphs and re-export every entity; returns shared counts.

        Args:
            entities: Every entity's current revision.
            property_type: Datatype lookup for properties.
            redirects: Redirect source → target; a source gets only its ``owl:sameAs`` triple.
        """
        redirects = redirects or {}
        with self._queue_lock:
            self._queue.clear()
        for g in list(self.store.named_graphs()):
            if g.value.startswith(ENTITY_GRAPH_PREFIX) or g == SHARED_GRAPH:
                self.store.remove_graph(g)
        counts: dict[str, int] = {}
        quads: list[Quad] = []
        shared_done: set[str] = set()
        for source, target in redirects.items():
            quads.extend(Quad(t.subject, t.predicate, t.object, entity_graph(source))
                         for t in redirect_triples(source, target, self.vocab))
        for entity in entities:
            if entity["id"] in redirects:
                continue
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
        self.spatial.invalidate()
        return counts

    def query(self, sparql: str, prefixes: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """Run a SPARQL query over the union of all graphs (as of the query lag)."""
        self.apply_due()
        return self.store.query(sparql, prefixes=prefixes, use_default_graph_as_union=True,
                                **kwargs)


def _triples(triples: list[Triple]) -> str:
    """Triples as SPARQL ``INSERT DATA`` text (N-Triples terms)."""
    return " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
