"""``action=query`` of the local Commons: the list, prop and generator modules, in MediaWiki's shapes.

Lists: ``categorymembers`` (sort keys, types, ``cmcontinue = type|hexsortkey|pageid``),
``embeddedin``, ``search`` (``haswbstatement:``, ``incategory:``, ``-`` negation), ``users``.
Props on the page set (``titles``/``pageids`` or a generator over ``categorymembers``,
``embeddedin`` or ``search``): ``info``, ``imageinfo`` (``extmetadata`` with DateTimeOriginal),
``categories`` (``clprop=sortkey``, ``clcontinue``), ``templates`` (``tlcontinue``),
``revisions`` (``rvslots=main``), ``globalusage``. Output follows ``formatversion`` 1 or 2.
"""

from __future__ import annotations

from typing import Any

from sandbox.commons.lists import GENERATORS, LISTS, PREFIXES
from sandbox.commons.params import DEFAULT_CONTINUE, normalise_title, ns_of, split
from sandbox.commons.props import PROPS
from sandbox.commons.store import CommonsStore
from sandbox.wikibase_errors import ApiFailure


def run_query(store: CommonsStore, params: dict[str, str]) -> dict[str, Any]:
    """Answer one ``action=query`` request.

    Returns:
        The response body (``batchcomplete``, ``continue``, ``query``) in the requested
        ``formatversion``.
    """
    v2 = params.get("formatversion") in ("2", "latest")
    out: dict[str, Any] = {}
    query: dict[str, Any] = {}
    cont: dict[str, str] = {}
    for name in split(params.get("list")):
        if name not in LISTS:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"list\": {name}.")
        key, rows, more = LISTS[name](store, params, "")
        query[key] = rows if v2 else v1_booleans(rows)
        cont.update(more)
    pages, gen_more = _page_set(store, params)
    prop_more: dict[str, str] = {}
    if pages is not None:
        _add_props(store, params, pages, prop_more)
        query["pages"] = pages if v2 else _v1_pages(pages)
    if prop_more:
        given = params.get("g" + _gen_prefix(params) + "continue") if "generator" in params else None
        if given:
            cont["g" + _gen_prefix(params) + "continue"] = given
        cont.update(prop_more)
    else:
        cont.update(gen_more)
        out["batchcomplete"] = True if v2 else ""
    if cont:
        out["continue"] = {**cont, "continue": _continue_marker(params, bool(prop_more))}
    if query:
        out["query"] = query
    return out


def _continue_marker(params: dict[str, str], props_pending: bool) -> str:
    if "generator" in params:
        return f"g{_gen_prefix(params)}continue||" if props_pending else DEFAULT_CONTINUE
    return DEFAULT_CONTINUE


def _gen_prefix(params: dict[str, str]) -> str:
    return PREFIXES.get(params.get("generator", ""), "")


def _page_set(store: CommonsStore, params: dict[str, str]
              ) -> tuple[list[dict[str, Any]] | None, dict[str, str]]:
    """The pages the prop modules work on, and the generator's continuation."""
    if "generator" in params:
        gen = params["generator"]
        if gen not in GENERATORS:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"generator\": "
                                         f"{gen}.")
        _, rows, more = GENERATORS[gen](store, params, "g")
        pages = [{"pageid": r["pageid"], "ns": r["ns"], "title": r["title"]} for r in rows]
        return sorted(pages, key=lambda p: p["pageid"]), more
    if "titles" in params or "pageids" in params:
        pages = []
        for title in split(params.get("titles")):
            row = store.page(title=normalise_title(title))
            pages.append({"pageid": row["pageid"], "ns": row["ns"], "title": row["title"]} if row
                         else {"ns": ns_of(normalise_title(title)),
                               "title": normalise_title(title), "missing": True})
        for pid in split(params.get("pageids")):
            row = store.page(pageid=int(pid))
            pages.append({"pageid": row["pageid"], "ns": row["ns"], "title": row["title"]} if row
                         else {"pageid": int(pid), "missing": True})
        return pages, {}
    return None, {}


def _add_props(store: CommonsStore, params: dict[str, str], pages: list[dict[str, Any]],
               more: dict[str, str]) -> None:
    present = [p for p in pages if "missing" not in p]
    for name in split(params.get("prop")):
        if name not in PROPS:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"prop\": {name}.")
        if present:
            PROPS[name](store, params, present, more)


def _v1_pages(pages: list[dict[str, Any]]) -> dict[str, Any]:
    """formatversion=1 ``pages``: keyed by page id; missing titles get -1, -2, … in order."""
    out: dict[str, Any] = {}
    missing = 0
    for page in pages:
        if "pageid" not in page:
            missing -= 1
        out[str(page.get("pageid", missing))] = _v1(page)
    return out


def v1_booleans(value: Any) -> Any:
    """formatversion=1: ``true`` becomes ``""`` and ``false`` is left out, at any depth."""
    if isinstance(value, dict):
        return {k: v1_booleans(v) for k, v in value.items() if v is not False}
    if isinstance(value, list):
        return [v1_booleans(v) for v in value]
    return "" if value is True else value


def _v1(page: dict[str, Any]) -> dict[str, Any]:
    """formatversion=1 page: booleans as ``""``, revision text under ``*``."""
    out = v1_booleans(page)
    for rev in out.get("revisions", []):
        main = rev.get("slots", {}).get("main")
        if main and "content" in main:
            main["*"] = main.pop("content")
    return out
