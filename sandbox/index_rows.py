"""Rows of the revision store's search tables for one entity (``terms``, ``statement_values``).

Written by every save (:meth:`sandbox.store.RevisionStore.save`) and by bulk seeding
(:func:`sandbox.seed_bulk.save_new`).
"""

from __future__ import annotations

from typing import Any


def statement_index_values(entity: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(property, value) pairs for ``haswbstatement:`` (non-deprecated main snaks)."""
    out: list[tuple[str, str | None]] = []
    for pid, stmts in entity.get("claims", {}).items():
        for stmt in stmts:
            if stmt.get("rank") == "deprecated":
                continue
            snak = stmt["mainsnak"]
            value: str | None = None
            dv = snak.get("datavalue")
            if dv is not None:
                v = dv["value"]
                if dv["type"] == "string":
                    value = v
                elif dv["type"] == "wikibase-entityid":
                    value = v["id"]
                elif dv["type"] == "monolingualtext":
                    value = v["text"]
                elif dv["type"] == "quantity":
                    value = v["amount"]
                elif dv["type"] == "time":
                    value = v["time"]
            out.append((pid, value))
    return out


def term_rows(entity: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """``terms`` rows of an entity: (entity, kind, lang or site, value, folded value)."""
    eid = entity["id"]
    rows = []
    for kind, key in (("label", "labels"), ("description", "descriptions")):
        for lang, term in entity.get(key, {}).items():
            rows.append((eid, kind, lang, term["value"], term["value"].casefold()))
    for lang, aliases in entity.get("aliases", {}).items():
        for term in aliases:
            rows.append((eid, "alias", lang, term["value"], term["value"].casefold()))
    for site, link in entity.get("sitelinks", {}).items():
        rows.append((eid, "sitelink", site, link["title"], link["title"].casefold()))
    return rows
