"""SQLite store of the local Commons: file pages, category links, users, MediaInfo.

Sort keys follow MediaWiki's ``uppercase`` collation: the stored sort key is
``upper(prefix or title) + "\\n" + title`` and the API shows it hex-encoded; ``sortkeyprefix``
is the human part given in ``[[Category:X|prefix]]`` (an ID for tracker categories).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
  pageid INTEGER PRIMARY KEY, ns INTEGER NOT NULL, title TEXT NOT NULL UNIQUE,
  wikitext TEXT NOT NULL DEFAULT '', revid INTEGER NOT NULL, touched TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS revisions (
  revid INTEGER PRIMARY KEY, pageid INTEGER NOT NULL, user TEXT, timestamp TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '', text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
  pageid INTEGER PRIMARY KEY, uploader TEXT, timestamp TEXT NOT NULL, sha1 TEXT, width INTEGER,
  height INTEGER, size INTEGER, mime TEXT, exif_datetime TEXT);
CREATE TABLE IF NOT EXISTS categorylinks (
  pageid INTEGER NOT NULL, category TEXT NOT NULL, sortkey TEXT NOT NULL,
  prefix TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (pageid, category));
CREATE INDEX IF NOT EXISTS cl_sort ON categorylinks(category, type, sortkey, pageid);
CREATE TABLE IF NOT EXISTS templatelinks (
  pageid INTEGER NOT NULL, template TEXT NOT NULL, PRIMARY KEY (pageid, template));
CREATE INDEX IF NOT EXISTS tl_template ON templatelinks(template, pageid);
CREATE TABLE IF NOT EXISTS globalusage (
  pageid INTEGER NOT NULL, wiki TEXT NOT NULL, title TEXT NOT NULL,
  PRIMARY KEY (pageid, wiki, title));
CREATE TABLE IF NOT EXISTS cusers (
  userid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, registration TEXT,
  editcount INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS mediainfo (
  pageid INTEGER PRIMARY KEY, json TEXT NOT NULL, lastrevid INTEGER NOT NULL,
  modified TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mi_statements (
  pageid INTEGER NOT NULL, prop TEXT NOT NULL, value TEXT);
CREATE INDEX IF NOT EXISTS mi_prop ON mi_statements(prop, value);
"""

NS_FILE, NS_CATEGORY = 6, 14


def sortkey(prefix: str, title: str) -> str:
    """MediaWiki ``uppercase`` collation sort key of ``title`` (no namespace) with ``prefix``."""
    return (prefix or title).upper() + "\n" + title


def page_type(ns: int) -> str:
    """categorylinks ``cl_type`` of a page in namespace ``ns``."""
    return {NS_FILE: "file", NS_CATEGORY: "subcat"}.get(ns, "page")


def statement_values(statements: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str | None]]:
    """(property, value id or string) pairs for ``haswbstatement`` search."""
    out: list[tuple[str, str | None]] = []
    for pid, stmts in statements.items():
        for st in stmts:
            value = (st.get("mainsnak", {}).get("datavalue") or {}).get("value")
            if isinstance(value, dict):
                value = value.get("id")
            out.append((pid, value if isinstance(value, str) else None))
    return out


class CommonsStore:
    """The local Commons' pages, files and MediaInfo. Writes serialise on ``lock``."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.lock = threading.RLock()
        self._local = threading.local()
        self._writer = self._connect()
        self._writer.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                               timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    @property
    def reader(self) -> sqlite3.Connection:
        """This thread's read connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def close(self) -> None:
        """Close the writer connection."""
        self._writer.close()

    # --- loading -------------------------------------------------------------------------------

    def load(self, records: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Insert or replace ``user`` and ``file`` records (idempotent by title / name).

        Returns:
            ``{"files": n, "users": n}`` loaded.
        """
        counts = {"files": 0, "users": 0}
        with self.lock:
            w = self._writer
            w.execute("BEGIN IMMEDIATE")
            try:
                for rec in records:
                    if rec.get("kind") == "user":
                        w.execute("INSERT INTO cusers(name, registration, editcount) VALUES "
                                  "(?,?,?) ON CONFLICT(name) DO UPDATE SET "
                                  "registration=excluded.registration, "
                                  "editcount=excluded.editcount",
                                  (rec["name"], rec.get("registration"), rec.get("editcount", 0)))
                        counts["users"] += 1
                    elif rec.get("kind") == "file":
                        self._load_file(w, rec)
                        counts["files"] += 1
                    else:
                        raise ValueError(f"record kind should be 'user' or 'file', got {rec!r:.80}")
                w.execute("COMMIT")
            except BaseException:
                w.execute("ROLLBACK")
                raise
        return counts

    def _load_file(self, w: sqlite3.Connection, rec: dict[str, Any]) -> None:
        title = rec["title"]
        row = w.execute("SELECT pageid FROM pages WHERE title=?", (title,)).fetchone()
        pageid = int(rec.get("pageid") or (row[0] if row else self._next_pageid(w)))
        if row and row[0] != pageid:
            self._delete_page(w, row[0])
        self._delete_page(w, pageid)
        ts = rec["timestamp"]
        cur = w.execute("INSERT INTO revisions(pageid, user, timestamp, comment, text) "
                        "VALUES (?,?,?,?,?)", (pageid, rec.get("uploader"), ts,
                                               rec.get("comment", "Uploaded"), rec["wikitext"]))
        w.execute("INSERT INTO pages(pageid, ns, title, wikitext, revid, touched) "
                  "VALUES (?,?,?,?,?,?)", (pageid, NS_FILE, title, rec["wikitext"],
                                           cur.lastrowid, ts))
        w.execute("INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?)",
                  (pageid, rec.get("uploader"), ts, rec.get("sha1"), rec.get("width"),
                   rec.get("height"), rec.get("size"), rec.get("mime"), rec.get("exif_datetime")))
        name = title.split(":", 1)[1]
        for cat, prefix in rec.get("categories", []):
            w.execute("INSERT OR REPLACE INTO categorylinks VALUES (?,?,?,?,?)",
                      (pageid, cat, sortkey(prefix, name), prefix, "file"))
        w.executemany("INSERT OR IGNORE INTO templatelinks VALUES (?,?)",
                      [(pageid, t) for t in rec.get("templates", [])])
        w.executemany("INSERT OR IGNORE INTO globalusage VALUES (?,?,?)",
                      [(pageid, g["wiki"], g["title"]) for g in rec.get("globalusage", [])])
        if rec.get("statements"):
            entity = {"type": "mediainfo", "id": f"M{pageid}", "labels": rec.get("captions", {}),
                      "statements": rec["statements"]}
            self._write_mediainfo(w, pageid, entity, ts, rec.get("uploader"))

    @staticmethod
    def _next_pageid(w: sqlite3.Connection) -> int:
        return int(w.execute("SELECT COALESCE(MAX(pageid), 0) + 1 FROM pages").fetchone()[0])

    @staticmethod
    def _delete_page(w: sqlite3.Connection, pageid: int) -> None:
        for table in ("pages", "revisions", "files", "categorylinks", "templatelinks",
                      "globalusage", "mediainfo", "mi_statements"):
            w.execute(f"DELETE FROM {table} WHERE pageid=?", (pageid,))

    # --- MediaInfo -----------------------------------------------------------------------------

    def _write_mediainfo(self, w: sqlite3.Connection, pageid: int, entity: dict[str, Any],
                         at: str, user: str | None) -> int:
        cur = w.execute("INSERT INTO revisions(pageid, user, timestamp, comment, text) "
                        "SELECT pageid, ?, ?, 'structured data', wikitext FROM pages "
                        "WHERE pageid=?", (user, at, pageid))
        revid = int(cur.lastrowid or 0)
        w.execute("INSERT OR REPLACE INTO mediainfo VALUES (?,?,?,?)",
                  (pageid, json.dumps(entity, ensure_ascii=False), revid, at))
        w.execute("UPDATE pages SET revid=?, touched=? WHERE pageid=?", (revid, at, pageid))
        w.execute("DELETE FROM mi_statements WHERE pageid=?", (pageid,))
        w.executemany("INSERT INTO mi_statements VALUES (?,?,?)",
                      [(pageid, p, v) for p, v in statement_values(entity["statements"])])
        return revid

    def save_mediainfo(self, pageid: int, entity: dict[str, Any], at: str,
                       user: str | None = None) -> tuple[int, bool]:
        """Store a new MediaInfo revision unless nothing changed.

        Returns:
            (revision id, nochange).
        """
        with self.lock:
            current = self.mediainfo(pageid)
            if current is not None and _content(current) == _content(entity):
                return int(current["lastrevid"]), True
            w = self._writer
            w.execute("BEGIN IMMEDIATE")
            revid = self._write_mediainfo(w, pageid, entity, at, user)
            w.execute("COMMIT")
            return revid, False

    def mediainfo(self, pageid: int) -> dict[str, Any] | None:
        """MediaInfo JSON with page info (``lastrevid``, ``modified``), or None."""
        row = self.reader.execute(
            "SELECT m.json, m.lastrevid, m.modified, p.title FROM mediainfo m "
            "JOIN pages p USING(pageid) WHERE pageid=?", (pageid,)).fetchone()
        if row is None:
            return None
        ent = json.loads(row[0])
        ent.update(pageid=pageid, ns=NS_FILE, title=row[3], lastrevid=row[1], modified=row[2])
        return ent

    # --- reads ---------------------------------------------------------------------------------

    def page(self, title: str | None = None, pageid: int | None = None) -> dict[str, Any] | None:
        """A page row as a dict (pageid, ns, title, wikitext, revid, touched), or None."""
        cols = "pageid, ns, title, wikitext, revid, touched"
        if pageid is not None:
            row = self.reader.execute(f"SELECT {cols} FROM pages WHERE pageid=?",
                                      (pageid,)).fetchone()
        else:
            row = self.reader.execute(f"SELECT {cols} FROM pages WHERE title=?",
                                      (title,)).fetchone()
        return dict(zip(cols.split(", "), row, strict=True)) if row else None

    def file(self, pageid: int) -> dict[str, Any] | None:
        """The ``files`` row of a page."""
        cols = "pageid, uploader, timestamp, sha1, width, height, size, mime, exif_datetime"
        row = self.reader.execute(f"SELECT {cols} FROM files WHERE pageid=?",
                                  (pageid,)).fetchone()
        return dict(zip(cols.split(", "), row, strict=True)) if row else None

    def first_revision(self, pageid: int) -> dict[str, Any] | None:
        """The page's first revision (the upload)."""
        row = self.reader.execute("SELECT revid, user, timestamp, comment FROM revisions WHERE "
                                  "pageid=? ORDER BY revid LIMIT 1", (pageid,)).fetchone()
        return dict(zip(("revid", "user", "timestamp", "comment"), row, strict=True)) if row else None

    def current_revision(self, pageid: int) -> tuple[int, str | None, str, str, str] | None:
        """(revid, user, timestamp, comment, text) of the page's current revision."""
        return self.reader.execute(
            "SELECT r.revid, r.user, r.timestamp, r.comment, r.text FROM revisions r JOIN pages p "
            "ON p.revid = r.revid WHERE p.pageid=?", (pageid,)).fetchone()

    def categories_of(self, pageids: list[int]) -> list[tuple[int, str, str, str]]:
        """(pageid, category, sortkey, prefix) ordered by pageid then category."""
        marks = ",".join("?" * len(pageids))
        return self.reader.execute(
            f"SELECT pageid, category, sortkey, prefix FROM categorylinks WHERE pageid IN "
            f"({marks}) ORDER BY pageid, category", pageids).fetchall()

    def templates_of(self, pageids: list[int]) -> list[tuple[int, str]]:
        """(pageid, template title) ordered by pageid then template."""
        marks = ",".join("?" * len(pageids))
        return self.reader.execute(
            f"SELECT pageid, template FROM templatelinks WHERE pageid IN ({marks}) "
            "ORDER BY pageid, template", pageids).fetchall()

    def globalusage_of(self, pageid: int) -> list[tuple[str, str]]:
        """(wiki, title) of the pages on other wikis that use the file."""
        return self.reader.execute("SELECT wiki, title FROM globalusage WHERE pageid=? "
                                   "ORDER BY wiki, title", (pageid,)).fetchall()

    def members(self, category: str, types: set[str], after: tuple[str, str, int] | None,
                limit: int) -> list[tuple[int, int, str, str, str, str]]:
        """Members (pageid, ns, title, type, sortkey, prefix) in (type, sortkey, pageid) order."""
        marks = ",".join("?" * len(types))
        sql = ("SELECT c.pageid, p.ns, p.title, c.type, c.sortkey, c.prefix FROM categorylinks c "
               f"JOIN pages p USING(pageid) WHERE c.category=? AND c.type IN ({marks})")
        args: list[Any] = [category, *sorted(types)]
        if after is not None:
            sql += " AND (c.type, c.sortkey, c.pageid) >= (?,?,?)"
            args += list(after)
        sql += " ORDER BY c.type, c.sortkey, c.pageid LIMIT ?"
        return self.reader.execute(sql, [*args, limit]).fetchall()

    def embedded_in(self, template: str, after: int, limit: int) -> list[tuple[int, int, str]]:
        """(pageid, ns, title) of pages transcluding ``template``, from pageid ``after``."""
        return self.reader.execute(
            "SELECT t.pageid, p.ns, p.title FROM templatelinks t JOIN pages p USING(pageid) "
            "WHERE t.template=? AND t.pageid>=? ORDER BY t.pageid LIMIT ?",
            (template, after, limit)).fetchall()

    def haswbstatement(self, prop: str, value: str | None) -> set[int]:
        """Pageids whose MediaInfo has a statement on ``prop`` (with ``value`` if given)."""
        if value is None:
            rows = self.reader.execute("SELECT pageid FROM mi_statements WHERE prop=?", (prop,))
        else:
            rows = self.reader.execute("SELECT pageid FROM mi_statements WHERE prop=? AND "
                                       "value=?", (prop, value))
        return {r[0] for r in rows}

    def users(self, names: list[str]) -> dict[str, tuple[int, str | None, int]]:
        """name -> (userid, registration, editcount) for the names that exist."""
        marks = ",".join("?" * len(names))
        rows = self.reader.execute(f"SELECT name, userid, registration, editcount FROM cusers "
                                   f"WHERE name IN ({marks})", names).fetchall()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def count(self) -> dict[str, int]:
        """Numbers of files, users, MediaInfo entities and category links."""
        r = self.reader
        return {"files": r.execute("SELECT COUNT(*) FROM files").fetchone()[0],
                "users": r.execute("SELECT COUNT(*) FROM cusers").fetchone()[0],
                "mediainfo": r.execute("SELECT COUNT(*) FROM mediainfo").fetchone()[0],
                "categorylinks": r.execute("SELECT COUNT(*) FROM categorylinks").fetchone()[0]}


def _content(entity: dict[str, Any]) -> dict[str, Any]:
    return {k: entity.get(k) for k in ("labels", "statements")}


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """Records of a JSON-lines file (blank and ``#`` lines skipped)."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.lstrip().startswith("#"):
                yield json.loads(line)
