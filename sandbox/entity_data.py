"""``Special:EntityData/Q1.{json,ttl,nt}`` (and ``/entity/Q1``) documents."""

from __future__ import annotations

import json
from collections.abc import Callable

from sandbox.entity import ENTITY_ID_RE, content_of, with_urls
from sandbox.rdf import entity_triples, to_ntriples, to_turtle
from sandbox.repo import Repository

_TEXT = "text/plain; charset=utf-8"


def entity_document(repo: Repository, name: str,
                    redirect_of: Callable[[str], str | None] | None = None
                    ) -> tuple[int, bytes, str]:
    """``(status, body, content type)`` for the page name ``Q1.json`` / ``Q1.ttl`` / ``Q1.nt``;
    a merged item's page shows the item it redirects to (``redirect_of``), as Wikibase does."""
    eid, _, ext = name.partition(".")
    eid = eid.upper()
    if redirect_of and ENTITY_ID_RE.match(eid):
        eid = redirect_of(eid) or eid
    ent = repo.get(eid) if ENTITY_ID_RE.match(eid) else None
    if ent is None:
        return 404, f"No entity with ID {eid}\n".encode(), _TEXT
    ext = ext or "json"
    if ext == "json":
        full = with_urls(content_of(ent))
        for key in ("pageid", "ns", "title", "lastrevid", "modified"):
            full[key] = ent[key]
        body = json.dumps({"entities": {eid: full}}, ensure_ascii=False, separators=(",", ":"))
        return 200, body.encode("utf-8"), "application/json; charset=utf-8"
    triples = entity_triples(ent, repo.vocab, repo.db.property_type, form="dump")
    if ext == "ttl":
        return 200, to_turtle(triples, repo.vocab), "text/turtle; charset=utf-8"
    if ext == "nt":
        return 200, to_ntriples(triples), "application/n-triples; charset=utf-8"
    return 415, f"unsupported format {ext}\n".encode(), _TEXT
