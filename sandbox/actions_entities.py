"""Entity actions: ``wbgetentities``, ``wbeditentity``, ``wbsearchentities``."""

from __future__ import annotations

from typing import Any

from sandbox.api_request import ApiRequest
from sandbox.edit_common import save, target_id
from sandbox.entity import ENTITY_ID_RE, with_urls
from sandbox.store import now_iso
from sandbox.wikibase_errors import ApiFailure, edit_conflict

DEFAULT_PROPS = ("info", "sitelinks", "aliases", "labels", "descriptions", "claims", "datatype")
_NO_IDS = "Either provide the item \"ids\" or pairs of \"sites\" and \"titles\" for corresponding pages"


def project(ent: dict[str, Any], props: set[str], languages: set[str] | None) -> dict[str, Any]:
    """wbgetentities record for ``props`` and ``languages``."""
    out: dict[str, Any] = {}
    if "info" in props:
        for key in ("pageid", "ns", "title", "lastrevid", "modified"):
            out[key] = ent[key]
    out["type"] = ent["type"]
    out["id"] = ent["id"]
    if ent["type"] == "property":  # Wikibase gives a property's datatype whatever ``props`` is
        out["datatype"] = ent["datatype"]
    for key in ("labels", "descriptions", "aliases"):
        if key in props:
            terms = ent.get(key, {})
            out[key] = {k: v for k, v in terms.items() if languages is None or k in languages}
    if "claims" in props:
        out["claims"] = ent.get("claims", {})
    if ent["type"] == "item" and ("sitelinks" in props or "sitelinks/urls" in props):
        out["sitelinks"] = (with_urls(ent)["sitelinks"] if "sitelinks/urls" in props
                            else ent.get("sitelinks", {}))
    return out


def _requested_ids(req: ApiRequest) -> tuple[list[str], list[str], list[str]]:
    ids, titles, sites = req.multi("ids"), req.multi("titles"), req.multi("sites")
    user = req.user
    limit = 500 if user and "bot" in user["groups"] else 50
    if len(ids) > limit or len(titles) > limit:
        raise ApiFailure("toomanyvalues", f"Too many values supplied for parameter "
                                          f"\"{'ids' if len(ids) > limit else 'titles'}\". "
                                          f"The limit is {limit}.",
                         extra={"limit": limit, "lowlimit": 50, "highlimit": 500})
    if titles:
        if len(sites) != 1:
            raise ApiFailure("param-missing", _NO_IDS)
        for title in titles:
            row = req.state.repo.db.reader.execute(
                "SELECT entity FROM terms WHERE kind='sitelink' AND lang=? AND value=?",
                (sites[0], title.replace("_", " "))).fetchone()
            ids.append(row[0] if row else "")
    if not ids:
        raise ApiFailure("param-missing", _NO_IDS)
    return ids, titles, sites


def action_wbgetentities(req: ApiRequest) -> dict[str, Any]:
    """``wbgetentities`` by ``ids`` or ``sites``+``titles`` with ``props`` and ``languages``."""
    repo = req.state.repo
    ids, titles, sites = _requested_ids(req)
    props = set(req.multi("props")) if "props" in req.params else set(DEFAULT_PROPS)
    unknown = props - set(DEFAULT_PROPS) - {"sitelinks/urls"}
    if unknown:
        raise ApiFailure("badvalue", f"Unrecognized value for parameter \"props\": "
                                     f"{sorted(unknown)[0]}.")
    languages = set(req.multi("languages")) or None
    entities: dict[str, Any] = {}
    for n, raw_id in enumerate(ids):
        eid = raw_id.strip()
        if titles and eid == "":
            entities[str(-1 - n)] = {"site": sites[0], "title": titles[n], "missing": ""}
            continue
        norm = eid.upper()
        if not ENTITY_ID_RE.match(norm) or norm[0] == "L":
            raise ApiFailure("no-such-entity", f"Could not find an entity with the ID "
                                               f"\"{eid}\".", extra={"id": eid})
        target = req.state.redirects.target(norm)
        ent = repo.get(target or norm)
        if ent is None:
            entities[eid] = {"id": norm, "missing": ""}
            continue
        record = project(ent, props, languages)
        if target:
            record["redirects"] = {"from": norm, "to": target}
        entities[target or eid] = record
    return {"entities": entities, "success": 1}


def action_wbeditentity(req: ApiRequest) -> dict[str, Any]:
    """``wbeditentity``: create or change an entity; every call goes to the edit log."""
    params = req.params
    if "new" in params and ("id" in params or "site" in params):
        raise ApiFailure("param-illegal", "Either provide the item \"id\" or \"new\", not both.")
    eid = None
    if "new" not in params:
        if "id" not in params and not ("site" in params and "title" in params):
            raise ApiFailure("no-such-entity", "Either provide the item \"id\" or \"new\".")
        eid = target_id(req)
    if req.state.faults.take("editconflict", "wbeditentity"):
        req.state.record_edit({"id": eid, "new": params.get("new"), "ok": False,
                               "user": req.user["name"] if req.user else None,
                               "error": "failed-save", "at": now_iso()})
        raise edit_conflict()
    data = req.json("data")
    entity, nochange = save(req, data if isinstance(data, dict) else {"_": data}, eid,
                            new=params.get("new"), clear=req.flag("clear"))
    result: dict[str, Any] = {"entity": entity, "success": 1}
    if nochange:
        result["entity"]["nochange"] = ""
    return result


def _search_hit(req: ApiRequest, eid: str, language: str, match: dict[str, Any]
                ) -> dict[str, Any]:
    ent = req.state.repo.get(eid) or {}
    labels = ent.get("labels", {})
    label = labels.get(language) or next(iter(labels.values()), None)
    desc = ent.get("descriptions", {}).get(language)
    hit: dict[str, Any] = {
        "id": eid, "title": ent.get("title", eid), "pageid": ent.get("pageid"),
        "repository": "local", "url": f"//{req.host}/wiki/{ent.get('title', eid)}",
        "concepturi": req.state.repo.vocab.entity + eid,
        "label": label["value"] if label else eid,
        "match": match,
    }
    if label:
        hit["display"] = {"label": {"value": label["value"], "language": label["language"]}}
    if desc:
        hit["description"] = desc["value"]
        hit.setdefault("display", {})["description"] = {"value": desc["value"],
                                                        "language": desc["language"]}
    aliases = [a["value"] for a in ent.get("aliases", {}).get(language, [])]
    if aliases:
        hit["aliases"] = aliases
    if ent.get("type") == "property":
        hit["datatype"] = ent.get("datatype")
    return hit


def action_wbsearchentities(req: ApiRequest) -> dict[str, Any]:
    """``wbsearchentities``: prefix search on labels and aliases, exact id match first."""
    params = req.params
    search, language = req.require("search"), req.require("language")
    etype = params.get("type", "item")
    limit = req.integer("limit", 7, 1, 50) or 7
    offset = req.integer("continue", 0, 0) or 0
    strict = req.flag("strict_language")
    repo = req.state.repo
    hits: list[dict[str, Any]] = []
    norm = search.strip().upper()
    seen: set[str] = set()
    if ENTITY_ID_RE.match(norm) and norm[0] == ("Q" if etype == "item" else "P") and \
            repo.db.exists(norm) and offset == 0:
        seen.add(norm)
        hits.append(_search_hit(req, norm, language, {"type": "entityId", "text": norm}))
    rows = repo.db.search_terms(search.strip(), language if strict else None, etype,
                                limit + 1, offset) if search.strip() else []
    for eid, kind, lang, value in rows:
        if eid in seen:
            continue
        seen.add(eid)
        hits.append(_search_hit(req, eid, language, {"type": kind, "language": lang,
                                                     "text": value}))
    out: dict[str, Any] = {"searchinfo": {"search": search}, "search": hits[:limit]}
    if len(hits) > limit and offset + limit < 50:
        out["search-continue"] = offset + limit
    out["success"] = 1
    return out


ACTIONS = {"wbgetentities": action_wbgetentities, "wbeditentity": action_wbeditentity,
           "wbsearchentities": action_wbsearchentities}
