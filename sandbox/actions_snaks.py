"""Qualifier and reference actions: ``wbsetqualifier``, ``wbremovequalifiers``,
``wbsetreference``, ``wbremovereferences`` (snaks addressed by their hashes, as in Wikibase)."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.actions_claims import save_statement, snak_from_params, statement_answer
from sandbox.api_request import ApiRequest
from sandbox.edit_common import checked_id, current, find_statement, guid_owner
from sandbox.wikibase_errors import ApiFailure


def _statement(req: ApiRequest, param: str) -> dict[str, Any]:
    guid = req.require(param)
    return copy.deepcopy(find_statement(current(req, guid_owner(guid)), guid))


def _without_snak(snaks: dict[str, list[dict[str, Any]]], snak_hash: str
                  ) -> dict[str, list[dict[str, Any]]]:
    out = {p: [s for s in group if s.get("hash") != snak_hash] for p, group in snaks.items()}
    return {p: group for p, group in out.items() if group}


def action_wbsetqualifier(req: ApiRequest) -> dict[str, Any]:
    """``wbsetqualifier``: add a qualifier, or replace the one whose hash is ``snakhash``."""
    stmt = _statement(req, "claim")
    pid = checked_id(req.require("property"))
    qualifiers = stmt.get("qualifiers", {})
    old_hash = req.params.get("snakhash")
    if old_hash:
        if all(s.get("hash") != old_hash for g in qualifiers.values() for s in g):
            raise ApiFailure("no-such-qualifier", f"Could not find the qualifier \"{old_hash}\"")
        qualifiers = _without_snak(qualifiers, old_hash)
    qualifiers.setdefault(pid, []).append(snak_from_params(req, pid))
    stmt["qualifiers"] = qualifiers
    stmt["qualifiers-order"] = list(qualifiers)
    return statement_answer(save_statement(req, stmt), stmt["id"])


def action_wbremovequalifiers(req: ApiRequest) -> dict[str, Any]:
    """``wbremovequalifiers``: remove the qualifiers with the given hashes."""
    stmt = _statement(req, "claim")
    qualifiers = stmt.get("qualifiers", {})
    for snak_hash in req.multi("qualifiers"):
        if all(s.get("hash") != snak_hash for g in qualifiers.values() for s in g):
            raise ApiFailure("no-such-qualifier", f"Could not find the qualifier \"{snak_hash}\"")
        qualifiers = _without_snak(qualifiers, snak_hash)
    stmt["qualifiers"] = qualifiers
    stmt["qualifiers-order"] = list(qualifiers)
    entity = save_statement(req, stmt)
    return {"pageinfo": {"lastrevid": entity["lastrevid"]}, "success": 1}


def action_wbsetreference(req: ApiRequest) -> dict[str, Any]:
    """``wbsetreference``: add a reference (``snaks`` JSON), or replace the one with hash
    ``reference``; ``index`` places it."""
    stmt = _statement(req, "statement")
    snaks = req.json("snaks")
    order = req.json("snaks-order") if "snaks-order" in req.params else None
    refs = stmt.get("references", [])
    old_hash = req.params.get("reference")
    position = len(refs)
    if old_hash:
        hashes = [r.get("hash") for r in refs]
        if old_hash not in hashes:
            raise ApiFailure("no-such-reference", f"Could not find the reference \"{old_hash}\"")
        position = hashes.index(old_hash)
        refs.pop(position)
    index = req.integer("index", position, 0, len(refs))
    new_ref: dict[str, Any] = {"snaks": snaks}
    if order is not None:
        new_ref["snaks-order"] = order
    refs.insert(index if index is not None else position, new_ref)
    stmt["references"] = refs
    entity = save_statement(req, stmt)
    saved = find_statement(entity, stmt["id"]).get("references", [])
    placed = index if index is not None else position
    return {"pageinfo": {"lastrevid": entity["lastrevid"]}, "success": 1,
            "reference": saved[min(placed, len(saved) - 1)]}


def action_wbremovereferences(req: ApiRequest) -> dict[str, Any]:
    """``wbremovereferences``: remove the references with the given hashes."""
    stmt = _statement(req, "statement")
    refs = stmt.get("references", [])
    for ref_hash in req.multi("references"):
        if all(r.get("hash") != ref_hash for r in refs):
            raise ApiFailure("no-such-reference", f"Could not find the reference \"{ref_hash}\"")
        refs = [r for r in refs if r.get("hash") != ref_hash]
    stmt["references"] = refs
    entity = save_statement(req, stmt)
    return {"pageinfo": {"lastrevid": entity["lastrevid"]}, "success": 1}


ACTIONS = {"wbsetqualifier": action_wbsetqualifier,
           "wbremovequalifiers": action_wbremovequalifiers,
           "wbsetreference": action_wbsetreference,
           "wbremovereferences": action_wbremovereferences}
