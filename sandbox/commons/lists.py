"""List modules of the local Commons (``list=…`` and, with a ``g`` prefix, ``generator=…``).

Each module takes ``(store, params, g)`` where ``g`` is ``""`` for a list and ``"g"`` for a
generator, and returns ``(result key, rows, continuation parameters)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.commons.params import limit_of, normalise_title, split
from sandbox.commons.store import CommonsStore
from sandbox.wikibase_errors import ApiFailure

Module = Callable[[CommonsStore, dict[str, str], str], tuple[str, list[dict[str, Any]],
                                                             dict[str, str]]]
TYPES = ("page", "subcat", "file")


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if value is None:
        raise ApiFailure("missingparam", f"The \"{name}\" parameter must be set.")
    return value


def categorymembers(store: CommonsStore, params: dict[str, str], g: str
                    ) -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    """``list=categorymembers``: members sorted by (type, sort key, pageid)."""
    p = g + "cm"
    title = normalise_title(_required(params, p + "title"))
    if not title.startswith("Category:"):
        raise ApiFailure("invalidcategory", "The category name you entered is not valid.")
    types = set(split(params.get(p + "type"))) or set(TYPES)
    if types - set(TYPES):
        raise ApiFailure("badvalue", f"Unrecognized value for parameter \"{p}type\".")
    limit = limit_of(params, p + "limit")
    after = None
    if params.get(p + "continue"):
        try:
            ctype, hexkey, pid = params[p + "continue"].split("|")
            after = (ctype, bytes.fromhex(hexkey).decode("utf-8"), int(pid))
        except ValueError:
            raise ApiFailure("badcontinue", "Invalid continue param. You should pass the "
                                            "original value returned by the previous query.") from None
    rows = store.members(title.split(":", 1)[1], types, after, limit + 1)
    props = set(split(params.get(p + "prop") or "ids|title"))
    out = []
    for pageid, ns, ptitle, ptype, key, prefix in rows[:limit]:
        row: dict[str, Any] = {"ns": ns, "title": ptitle} if "title" in props else {}
        if "ids" in props or g:
            row["pageid"] = pageid
        if g:
            row.update(ns=ns, title=ptitle)
        if "sortkey" in props:
            row["sortkey"] = key.encode("utf-8").hex()
        if "sortkeyprefix" in props:
            row["sortkeyprefix"] = prefix
        if "type" in props:
            row["type"] = ptype
        out.append(row)
    more = {}
    if len(rows) > limit:
        pageid, _, _, ptype, key, _ = rows[limit]
        more[p + "continue"] = f"{ptype}|{key.encode('utf-8').hex()}|{pageid}"
    return "categorymembers", out, more


def embeddedin(store: CommonsStore, params: dict[str, str], g: str
               ) -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    """``list=embeddedin``: pages transcluding a template, by pageid."""
    p = g + "ei"
    title = normalise_title(_required(params, p + "title"))
    limit = limit_of(params, p + "limit")
    after = 0
    if params.get(p + "continue"):
        after = int(params[p + "continue"].rsplit("|", 1)[-1])
    rows = store.embedded_in(title, after, limit + 1)
    out = [{"pageid": pid, "ns": ns, "title": t} for pid, ns, t in rows[:limit]]
    more = {p + "continue": f"{rows[limit][1]}|{rows[limit][0]}"} if len(rows) > limit else {}
    return "embeddedin", out, more


def _search_ids(store: CommonsStore, text: str) -> set[int]:
    result: set[int] | None = None
    everything: set[int] | None = None
    for token in text.split():
        neg = token.startswith("-")
        tok = token[1:] if neg else token
        low = tok.lower()
        if low.startswith("haswbstatement:"):
            matched: set[int] = set()
            for alt in tok.split(":", 1)[1].split("|"):
                prop, eq, value = alt.partition("=")
                matched |= store.haswbstatement(prop.upper(), value if eq else None)
        elif low.startswith("incategory:"):
            cat = tok.split(":", 1)[1].replace("_", " ").strip('"')
            matched = {r[0] for r in store.members(cat, set(TYPES), None, 10**9)}
        else:
            word = tok.strip('"').lower()
            matched = {r[0] for r in store.reader.execute(
                "SELECT pageid FROM pages WHERE instr(lower(title), ?) > 0 OR "
                "instr(lower(wikitext), ?) > 0", (word, word))}
        if neg:
            if everything is None:
                everything = {r[0] for r in store.reader.execute("SELECT pageid FROM pages")}
            result = (result if result is not None else everything) - matched
        else:
            result = matched if result is None else result & matched
    return result or set()


def search(store: CommonsStore, params: dict[str, str], g: str
           ) -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    """``list=search`` (CirrusSearch keywords ``haswbstatement:``, ``incategory:``)."""
    p = g + "sr"
    text = _required(params, p + "search")
    limit = limit_of(params, p + "limit")
    offset = int(params.get(p + "offset") or 0)
    namespaces = {int(n) for n in split(params.get(p + "namespace") or "6")}
    hits = []
    for pageid in sorted(_search_ids(store, text)):
        page = store.page(pageid=pageid)
        if page and page["ns"] in namespaces:
            hits.append(page)
    out = [{"ns": h["ns"], "title": h["title"], "pageid": h["pageid"],
            "size": len(h["wikitext"].encode("utf-8")), "wordcount": len(h["wikitext"].split()),
            "snippet": "", "timestamp": h["touched"]} for h in hits[offset:offset + limit]]
    more = {p + "offset": str(offset + limit)} if offset + limit < len(hits) else {}
    return "search", out, more


def users(store: CommonsStore, params: dict[str, str], g: str
          ) -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    """``list=users``: ``usprop=registration|editcount``; missing users flagged."""
    names = [n.replace("_", " ") for n in split(params.get("ususers"))]
    if len(names) > 50:
        raise ApiFailure("toomanyvalues", "Too many values supplied for parameter \"ususers\". "
                                          "The limit is 50.")
    props = set(split(params.get("usprop")))
    found = store.users(names) if names else {}
    out: list[dict[str, Any]] = []
    for name in names:
        if name not in found:
            out.append({"name": name, "missing": True})
            continue
        userid, registration, editcount = found[name]
        row: dict[str, Any] = {"userid": userid, "name": name}
        if "registration" in props:
            row["registration"] = registration
        if "editcount" in props:
            row["editcount"] = editcount
        out.append(row)
    return "users", out, {}


LISTS: dict[str, Module] = {"categorymembers": categorymembers, "embeddedin": embeddedin,
                            "search": search, "users": users}
GENERATORS: dict[str, Module] = {"categorymembers": categorymembers, "embeddedin": embeddedin,
                                 "search": search}
PREFIXES = {"categorymembers": "cm", "embeddedin": "ei", "search": "sr"}
