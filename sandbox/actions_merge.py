"""``wbmergeitems``: move everything of one item onto another and leave a redirect."""

from __future__ import annotations

from typing import Any

from sandbox.api_request import ApiRequest
from sandbox.edit_common import checked_id, current, save
from sandbox.entity import new_guid
from sandbox.wikibase_errors import ApiFailure, modification_failed

_IGNORABLE = ("description", "sitelink", "statement")


def _conflict(what: str, key: str) -> ApiFailure:
    return modification_failed("wikibase-itemmerge-failed-modify", [what, key],
                               f"Conflicting {what}s for {key}")


def _merged_terms(src: dict[str, Any], dst: dict[str, Any], ignore: set[str]
                  ) -> dict[str, Any]:
    labels = dict(dst.get("labels", {}))
    aliases = {lang: [a["value"] for a in group] for lang, group in dst.get("aliases", {}).items()}
    for lang, label in src.get("labels", {}).items():
        if lang not in labels:
            labels[lang] = label
        elif labels[lang]["value"] != label["value"]:
            aliases.setdefault(lang, []).append(label["value"])  # as Wikibase: label → alias
    for lang, group in src.get("aliases", {}).items():
        aliases.setdefault(lang, []).extend(a["value"] for a in group)
    descriptions = dict(dst.get("descriptions", {}))
    for lang, desc in src.get("descriptions", {}).items():
        if lang in descriptions and descriptions[lang]["value"] != desc["value"]:
            if "description" not in ignore:
                raise _conflict("description", lang)
            continue
        descriptions[lang] = desc
    return {"labels": labels, "descriptions": descriptions,
            "aliases": {lang: [{"language": lang, "value": v} for v in dict.fromkeys(values)
                               if v != labels.get(lang, {}).get("value")]
                        for lang, values in aliases.items()}}


def _merged_sitelinks(src: dict[str, Any], dst: dict[str, Any], ignore: set[str]
                      ) -> dict[str, Any]:
    links = dict(dst.get("sitelinks", {}))
    for site, link in src.get("sitelinks", {}).items():
        if site in links and links[site]["title"] != link["title"]:
            if "sitelink" not in ignore:
                raise _conflict("sitelink", site)
            continue
        links[site] = {k: link[k] for k in ("site", "title", "badges")}
    return links


def _moved_statements(src: dict[str, Any], dst: dict[str, Any], to_id: str) -> list[dict]:
    have = {(s["mainsnak"].get("property"), str(s["mainsnak"].get("datavalue")))
            for stmts in dst.get("claims", {}).values() for s in stmts}
    moved = []
    for stmts in src.get("claims", {}).values():
        for stmt in stmts:
            key = (stmt["mainsnak"].get("property"), str(stmt["mainsnak"].get("datavalue")))
            if key in have and not stmt.get("qualifiers") and not stmt.get("references"):
                continue  # the same plain statement is there already
            moved.append({**stmt, "id": new_guid(to_id)})
    return moved


def action_wbmergeitems(req: ApiRequest) -> dict[str, Any]:
    """``wbmergeitems`` (``fromid``, ``toid``, ``ignoreconflicts``): merge, then redirect."""
    from_id, to_id = checked_id(req.require("fromid")), checked_id(req.require("toid"))
    if from_id[0] != "Q" or to_id[0] != "Q":
        raise ApiFailure("not-item", "The entities must be items")
    if from_id == to_id:
        raise modification_failed("wikibase-itemmerge-cant-merge-self", [],
                                  "You can't merge an item with itself")
    ignore = set(req.multi("ignoreconflicts"))
    unknown = ignore - set(_IGNORABLE)
    if unknown:
        raise ApiFailure("badvalue", f"Unrecognized value for parameter \"ignoreconflicts\": "
                                     f"{sorted(unknown)[0]}.")
    src, dst = current(req, from_id), current(req, to_id)
    data: dict[str, Any] = _merged_terms(src, dst, ignore)
    data["sitelinks"] = _merged_sitelinks(src, dst, ignore)
    data["claims"] = _moved_statements(src, dst, to_id)
    emptied, _ = save(req, {}, from_id, clear=True)
    merged, _ = save(req, data, to_id)
    req.state.repo.redirect(from_id, to_id)
    return {"success": 1, "redirected": 1,
            "from": {"id": from_id, "type": "item", "lastrevid": emptied["lastrevid"]},
            "to": {"id": to_id, "type": "item", "lastrevid": merged["lastrevid"]}}


ACTIONS = {"wbmergeitems": action_wbmergeitems}
