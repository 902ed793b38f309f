"""``action=query``: dispatches ``meta=``, ``list=``, ``prop=`` and ``generator=`` modules.

Registration points: :data:`METAS`, :data:`LISTS` and :data:`sandbox.query_pages.GENERATORS`
(list modules of other files, e.g. ``usercontribs``/``recentchanges``, are added here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.actions_auth import LISTS as AUTH_LISTS
from sandbox.actions_auth import METAS as AUTH_METAS
from sandbox.actions_search import list_search
from sandbox.api_request import ApiRequest
from sandbox.contribs import LISTS as CONTRIB_LISTS
from sandbox.query_pages import GENERATORS, pages
from sandbox.siteinfo import METAS as SITE_METAS
from sandbox.wikibase_errors import ApiFailure

#: ``meta=`` modules: name → function(req) returning keys of ``query``.
METAS: dict[str, Callable[[ApiRequest], dict[str, Any]]] = {**AUTH_METAS, **SITE_METAS}
#: ``list=`` modules: name → function(req, out) returning keys of ``query`` (``out`` takes
#: ``continue``).
LISTS: dict[str, Callable[[ApiRequest, dict[str, Any]], dict[str, Any]]] = {
    **AUTH_LISTS, "search": list_search, **CONTRIB_LISTS,
}
#: ``prop=`` modules answered on the selected pages; the other core page props are accepted
#: and add nothing (entity pages have no images, categories or page props here).
PROPS = ("info", "revisions", "imageinfo", "categoryinfo", "pageprops", "categories",
         "langlinks", "templates", "links", "images", "extlinks", "iwlinks")
GENERATORS["search"] = ("sr", list_search)
_PAGE_PARAMS = ("titles", "pageids", "revids", "generator")


def action_query(req: ApiRequest) -> dict[str, Any]:
    """``action=query`` with ``meta=``, ``list=``, ``prop=`` and ``generator=`` modules."""
    out: dict[str, Any] = {"batchcomplete": True if req.params.get("formatversion") in
                           ("2", "latest") else ""}
    query: dict[str, Any] = {}
    for meta in req.multi("meta"):
        if meta not in METAS:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"meta\": {meta}.")
        query.update(METAS[meta](req))
    for lst in req.multi("list"):
        if lst not in LISTS:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"list\": {lst}.")
        query.update(LISTS[lst](req, out))
    for prop in req.multi("prop"):
        if prop not in PROPS:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"prop\": {prop}.")
    if any(p in req.params for p in _PAGE_PARAMS):
        query["pages"] = pages(req, out)
    if query:
        out["query"] = query
    return out


ACTIONS = {"query": action_query}
