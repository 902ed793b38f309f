"""Which query selects a campaign's monuments on the target (its *scope*), and with what parameters.

* a campaign with a ``scope:`` section — ``sparql/scope_items.rq`` (identifier, validity day,
  designations with their subclasses, country), or the campaign's own ``.rq`` file;
* a campaign with a register and no ``scope:`` — ``sparql/lists_campaign_items.rq`` (the register's
  identifier property and ``lists.designations``), as before.

Every choice gives the same columns, so lists, maps, upload links, statistics and the contest stage
work the same way for both kinds of campaign.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import CampaignError
from modeling.campaign import Campaign


@dataclass(frozen=True)
class ScopeQuery:
    """A scope query: a file stem of ``sparql/`` with parameters, or a campaign's own file."""

    name: str | None = None
    path: Path | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How logs and errors name the query."""
        return self.name or (self.path.name if self.path else "scope")


def scope_query(campaign: Campaign, region: str | None = None) -> ScopeQuery:
    """The query selecting ``campaign``'s monuments (optionally only those in ``region``).

    Raises:
        CampaignError: the campaign's own ``.rq`` file is missing, or a region filter is asked
            of it (its text is run as written).
    """
    scope = campaign.scope
    if scope is None:
        assert campaign.mapping is not None  # the model requires a scope or a register mapping
        return ScopeQuery("lists_campaign_items", params={
            "idprop": campaign.mapping.identifier.property,
            "designations": campaign.lists.designations or None, "region": region})
    path = campaign.scope_query_path
    if path is not None:
        if not path.is_file():
            raise CampaignError(f"campaign {campaign.id!r}: scope.query {scope.query!r} should be a "
                                f".rq file, but {path} does not exist")
        if region:
            raise CampaignError(f"campaign {campaign.id!r}: lists by region need scope.identifier or "
                                f"scope.designations; a scope.query file is run as written")
        return ScopeQuery(path=path)
    return ScopeQuery("scope_items", params={
        "idprop": scope.identifier,
        "valid_on": f"{scope.valid_on.isoformat()}T00:00:00Z" if scope.valid_on else None,
        "designations": scope.designations or None,
        "country": campaign.country.qid if scope.country else None,
        "region": region})
