"""Wikibase's merge of concurrent edits: an edit based on an older revision (``baserevid``)
is applied to the current one unless it touches a part someone else changed since.

Parts are a label, description or alias list per language, a sitelink per site and a
statement per GUID. New statements (no GUID yet) touch nothing and never conflict.
"""

from __future__ import annotations

import json
from typing import Any, Protocol


class _Revisions(Protocol):
    @property
    def reader(self) -> Any: ...


def _term_langs(raw: Any) -> set[str]:
    if isinstance(raw, dict):
        return set(raw)
    if isinstance(raw, list):
        return {t["language"] for t in raw if isinstance(t, dict) and isinstance(t.get("language"), str)}
    return set()


def touched(data: dict[str, Any]) -> set[tuple[str, str]]:
    """The parts a wbeditentity ``data`` changes."""
    parts: set[tuple[str, str]] = set()
    for key in ("labels", "descriptions", "aliases"):
        parts |= {(key, lang) for lang in _term_langs(data.get(key))}
    links = data.get("sitelinks")
    sites = set(links) if isinstance(links, dict) else \
        {s["site"] for s in links or [] if isinstance(s, dict) and isinstance(s.get("site"), str)}
    parts |= {("sitelinks", site) for site in sites}
    claims = data.get("claims", data.get("statements"))
    flat = [s for group in claims.values() for s in (group if isinstance(group, list) else
                                                      [group])] \
        if isinstance(claims, dict) else list(claims or [])
    parts |= {("claims", s["id"].lower()) for s in flat if isinstance(s, dict) and
              isinstance(s.get("id"), str)}
    return parts


def _statements(entity: dict[str, Any]) -> dict[str, Any]:
    return {s["id"].lower(): s for group in entity.get("claims", {}).values() for s in group}


def changed(base: dict[str, Any], current: dict[str, Any]) -> set[tuple[str, str]]:
    """The parts that differ between two revisions of an entity."""
    parts: set[tuple[str, str]] = set()
    for key in ("labels", "descriptions", "aliases", "sitelinks"):
        old, new = base.get(key, {}), current.get(key, {})
        parts |= {(key, k) for k in set(old) | set(new) if old.get(k) != new.get(k)}
    old_s, new_s = _statements(base), _statements(current)
    parts |= {("claims", g) for g in set(old_s) | set(new_s) if old_s.get(g) != new_s.get(g)}
    return parts


def edit_conflicts(db: _Revisions, entity_id: str, baserevid: int, current: dict[str, Any],
                   data: dict[str, Any], clear: bool) -> bool:
    """Whether an edit based on ``baserevid`` conflicts with what was saved since.

    Args:
        db: The revision store (its ``reader`` connection is used).
        entity_id: The edited entity.
        baserevid: The revision the client based its edit on.
        current: The current content of the entity.
        data: The edit (wbeditentity ``data``).
        clear: Whether the edit replaces the whole entity.
    """
    row = db.reader.execute("SELECT json FROM revisions WHERE revid=? AND entity=?",
                            (baserevid, entity_id)).fetchone()
    if row is None or clear:
        return True
    return bool(touched(data) & changed(json.loads(row[0]), current))
