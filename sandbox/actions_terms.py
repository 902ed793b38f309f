"""Term and sitelink actions: ``wbsetlabel``, ``wbsetdescription``, ``wbsetaliases``,
``wbsetsitelink`` (each one wbeditentity on the server side, answered in its own shape)."""

from __future__ import annotations

from typing import Any

from sandbox.api_request import ApiRequest, split_values
from sandbox.edit_common import save, target_id
from sandbox.wikibase_errors import ApiFailure


def _answer(entity: dict[str, Any], nochange: bool, key: str, part: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": entity["id"], "type": entity["type"],
                           "lastrevid": entity["lastrevid"], key: part}
    if nochange:
        out["nochange"] = ""
    return {"entity": out, "success": 1}


def _set_term(req: ApiRequest, key: str) -> dict[str, Any]:
    eid = target_id(req)
    language = req.require("language")
    value = req.params.get("value", "")
    term: dict[str, Any] = {"language": language, "value": value}
    if value == "":
        term["remove"] = ""
    entity, nochange = save(req, {key: {language: term}}, eid)
    part = entity.get(key, {}).get(language) or {"language": language, "removed": ""}
    return _answer(entity, nochange, key, {language: part})


def action_wbsetlabel(req: ApiRequest) -> dict[str, Any]:
    """``wbsetlabel``: set (or with an empty value remove) one label."""
    return _set_term(req, "labels")


def action_wbsetdescription(req: ApiRequest) -> dict[str, Any]:
    """``wbsetdescription``: set (or with an empty value remove) one description."""
    return _set_term(req, "descriptions")


def action_wbsetaliases(req: ApiRequest) -> dict[str, Any]:
    """``wbsetaliases``: ``set`` replaces the aliases of a language; ``add``/``remove`` edit them."""
    eid = target_id(req)
    language = req.require("language")
    params = req.params
    if "set" in params and ("add" in params or "remove" in params):
        raise ApiFailure("invalidparammix", "The parameters \"set\" and \"add\" or \"remove\" "
                                            "can not be used together.")
    if not any(k in params for k in ("set", "add", "remove")):
        raise ApiFailure("missingparam", "At least one of the parameters \"add\", \"remove\" "
                                         "and \"set\" is required.")
    if "set" in params:
        items = [{"language": language, "value": v} for v in split_values(params["set"])]
        data = {"aliases": {language: items}} if items else \
            {"aliases": {language: [{"language": language, "value": a, "remove": ""}
                                    for a in _aliases(req, eid, language)]}}
    else:
        items = [{"language": language, "value": v, "add": ""}
                 for v in split_values(params.get("add"))]
        items += [{"language": language, "value": v, "remove": ""}
                  for v in split_values(params.get("remove"))]
        data = {"aliases": {language: items}}
    entity, nochange = save(req, data, eid)
    return _answer(entity, nochange, "aliases", {language: entity.get("aliases", {})
                                                 .get(language, [])})


def _aliases(req: ApiRequest, eid: str, language: str) -> list[str]:
    ent = req.state.repo.get(eid) or {}
    return [a["value"] for a in ent.get("aliases", {}).get(language, [])]


def action_wbsetsitelink(req: ApiRequest) -> dict[str, Any]:
    """``wbsetsitelink``: set, re-badge or (without ``linktitle``) remove one sitelink."""
    eid = target_id(req)
    site = req.require("linksite")
    link: dict[str, Any] = {"site": site}
    if "linktitle" in req.params:
        link["title"] = req.params["linktitle"]
    if "badges" in req.params:
        link["badges"] = req.multi("badges")
    if "title" not in link and "badges" not in link:
        link["remove"] = ""
    entity, nochange = save(req, {"sitelinks": {site: link}}, eid)
    part = entity.get("sitelinks", {}).get(site) or {"site": site, "removed": "", "title": ""}
    return _answer(entity, nochange, "sitelinks", {site: part})


ACTIONS = {"wbsetlabel": action_wbsetlabel, "wbsetdescription": action_wbsetdescription,
           "wbsetaliases": action_wbsetaliases, "wbsetsitelink": action_wbsetsitelink}
