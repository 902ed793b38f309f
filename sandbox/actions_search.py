"""Full-text search: ``list=search`` with ``haswbstatement:`` (CirrusSearch's WikibaseCirrusSearch)."""

from __future__ import annotations

import re
from typing import Any

from sandbox.api_request import ApiRequest, split_values

#: A search term: ``keyword:"quoted value"`` (``\"`` and ``\\`` escaped inside), ``"a phrase"``
#: or a bare word, each optionally negated with ``-`` (CirrusSearch's keyword syntax).
_TERM = re.compile(r'-?[^\s":]+:"(?:\\.|[^"\\])*"|-?"[^"]*"|\S+')
_ESCAPE = re.compile(r"\\(.)")


def _terms(text: str) -> list[str]:
    """Search terms with quoted keyword values unquoted and unescaped."""
    out = []
    for term in _TERM.findall(text):
        keyword, colon, value = term.partition(":")
        if colon and len(value) >= 2 and value[0] == value[-1] == '"':
            term = keyword + ":" + _ESCAPE.sub(r"\1", value[1:-1])
        out.append(term)
    return out


def _matching_ids(req: ApiRequest, text: str) -> list[str]:
    db = req.state.repo.db
    result: set[str] | None = None
    for token in _terms(text):
        neg = token.startswith("-")
        tok = token[1:] if neg else token
        if tok.lower().startswith("haswbstatement:"):
            matched: set[str] = set()
            for alt in tok.split(":", 1)[1].split("|"):
                prop, eq, value = alt.partition("=")
                matched |= db.haswbstatement(prop, value if eq else None)
        else:
            matched = db.label_search(tok.strip('"'))
        if neg:
            base = result if result is not None else set(db.all_ids())
            result = base - matched
        else:
            result = matched if result is None else result & matched
    return sorted(result or set(), key=lambda e: (e[0], int(e[1:])))


def list_search(req: ApiRequest, out: dict[str, Any]) -> dict[str, Any]:
    """``list=search`` (``srsearch``, ``srlimit``, ``sroffset``, ``srnamespace``)."""
    params = req.params
    text = req.require("srsearch")
    limit = req.integer("srlimit", 10, 1, 500) or 10
    offset = req.integer("sroffset", 0, 0) or 0
    namespaces = {int(n) for n in split_values(params.get("srnamespace") or "0") if n.isdigit()}
    ids = [e for e in _matching_ids(req, text) if (0 if e[0] == "Q" else 120) in namespaces]
    page = ids[offset:offset + limit]
    infos = req.state.repo.db.pageinfo(page)
    hits = []
    for eid in page:
        pageid, _revid, modified, size = infos[eid]
        ns = 0 if eid[0] == "Q" else 120
        hit = {"ns": ns, "title": eid if ns == 0 else f"Property:{eid}", "pageid": pageid,
               "size": size, "wordcount": 0, "snippet": "", "timestamp": modified}
        if "titlesnippet" in req.multi("srprop"):
            hit["titlesnippet"] = _label(req, eid)
        hits.append(hit)
    if offset + limit < len(ids):
        out["continue"] = {"sroffset": offset + limit, "continue": "-||"}
    return {"searchinfo": {"totalhits": len(ids)}, "search": hits}


def _label(req: ApiRequest, eid: str) -> str:
    """What WikibaseCirrusSearch shows as a hit's title snippet: the label (English first)."""
    labels = (req.state.repo.get(eid) or {}).get("labels", {})
    label = labels.get(req.params.get("uselang", "en")) or next(iter(labels.values()), None)
    return label["value"] if label else eid
