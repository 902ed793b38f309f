"""``action=paraminfo``: what the sandbox's modules accept, in MediaWiki's shape (pywikibot
builds its request logic, prefixes, limits and POST-only checks from it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sandbox.actions_query import LISTS, METAS, PROPS
from sandbox.api_request import ApiRequest
from sandbox.query_pages import GENERATORS

#: Query submodules: name → (prefix, {parameter: type}). ``limit`` parameters are limits.
QUERY_MODULES: dict[str, tuple[str, dict[str, Any]]] = {
    "tokens": ("", {"type": ["createaccount", "csrf", "deleteglobalaccount", "login", "patrol",
                             "rollback", "setglobalaccountstatus", "userrights", "watch"]}),
    "userinfo": ("ui", {"prop": ["blockinfo", "hasmsg", "groups", "rights", "editcount"]}),
    "siteinfo": ("si", {"prop": ["general", "namespaces", "namespacealiases", "statistics",
                                 "usergroups", "extensions", "fileextensions", "languages",
                                 "skins", "rightsinfo", "restrictions", "protocols",
                                 "dbrepllag", "defaultoptions", "magicwords", "interwikimap",
                                 "specialpagealiases", "libraries", "extensiontags",
                                 "functionhooks", "showhooks", "variables",
                                 "languagevariants", "uploaddialog"]}),
    "wikibase": ("wb", {"prop": ["url", "siteid"]}),
    "search": ("sr", {"search": "string", "namespace": "namespace", "limit": "limit",
                      "offset": "integer", "what": ["title", "text", "nearmatch"],
                      "prop": ["size", "wordcount", "timestamp", "snippet"],
                      "sort": ["relevance"], "qiprofile": "string"}),
    "allusers": ("au", {"from": "user", "to": "user", "prefix": "string", "limit": "limit",
                        "prop": ["groups", "editcount", "registration"], "group": "string"}),
    "usercontribs": ("uc", {"user": "user", "userprefix": "string", "limit": "limit",
                            "start": "timestamp", "end": "timestamp", "continue": "string",
                            "namespace": "namespace", "dir": ["newer", "older"],
                            "prop": ["ids", "title", "timestamp", "comment", "size",
                                     "flags", "tags"],
                            "show": [f"{neg}{v}" for v in ("autopatrolled", "minor", "new",
                                                           "patrolled", "top")
                                     for neg in ("", "!")]}),
    "recentchanges": ("rc", {"start": "timestamp", "end": "timestamp", "limit": "limit",
                             "continue": "string", "namespace": "namespace",
                             "dir": ["newer", "older"], "user": "user", "type": ["edit", "new"],
                             "prop": ["user", "comment", "title", "ids", "sizes",
                                      "timestamp", "tags", "flags"],
                             "show": [f"{neg}{v}" for v in ("anon", "autopatrolled", "bot",
                                                            "minor", "patrolled", "redirect")
                                      for neg in ("", "!")]}),
    "revisions": ("rv", {"prop": ["ids", "flags", "timestamp", "user", "comment", "size",
                                  "content", "tags", "contentmodel", "sha1"],
                         "slots": "string", "limit": "limit", "startid": "integer",
                         "endid": "integer", "dir": ["newer", "older"], "user": "user",
                         "continue": "string"}),
    "info": ("in", {"prop": ["protection", "talkid", "watched", "url", "displaytitle"],
                    "token": "string"}),
}
_GROUP: dict[str, dict[str, Any]] = {"meta": METAS, "list": LISTS, "prop": dict.fromkeys(PROPS)}


def _param(index: int, name: str, kind: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"index": index, "name": name, "type": kind}
    if isinstance(kind, list):
        entry["multi"] = True
        entry["limit"] = 50
        entry["lowlimit"] = 50
        entry["highlimit"] = 500
    elif kind == "limit":
        entry.update(type="limit", default=10, min=1, max=500, highmax=5000)
    return entry


def _module(name: str, path: str, prefix: str, params: dict[str, Any], **flags: Any
            ) -> dict[str, Any]:
    mod: dict[str, Any] = {"name": name, "classname": f"Sandbox{name.title()}", "path": path,
                           "group": path.split("+")[0] if "+" in path else "action",
                           "prefix": prefix, "source": "wlkit sandbox", "sourcename":
                           "wlkit-sandbox", "licensetag": "MIT", "helpurls": [],
                           "examples": [], "parameters": [_param(i, k, v) for i, (k, v) in
                                                          enumerate(params.items())]}
    mod.update({k: "" for k, v in flags.items() if v})
    return mod


def _main(actions: Iterable[str]) -> dict[str, Any]:
    names = sorted(actions)
    params = {"action": names, "format": ["json", "jsonfm"], "maxlag": "integer",
              "assert": ["anon", "bot", "user"], "formatversion": ["1", "2", "latest"],
              "errorformat": ["bc", "plaintext", "wikitext"], "uselang": "string"}
    mod = _module("main", "main", "", params)
    for p in mod["parameters"]:
        p.pop("multi", None)
        if p["name"] == "action":
            p["submodules"] = {n: n for n in names}
        if p["name"] == "format":
            p["submodules"] = {"json": "json", "jsonfm": "jsonfm"}
    return mod


def _query() -> dict[str, Any]:
    params: dict[str, Any] = {g: sorted(m) for g, m in _GROUP.items()}
    params.update({"generator": sorted(GENERATORS), "titles": "string", "pageids": "integer",
                   "revids": "integer", "indexpageids": "boolean", "redirects": "boolean",
                   "continue": "string"})
    mod = _module("query", "query", "", params)
    for p in mod["parameters"]:
        if p["name"] in _GROUP or p["name"] == "generator":
            p["submodules"] = {n: f"query+{n}" for n in p["type"]}
            p["submoduleparamprefix"] = "g" if p["name"] == "generator" else ""
    return mod


def module_info(path: str, actions: dict[str, Any], post_only: set[str]) -> dict[str, Any]:
    """paraminfo of one module path (``main``, ``query``, ``query+search``, ``wbeditentity``)."""
    if path == "main":
        return _main(actions)
    if path == "query":
        return _query()
    if path.startswith("query+"):
        name = path[len("query+"):]
        prefix, params = QUERY_MODULES.get(name, ("", {}))
        known = any(name in m for m in _GROUP.values())
        if not known:
            return {"name": name, "path": path, "missing": ""}
        return _module(name, path, prefix, params, generator=name in GENERATORS)
    if path not in actions:
        return {"name": path, "path": path, "missing": ""}
    return _module(path, path, "", {"token": "string", "summary": "string", "tags": "string",
                                    "bot": "boolean", "baserevid": "integer"},
                   mustbeposted=path in post_only, writerights=path in post_only)


def paraminfo_action(actions: dict[str, Callable[..., Any]], post_only: set[str]
                     ) -> Callable[[ApiRequest], dict[str, Any]]:
    """The ``paraminfo`` action over the dispatcher's action table."""
    def action_paraminfo(req: ApiRequest) -> dict[str, Any]:
        paths = req.multi("modules") + [f"query+{m}" for m in req.multi("querymodules")]
        if req.flag("mainmodule"):
            paths.append("main")
        return {"paraminfo": {"modules": [module_info(p, actions, post_only) for p in paths]}}
    return action_paraminfo
