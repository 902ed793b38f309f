"""Edit history lists: ``list=usercontribs`` and ``list=recentchanges`` in MediaWiki's shapes.

Both read the revision table directly, so, as on a real wiki (where they are database-backed),
an edit is listed the moment it is saved — unlike ``haswbstatement`` search and SPARQL, which
may lag (:mod:`sandbox.faults`). The uploader resolves interrupted creates from them.

Supported: ``ucuser`` / ``rcuser`` (``|``-separated names), ``*start`` / ``*end`` (ISO 8601 or
MediaWiki timestamps), ``*dir`` (``older``, the default, or ``newer``), ``*limit`` (≤ 500 or
``max``), ``*continue``, ``rctype`` (``new``/``edit``) and ``rctag``. Comments carry Wikibase's
autocomment prefix (``/* wbeditentity-create-item:0| */ …``) before the user's summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.api_request import ApiRequest, split_values
from sandbox.wikibase_errors import ApiFailure

MAX_LIMIT = 500
_MW_TIMESTAMP = re.compile(r"^\d{14}$")


def _timestamp(value: str | None, param: str) -> str | None:
    """A user-given timestamp as the store's ``YYYY-MM-DDTHH:MM:SSZ`` (``badtimestamp`` if not one)."""
    if not value:
        return None
    try:
        if _MW_TIMESTAMP.match(value):
            moment = datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        raise ApiFailure("badtimestamp", f"Invalid value \"{value}\" for timestamp parameter "
                                         f"\"{param}\".") from None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _limit(req: ApiRequest, param: str) -> int:
    raw = req.params.get(param, "10") or "10"
    if raw == "max":
        return MAX_LIMIT
    try:
        return max(1, min(int(raw), MAX_LIMIT))
    except ValueError:
        raise ApiFailure("badinteger", f"Invalid value \"{raw}\" for integer parameter "
                                       f"\"{param}\".") from None


def _revisions(req: ApiRequest, prefix: str, users: list[str]) -> tuple[list[tuple[Any, ...]], str | None]:
    """Revisions of ``users`` (all users when empty) within the request's bounds, one page."""
    p = req.params
    newer = p.get(f"{prefix}dir", "older") == "newer"
    start = _timestamp(p.get(f"{prefix}start"), f"{prefix}start")
    end = _timestamp(p.get(f"{prefix}end"), f"{prefix}end")
    low, high = (start, end) if newer else (end, start)
    sql = ("SELECT r.revid, r.entity, r.user, r.summary, r.tags, r.timestamp, length(r.json), "
           "(SELECT MAX(o.revid) FROM revisions o WHERE o.entity=r.entity AND o.revid<r.revid), "
           "e.pageid, e.lastrevid FROM revisions r JOIN entities e ON e.id=r.entity WHERE 1=1")
    args: list[Any] = []
    if users:
        sql += f" AND r.user IN ({','.join('?' * len(users))})"
        args += users
    for bound, op in ((low, ">="), (high, "<=")):
        if bound:
            sql += f" AND r.timestamp {op} ?"
            args.append(bound)
    cont = p.get(f"{prefix}continue")
    if cont:
        sql += f" AND r.revid {'>=' if newer else '<='} ?"
        args.append(int(cont.rsplit("|", 1)[-1]))
    limit = _limit(req, f"{prefix}limit")
    sql += f" ORDER BY r.revid {'ASC' if newer else 'DESC'} LIMIT ?"
    rows = req.state.repo.db.reader.execute(sql, [*args, limit + 1]).fetchall()
    more = f"{rows[limit][5].replace('-', '').replace(':', '')[:14]}|{rows[limit][0]}" \
        if len(rows) > limit else None
    return rows[:limit], more


def _entry(row: tuple[Any, ...]) -> dict[str, Any]:
    revid, entity, user, summary, tags, timestamp, size, parent, pageid, lastrevid = row
    ns = 0 if entity[0] == "Q" else 120
    auto = ("wbeditentity-create-item" if entity[0] == "Q" else "wbeditentity-create-property") \
        if parent is None else "wbeditentity-update"
    out: dict[str, Any] = {
        "userid": 1, "user": user, "pageid": pageid, "revid": revid, "parentid": parent or 0,
        "ns": ns, "title": entity if ns == 0 else f"Property:{entity}", "timestamp": timestamp,
        "comment": f"/* {auto}:0| */ {summary or ''}".rstrip(), "size": size,
        "tags": split_values(tags),
    }
    if parent is None:
        out["new"] = ""
    if revid == lastrevid:
        out["top"] = ""
    return out


def list_usercontribs(req: ApiRequest, out: dict[str, Any]) -> dict[str, Any]:
    """``list=usercontribs``: edits of the given users."""
    users = req.multi("ucuser")
    if not users:
        raise ApiFailure("missingparam", "One of the parameters \"ucuser\", \"ucuserids\", "
                                         "\"ucuserprefix\", and \"uciprange\" is required.")
    rows, more = _revisions(req, "uc", users)
    if more:
        out["continue"] = {"uccontinue": more, "continue": "-||"}
    return {"usercontribs": [_entry(r) for r in rows]}


def list_recentchanges(req: ApiRequest, out: dict[str, Any]) -> dict[str, Any]:
    """``list=recentchanges``: recent edits, optionally of one user, of a type or with a tag."""
    users = req.multi("rcuser")
    rows, more = _revisions(req, "rc", users)
    types = set(req.multi("rctype")) or {"edit", "new"}
    tag = req.params.get("rctag")
    changes = []
    for row in rows:
        e = _entry(row)
        kind = "new" if "new" in e else "edit"
        if kind not in types or (tag and tag not in e["tags"]):
            continue
        changes.append({"type": kind, "ns": e["ns"], "title": e["title"], "pageid": e["pageid"],
                        "revid": e["revid"], "old_revid": e["parentid"], "rcid": e["revid"],
                        "user": e["user"], "timestamp": e["timestamp"], "comment": e["comment"],
                        "tags": e["tags"], **({"new": ""} if kind == "new" else {})})
    if more:
        out["continue"] = {"rccontinue": more, "continue": "-||"}
    return {"recentchanges": changes}


#: ``list=`` modules of this file, registered in :data:`sandbox.actions_query.LISTS`.
LISTS: dict[str, Callable[[ApiRequest, dict[str, Any]], dict[str, Any]]] = {
    "usercontribs": list_usercontribs,
    "recentchanges": list_recentchanges,
}
