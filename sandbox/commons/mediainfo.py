"""MediaInfo entities (``M<pageid>``): structured data on Commons files, edited like items.

Statements use Wikidata's properties and items (Commons is federated with Wikidata), so values
are validated against the local Wikibase's property types and entities, with a fixed table for
the properties structured data uses most (P180 depicts, P1259 coordinates of the point of view,
P170 creator, P275 licence, P6216 copyright status, P7482 source of file …).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from sandbox.entity import EditContext, apply_edit
from sandbox.wikibase_errors import ApiFailure

MEDIAINFO_ID = re.compile(r"^M([1-9]\d*)$")
#: Datatypes of the structured-data properties (used when the local Wikibase lacks them).
SDC_TYPES = {
    "P180": "wikibase-item", "P1259": "globe-coordinate", "P170": "wikibase-item",
    "P275": "wikibase-item", "P6216": "wikibase-item", "P7482": "wikibase-item",
    "P571": "time", "P2093": "string", "P4174": "external-id", "P2699": "url",
    "P3831": "wikibase-item", "P1163": "string", "P4092": "string", "P3575": "quantity",
    "P2048": "quantity", "P2049": "quantity", "P1435": "wikibase-item", "P973": "url",
}


def pageid_of(entity_id: str) -> int:
    """``M123`` → 123; raises ``no-such-entity`` for anything else."""
    m = MEDIAINFO_ID.match(entity_id.strip().upper())
    if not m:
        raise ApiFailure("no-such-entity", f"Could not find an entity with the ID \"{entity_id}\".",
                         extra={"id": entity_id})
    return int(m.group(1))


def context(property_type: Callable[[str], str | None], entity_exists: Callable[[str], bool],
            check_targets: bool) -> EditContext:
    """Validation context: SDC property table first, then the local Wikibase."""
    return EditContext(property_type=lambda pid: SDC_TYPES.get(pid) or property_type(pid),
                       entity_exists=entity_exists, check_targets=check_targets)


def empty(entity_id: str) -> dict[str, Any]:
    """A MediaInfo with no captions and no statements."""
    return {"type": "mediainfo", "id": entity_id, "labels": {}, "statements": {}}


def edit(current: dict[str, Any] | None, data: dict[str, Any], entity_id: str,
         ctx: EditContext, clear: bool = False) -> dict[str, Any]:
    """Apply wbeditentity ``data`` (captions as ``labels``, ``statements`` or ``claims``).

    Returns:
        The new MediaInfo content ``{"type", "id", "labels", "statements"}``.

    Raises:
        ApiFailure: invalid data (Wikibase's codes), or keys MediaInfo does not have.
    """
    if not isinstance(data, dict):
        raise ApiFailure("not-recognized-array", "data should be a JSON object")
    for key in ("descriptions", "aliases", "sitelinks", "datatype"):
        if key in data:
            raise ApiFailure("not-supported", f"MediaInfo entities have no {key}")
    base = current or empty(entity_id)
    old = {"type": "mediainfo", "id": entity_id, "labels": copy.deepcopy(base["labels"]),
           "descriptions": {}, "aliases": {}, "claims": copy.deepcopy(base["statements"])}
    new = apply_edit(None if current is None else old, data, entity_id, "mediainfo", ctx, clear)
    return {"type": "mediainfo", "id": entity_id, "labels": new.get("labels", {}),
            "statements": new.get("claims", {})}


def public(entity: dict[str, Any]) -> dict[str, Any]:
    """The wbgetentities / Special:EntityData shape of a stored MediaInfo."""
    keys = ("type", "id", "pageid", "ns", "title", "lastrevid", "modified", "labels",
            "statements")
    return {k: entity[k] for k in keys if k in entity}
