"""``action=query``: dispatches ``meta=``, ``list=`` to their modules; ``meta=siteinfo``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.actions_auth import LISTS as AUTH_LISTS
from sandbox.actions_auth import METAS as AUTH_METAS
from sandbox.actions_search import list_search
from sandbox.api_request import ApiRequest
from sandbox.contribs import LISTS as CONTRIB_LISTS
from sandbox.store import now_iso
from sandbox.wikibase_errors import ApiFailure


def meta_siteinfo(req: ApiRequest) -> dict[str, Any]:
    """``meta=siteinfo``: general site information."""
    host = req.host
    return {"general": {
        "mainpage": "Main Page", "base": f"http://{host}/wiki/Main_Page",
        "sitename": "wlkit sandbox", "generator": "MediaWiki 1.43 (wlkit sandbox)",
        "wikiid": "wlkitsandbox", "lang": "en", "server": f"http://{host}",
        "servername": host.split(":")[0], "scriptpath": "/w",
        "articlepath": "/wiki/$1", "time": now_iso(),
        "wikibase-conceptbaseuri": req.state.repo.vocab.entity,
    }, **_statistics(req)}


def _statistics(req: ApiRequest) -> dict[str, Any]:
    """``siprop=statistics``: ``edits`` is the latest revision id, so it changes with every save
    (clients key cached lookups by it)."""
    if "statistics" not in (req.params.get("siprop") or "").split("|"):
        return {}
    edits, pages = req.state.repo.db.reader.execute(
        "SELECT COALESCE(MAX(revid), 0), (SELECT COUNT(*) FROM entities) FROM revisions").fetchone()
    return {"statistics": {"pages": pages, "articles": pages, "edits": edits, "images": 0,
                           "users": 1, "activeusers": 1, "admins": 1, "jobs": 0}}


#: ``meta=`` modules: name → function(req) returning keys of ``query``.
METAS: dict[str, Callable[[ApiRequest], dict[str, Any]]] = {
    **AUTH_METAS, "siteinfo": meta_siteinfo,
}
#: ``list=`` modules: name → function(req, out) returning keys of ``query`` (``out`` takes
#: ``continue``). Registration point for list modules of other files (usercontribs,
#: recentchanges).
LISTS: dict[str, Callable[[ApiRequest, dict[str, Any]], dict[str, Any]]] = {
    **AUTH_LISTS, "search": list_search, **CONTRIB_LISTS,
}


def action_query(req: ApiRequest) -> dict[str, Any]:
    """``action=query`` with ``meta=`` and ``list=`` modules."""
    out: dict[str, Any] = {"batchcomplete": ""}
    query: dict[str, Any] = {}
    for meta in req.multi("meta"):
        if meta not in METAS:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"meta\": {meta}.")
        query.update(METAS[meta](req))
    for lst in req.multi("list"):
        if lst not in LISTS:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"list\": {lst}.")
        query.update(LISTS[lst](req, out))
    if query:
        out["query"] = query
    return out


ACTIONS = {"query": action_query}
