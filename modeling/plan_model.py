"""An item plan: what the upload does for one record (the rows of the plan store).

:class:`Plan` lives here, apart from the planner (:mod:`modeling.items`), so that the checks,
the upload and the dry run can use it without importing the planner.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import orjson

Json = dict[str, Any]
Action = Literal["create", "update", "unchanged", "held"]

#: Properties that take one value: a different live value is never overwritten, only reported.
SINGLE_VALUE = frozenset({"P17", "P625", "P571", "P2046", "P3896", "P809", "P814", "P18", "P373"})


@dataclass
class Plan:
    """What the upload does for one record.

    Attributes:
        source_id: The register's id.
        qid: The existing item, or None for a new one.
        action: ``create``, ``update``, ``unchanged`` or ``held`` (not written; see ``checks``).
        data: The minimal ``wbeditentity`` JSON (empty when nothing is to be written).
        checks: One ``{"check", "ok", "message"}`` per pre-upload check.
        warnings: Non-blocking notes (unresolved P131, values kept because others wrote them …).
        desired: The full entity the register describes (for re-diffing after an edit conflict).
        identifier: The identifier property's value (``raa/bbr/…``), used for duplicate guards.
        base_revid: ``lastrevid`` of the live entity the diff was made against.
        changes: Per statement/term before → after (the dry-run report).
        held: Statements not written because they conflict with a live value (review them).
    """

    source_id: str
    qid: str | None
    action: Action
    data: Json
    checks: list[Json] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    desired: Json = field(default_factory=dict)
    identifier: str | None = None
    base_revid: int | None = None
    changes: list[Json] = field(default_factory=list)
    held: list[Json] = field(default_factory=list)

    @property
    def failed_checks(self) -> list[Json]:
        """The checks that did not pass."""
        return [c for c in self.checks if not c["ok"]]

    def to_json(self) -> Json:
        """A JSON-ready dict (a plan dict of the store, one line of the JSON Lines export).

        The parts are the plan's own objects, not copies (``asdict`` would deep-copy every
        nested value: most of the plan stage's time at 10⁵ records).
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, raw: Json) -> Plan:
        """Rebuild a plan from :meth:`to_json` output."""
        return cls(**raw)

    def fingerprint(self) -> str:
        """Hash of what the register wants (desired entity minus P813), for the ledger's re-run rule."""
        return hashlib.sha1(orjson.dumps(_strip_retrieved(self.desired), option=orjson.OPT_SORT_KEYS)).hexdigest()


def _strip_retrieved(entity: Json) -> Json:
    """The entity without any ``P813`` key (claims, qualifiers, reference snaks).

    Snaks and terms never have a ``P813`` key, so only the statement levels are rebuilt; the
    result is the same as the generic :func:`_strip_all` walk, at a fraction of its cost.
    """
    if not isinstance(entity, dict) or not isinstance(entity.get("claims"), dict):
        stripped: Json = _strip_all(entity)
        return stripped
    claims = {}
    for prop, statements in entity["claims"].items():
        if prop == "P813":
            continue
        claims[prop] = [_strip_statement(st) for st in statements]
    return {**{k: v for k, v in entity.items() if k != "P813"}, "claims": claims}


def _strip_statement(st: Json) -> Json:
    out = {k: v for k, v in st.items() if k != "P813"}
    if isinstance(st.get("qualifiers"), dict):
        out["qualifiers"] = {k: v for k, v in st["qualifiers"].items() if k != "P813"}
    if isinstance(st.get("references"), list):
        out["references"] = [
            {**ref, "snaks": {k: v for k, v in ref["snaks"].items() if k != "P813"}}
            if isinstance(ref, dict) and isinstance(ref.get("snaks"), dict) else _strip_all(ref)
            for ref in st["references"]]
    return out


def _strip_all(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_all(v) for k, v in obj.items() if k != "P813"}
    if isinstance(obj, list):
        return [_strip_all(v) for v in obj]
    return obj
