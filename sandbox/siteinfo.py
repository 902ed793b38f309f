"""``meta=siteinfo`` (every ``siprop`` pywikibot and the Node clients ask for) and
``meta=wikibase``, shaped for ``formatversion`` 1 or 2 like MediaWiki 1.43."""

from __future__ import annotations

from typing import Any

from sandbox.actions_auth import GROUP_RIGHTS
from sandbox.api_request import ApiRequest
from sandbox.languages import LANGUAGES
from sandbox.store import now_iso

GENERATOR = "MediaWiki 1.43.0"
#: id → (name, canonical name, content model of pages there, is content namespace).
NAMESPACES: dict[int, tuple[str, str, str, bool]] = {
    -2: ("Media", "Media", "", False), -1: ("Special", "Special", "", False),
    0: ("", "", "wikibase-item", True), 1: ("Talk", "Talk", "wikitext", False),
    2: ("User", "User", "wikitext", False), 3: ("User talk", "User talk", "wikitext", False),
    4: ("wlkit sandbox", "Project", "wikitext", False),
    5: ("wlkit sandbox talk", "Project talk", "wikitext", False),
    6: ("File", "File", "wikitext", False), 7: ("File talk", "File talk", "wikitext", False),
    8: ("MediaWiki", "MediaWiki", "wikitext", False),
    9: ("MediaWiki talk", "MediaWiki talk", "wikitext", False),
    10: ("Template", "Template", "wikitext", False),
    11: ("Template talk", "Template talk", "wikitext", False),
    12: ("Help", "Help", "wikitext", False), 13: ("Help talk", "Help talk", "wikitext", False),
    14: ("Category", "Category", "wikitext", False),
    15: ("Category talk", "Category talk", "wikitext", False),
    120: ("Property", "Property", "wikibase-property", True),
    121: ("Property talk", "Property talk", "wikitext", False),
    486: ("Data", "Data", "json", False), 487: ("Data talk", "Data talk", "wikitext", False),
}
NAMESPACE_ALIASES = [(6, "Image"), (7, "Image talk"), (4, "WLKIT"), (120, "P")]
FILE_EXTENSIONS = ("png", "gif", "jpg", "jpeg", "webp", "tif", "tiff", "svg", "pdf", "ogg")


def _flag(req: ApiRequest, out: dict[str, Any], key: str, value: bool) -> None:
    """A boolean the MediaWiki way: fv2 ``true``/``false``, fv1 ``""`` when true, else absent."""
    if req.params.get("formatversion") in ("2", "latest"):
        out[key] = value
    elif value:
        out[key] = ""


def _general(req: ApiRequest) -> dict[str, Any]:
    host = req.host
    out: dict[str, Any] = {
        "mainpage": "Main Page", "base": f"http://{host}/wiki/Main_Page",
        "sitename": "wlkit sandbox", "mainpageisdomainroot": False, "logo": "",
        "generator": GENERATOR, "phpversion": "8.3.0", "phpsapi": "cli-server",
        "dbtype": "sqlite", "dbversion": "3", "langconversion": "", "titleconversion": "",
        "linkprefixcharset": "", "linkprefix": "", "linktrail": "/^([a-z]+)(.*)$/sD",
        "legaltitlechars": " %!\"$&'()*,\\-.\\/0-9:;=?@A-Z\\\\^_`a-z~\\x80-\\xFF+",
        "invalidusernamechars": "@:>=", "case": "first-letter", "lang": "en",
        "fallback": [], "fallback8bitEncoding": "windows-1252",
        "maxarticlesize": 2097152, "timezone": "UTC", "timeoffset": 0,
        "articlepath": "/wiki/$1", "scriptpath": "/w", "script": "/w/index.php",
        "variantarticlepath": False, "server": f"http://{host}", "servername":
        host.split(":")[0], "wikiid": "wlkitsandbox", "time": now_iso(),
        "maxuploadsize": 104857600, "minuploadchunksize": 1024,
        "thumblimits": {str(i): w for i, w in enumerate((120, 150, 180, 200, 220, 250, 300,
                                                          400))},
        "imagelimits": {str(i): {"width": w, "height": h} for i, (w, h) in enumerate(
            ((320, 240), (640, 480), (800, 600), (1024, 768), (1280, 1024)))},
        "favicon": f"http://{host}/favicon.ico", "centralidlookupprovider": "local",
        "allcentralidlookupproviders": ["local"], "magiclinks": {"ISBN": False, "PMID": False,
                                                                  "RFC": False},
        "categorycollation": "uppercase", "citeresponsivereferences": True,
        "wikibase-conceptbaseuri": req.state.repo.vocab.entity,
        # geo-shapes and tabular data live on the sandbox itself (never on Commons).
        "wikibase-geoshapestoragebaseurl": f"http://{host}/wiki/",
        "wikibase-tabulardatastoragebaseurl": f"http://{host}/wiki/",
        "wikibase-sparql": "", "externallinktarget": False,
    }
    for key in ("rtl", "readonly", "uploadsenabled", "misermode", "imagewhitelistenabled"):
        _flag(req, out, key, False)
    _flag(req, out, "writeapi", True)
    return out


def _namespaces(req: ApiRequest) -> dict[str, Any]:
    out = {}
    for ns_id, (name, canonical, model, content) in NAMESPACES.items():
        entry: dict[str, Any] = {"id": ns_id, "case": "first-letter", "name": name, "*": name}
        if ns_id != 0:
            entry["canonical"] = canonical
        if model:
            entry["defaultcontentmodel"] = model
        _flag(req, entry, "subpages", ns_id in (2, 3, 4, 5, 12, 13))
        _flag(req, entry, "content", content)
        _flag(req, entry, "nonincludable", False)
        out[str(ns_id)] = entry
    return out


def _statistics(req: ApiRequest) -> dict[str, Any]:
    """``edits`` is the latest revision id, so it changes with every save (clients key cached
    lookups by it)."""
    edits, pages = req.state.repo.db.reader.execute(
        "SELECT COALESCE(MAX(revid), 0), (SELECT COUNT(*) FROM entities) FROM revisions"
    ).fetchone()
    return {"pages": pages, "articles": pages, "edits": edits, "images": 0, "users": 1,
            "activeusers": 1, "admins": 1, "jobs": 0}


def _extensions(req: ApiRequest) -> list[dict[str, Any]]:
    return [{"type": "wikibase", "name": name, "version": "1.43.0", "author": "wlkit sandbox"}
            for name in ("WikibaseRepository", "WikibaseCirrusSearch", "CirrusSearch")]


_PROPS: dict[str, Any] = {
    "general": _general,
    "namespaces": _namespaces,
    "namespacealiases": lambda req: [{"id": i, "alias": a, "*": a}
                                     for i, a in NAMESPACE_ALIASES],
    "statistics": _statistics,
    "extensions": _extensions,
    "usergroups": lambda req: [{"name": g, "rights": r} for g, r in GROUP_RIGHTS.items()],
    "fileextensions": lambda req: [{"ext": e} for e in FILE_EXTENSIONS],
    "languages": lambda req: [{"code": c, "bcp47": c, "name": c, "*": c}
                              for c in sorted(LANGUAGES)],
    "skins": lambda req: [{"code": "vector", "name": "Vector", "*": "Vector", "default": True}],
    "rightsinfo": lambda req: {"url": "https://creativecommons.org/publicdomain/zero/1.0/",
                               "text": "CC0"},
    "restrictions": lambda req: {"types": ["create", "edit", "move", "upload"],
                                 "levels": ["", "autoconfirmed", "sysop"],
                                 "cascadinglevels": ["sysop"],
                                 "semiprotectedlevels": ["autoconfirmed"]},
    "protocols": lambda req: ["http://", "https://", "ftp://", "mailto:", "//"],
    "dbrepllag": lambda req: [{"host": "localhost", "lag": 0}],
    "defaultoptions": lambda req: {"language": "en", "skin": "vector"},
    "interwikimap": lambda req: [], "magicwords": lambda req: [],
    "specialpagealiases": lambda req: [], "libraries": lambda req: [],
    "extensiontags": lambda req: [], "functionhooks": lambda req: [],
    "showhooks": lambda req: [], "variables": lambda req: [],
    "languagevariants": lambda req: {}, "uploaddialog": lambda req: {},
    "copyuploaddomains": lambda req: [], "clientlibraries": lambda req: [],
    "autocreatetempuser": lambda req: {"enabled": False},
}


def meta_siteinfo(req: ApiRequest) -> dict[str, Any]:
    """``meta=siteinfo`` with ``siprop`` (default ``general``); unknown props are warnings."""
    out: dict[str, Any] = {}
    unknown = []
    for prop in req.multi("siprop") or ["general"]:
        if prop in _PROPS:
            out[prop] = _PROPS[prop](req)
        else:
            unknown.append(prop)
    if unknown:
        values = ", ".join(unknown)
        req.warn("siteinfo", f"Unrecognized value{'s' if len(unknown) > 1 else ''} for "
                             f"parameter \"siprop\": {values}.")
    return out


def meta_wikibase(req: ApiRequest) -> dict[str, Any]:
    """``meta=wikibase``: where the repository is (this same site)."""
    return {"wikibase": {"repo": {"url": {"base": f"http://{req.host}", "scriptpath": "/w",
                                          "articlepath": "/wiki/$1"}},
                         "siteid": "wlkitsandbox"}}


METAS = {"siteinfo": meta_siteinfo, "wikibase": meta_wikibase}
