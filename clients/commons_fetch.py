"""Read a contest from Commons into the contest stage's files (``07_contest/``, ``core.contracts``).

:func:`fetch_uploads` walks the contest category with ``generator=categorymembers`` (files only,
:data:`~clients.commons.BATCH` titles per request, continuation followed), asks for
``imageinfo|categories|templates|revisions|globalusage`` in the same request, reads the batch's
MediaInfo with one ``wbgetentities`` (P180 depicts), and appends each batch to
``uploads.parquet`` — memory stays bounded by one batch however large the contest. The
uploaders' registration dates go to ``users.parquet`` (``list=users``, 50 names per request);
:func:`fetch_category_files` writes the members of the monuments' own Commons categories (P373).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clients.commons import BATCH, CommonsClient
from core.contracts import CATEGORY_FILES_SCHEMA, UPLOADS_SCHEMA, USERS_SCHEMA
from core.layout import (
    CONTEST_CATEGORY_FILES,
    CONTEST_FETCH_SUMMARY,
    CONTEST_UPLOADS,
    CONTEST_USERS,
)

#: File names inside ``07_contest/`` (the paths are defined once, in core.layout).
UPLOADS, USERS, CATEGORY_FILES, FETCH_SUMMARY = (
    Path(p).name for p in (CONTEST_UPLOADS, CONTEST_USERS, CONTEST_CATEGORY_FILES, CONTEST_FETCH_SUMMARY))

PROPS = "imageinfo|categories|templates|revisions|globalusage"


def _exif(info: dict[str, Any]) -> str | None:
    """EXIF DateTimeOriginal as ``YYYY-MM-DDTHH:MM:SS`` (camera time, no zone), or None."""
    value = ((info.get("extmetadata") or {}).get("DateTimeOriginal") or {}).get("value")
    if not value:
        return None
    text = str(value).strip()
    date, _, clock = text.partition(" ")
    if len(date) == 10 and date[4] in ":-" and date[7] in ":-":
        date = date.replace(":", "-")
        return f"{date}T{clock[:8]}" if clock else date
    return text


def _depicts(entity: dict[str, Any]) -> list[str]:
    out = []
    for st in (entity.get("statements") or {}).get("P180", []):
        value = (st.get("mainsnak", {}).get("datavalue") or {}).get("value")
        if isinstance(value, dict) and value.get("id"):
            out.append(value["id"])
    return out


def upload_row(page: dict[str, Any], entity: dict[str, Any] | None) -> dict[str, Any]:
    """One ``uploads.parquet`` row from an API page (formatversion 2) and its MediaInfo."""
    info = (page.get("imageinfo") or [{}])[0]
    rev = (page.get("revisions") or [{}])[0]
    cats = page.get("categories", [])
    return {
        "title": page["title"], "pageid": int(page["pageid"]),
        "mediainfo_id": f"M{page['pageid']}", "uploader": info.get("user"),
        "uploaded_at": info.get("timestamp"), "sha1": info.get("sha1"),
        "width": info.get("width"), "height": info.get("height"), "size": info.get("size"),
        "mime": info.get("mime"), "exif_datetime": _exif(info),
        "categories": [c["title"] for c in cats],
        "category_sortkeys": [f"{c['title']}|{c.get('sortkeyprefix', '')}" for c in cats],
        "templates": [t["title"] for t in page.get("templates", [])],
        "wikitext": ((rev.get("slots") or {}).get("main") or {}).get("content", ""),
        "depicts": _depicts(entity or {}),
        "globalusage": len(page.get("globalusage", [])),
    }


def fetch_uploads(client: CommonsClient, category: str, out_dir: str | Path) -> dict[str, Any]:
    """Write ``uploads.parquet`` and ``users.parquet`` for every file in ``category``.

    Args:
        client: The Commons client.
        category: The contest category, with or without ``Category:``.
        out_dir: The ``07_contest`` folder (created if missing).

    Returns:
        ``{"category", "uploads", "uploaders", "batches", "requests"}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    title = category if category.startswith("Category:") else f"Category:{category}"
    params = {"generator": "categorymembers", "gcmtitle": title, "gcmtype": "file",
              "gcmlimit": str(BATCH), "prop": PROPS,
              "iiprop": "timestamp|user|size|sha1|mime|extmetadata",
              "iiextmetadatafilter": "DateTimeOriginal", "clprop": "sortkey|hidden",
              "cllimit": "max", "tllimit": "max", "tlnamespace": "10", "rvprop": "content",
              "rvslots": "main", "gulimit": "max", "gufilterlocal": "1"}
    uploaders: set[str] = set()
    n = batches = 0
    with pq.ParquetWriter(out / UPLOADS, UPLOADS_SCHEMA) as writer:
        for part in client.query(params):
            pages = [p for p in part.get("pages", []) if "missing" not in p]
            if not pages:
                continue
            entities = client.get_entities([f"M{p['pageid']}" for p in pages])
            rows = [upload_row(p, entities.get(f"M{p['pageid']}")) for p in pages]
            writer.write_table(pa.Table.from_pylist(rows, schema=UPLOADS_SCHEMA))
            uploaders.update(r["uploader"] for r in rows if r["uploader"])
            n, batches = n + len(rows), batches + 1
    write_users(client, sorted(uploaders), out / USERS)
    return {"category": title, "uploads": n, "uploaders": len(uploaders), "batches": batches,
            "requests": client.requests}


def write_users(client: CommonsClient, names: list[str], path: Path) -> int:
    """Write ``users.parquet`` (``user, registration``) for ``names``, 50 per request."""
    rows: list[dict[str, Any]] = []
    for i in range(0, len(names), BATCH):
        for part in client.query({"list": "users", "ususers": "|".join(names[i:i + BATCH]),
                                  "usprop": "registration"}):
            rows += [{"user": u["name"], "registration": u.get("registration")}
                     for u in part.get("users", [])]
    pq.write_table(pa.Table.from_pylist(rows, schema=USERS_SCHEMA), path)
    return len(rows)


def fetch_category_files(client: CommonsClient, categories: Iterable[str],
                         out_dir: str | Path) -> dict[str, Any]:
    """Write ``category_files.parquet``: the files in each monument's Commons category (P373).

    Returns:
        ``{"categories", "category_files"}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n = k = 0
    with pq.ParquetWriter(out / CATEGORY_FILES, CATEGORY_FILES_SCHEMA) as writer:
        for category in sorted({c.removeprefix("Category:").replace("_", " ") for c in categories if c}):
            k += 1
            for part in client.query({"list": "categorymembers", "cmtitle": f"Category:{category}",
                                      "cmtype": "file", "cmlimit": "max", "cmprop": "title"}):
                rows = [{"category": category, "title": m["title"]}
                        for m in part.get("categorymembers", [])]
                if rows:
                    writer.write_table(pa.Table.from_pylist(rows, schema=CATEGORY_FILES_SCHEMA))
                    n += len(rows)
    return {"categories": k, "category_files": n}


def fetch_contest(client: CommonsClient, category: str, monument_categories: Iterable[str],
                  out_dir: str | Path) -> dict[str, Any]:
    """The whole Commons side of a contest: uploads, uploaders, files in the monuments' categories.

    Writes ``uploads.parquet``, ``users.parquet``, ``category_files.parquet`` and ``fetch.json``
    (this summary) into ``out_dir`` (the run's ``07_contest``).

    Returns:
        ``{"category", "uploads", "uploaders", "batches", "categories", "category_files",
        "requests", "api"}``.
    """
    summary = fetch_uploads(client, category, out_dir)
    summary.update(fetch_category_files(client, monument_categories, out_dir))
    summary.update(requests=client.requests, api=client.api_url)
    (Path(out_dir) / FETCH_SUMMARY).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary
