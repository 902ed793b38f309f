"""Statement actions: ``wbremoveclaims``."""

from __future__ import annotations

from typing import Any

from sandbox.api_request import ApiRequest
from sandbox.wikibase_errors import ApiFailure


def action_wbremoveclaims(req: ApiRequest) -> dict[str, Any]:
    """``wbremoveclaims``: remove statements (all of one entity) by GUID."""
    assert req.user is not None
    guids = req.multi("claim")
    if not guids:
        raise ApiFailure("missingparam", "The \"claim\" parameter must be set.")
    owners = {g.split("$", 1)[0].upper() for g in guids}
    if len(owners) != 1:
        raise ApiFailure("invalid-guid", "All claims must belong to the same entity")
    baserevid = req.params.get("baserevid")
    entity, _ = req.state.repo.edit(
        {"claims": [{"id": g, "remove": ""} for g in guids]}, entity_id=owners.pop(),
        baserevid=int(baserevid) if baserevid else None, user=req.user["name"],
        summary=req.params.get("summary"), tags=req.params.get("tags"))
    return {"pageinfo": {"lastrevid": entity["lastrevid"]}, "success": 1, "claims": guids}


ACTIONS = {"wbremoveclaims": action_wbremoveclaims}
