"""Column contracts of stage files other stages code against (defined once, read from here).

The contest stage (``07_contest/``) starts from what the Commons fetch writes:

* ``uploads.parquet`` — one row per contest upload (:data:`UPLOADS_SCHEMA`);
* ``users.parquet`` — one row per uploader (:data:`USERS_SCHEMA`);
* ``category_files.parquet`` — files in the Commons categories (P373) of scoped monuments
  (:data:`CATEGORY_FILES_SCHEMA`).

Times are UTC ISO 8601 strings (``2026-09-03T14:05:09Z``), as the MediaWiki API gives them.
"""

from __future__ import annotations

import pyarrow as pa

#: 07_contest/uploads.parquet: every file in the contest category, as read from the Commons API.
UPLOADS_SCHEMA = pa.schema([
    pa.field("title", pa.string(), nullable=False),          # "File:….jpg"
    pa.field("pageid", pa.int64(), nullable=False),
    pa.field("mediainfo_id", pa.string(), nullable=False),   # "M<pageid>"
    pa.field("uploader", pa.string()),                       # user of the first revision
    pa.field("uploaded_at", pa.string()),                    # UTC ISO, first upload
    pa.field("sha1", pa.string()),
    pa.field("width", pa.int64()),
    pa.field("height", pa.int64()),
    pa.field("size", pa.int64()),                            # bytes
    pa.field("mime", pa.string()),
    pa.field("exif_datetime", pa.string()),                  # extmetadata DateTimeOriginal or null
    pa.field("categories", pa.list_(pa.string())),           # "Category:X" (with prefix)
    pa.field("category_sortkeys", pa.list_(pa.string())),    # "Category:X|sortkey (prefix)"
    pa.field("templates", pa.list_(pa.string())),            # "Template:X" (with prefix)
    pa.field("wikitext", pa.string()),                       # current revision's wikitext
    pa.field("depicts", pa.list_(pa.string())),              # P180 QIDs of the MediaInfo
    pa.field("globalusage", pa.int64()),                     # pages on other wikis using it
])
UPLOADS_COLUMNS: tuple[str, ...] = tuple(UPLOADS_SCHEMA.names)

#: 07_contest/users.parquet: uploaders and their registration time (null when unknown).
USERS_SCHEMA = pa.schema([
    pa.field("user", pa.string(), nullable=False),
    pa.field("registration", pa.string()),                   # UTC ISO or null
])
USERS_COLUMNS: tuple[str, ...] = tuple(USERS_SCHEMA.names)

#: 07_contest/category_files.parquet: members of the monuments' own Commons categories (P373).
CATEGORY_FILES_SCHEMA = pa.schema([
    pa.field("category", pa.string(), nullable=False),       # P373 value, without "Category:"
    pa.field("title", pa.string(), nullable=False),          # "File:…"
])
CATEGORY_FILES_COLUMNS: tuple[str, ...] = tuple(CATEGORY_FILES_SCHEMA.names)
