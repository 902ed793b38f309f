"""The sandbox repository: wbeditentity orchestration over the revision store and the RDF graph.

One :class:`Repository` per server process. Every write holds the store lock, validates and
merges (:func:`sandbox.entity.apply_edit`), checks uniqueness, saves the revision durably
(SQLite, synchronous=FULL) and swaps the entity's triples in pyoxigraph in one transaction
before returning (later, when a query lag is armed: :class:`sandbox.faults.Lags`).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from sandbox.edit_merge import edit_conflicts
from sandbox.entity import (
    ENTITY_ID_RE,
    EditContext,
    apply_edit,
    content_of,
    with_urls,
)
from sandbox.faults import Lags
from sandbox.graph import EntityGraph, shared_nodes
from sandbox.rdf import Vocabulary
from sandbox.redirects import Redirects
from sandbox.seed_bulk import BatchTerms, BulkSeed, paused_gc
from sandbox.store import RevisionStore
from sandbox.wikibase_errors import ApiFailure, failed_save, modification_failed

log = logging.getLogger(__name__)


class Repository:
    """Entities, revisions and their RDF, in ``data_dir``."""

    def __init__(self, data_dir: str | Path, vocab: Vocabulary | None = None,
                 check_targets: bool = True, in_memory_graph: bool = False) -> None:
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.vocab = vocab or Vocabulary()
        #: Search and query-service lags, armed through :class:`sandbox.faults.Faults`.
        self.lags = Lags()
        self.db = RevisionStore(data_dir / "wikibase.sqlite", self.lags)
        self.graph = EntityGraph(None if in_memory_graph else data_dir / "oxigraph", self.vocab,
                                 self.lags)
        self.check_targets = check_targets
        #: Items merged away (``wbmergeitems``), in the revision database.
        self.redirects = Redirects(self.db.path)
        self.sync_graph()

    def sync_graph(self) -> None:
        """Rebuild the RDF store if it does not hold exactly the current revisions."""
        with self.db.lock:
            redirects = self.redirects.all()
            current = {eid: ent["lastrevid"] for eid in self.db.all_ids()
                       if eid not in redirects and (ent := self.db.get(eid)) is not None}
            if self.graph.versions() == current and self.graph.redirects() == redirects:
                return
            log.info("rebuilding RDF for %d entities", len(current))
            counts = self.graph.rebuild(list(self.db.iter_entities()), self.db.property_type,
                                        redirects)
            self.db.reset_shared(counts)

    def redirect(self, source: str, target: str) -> None:
        """Make ``source`` (already emptied) a redirect to ``target``, in the database and in RDF.

        The query service then holds only ``wd:source owl:sameAs wd:target`` for ``source``, as
        WDQS does; redirects that pointed to ``source`` follow along to ``target``.
        """
        with self.db.lock:
            self.redirects.add(source, target)
            for redirected in self.redirects.sources_of(target):
                self.graph.redirect(redirected, target)

    def context(self, check_targets: bool | None = None) -> EditContext:
        """Validation context backed by the store."""
        return EditContext(
            property_type=self.db.property_type,
            entity_exists=self.db.exists,
            check_targets=self.check_targets if check_targets is None else check_targets,
        )

    def get(self, entity_id: str) -> dict[str, Any] | None:
        """Current entity JSON (with page info) or None."""
        return self.db.get(entity_id)

    def edit(
        self,
        data: dict[str, Any],
        *,
        entity_id: str | None = None,
        new: str | None = None,
        clear: bool = False,
        baserevid: int | None = None,
        user: str | None = None,
        summary: str | None = None,
        tags: str | None = None,
        keep_id: bool = False,
        check_targets: bool | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Apply one wbeditentity.

        Length: one locked critical section (validate, merge, check, save, swap RDF), kept whole
        so the lock's extent is visible at a glance.

        Args:
            data: Decoded ``data`` JSON.
            entity_id: ``id=`` parameter (existing entity), or with ``keep_id`` the id to create.
            new: ``new=item|property``.
            clear: ``clear=`` given.
            baserevid: ``baserevid=`` given (edit conflict when older than the current revision).
            user: Editing user.
            summary: Edit summary.
            tags: Change tags (``|``-joined).
            keep_id: Create-or-replace the entity under ``entity_id`` (seeding).
            check_targets: Override the existence check of referenced entities.

        Returns:
            (entity JSON as wbeditentity returns it, nochange flag).

        Raises:
            ApiFailure: any Wikibase error.
        """
        with self.db.lock:
            if new is not None:
                if new not in ("item", "property"):
                    raise ApiFailure("param-invalid", f"new should be item or property, got "
                                                      f"{new!r}")
                if data.get("id") not in (None, ""):
                    raise ApiFailure("param-illegal",
                                     "Cannot have new and an id in the data at the same time.")
                etype = new
                eid = self.db.allocate_id(new)
                old = None
            else:
                if not entity_id or not ENTITY_ID_RE.match(entity_id) or entity_id[0] == "L":
                    raise ApiFailure("no-such-entity", f"Could not find an entity with the ID "
                                                       f"\"{entity_id}\".", extra={"id": entity_id})
                eid = entity_id
                etype = "item" if eid[0] == "Q" else "property"
                old = self.db.get(eid)
                if old is None and not keep_id:
                    raise ApiFailure("no-such-entity",
                                     f"Could not find an entity with the ID \"{eid}\".",
                                     extra={"id": eid})
                if data.get("id") not in (None, eid):
                    raise ApiFailure("param-invalid",
                                     f"Id in data ({data.get('id')}) does not match {eid}")
                if old is not None and "lastrevid" in data and not keep_id and \
                        int(data["lastrevid"]) != old["lastrevid"]:
                    baserevid = int(data["lastrevid"]) if baserevid is None else baserevid
            if old is not None and baserevid is not None and int(baserevid) < old["lastrevid"] \
                    and edit_conflicts(self.db, eid, int(baserevid), content_of(old), data,
                                       clear):
                raise failed_save("edit-conflict", [], "Edit conflict.")
            ctx = self.context(check_targets)
            content = apply_edit(content_of(old) if old else None, data, eid, etype, ctx,
                                 clear=clear or keep_id)
            self._check_unique(content)
            if old is not None and content_of(old) == content:
                return self._response(old), True
            old_nodes = shared_nodes(old, self.vocab) if old else set()
            new_nodes = shared_nodes(content, self.vocab)
            delta = dict.fromkeys(new_nodes - old_nodes, 1)
            delta.update(dict.fromkeys(old_nodes - new_nodes, -1))
            _, _, dropped = self.db.save(content, user, summary, tags, delta)
            full = self.db.get(eid)
            assert full is not None
            own, shared = self.graph.split(full, self.db.property_type)
            added = {n: t for n, t in shared.items() if n in delta and delta[n] > 0}
            self.graph.replace(eid, own, added, dropped)
            return self._response(full), False

    def _check_unique(self, content: dict[str, Any], pending: BatchTerms | None = None) -> None:
        """Refuse label+description, sitelink and property label collisions.

        ``pending`` holds the items of a bulk seed validated but not stored yet.
        """
        eid = content["id"]
        labels = content.get("labels", {})
        if content["type"] == "item":
            for lang, label in labels.items():
                desc = content.get("descriptions", {}).get(lang)
                if not desc:
                    continue
                other = self.db.label_description_conflict(
                    eid, lang, label["value"], desc["value"]) or (pending and pending.label_description(
                        eid, lang, label["value"], desc["value"]))
                if other:
                    link = f"[[{other}|{other}]]"
                    raise modification_failed(
                        "wikibase-validator-label-with-description-conflict",
                        [label["value"], lang, link],
                        f"Item {link} already has label \"{label['value']}\" associated with "
                        f"language code {lang}, using the same description text.")
            for site, link in content.get("sitelinks", {}).items():
                other = self.db.sitelink_conflict(eid, site, link["title"]) or \
                    (pending and pending.sitelink(eid, site, link["title"]))
                if other:
                    ref = f"[[{other}|{other}]]"
                    raise failed_save(
                        "wikibase-validator-sitelink-conflict", [site, link["title"], ref],
                        f"Site link [[{site}:{link['title']}]] is already used by item {ref}.")
        else:
            for lang, label in labels.items():
                other = self.db.property_label_conflict(eid, lang, label["value"])
                if other:
                    ref = f"[[Property:{other}|{other}]]"
                    raise modification_failed(
                        "wikibase-validator-label-conflict", [label["value"], lang, ref],
                        f"Property {ref} already has label \"{label['value']}\" associated "
                        f"with language code {lang}.")

    @staticmethod
    def _response(full: dict[str, Any]) -> dict[str, Any]:
        out = with_urls(content_of(full))
        out["lastrevid"] = full["lastrevid"]
        return out

    def seed(self, entities: list[dict[str, Any]], user: str = "Seed") -> dict[str, Any]:
        """Create or replace entities keeping their ids (properties first).

        New items are created in bulk (:class:`sandbox.seed_bulk.BulkSeed`: same content,
        revisions and RDF as through :meth:`edit`); properties and entities already stored go
        through :meth:`edit` (an unchanged one gets no new revision).
        """
        ordered = sorted(entities, key=lambda e: 0 if e.get("type") == "property" or
                         str(e.get("id", "")).startswith("P") else 1)
        counts = {"created": 0, "changed": 0, "unchanged": 0}
        ids = []
        with self.db.lock, paused_gc(), \
                BulkSeed(self.db, self.graph, self._check_unique, user) as bulk:
            bulk.look_up(e.get("id") for e in ordered)
            for ent in ordered:
                eid = ent.get("id")
                if not isinstance(eid, str) or not ENTITY_ID_RE.match(eid):
                    raise ApiFailure("invalid-entity-id", f"seed entity without a valid id: "
                                                          f"{str(ent)[:120]}")
                data = {k: v for k, v in ent.items()
                        if k in ("type", "labels", "descriptions", "aliases", "claims",
                                 "sitelinks", "datatype")}
                data.setdefault("type", "property" if eid[0] == "P" else "item")
                data["claims"] = _with_stable_guids(eid, data.get("claims") or {})
                ids.append(eid)
                if bulk.accepts(eid):
                    bulk.add(eid, data)
                    counts["created"] += 1
                    continue
                bulk.settle()
                existed = self.db.exists(eid)
                _, nochange = self.edit(data, entity_id=eid, keep_id=True, user=user,
                                        summary="seed", check_targets=False)
                bulk.edited(eid)
                counts["unchanged" if nochange else "changed" if existed else "created"] += 1
        return {"seeded": len(ids), **counts, "ids": ids}


def _with_stable_guids(entity_id: str, claims: Any) -> list[dict[str, Any]]:
    """Seeded statements without ``id`` get a GUID derived from their content (idempotent seeds)."""
    from sandbox.entity import canonical_json

    flat = ([s for stmts in claims.values() for s in stmts] if isinstance(claims, dict)
            else list(claims))
    out = []
    for n, stmt in enumerate(flat):
        if not stmt.get("id"):
            key = f"{entity_id}|{n}|{canonical_json(stmt.get('mainsnak', {}))}"
            stmt = {**stmt, "id": f"{entity_id}${str(uuid.uuid5(uuid.NAMESPACE_URL, key)).upper()}"}
        out.append(stmt)
    return out
