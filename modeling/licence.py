"""The licence gate: only CC0 / public-domain registers may be written to Wikidata.

Wikidata's content is CC0, so adding facts from a register under an attribution licence
(CC BY, OGL, Licence Ouverte, DL-DE-BY …) or an unknown licence would relicense them without
permission. Such registers may still be ingested, reconciled, listed and reported on — only the
upload stage is closed.
"""

from __future__ import annotations

from typing import Any

from core.errors import LicenceError
from modeling.campaign import UPLOADABLE_LICENCES


def licence_allows_upload(licence: str | None) -> bool:
    """Whether data under ``licence`` (an SPDX-like id) may be uploaded to Wikidata."""
    return (licence or "").strip() in UPLOADABLE_LICENCES


def licence_refusal(campaign: Any, *, action: str = "upload to Wikidata") -> str | None:
    """Why ``campaign``'s data may not be uploaded, or None when its licence allows it.

    Args:
        campaign: a ``Campaign`` (``id``, ``licence``, ``publisher.name`` are used).
        action: what is being attempted, named in the message.
    """
    licence = getattr(campaign, "licence", None)
    if licence_allows_upload(licence):
        return None
    publisher = getattr(getattr(campaign, "publisher", None), "name", None) or "the publisher"
    return (
        f"campaign {getattr(campaign, 'id', '?')!r}: licence should be one of "
        f"{', '.join(sorted(UPLOADABLE_LICENCES))} to {action}, got {licence!r}. Wikidata is CC0, "
        "so only CC0 or public-domain data may be added to it; ingest, reconcile, lists and "
        f"reports still work. Ask {publisher} to release the register under CC0."
    )


def licence_gate(campaign: Any, *, action: str = "upload to Wikidata") -> None:
    """Refuse an upload when the campaign's dataset licence is not CC0 or public domain.

    Args:
        campaign: a ``Campaign`` (``id``, ``licence``, ``publisher.name`` are used).
        action: what is being attempted, named in the message.

    Raises:
        LicenceError: explaining why and what is still allowed.
    """
    refusal = licence_refusal(campaign, action=action)
    if refusal is not None:
        raise LicenceError(refusal)
