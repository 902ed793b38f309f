"""Snaks and statements: validation with hashes and GUIDs, and wbeditentity's claims merge."""

from __future__ import annotations

import re
from typing import Any

from sandbox.wb_model import EditContext, new_guid, reference_hash, snak_hash
from sandbox.wb_values import normalize_datavalue
from sandbox.wikibase_errors import ApiFailure, modification_failed


def normalize_snak(raw: Any, ctx: EditContext, expect_property: str | None = None) -> dict:
    """Validate one snak and return it with ``hash`` and the property's ``datatype``."""
    if not isinstance(raw, dict) or "property" not in raw or "snaktype" not in raw:
        raise ApiFailure("invalid-snak", f"snak should have 'snaktype' and 'property', got {raw!r}")
    pid = raw["property"]
    if not isinstance(pid, str) or not re.match(r"^P[1-9]\d*$", pid):
        raise ApiFailure("invalid-snak", f"Invalid property id {pid!r} in snak")
    if expect_property and pid != expect_property:
        raise ApiFailure("invalid-snak", f"snak property {pid} is listed under {expect_property}")
    datatype = ctx.datatype_of(pid)
    if datatype is None:
        raise modification_failed("wikibase-validator-no-such-property", [pid],
                                  f"Property {pid} not found.")
    snaktype = raw["snaktype"]
    snak: dict[str, Any] = {"snaktype": snaktype, "property": pid}
    if snaktype == "value":
        if "datavalue" not in raw:
            raise ApiFailure("invalid-snak", f"snak of {pid} with snaktype value has no datavalue")
        snak["datavalue"] = normalize_datavalue(pid, datatype, raw["datavalue"], ctx)
    elif snaktype not in ("somevalue", "novalue"):
        raise ApiFailure("invalid-snak", f"Invalid snaktype {snaktype!r} for {pid}")
    snak["hash"] = snak_hash(snak)
    snak["datatype"] = datatype
    return {k: snak[k] for k in ("snaktype", "property", "hash", "datavalue", "datatype")
            if k in snak}


def _snak_group(raw: Any, order: Any, ctx: EditContext) -> tuple[dict[str, list], list[str]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    if isinstance(raw, dict):
        for pid, snaks in raw.items():
            for snak in snaks if isinstance(snaks, list) else [snaks]:
                groups.setdefault(pid, []).append(normalize_snak(snak, ctx, pid))
    elif isinstance(raw, list):
        for snak in raw:
            norm = normalize_snak(snak, ctx)
            groups.setdefault(norm["property"], []).append(norm)
    elif raw is not None:
        raise ApiFailure("invalid-snak", f"snaks should be a map or a list, got {raw!r}")
    wanted = [p for p in (order or []) if p in groups]
    final_order = list(dict.fromkeys(wanted + list(groups)))
    return {p: groups[p] for p in final_order}, final_order


def normalize_statement(raw: Any, entity_id: str, ctx: EditContext) -> dict[str, Any]:
    """Validate one statement; returns it with GUID, hashes, datatypes and *-order fields."""
    if not isinstance(raw, dict) or "mainsnak" not in raw:
        raise ApiFailure("invalid-claim", f"statement should have a mainsnak, got {raw!r}")
    mainsnak = normalize_snak(raw["mainsnak"], ctx)
    rank = raw.get("rank", "normal")
    if rank not in ("preferred", "normal", "deprecated"):
        raise ApiFailure("invalid-claim", f"Invalid rank {rank!r}")
    guid = raw.get("id") or new_guid(entity_id)
    stmt: dict[str, Any] = {"mainsnak": mainsnak, "type": "statement", "id": guid, "rank": rank}
    qualifiers, qorder = _snak_group(raw.get("qualifiers"), raw.get("qualifiers-order"), ctx)
    if qualifiers:
        stmt["qualifiers"] = qualifiers
        stmt["qualifiers-order"] = qorder
    refs: list[dict[str, Any]] = []
    for ref in raw.get("references") or []:
        if not isinstance(ref, dict):
            raise ApiFailure("invalid-reference", f"reference should be an object, got {ref!r}")
        snaks, sorder = _snak_group(ref.get("snaks"), ref.get("snaks-order"), ctx)
        if not snaks:
            raise ApiFailure("invalid-reference", "reference without snaks")
        rhash = reference_hash(snaks, sorder)
        if all(r["hash"] != rhash for r in refs):
            refs.append({"hash": rhash, "snaks": snaks, "snaks-order": sorder})
    if refs:
        stmt["references"] = refs
    return stmt


# --- claims merge --------------------------------------------------------------------------------


def _statement_list(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, dict):
        out = []
        for pid, stmts in raw.items():
            for stmt in stmts if isinstance(stmts, list) else [stmts]:
                if isinstance(stmt, dict) and "mainsnak" in stmt and \
                        stmt["mainsnak"].get("property") not in (None, pid):
                    raise ApiFailure("invalid-claim", f"statement listed under {pid} has main "
                                                      f"snak property "
                                                      f"{stmt['mainsnak'].get('property')}")
                out.append(stmt)
        return out
    if isinstance(raw, list):
        return raw
    raise ApiFailure("not-recognized-array", f"claims should be a map or a list, got {raw!r}")


def apply_claims(entity: dict[str, Any], raw: Any, entity_id: str, ctx: EditContext) -> None:
    flat: list[dict[str, Any]] = [s for stmts in entity.get("claims", {}).values() for s in stmts]
    index = {s["id"].lower(): i for i, s in enumerate(flat)}
    removed: set[int] = set()
    for raw_stmt in _statement_list(raw):
        if not isinstance(raw_stmt, dict):
            raise ApiFailure("invalid-claim", f"statement should be an object, got {raw_stmt!r}")
        guid = raw_stmt.get("id")
        if guid is not None:
            if not isinstance(guid, str) or "$" not in guid:
                raise ApiFailure("invalid-guid", f"Invalid statement GUID {guid!r}")
            owner = guid.split("$", 1)[0]
            if owner.upper() != entity_id.upper():
                raise modification_failed(
                    "wikibase-validator-statement-not-on-entity", [guid, entity_id],
                    f"Statement GUID {guid} does not belong to entity {entity_id}")
        if "remove" in raw_stmt:
            if guid is None:
                raise ApiFailure("invalid-claim", "a statement to remove needs its id")
            pos = index.get(guid.lower())
            if pos is None or pos in removed:
                raise modification_failed("wikibase-validator-no-such-claim", [guid],
                                          f"Statement with GUID {guid} not found on {entity_id}")
            removed.add(pos)
            continue
        stmt = normalize_statement(raw_stmt, entity_id, ctx)
        pos = index.get(stmt["id"].lower()) if guid else None
        if pos is not None and pos not in removed:
            old_pid = flat[pos]["mainsnak"]["property"]
            if old_pid != stmt["mainsnak"]["property"]:
                raise modification_failed(
                    "wikibase-validator-claim-property-change", [stmt["id"]],
                    f"Statement {stmt['id']} is about {old_pid}; its property cannot change")
            stmt["id"] = flat[pos]["id"]
            flat[pos] = stmt
        else:
            index[stmt["id"].lower()] = len(flat)
            flat.append(stmt)
    claims: dict[str, list[dict[str, Any]]] = {}
    for i, stmt in enumerate(flat):
        if i not in removed:
            claims.setdefault(stmt["mainsnak"]["property"], []).append(stmt)
    entity["claims"] = claims

