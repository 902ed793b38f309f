"""The contest rules of a campaign: dates, minimum resolution, file types, jury, ID template.

Read from the campaign's ``contest:`` section when it has one; every key has a default, so a
campaign without the section still gets a September (WLM) or June (WLE) contest of its ``year``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from core.errors import CampaignError

#: File types a photo contest accepts (MIME types as the API reports them).
DEFAULT_FILE_TYPES = ("image/jpeg", "image/png", "image/tiff", "image/webp")
#: The contest month by kind when the campaign gives no dates (WLM: September, WLE: June).
DEFAULT_MONTH = {"wlm": 9, "wle": 6}


@dataclass(frozen=True)
class ContestRules:
    """What the contest stage needs to know about one campaign's contest.

    Attributes:
        year: Contest year.
        start: First contest day (UTC, inclusive).
        end: Last contest day (UTC, inclusive).
        country_code: The ``cc`` of ``{{Wiki Loves Monuments YYYY|cc}}``.
        min_megapixels: Minimum width × height in megapixels (2 by default).
        file_types: Accepted MIME types.
        jurors: Jury accounts (their uploads are not eligible).
        organisers: Organiser accounts (their uploads are not eligible).
        id_template: Name of the ID template (``Monument Sweden`` for ``{{Monument Sweden|…}}``).
        tracker_category: The "… with known IDs" category, sorted by ID (without ``Category:``).
        id_format: How the monument's identifier appears in the template (``{id}``, ``{item}``).
        exif_window: Whether the EXIF date must also fall inside the contest window.
    """

    year: int
    start: date
    end: date
    country_code: str | None = None
    min_megapixels: float = 2.0
    file_types: tuple[str, ...] = DEFAULT_FILE_TYPES
    jurors: frozenset[str] = field(default_factory=frozenset)
    organisers: frozenset[str] = field(default_factory=frozenset)
    id_template: str | None = None
    tracker_category: str | None = None
    id_format: str = "{id}"
    exif_window: bool = True

    @property
    def start_iso(self) -> str:
        """The first contest day as ``YYYY-MM-DD``."""
        return self.start.isoformat()

    @property
    def end_iso(self) -> str:
        """The last contest day as ``YYYY-MM-DD``."""
        return self.end.isoformat()

    def days(self) -> list[str]:
        """Every contest day as ``YYYY-MM-DD``, first to last."""
        return [d.date().isoformat() for d in pd.date_range(self.start, self.end, freq="D")]


def _month_window(year: int, month: int) -> tuple[date, date]:
    last = (pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)).date()
    return date(year, month, 1), last


def rules_from_campaign(campaign: Any) -> ContestRules:
    """Build the :class:`ContestRules` of a campaign (its ``contest:`` section, else defaults).

    Args:
        campaign: A loaded campaign (``year``, ``kind``, ``country``, ``lists.upload``,
            optionally ``contest``).

    Returns:
        The rules.

    Raises:
        CampaignError: no contest year, or an end before the start.
    """
    c = getattr(campaign, "contest", None)

    def get(key: str, default: Any = None) -> Any:
        value = getattr(c, key, None) if c is not None else None
        return default if value is None else value

    year = get("year", getattr(campaign, "year", None))
    if year is None:
        raise CampaignError(
            f"campaign {campaign.id!r}: contest.year (or year) should be set, got none"
        )
    d_start, d_end = _month_window(
        int(year), DEFAULT_MONTH.get(getattr(campaign, "kind", "wlm"), 9)
    )
    start, end = get("start", d_start), get("end", d_end)
    if end < start:
        raise CampaignError(
            f"campaign {campaign.id!r}: contest.end should not be before contest.start, "
            f"got {start} … {end}"
        )
    upload = getattr(getattr(campaign, "lists", None), "upload", None)
    country = getattr(campaign, "country", None)
    return ContestRules(
        year=int(year),
        start=start,
        end=end,
        country_code=get("country_code", (getattr(country, "iso", "") or "").lower() or None),
        min_megapixels=float(get("min_megapixels", 2.0)),
        file_types=tuple(get("file_types", DEFAULT_FILE_TYPES)),
        jurors=frozenset(get("jurors", [])),
        organisers=frozenset(get("organisers", [])),
        id_template=get("id_template"),
        tracker_category=_strip_ns(get("tracker_category")),
        id_format=get("id_format", getattr(upload, "id_template", None) or "{id}"),
        exif_window=bool(get("exif_window", True)),
    )


def _strip_ns(category: str | None) -> str | None:
    if not category:
        return None
    return category.split(":", 1)[1] if category.lower().startswith("category:") else category


def format_ids(monuments: pd.DataFrame, id_format: str) -> pd.Series:
    """The ID each monument carries in the ID template, built column-wise (no per-row Python).

    Args:
        monuments: Columns ``id`` and ``item``.
        id_format: A template using ``{id}`` and ``{item}`` (the upload link's ``id_template``).

    Returns:
        A string Series aligned with ``monuments``.

    Raises:
        CampaignError: the template uses another field.
    """
    if id_format in ("{id}", "{item}"):  # the usual case: the column itself
        return monuments[id_format[1:-1]].fillna("").astype("str")
    out = pd.Series("", index=monuments.index, dtype="str")
    for literal, name, _spec, _conv in string.Formatter().parse(id_format):
        out = out + literal
        if name is None:
            continue
        if name not in ("id", "item"):
            raise CampaignError(
                f"contest id_format should use only {{id}} and {{item}}, got {id_format!r}"
            )
        out = out + monuments[name].fillna("").astype(str)
    return out
