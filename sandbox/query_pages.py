"""Page modules of ``action=query``: ``titles``/``pageids``/``revids`` or a ``generator``
(``search``) select entity pages; ``prop=info`` and ``prop=revisions`` describe them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from sandbox.api_request import ApiRequest
from sandbox.entity import ENTITY_ID_RE
from sandbox.wikibase_errors import ApiFailure

#: Generator modules: name → (parameter prefix, list function(req, out) → {"search": [hits]}).
GENERATORS: dict[str, tuple[str, Callable[[ApiRequest, dict[str, Any]], dict[str, Any]]]] = {}


def title_of(eid: str) -> str:
    """Page title of an entity (``Q1``, ``Property:P1``)."""
    return eid if eid[0] == "Q" else f"Property:{eid}"


def entity_of(title: str) -> str | None:
    """Entity id of a page title, or None for titles that are not entity pages."""
    name = title.replace("_", " ").strip()
    if name.startswith(("Property:", "Item:")):
        name = name.split(":", 1)[1]
    name = name.upper()
    return name if ENTITY_ID_RE.match(name) and name[0] != "L" else None


def _fv2(req: ApiRequest) -> bool:
    return req.params.get("formatversion") in ("2", "latest")


def _from_generator(req: ApiRequest, out: dict[str, Any]) -> list[str]:
    name = req.params["generator"]
    if name not in GENERATORS:
        raise ApiFailure("badvalue", f"Unrecognized value for parameter \"generator\": {name}.")
    prefix, module = GENERATORS[name]
    params = dict(req.params)
    params.update({k[1:]: v for k, v in req.params.items() if k.startswith("g" + prefix)})
    sub = dataclasses.replace(req, params=params)
    inner: dict[str, Any] = {}
    hits = module(sub, inner)
    if "continue" in inner:
        cont = {("g" + k if k != "continue" else k): v for k, v in inner["continue"].items()}
        cont["continue"] = f"g{prefix}offset||"
        out["continue"] = cont
    found = [entity_of(h["title"]) for h in next(v for v in hits.values() if isinstance(v, list))]
    return [e for e in found if e]


def selected_entities(req: ApiRequest, out: dict[str, Any]) -> list[tuple[str, str | None]]:
    """``(title, entity id or None)`` of the pages the request selects, in request order."""
    if "generator" in req.params:
        return [(title_of(e), e) for e in _from_generator(req, out)]
    pages = [(t, entity_of(t)) for t in req.multi("titles")]
    db = req.state.repo.db
    for pageid in req.multi("pageids"):
        row = db.reader.execute("SELECT id FROM entities WHERE pageid=?", (pageid,)).fetchone() \
            if pageid.isdigit() else None
        pages.append((title_of(row[0]) if row else pageid, row[0] if row else None))
    for revid in req.multi("revids"):
        row = db.reader.execute("SELECT entity FROM revisions WHERE revid=?",
                                (revid,)).fetchone() if revid.isdigit() else None
        if row:
            pages.append((title_of(row[0]), row[0]))
    return pages


def _info(req: ApiRequest, eid: str, page: dict[str, Any]) -> None:
    ent = req.state.repo.get(eid)
    assert ent is not None
    size = req.state.repo.db.pageinfo([eid])[eid][3]
    page.update({"contentmodel": "wikibase-item" if eid[0] == "Q" else "wikibase-property",
                 "pagelanguage": "en", "pagelanguagehtmlcode": "en", "pagelanguagedir": "ltr",
                 "touched": ent["modified"], "lastrevid": ent["lastrevid"], "length": size})
    if req.state.redirects.target(eid):
        page["redirect"] = True if _fv2(req) else ""


def _revisions(req: ApiRequest, eid: str, page: dict[str, Any], single: bool) -> None:
    props = set(req.multi("rvprop") or ["ids", "timestamp", "flags", "comment", "user"])
    limit = (req.integer("rvlimit", 10, 1, 500) or 10) if single else 1
    order = "ASC" if req.params.get("rvdir") == "newer" else "DESC"
    rows = req.state.repo.db.reader.execute(
        f"SELECT revid, json, user, summary, tags, timestamp FROM revisions WHERE entity=? "
        f"ORDER BY revid {order}", (eid,)).fetchall()
    revids = sorted(r[0] for r in rows)
    start = req.integer("rvstartid") or req.integer("rvcontinue")
    if start:
        rows = [r for r in rows if (r[0] <= start if order == "DESC" else r[0] >= start)]
    revs = []
    for revid, text, user, summary, tags, stamp in rows[:limit]:
        pos = revids.index(revid)
        rev: dict[str, Any] = {"revid": revid, "parentid": revids[pos - 1] if pos else 0}
        if "user" in props:
            rev["user"] = user or "Seed"
        if "timestamp" in props:
            rev["timestamp"] = stamp
        if "comment" in props:
            rev["comment"] = summary or ""
        if "size" in props:
            rev["size"] = len(text)
        if "tags" in props:
            rev["tags"] = [t for t in (tags or "").split("|") if t]
        if "content" in props:
            model = "wikibase-item" if eid[0] == "Q" else "wikibase-property"
            body = {"contentmodel": model, "contentformat": "application/json"}
            body["content" if _fv2(req) else "*"] = text
            rev["slots"] = {"main": body}
        revs.append(rev)
    if single and len(rows) > limit:
        out_cont = rows[limit][0]
        page["_continue"] = {"rvcontinue": str(out_cont), "continue": "||"}
    page["revisions"] = revs


def pages(req: ApiRequest, out: dict[str, Any]) -> Any:
    """The ``pages`` of the answer (dict by page id in fv1, a list in fv2)."""
    selected = selected_entities(req, out)
    props = set(req.multi("prop"))
    result: list[dict[str, Any]] = []
    missing = 0
    for title, eid in selected:
        if eid is None or req.state.repo.get(eid) is None:
            missing -= 1
            page: dict[str, Any] = {"ns": 120 if title.startswith("Property:") else 0,
                                    "title": title}
            page["missing"] = True if _fv2(req) else ""
            result.append({"_key": str(missing), **page})
            continue
        pageid = req.state.repo.db.pageinfo([eid])[eid][0]
        page = {"pageid": pageid, "ns": 0 if eid[0] == "Q" else 120, "title": title_of(eid)}
        if "info" in props:
            _info(req, eid, page)
        if "revisions" in props:
            single = len(selected) == 1 and any(
                f"rv{k}" in req.params for k in ("limit", "startid", "endid", "dir", "user",
                                                 "start", "end", "continue"))
            _revisions(req, eid, page, single=single)
            if "_continue" in page:
                out["continue"] = page.pop("_continue")
        result.append({"_key": str(pageid), **page})
    if _fv2(req):
        return [{k: v for k, v in p.items() if k != "_key"} for p in result]
    return {p["_key"]: {k: v for k, v in p.items() if k != "_key"} for p in result}
