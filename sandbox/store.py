"""SQLite revision store of the sandbox Wikibase (WAL, synchronous=FULL: durable before answering).

Tables: ``entities`` (current JSON + lastrevid), ``revisions`` (global monotonic revid),
``users`` / ``bot_passwords``, ``counters`` (next ids), ``terms`` (label/description/alias index
for uniqueness and wbsearchentities), ``statement_values`` (for ``haswbstatement:``) and
``shared_nodes`` (reference counts of RDF value/reference nodes, see :mod:`sandbox.graph`).
Search reads live in :mod:`sandbox.search_index` (which can lag like CirrusSearch).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.entity import numeric_id
from sandbox.faults import Lags
from sandbox.index_rows import statement_index_values, term_rows
from sandbox.search_index import SearchIndex

#: First id handed out for entities created through the API (never collides with Wikidata ids).
FIRST_NEW_ID = 200000001

SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
  id TEXT PRIMARY KEY, pageid INTEGER NOT NULL UNIQUE, type TEXT NOT NULL, datatype TEXT,
  json TEXT NOT NULL, lastrevid INTEGER NOT NULL, modified TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS revisions (
  revid INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, json TEXT NOT NULL,
  user TEXT, summary TEXT, tags TEXT, timestamp TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS revisions_entity ON revisions(entity);
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_sha256 TEXT NOT NULL,
  groups TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bot_passwords (
  user TEXT NOT NULL, appid TEXT NOT NULL, password_sha256 TEXT NOT NULL,
  PRIMARY KEY (user, appid));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS terms (
  entity TEXT NOT NULL, kind TEXT NOT NULL, lang TEXT NOT NULL, value TEXT NOT NULL,
  folded TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS terms_value ON terms(kind, lang, value);
CREATE INDEX IF NOT EXISTS terms_folded ON terms(folded);
CREATE INDEX IF NOT EXISTS terms_entity ON terms(entity);
CREATE TABLE IF NOT EXISTS statement_values (
  entity TEXT NOT NULL, property TEXT NOT NULL, value TEXT);
CREATE INDEX IF NOT EXISTS sv_value ON statement_values(property, value);
CREATE INDEX IF NOT EXISTS sv_entity ON statement_values(entity);
CREATE TABLE IF NOT EXISTS shared_nodes (node TEXT PRIMARY KEY, refs INTEGER NOT NULL);
"""


def now_iso() -> str:
    """Current UTC time as ``2026-08-20T10:00:00Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


PBKDF2_ITERATIONS = 120_000


def password_hash(password: str, salt: str | None = None) -> str:
    """Salted slow hash ``pbkdf2_sha256$iterations$salt$hex`` (no clear-text secrets kept)."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"),
                                 PBKDF2_ITERATIONS).hex()
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt}${digest}"


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` hashes to ``stored`` (constant-time comparison)."""
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != "pbkdf2_sha256" or not parts[1].isdigit():
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), parts[2].encode("ascii"),
                                 int(parts[1])).hex()
    return hmac.compare_digest(digest, parts[3])


class RevisionStore:
    """The SQLite revision DB. Writes are serialised by ``lock``; reads use per-thread connections."""

    def __init__(self, path: str | Path, lags: Lags | None = None) -> None:
        self.path = str(path)
        self.lags = lags or Lags()
        self.search = SearchIndex(self, self.lags)
        self.lock = threading.RLock()
        self._local = threading.local()
        self._writer = self._connect()
        self._writer.executescript(SCHEMA)
        self._writer.commit()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                               timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    @property
    def reader(self) -> sqlite3.Connection:
        """This thread's read connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close the writer connection."""
        self._writer.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One durable write transaction on the writer connection (call with ``lock`` held):
        committed when the block ends, rolled back when it raises."""
        w = self._writer
        w.execute("BEGIN IMMEDIATE")
        try:
            yield w
        except BaseException:
            w.execute("ROLLBACK")
            raise
        w.execute("COMMIT")

    # --- users ------------------------------------------------------------------------------

    def ensure_user(self, name: str, password: str, groups: Iterable[str], appid: str) -> None:
        """Create or update ``name`` with a main password and a bot password ``name@appid``."""
        with self.lock, self.transaction() as w:
            w.execute("INSERT INTO users(name, password_sha256, groups) VALUES (?,?,?) "
                      "ON CONFLICT(name) DO UPDATE SET password_sha256=excluded.password_sha256,"
                      " groups=excluded.groups", (name, password_hash(password), "|".join(groups)))
            w.execute("INSERT INTO bot_passwords(user, appid, password_sha256) VALUES (?,?,?) "
                      "ON CONFLICT(user, appid) DO UPDATE SET "
                      "password_sha256=excluded.password_sha256",
                      (name, appid, password_hash(password)))

    def check_bot_password(self, lgname: str, password: str) -> dict[str, Any] | None:
        """User record for a bot-password login ``User@app``, or None."""
        if "@" not in lgname:
            return None
        name, appid = lgname.split("@", 1)
        row = self.reader.execute(
            "SELECT u.id, u.name, u.groups, b.password_sha256 FROM users u JOIN bot_passwords b "
            "ON b.user=u.name WHERE u.name=? AND b.appid=?", (name, appid)).fetchone()
        if row is None or not password_matches(password, row[3]):
            return None
        return {"id": row[0], "name": row[1], "groups": row[2].split("|")}

    def check_password(self, name: str, password: str) -> dict[str, Any] | None:
        """User record for a main-password login, or None."""
        row = self.reader.execute(
            "SELECT id, name, groups, password_sha256 FROM users WHERE name=?", (name,)).fetchone()
        if row is None or not password_matches(password, row[3]):
            return None
        return {"id": row[0], "name": row[1], "groups": row[2].split("|")}

    def has_password(self, name: str) -> bool:
        """Whether the account ``name`` exists with a salted password hash (not a legacy one)."""
        row = self.reader.execute("SELECT password_sha256 FROM users WHERE name=?",
                                  (name,)).fetchone()
        return row is not None and row[0].startswith("pbkdf2_sha256$")

    # --- reads ------------------------------------------------------------------------------

    def get(self, entity_id: str) -> dict[str, Any] | None:
        """Current entity JSON with ``pageid``, ``ns``, ``title``, ``lastrevid``, ``modified``."""
        row = self.reader.execute(
            "SELECT json, pageid, lastrevid, modified, type FROM entities WHERE id=?",
            (entity_id,)).fetchone()
        if row is None:
            return None
        entity = json.loads(row[0])
        ns, title = (0, entity_id) if row[4] == "item" else (120, f"Property:{entity_id}")
        return {"pageid": row[1], "ns": ns, "title": title, "lastrevid": row[2],
                "modified": row[3], **entity}

    def exists(self, entity_id: str) -> bool:
        """Whether an entity with this id exists."""
        return self.reader.execute("SELECT 1 FROM entities WHERE id=?",
                                   (entity_id,)).fetchone() is not None

    def property_type(self, pid: str) -> str | None:
        """Datatype of property ``pid`` or None."""
        row = self.reader.execute("SELECT datatype FROM entities WHERE id=? AND type='property'",
                                  (pid,)).fetchone()
        return row[0] if row else None

    def property_types(self) -> dict[str, str]:
        """All property datatypes."""
        return dict(self.reader.execute(
            "SELECT id, datatype FROM entities WHERE type='property'").fetchall())

    def count(self) -> dict[str, int]:
        """Numbers of items, properties and revisions."""
        r = self.reader
        items = r.execute("SELECT COUNT(*) FROM entities WHERE type='item'").fetchone()[0]
        props = r.execute("SELECT COUNT(*) FROM entities WHERE type='property'").fetchone()[0]
        revs = r.execute("SELECT COUNT(*) FROM revisions").fetchone()[0]
        return {"items": items, "properties": props, "revisions": revs}

    def all_ids(self) -> list[str]:
        """Every entity id (properties first)."""
        return [r[0] for r in self.reader.execute(
            "SELECT id FROM entities ORDER BY type DESC, pageid").fetchall()]

    def iter_entities(self) -> Iterator[dict[str, Any]]:
        """Every current entity (properties first)."""
        for (eid,) in self.reader.execute(
                "SELECT id FROM entities ORDER BY type DESC, pageid").fetchall():
            ent = self.get(eid)
            if ent is not None:
                yield ent

    def revisions_of(self, entity_id: str) -> list[dict[str, Any]]:
        """Revision history of an entity (oldest first)."""
        rows = self.reader.execute(
            "SELECT revid, user, summary, tags, timestamp FROM revisions WHERE entity=? "
            "ORDER BY revid", (entity_id,)).fetchall()
        return [{"revid": r[0], "user": r[1], "summary": r[2], "tags": r[3], "timestamp": r[4]}
                for r in rows]

    def label_description_conflict(self, entity_id: str, lang: str, label: str,
                                   description: str) -> str | None:
        """Another item with the same label and description in ``lang``, or None.

        The description side is read through the entity index: by value it would scan every
        item sharing the description (thousands: "byggnadsminne i Lund").
        """
        row = self.reader.execute(
            "SELECT l.entity FROM terms l JOIN terms d INDEXED BY terms_entity ON "
            "d.entity=l.entity AND "
            "d.kind='description' AND d.lang=l.lang WHERE l.kind='label' AND l.lang=? AND "
            "l.value=? AND d.value=? AND l.entity<>? AND l.entity LIKE 'Q%' LIMIT 1",
            (lang, label, description, entity_id)).fetchone()
        return row[0] if row else None

    def property_label_conflict(self, entity_id: str, lang: str, label: str) -> str | None:
        """Another property with the same label in ``lang``, or None."""
        row = self.reader.execute(
            "SELECT entity FROM terms WHERE kind='label' AND lang=? AND value=? AND entity<>? "
            "AND entity LIKE 'P%' LIMIT 1", (lang, label, entity_id)).fetchone()
        return row[0] if row else None

    def sitelink_conflict(self, entity_id: str, site: str, title: str) -> str | None:
        """Another item holding the sitelink, or None."""
        row = self.reader.execute(
            "SELECT entity FROM terms WHERE kind='sitelink' AND lang=? AND value=? AND "
            "entity<>? LIMIT 1", (site, title, entity_id)).fetchone()
        return row[0] if row else None

    def search_terms(self, text: str, language: str | None, entity_type: str,
                     limit: int, offset: int) -> list[tuple[str, str, str, str]]:
        """(entity, kind, lang, value) term hits (see :class:`~sandbox.search_index.SearchIndex`)."""
        return self.search.search_terms(text, language, entity_type, limit, offset)

    def haswbstatement(self, prop: str, value: str | None) -> set[str]:
        """Entities ``haswbstatement:`` finds (lagging when a search lag is armed)."""
        return self.search.haswbstatement(prop, value)

    def label_search(self, word: str) -> set[str]:
        """Entities with a label/alias containing ``word`` (case-insensitive)."""
        return self.search.label_search(word)

    def pageinfo(self, ids: Iterable[str]) -> dict[str, tuple[int, int, str, int]]:
        """id → (pageid, lastrevid, modified, json length)."""
        out = {}
        for eid in ids:
            row = self.reader.execute("SELECT pageid, lastrevid, modified, length(json) FROM "
                                      "entities WHERE id=?", (eid,)).fetchone()
            if row:
                out[eid] = row
        return out

    # --- writes (call with ``lock`` held) ----------------------------------------------------

    def allocate_id(self, entity_type: str) -> str:
        """Next free id for a new item (Q…) or property (P…); :meth:`save` advances the counter."""
        letter = "Q" if entity_type == "item" else "P"
        w = self._writer
        nxt = counter(w, letter, FIRST_NEW_ID)
        while w.execute("SELECT 1 FROM entities WHERE id=?", (f"{letter}{nxt}",)).fetchone():
            nxt += 1
        return f"{letter}{nxt}"

    def save(
        self,
        entity: dict[str, Any],
        user: str | None,
        summary: str | None,
        tags: str | None,
        shared_delta: dict[str, int] | None = None,
    ) -> tuple[int, str, list[str]]:
        """Store a new revision of ``entity`` (content JSON with ``id``/``type``) durably.

        One SQLite transaction (:meth:`transaction`) over every table a save touches.

        Args:
            entity: The new content.
            user: Editing user name.
            summary: Edit summary.
            tags: ``|``-joined change tags.
            shared_delta: RDF shared-node reference count changes (node → +n/−n).

        Returns:
            (revid, modified timestamp, shared nodes whose count dropped to zero).
        """
        eid = entity["id"]
        text = json.dumps(entity, ensure_ascii=False, separators=(",", ":"))
        ts = now_iso()
        with self.transaction() as w:
            cur = w.execute("INSERT INTO revisions(entity, json, user, summary, tags, timestamp) "
                            "VALUES (?,?,?,?,?,?)", (eid, text, user, summary, tags, ts))
            revid = cur.lastrowid
            assert revid is not None  # an INSERT gives a rowid
            row = w.execute("SELECT pageid FROM entities WHERE id=?", (eid,)).fetchone()
            if row is None:
                pageid = counter(w, "page", 1)
                set_counter(w, "page", pageid + 1)
                w.execute("INSERT INTO entities(id, pageid, type, datatype, json, lastrevid, "
                          "modified) VALUES (?,?,?,?,?,?,?)",
                          (eid, pageid, entity["type"], entity.get("datatype"), text, revid, ts))
                if numeric_id(eid) >= counter(w, eid[0], FIRST_NEW_ID):
                    set_counter(w, eid[0], numeric_id(eid) + 1)
            else:
                w.execute("UPDATE entities SET json=?, lastrevid=?, modified=?, datatype=? "
                          "WHERE id=?", (text, revid, ts, entity.get("datatype"), eid))
            w.execute("DELETE FROM terms WHERE entity=?", (eid,))
            w.executemany("INSERT INTO terms VALUES (?,?,?,?,?)", term_rows(entity))
            self.search.note_unindexed(eid)
            w.execute("DELETE FROM statement_values WHERE entity=?", (eid,))
            w.executemany("INSERT INTO statement_values VALUES (?,?,?)",
                          [(eid, p, v) for p, v in statement_index_values(entity)])
            dropped = []
            for node, delta in ((n, d) for n, d in (shared_delta or {}).items() if d):
                w.execute("INSERT INTO shared_nodes(node, refs) VALUES (?, ?) ON CONFLICT(node) "
                          "DO UPDATE SET refs=refs+excluded.refs", (node, delta))
                if delta < 0:
                    left = w.execute("SELECT refs FROM shared_nodes WHERE node=?",
                                     (node,)).fetchone()[0]
                    if left <= 0:
                        w.execute("DELETE FROM shared_nodes WHERE node=?", (node,))
                        dropped.append(node)
        return revid, ts, dropped

    def shared_refs(self, node: str) -> int:
        """Current reference count of an RDF shared node."""
        row = self._writer.execute("SELECT refs FROM shared_nodes WHERE node=?",
                                   (node,)).fetchone()
        return row[0] if row else 0

    def reset_shared(self, counts: dict[str, int]) -> None:
        """Replace all shared-node counts (after a full RDF rebuild)."""
        with self.lock, self.transaction() as w:
            w.execute("DELETE FROM shared_nodes")
            w.executemany("INSERT INTO shared_nodes VALUES (?,?)", list(counts.items()))


def counter(w: sqlite3.Connection, name: str, default: int) -> int:
    """The ``counters`` value ``name`` (next page id, next Q/P number), or ``default``."""
    row = w.execute("SELECT next FROM counters WHERE name=?", (name,)).fetchone()
    return int(row[0]) if row else default


def set_counter(w: sqlite3.Connection, name: str, value: int) -> None:
    """Set the ``counters`` value ``name``."""
    w.execute("INSERT INTO counters(name, next) VALUES (?,?) ON CONFLICT(name) "
              "DO UPDATE SET next=excluded.next", (name, value))
