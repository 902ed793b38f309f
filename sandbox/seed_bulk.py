"""Bulk creation of seeded items: one SQLite transaction and one Oxigraph bulk load per chunk.

``POST /admin/seed`` (:meth:`sandbox.repo.Repository.seed`) mostly creates entities. Through the
wbeditentity path each one costs a durable SQLite transaction and a SPARQL update (about 3 ms
an item). Here the new items of a seed are validated one by one exactly as that edit would
(:func:`sandbox.entity.apply_edit` with the seed's ``clear``, the label+description and
sitelink uniqueness checks, also against the items of the same seed not written yet), then
written :data:`CHUNK` at a time: the chunk's rows in one transaction, each item with its own
revision (``lastrevid``, ``revisions``, later edits and edit conflicts as after an edit), and
the chunk's RDF in one Oxigraph bulk load (:meth:`sandbox.graph.EntityGraph.insert_new`) on a
worker thread while the next chunk is validated (Oxigraph releases the GIL while it loads).
The seed keeps the repository lock until every chunk is loaded, so no edit sees a seeded item
without its RDF. The cyclic garbage collector is paused during a seed: it would otherwise
rescan every object the chunk holds, many times over.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from sandbox.entity import EditContext, apply_edit, numeric_id
from sandbox.graph import shared_nodes
from sandbox.index_rows import statement_index_values, term_rows
from sandbox.store import FIRST_NEW_ID, counter, now_iso, set_counter

if TYPE_CHECKING:
    from pyoxigraph import Triple

    from sandbox.graph import EntityGraph
    from sandbox.store import RevisionStore

#: Items written per SQLite transaction and per Oxigraph bulk load. Every bulk load adds files
#: to RocksDB that overlap the whole store and must be compacted into it: fewer, larger loads
#: cost much less (40,000 items in 5,000-item requests: 72 s with loads of 1,000, 41 s with loads
#: of 5,000; in 20,000-item requests with loads of 10,000, 34 s; machine under load).
CHUNK = 10_000


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class BatchTerms:
    """Label+description pairs and sitelinks of validated items not in the store yet."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str, str], str] = {}
        self.links: dict[tuple[str, str], str] = {}

    def hold(self, content: dict[str, Any]) -> None:
        """Remember an item's label+description pairs and sitelinks."""
        eid, descriptions = content["id"], content.get("descriptions", {})
        for lang, label in content.get("labels", {}).items():
            desc = descriptions.get(lang)
            if desc:
                self.pairs.setdefault((lang, label["value"], desc["value"]), eid)
        for site, link in content.get("sitelinks", {}).items():
            self.links.setdefault((site, link["title"]), eid)

    def label_description(self, eid: str, lang: str, label: str, description: str) -> str | None:
        """Another pending item with this label and description in ``lang``, or None."""
        other = self.pairs.get((lang, label, description))
        return other if other != eid else None

    def sitelink(self, eid: str, site: str, title: str) -> str | None:
        """Another pending item holding this sitelink, or None."""
        other = self.links.get((site, title))
        return other if other != eid else None

    def clear(self) -> None:
        """Forget everything (the items are in the store now)."""
        self.pairs.clear()
        self.links.clear()


class BulkSeed:
    """Creates the new items of one seed in chunks (see the module doc).

    Use as a context manager inside the repository lock: leaving it writes what is pending
    and waits for every RDF load, also when a later entity failed validation (the entities
    before the failing one stay seeded, as through the edit path).
    """

    def __init__(self, db: RevisionStore, graph: EntityGraph,
                 check_unique: Callable[[dict[str, Any], BatchTerms], None], user: str | None,
                 summary: str = "seed") -> None:
        """Start a bulk seed.

        Args:
            db: The revision store (its lock held by the caller).
            graph: The RDF store.
            check_unique: The uniqueness checks of an edit, also against pending items
                (:meth:`sandbox.repo.Repository._check_unique`).
            user: Editing user of the revisions.
            summary: Their edit summary.
        """
        self.db, self.graph, self.check_unique = db, graph, check_unique
        self.user, self.summary = user, summary
        self._types: dict[str, str] = {}
        self.ctx = EditContext(property_type=self.property_type, entity_exists=db.exists,
                               check_targets=False)
        self.pending: list[dict[str, Any]] = []
        self.pending_ids: set[str] = set()
        #: Items known to be stored, and the ids :meth:`look_up` asked the store about.
        self.stored: set[str] = set()
        self._looked_up: set[str] = set()
        self.terms = BatchTerms()
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-rdf")
        self._loads: list[Future[None]] = []

    def __enter__(self) -> BulkSeed:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.flush()
        finally:
            self._loader.shutdown(wait=True)
        for load in self._loads:
            load.result()  # re-raises a failed RDF load

    def settle(self) -> None:
        """Write what is pending and wait until its RDF is loaded (before an edit of any entity:
        its graph swap must not run before a load holding an earlier version of it)."""
        self.flush()
        loads, self._loads = self._loads, []
        for load in loads:
            load.result()

    def property_type(self, pid: str) -> str | None:
        """Datatype of a stored property (remembered: a property's datatype never changes)."""
        datatype = self._types.get(pid)
        if datatype is None:
            datatype = self.db.property_type(pid)
            if datatype is not None:
                self._types[pid] = datatype
        return datatype

    def look_up(self, ids: Iterable[Any]) -> None:
        """Find which of the items ``ids`` are stored, 500 a query (not one query each)."""
        items = [i for i in dict.fromkeys(ids) if isinstance(i, str) and i[:1] == "Q"]
        for start in range(0, len(items), 500):
            part = items[start:start + 500]
            rows = self.db.reader.execute(
                f"SELECT id FROM entities WHERE id IN ({','.join('?' * len(part))})", part)
            self.stored.update(row[0] for row in rows)
        self._looked_up.update(items)

    def accepts(self, eid: str) -> bool:
        """Whether ``eid`` is an item this seed creates (neither stored nor pending)."""
        if eid[0] != "Q" or eid in self.pending_ids or eid in self.stored:
            return False
        return eid in self._looked_up or not self.db.exists(eid)

    def edited(self, eid: str) -> None:
        """``eid`` went through the edit path: it is stored now."""
        self.stored.add(eid)

    def add(self, eid: str, data: dict[str, Any]) -> None:
        """Validate a new item as wbeditentity would (``clear``, no target checks) and queue it.

        Raises:
            ApiFailure: the item is invalid or collides with another one.
        """
        content = apply_edit(None, data, eid, "item", self.ctx, clear=True)
        self.check_unique(content, self.terms)
        self.terms.hold(content)
        self.pending.append(content)
        self.pending_ids.add(eid)
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write the pending items (one transaction), then load their RDF on the worker."""
        if not self.pending:
            return
        contents, self.pending, self.pending_ids = self.pending, [], set()
        self.stored.update(c["id"] for c in contents)
        graph, ts = self.graph, now_iso()
        nodes = [shared_nodes(c, graph.vocab) for c in contents]
        placed = save_new(self.db, contents, nodes, self.user, self.summary, ts)
        self.terms.clear()
        entries: list[tuple[str, list[Triple], dict[str, list[Triple]]]] = []
        for content, used, (pageid, revid) in zip(contents, nodes, placed, strict=True):
            eid = content["id"]
            full = {"pageid": pageid, "ns": 0, "title": eid, "lastrevid": revid,
                    "modified": ts, **content}
            own, shared = graph.split(full, self.property_type)
            entries.append((eid, own, {n: t for n, t in shared.items() if n in used}))
        self._loads.append(self._loader.submit(graph.insert_new, entries))


def save_new(db: RevisionStore, contents: list[dict[str, Any]], nodes: list[set[str]],
             user: str | None, summary: str | None, ts: str) -> list[tuple[int, int]]:
    """Store entities new to ``db``, one revision each, in one durable transaction.

    One SQLite transaction (:meth:`RevisionStore.transaction`) over every table; the rows are
    those :meth:`RevisionStore.save` writes.

    Args:
        db: The revision store (its lock held; none of the entities is in it).
        contents: The entities' content JSON (``id``, ``type``…).
        nodes: Per entity, the RDF shared nodes it uses (their reference counts go up by one).
        user: Editing user.
        summary: Edit summary of every revision.
        ts: Timestamp of every revision.

    Returns:
        (pageid, revid) per entity, in order.
    """
    texts = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in contents]
    refs = Counter(n for used in nodes for n in used)
    with db.transaction() as w:
        last_rev = w.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name='revisions'), 0), "
            "COALESCE((SELECT MAX(revid) FROM revisions), 0))").fetchone()[0]
        first_page = counter(w, "page", 1)
        placed = [(first_page + i, last_rev + 1 + i) for i in range(len(contents))]
        w.executemany("INSERT INTO revisions(revid, entity, json, user, summary, tags, timestamp)"
                      " VALUES (?,?,?,?,?,?,?)",
                      [(rev, c["id"], text, user, summary, None, ts)
                       for c, text, (_, rev) in zip(contents, texts, placed, strict=True)])
        w.executemany("INSERT INTO entities(id, pageid, type, datatype, json, lastrevid, "
                      "modified) VALUES (?,?,?,?,?,?,?)",
                      [(c["id"], page, c["type"], c.get("datatype"), text, rev, ts)
                       for c, text, (page, rev) in zip(contents, texts, placed, strict=True)])
        set_counter(w, "page", first_page + len(contents))
        for letter in sorted({c["id"][0] for c in contents}):
            top = max(numeric_id(c["id"]) for c in contents if c["id"][0] == letter)
            if top >= counter(w, letter, FIRST_NEW_ID):
                set_counter(w, letter, top + 1)
        w.executemany("INSERT INTO terms VALUES (?,?,?,?,?)",
                      [row for c in contents for row in term_rows(c)])
        for c in contents:
            db.search.note_unindexed(c["id"])
        w.executemany("INSERT INTO statement_values VALUES (?,?,?)",
                      [(c["id"], p, v) for c in contents for p, v in statement_index_values(c)])
        w.executemany("INSERT INTO shared_nodes(node, refs) VALUES (?, ?) ON CONFLICT(node) "
                      "DO UPDATE SET refs=refs+excluded.refs", list(refs.items()))
    return placed
