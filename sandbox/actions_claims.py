"""Statement actions: ``wbcreateclaim``, ``wbsetclaim``, ``wbsetclaimvalue``, ``wbremoveclaims``.

Each reads the current statement, changes a copy and saves it through wbeditentity's statement
merge (so validation, hashes and GUID checks are the same as for wbeditentity).
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.api_request import ApiRequest
from sandbox.edit_common import checked_id, current, find_statement, guid_owner, save
from sandbox.entity import new_guid
from sandbox.wb_model import VALUE_TYPES
from sandbox.wikibase_errors import ApiFailure


def snak_from_params(req: ApiRequest, pid: str, value_param: str = "value") -> dict[str, Any]:
    """A snak from ``snaktype`` + ``value`` (the JSON of a datavalue's ``value``) for ``pid``."""
    snaktype = req.params.get("snaktype", "value")
    if snaktype not in ("value", "somevalue", "novalue"):
        raise ApiFailure("badvalue", f"Unrecognized value for parameter \"snaktype\": "
                                     f"{snaktype}.")
    snak: dict[str, Any] = {"snaktype": snaktype, "property": pid}
    if snaktype == "value":
        if value_param not in req.params:
            raise ApiFailure("param-missing", f"A {value_param} is required when snaktype is "
                                              f"\"value\"")
        datatype = req.state.repo.db.property_type(pid) or "string"
        snak["datavalue"] = {"value": req.json(value_param),
                             "type": VALUE_TYPES.get(datatype, "string")}
    return snak


def statement_answer(entity: dict[str, Any], guid: str, key: str = "claim") -> dict[str, Any]:
    """``{"pageinfo": {"lastrevid"}, "success": 1, key: statement}``."""
    return {"pageinfo": {"lastrevid": entity["lastrevid"]}, "success": 1,
            key: find_statement(entity, guid)}


def save_statement(req: ApiRequest, stmt: dict[str, Any]) -> dict[str, Any]:
    """Save one (new or changed) statement on its entity; returns the entity JSON."""
    entity, _ = save(req, {"claims": [stmt]}, guid_owner(stmt["id"]))
    return entity


def action_wbcreateclaim(req: ApiRequest) -> dict[str, Any]:
    """``wbcreateclaim``: a new statement ``property`` = ``value`` on ``entity``."""
    eid = checked_id(req.require("entity"))
    pid = checked_id(req.require("property"))
    if pid[0] != "P":
        raise ApiFailure("invalid-snak", f"\"{pid}\" is not a property id")
    current(req, eid)
    stmt: dict[str, Any] = {"id": new_guid(eid), "type": "statement", "rank": "normal",
                            "mainsnak": snak_from_params(req, pid)}
    return statement_answer(save_statement(req, stmt), stmt["id"])


def action_wbsetclaim(req: ApiRequest) -> dict[str, Any]:
    """``wbsetclaim``: create or replace a whole statement given as JSON (with its GUID)."""
    stmt = req.json("claim")
    if not isinstance(stmt, dict):
        raise ApiFailure("invalid-claim", "The claim should be a JSON object")
    guid = stmt.get("id")
    if not isinstance(guid, str):
        raise ApiFailure("invalid-claim", "The claim needs an \"id\" (GUID)")
    current(req, guid_owner(guid))
    return statement_answer(save_statement(req, stmt), guid)


def action_wbsetclaimvalue(req: ApiRequest) -> dict[str, Any]:
    """``wbsetclaimvalue``: change the main snak's value of statement ``claim``."""
    guid = req.require("claim")
    stmt = copy.deepcopy(find_statement(current(req, guid_owner(guid)), guid))
    stmt["mainsnak"] = snak_from_params(req, stmt["mainsnak"]["property"])
    return statement_answer(save_statement(req, stmt), guid)


def action_wbremoveclaims(req: ApiRequest) -> dict[str, Any]:
    """``wbremoveclaims``: remove statements (all of one entity) by GUID."""
    guids = req.multi("claim")
    if not guids:
        raise ApiFailure("missingparam", "The \"claim\" parameter must be set.")
    owners = {guid_owner(g) for g in guids}
    if len(owners) != 1:
        raise ApiFailure("invalid-guid", "All claims must belong to the same entity")
    entity, _ = save(req, {"claims": [{"id": g, "remove": ""} for g in guids]}, owners.pop())
    return {"pageinfo": {"lastrevid": entity["lastrevid"]}, "success": 1, "claims": guids}


ACTIONS = {"wbcreateclaim": action_wbcreateclaim, "wbsetclaim": action_wbsetclaim,
           "wbsetclaimvalue": action_wbsetclaimvalue, "wbremoveclaims": action_wbremoveclaims}
