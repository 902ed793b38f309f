"""Prop modules of the local Commons: what ``prop=…`` adds to each page of the page set.

Each module takes ``(store, params, pages, more)``: it adds its key to the page dicts and puts
its continuation parameter in ``more`` when its limit cut the answer (``clcontinue``,
``tlcontinue``, ``pageid|value``), as MediaWiki does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.commons.params import limit_of, split
from sandbox.commons.store import CommonsStore
from sandbox.wikibase_errors import ApiFailure

Prop = Callable[[CommonsStore, dict[str, str], list[dict[str, Any]], dict[str, str]], None]
FILE_URL = "https://upload.wikimedia.org/wikipedia/commons/"


def _exif_display(value: str) -> str:
    """``2026:09:03 14:05:09`` (EXIF) → ``2026-09-03 14:05:09`` (as extmetadata shows it)."""
    date, _, time = value.partition(" ")
    return f"{date.replace(':', '-')} {time}".strip()


def _extmetadata(info: dict[str, Any], categories: list[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "DateTime": {"value": info["timestamp"].replace("T", " ").rstrip("Z"),
                     "source": "mediawiki-metadata", "hidden": ""},
        "ObjectName": {"value": "", "source": "mediawiki-metadata"},
        "Categories": {"value": "|".join(categories), "source": "commons-categories",
                       "hidden": ""},
    }
    if info["exif_datetime"]:
        meta["DateTimeOriginal"] = {"value": _exif_display(info["exif_datetime"]),
                                    "source": "file-metadata"}
    return meta


def imageinfo(store: CommonsStore, params: dict[str, str], pages: list[dict[str, Any]],
              more: dict[str, str]) -> None:
    """``prop=imageinfo`` (``iiprop`` timestamp, user, size, dimensions, sha1, mime, url,
    extmetadata)."""
    props = set(split(params.get("iiprop") or "timestamp|user"))
    for page in pages:
        info = store.file(page["pageid"])
        if info is None:
            continue
        page["imagerepository"] = "local"
        row: dict[str, Any] = {}
        if "timestamp" in props:
            row["timestamp"] = info["timestamp"]
        if "user" in props:
            row["user"] = info["uploader"]
        if props & {"size", "dimensions"}:
            row.update(size=info["size"], width=info["width"], height=info["height"])
        if "sha1" in props:
            row["sha1"] = info["sha1"]
        if "mime" in props:
            row["mime"] = info["mime"]
        if "url" in props:
            name = page["title"].split(":", 1)[1].replace(" ", "_")
            row["url"] = FILE_URL + name
            row["descriptionurl"] = "https://commons.wikimedia.org/wiki/File:" + name
        if "extmetadata" in props:
            cats = [c for _, c, _, _ in store.categories_of([page["pageid"]])]
            row["extmetadata"] = _extmetadata(info, cats)
        page["imageinfo"] = [row]


def _paged(rows: list[tuple[Any, ...]], params: dict[str, str], name: str
           ) -> tuple[list[tuple[Any, ...]], str | None]:
    """Cut ``(pageid, value, …)`` rows at ``<name>continue`` and ``<name>limit``."""
    start = params.get(name + "continue")
    if start:
        try:
            pid, value = start.split("|", 1)
            key = (int(pid), value.replace("_", " "))
        except ValueError:
            raise ApiFailure("badcontinue", "Invalid continue param. You should pass the "
                                            "original value returned by the previous query.") from None
        rows = [r for r in rows if (r[0], r[1]) >= key]
    limit = limit_of(params, name + "limit")
    if len(rows) > limit:
        nxt = rows[limit]
        return rows[:limit], f"{nxt[0]}|{nxt[1].replace(' ', '_')}"
    return rows, None


def categories(store: CommonsStore, params: dict[str, str], pages: list[dict[str, Any]],
               more: dict[str, str]) -> None:
    """``prop=categories`` with ``clprop=sortkey`` (hex sort key + ``sortkeyprefix``)."""
    props = set(split(params.get("clprop")))
    by_id = {p["pageid"]: p for p in pages}
    rows, nxt = _paged(store.categories_of(sorted(by_id)), params, "cl")
    for pageid, cat, key, prefix in rows:
        entry: dict[str, Any] = {"ns": 14, "title": f"Category:{cat}"}
        if "sortkey" in props:
            entry.update(sortkey=key.encode("utf-8").hex(), sortkeyprefix=prefix)
        by_id[pageid].setdefault("categories", []).append(entry)
    if nxt:
        more["clcontinue"] = nxt


def templates(store: CommonsStore, params: dict[str, str], pages: list[dict[str, Any]],
              more: dict[str, str]) -> None:
    """``prop=templates`` (every transcluded page, ``tlcontinue``)."""
    by_id = {p["pageid"]: p for p in pages}
    rows = [(pid, t.split(":", 1)[1] if t.startswith("Template:") else t, t)
            for pid, t in store.templates_of(sorted(by_id))]
    cut, nxt = _paged(rows, params, "tl")
    for pageid, _, title in cut:
        by_id[pageid].setdefault("templates", []).append({"ns": 10, "title": title})
    if nxt:
        more["tlcontinue"] = nxt


def revisions(store: CommonsStore, params: dict[str, str], pages: list[dict[str, Any]],
              more: dict[str, str]) -> None:
    """``prop=revisions``: the current revision (``rvprop`` ids, user, timestamp, content)."""
    props = set(split(params.get("rvprop") or "ids|timestamp|flags|comment|user"))
    for page in pages:
        row = store.current_revision(page["pageid"])
        if row is None:
            continue
        rev: dict[str, Any] = {}
        if "ids" in props:
            rev.update(revid=row[0], parentid=0)
        if "user" in props:
            rev["user"] = row[1]
        if "timestamp" in props:
            rev["timestamp"] = row[2]
        if "comment" in props:
            rev["comment"] = row[3]
        if "content" in props:
            rev["slots"] = {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki",
                                     "content": row[4]}}
        page["revisions"] = [rev]


def globalusage(store: CommonsStore, params: dict[str, str], pages: list[dict[str, Any]],
                more: dict[str, str]) -> None:
    """``prop=globalusage``: pages on other wikis that show the file."""
    for page in pages:
        page["globalusage"] = [
            {"title": t, "wiki": w, "url": f"https://{w}/wiki/{t.replace(' ', '_')}"}
            for w, t in store.globalusage_of(page["pageid"])]


def info(store: CommonsStore, params: dict[str, str], pages: list[dict[str, Any]],
         more: dict[str, str]) -> None:
    """``prop=info``: last revision, touched, length, content model."""
    for page in pages:
        row = store.page(pageid=page["pageid"])
        if row:
            page.update(contentmodel="wikitext", pagelanguage="en", touched=row["touched"],
                        lastrevid=row["revid"], length=len(row["wikitext"].encode("utf-8")))


PROPS: dict[str, Prop] = {"imageinfo": imageinfo, "categories": categories,
                          "templates": templates, "revisions": revisions,
                          "globalusage": globalusage, "info": info}
