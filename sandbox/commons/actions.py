"""Actions of the local Commons port: ``query``, ``wbgetentities`` and ``wbeditentity`` on MediaInfo.

Login, logout, tokens and userinfo are the Wikibase sandbox's own (:mod:`sandbox.actions_auth`):
one account works on both ports, each port with its own session, as on Wikimedia wikis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sandbox import actions_auth, api_dispatch
from sandbox.api_request import ApiRequest
from sandbox.commons import mediainfo
from sandbox.commons.query import run_query
from sandbox.commons.store import CommonsStore
from sandbox.repo import Repository
from sandbox.state import ServerState
from sandbox.store import now_iso
from sandbox.wikibase_errors import ApiFailure


class CommonsState(ServerState):
    """Process state of the Commons port: the account repository plus the Commons store."""

    def __init__(self, repo: Repository, commons: CommonsStore) -> None:
        super().__init__(repo)
        self.commons = commons


def _commons(req: ApiRequest) -> CommonsStore:
    return req.state.commons  # type: ignore[attr-defined,no-any-return]


def action_query(req: ApiRequest) -> dict[str, Any]:
    """``action=query``: ``meta=tokens|userinfo|siteinfo`` plus the Commons modules."""
    query: dict[str, Any] = {}
    for meta in req.multi("meta"):
        if meta in actions_auth.METAS:
            query.update(actions_auth.METAS[meta](req))
        elif meta == "siteinfo":
            query["general"] = {"sitename": "Wikimedia Commons (wlkit local)",
                                "wikiid": "commonswiki", "lang": "en", "scriptpath": "/w",
                                "server": f"http://{req.host}", "articlepath": "/wiki/$1",
                                "generator": "MediaWiki 1.43 (wlkit sandbox)",
                                "time": now_iso()}
        else:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"meta\": {meta}.")
    out = run_query(_commons(req), req.params)
    if query:
        out["query"] = {**query, **out.get("query", {})}
    out.setdefault("batchcomplete", "" if "continue" not in out else None)
    return {k: v for k, v in out.items() if v is not None}


def action_wbgetentities(req: ApiRequest) -> dict[str, Any]:
    """``wbgetentities`` on ``M<pageid>`` ids (files without structured data are ``missing``)."""
    ids = req.multi("ids")
    if not ids:
        raise ApiFailure("param-missing", "Either provide the item \"ids\" or pairs of "
                                          "\"sites\" and \"titles\" for corresponding pages")
    limit = 500 if req.user and "bot" in req.user["groups"] else 50
    if len(ids) > limit:
        raise ApiFailure("toomanyvalues", f"Too many values supplied for parameter \"ids\". "
                                          f"The limit is {limit}.",
                         extra={"limit": limit, "lowlimit": 50, "highlimit": 500})
    entities: dict[str, Any] = {}
    for eid in ids:
        ent = _commons(req).mediainfo(mediainfo.pageid_of(eid))
        entities[eid] = ({"id": eid.upper(), "missing": ""} if ent is None
                         else mediainfo.public(ent))
    return {"entities": entities, "success": 1}


def _edit(req: ApiRequest) -> tuple[int, bool]:
    assert req.user is not None  # a write: the dispatch refused it without a login
    store = _commons(req)
    eid = req.params.get("id")
    if eid is None:
        raise ApiFailure("param-missing", "MediaInfo entities are edited by \"id\" (M<pageid>);"
                                          " they cannot be created with \"new\".")
    pageid = mediainfo.pageid_of(eid)
    if store.page(pageid=pageid) is None:
        raise ApiFailure("no-such-entity", f"Could not find an entity with the ID \"{eid}\".",
                         extra={"id": eid})
    try:
        data = json.loads(req.require("data"))
    except ValueError as exc:
        raise ApiFailure("invalid-json", f"Could not parse data: {exc}") from None
    repo = req.state.repo
    with store.lock:
        current = store.mediainfo(pageid)
        base = req.params.get("baserevid")
        if base and current and int(base) != int(current["lastrevid"]):
            raise ApiFailure("editconflict", "Edit conflict.")
        ctx = mediainfo.context(repo.db.property_type, repo.db.exists, repo.check_targets)
        new = mediainfo.edit(current, data, f"M{pageid}", ctx, clear=req.flag("clear"))
        _, nochange = store.save_mediainfo(pageid, new, now_iso(), req.user["name"])
    return pageid, nochange


def action_wbeditentity(req: ApiRequest) -> dict[str, Any]:
    """``wbeditentity`` on a MediaInfo: add or change captions and statements (edit-logged)."""
    assert req.user is not None
    entry: dict[str, Any] = {"id": req.params.get("id"), "new": None, "ok": False,
                             "user": req.user["name"], "summary": req.params.get("summary"),
                             "tags": req.params.get("tags"), "bot": req.flag("bot"),
                             "at": now_iso()}
    try:
        pageid, nochange = _edit(req)
    except ApiFailure as failure:
        entry["error"] = failure.code
        req.state.record_edit(entry)
        raise
    saved = mediainfo.public(_commons(req).mediainfo(pageid) or {})
    entry.update(ok=True, id=saved["id"], revid=saved["lastrevid"], nochange=nochange)
    req.state.record_edit(entry)
    if nochange:
        saved["nochange"] = ""
    return {"entity": saved, "success": 1}


ACTIONS: dict[str, Callable[[ApiRequest], dict[str, Any]]] = {
    **actions_auth.ACTIONS, "query": action_query, "wbgetentities": action_wbgetentities,
    "wbeditentity": action_wbeditentity,
}


def dispatch(req: ApiRequest) -> dict[str, Any]:
    """Run a Commons action after the sandbox's checks, in MediaWiki's order (format, POST-only,
    assert, token, lag/throttle/login; an unexpected exception becomes ``internal_api_error_*``)."""
    return api_dispatch.dispatch(req, ACTIONS)
