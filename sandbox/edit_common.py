"""What every editing action shares: which entity it targets, ``baserevid``, saving through the
repository with the user, summary and tags of the request, and the edit log entry."""

from __future__ import annotations

import time
from typing import Any

from sandbox.api_request import ApiRequest
from sandbox.entity import ENTITY_ID_RE
from sandbox.store import now_iso
from sandbox.wikibase_errors import ApiFailure


def entity_by_sitelink(req: ApiRequest, site: str, title: str) -> str:
    """The item linked to ``site:title`` or ``no-such-entity-link``."""
    row = req.state.repo.db.reader.execute(
        "SELECT entity FROM terms WHERE kind='sitelink' AND lang=? AND value=?",
        (site, title.replace("_", " "))).fetchone()
    if row is None:
        raise ApiFailure("no-such-entity-link", "No entity found matching site link "
                                                f"{site}:{title}")
    return str(row[0])


def target_id(req: ApiRequest, key: str = "id") -> str:
    """The entity an action edits: ``id`` (or ``entity``), else ``site`` + ``title``."""
    params = req.params
    raw = params.get(key)
    if raw is None and "site" in params and "title" in params:
        return entity_by_sitelink(req, params["site"], params["title"])
    if raw is None:
        raise ApiFailure("param-missing", f"Either provide the item \"{key}\" or pairs of "
                                          f"\"site\" and \"title\" for a corresponding page")
    return checked_id(raw)


def checked_id(raw: str) -> str:
    """``q42`` → ``Q42``; ``invalid-entity-id`` for what is not an item or property id."""
    eid = raw.strip().upper()
    if not ENTITY_ID_RE.match(eid) or eid[0] == "L":
        raise ApiFailure("invalid-entity-id", f"Invalid entity ID. \"{raw}\"",
                         extra={"id": raw})
    return eid


def current(req: ApiRequest, eid: str) -> dict[str, Any]:
    """The current entity JSON or ``no-such-entity``."""
    ent = req.state.repo.get(eid)
    if ent is None:
        raise ApiFailure("no-such-entity", f"Could not find an entity with the ID \"{eid}\".",
                         extra={"id": eid})
    return ent


def guid_owner(guid: str) -> str:
    """The entity id of a statement GUID ``Q1$…`` or ``invalid-guid``."""
    owner, sep, rest = guid.partition("$")
    if not sep or not rest or not ENTITY_ID_RE.match(owner.upper()):
        raise ApiFailure("invalid-guid", f"Invalid claim guid \"{guid}\"")
    return owner.upper()


def find_statement(ent: dict[str, Any], guid: str) -> dict[str, Any]:
    """The statement with ``guid`` on ``ent`` or ``no-such-claim``."""
    for stmts in ent.get("claims", {}).values():
        for stmt in stmts:
            if stmt["id"].lower() == guid.lower():
                return stmt
    raise ApiFailure("no-such-claim", f"Could not find the claim \"{guid}\"")


def save(req: ApiRequest, data: dict[str, Any], eid: str | None, *,
         new: str | None = None, clear: bool = False) -> tuple[dict[str, Any], bool]:
    """Save ``data`` (wbeditentity form) on ``eid`` as the request's user; log the edit.

    Returns:
        ``(entity JSON, nochange)`` as :meth:`sandbox.repo.Repository.edit` returns them.
    """
    assert req.user is not None
    params = req.params
    if eid and req.state.redirects.target(eid):
        raise ApiFailure("unresolved-redirect", "The given entity ID refers to a redirect, "
                                                "which is not supported in this context.",
                         extra={"id": eid})
    entry: dict[str, Any] = {"id": eid, "new": new, "ok": False, "user": req.user["name"],
                             "summary": params.get("summary"), "tags": params.get("tags"),
                             "bot": req.flag("bot"), "at": now_iso(),
                             "action": params.get("action")}
    delay = req.state.faults.commit_delay(params.get("action") or "wbeditentity")
    if delay:  # an armed delayed_commit: the client may time out or die meanwhile; it still commits
        time.sleep(delay)
    try:
        entity, nochange = req.state.repo.edit(
            data, entity_id=eid, new=new, clear=clear, baserevid=req.integer("baserevid"),
            user=req.user["name"], summary=params.get("summary"), tags=params.get("tags"))
    except ApiFailure as failure:
        entry["error"] = failure.code
        req.state.record_edit(entry)
        raise
    entry.update(ok=True, id=entity["id"], revid=entity["lastrevid"], nochange=nochange)
    req.state.record_edit(entry)
    return entity, nochange
