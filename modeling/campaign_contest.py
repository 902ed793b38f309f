"""The campaign sections of the contest phase: ``scope:`` (monuments selected on the target, no
register needed) and ``contest:`` (the photo contest on Commons). ``campaigns/README.md``
documents every key.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator, model_validator

from modeling.campaign_base import StrictModel as _Model
from modeling.campaign_base import check_pid as _check_pid
from modeling.campaign_base import check_qid as _check_qid


class Scope(_Model):
    """Which monuments on the target the campaign covers, selected by SPARQL (no register needed).

    One of: ``query`` (a ``.rq`` file of the campaign's own), or ``identifier`` and/or
    ``designations`` (P1435 values, their subclasses included), optionally limited to the
    campaign's country and to identifier statements valid on a date (P580/P582 qualifiers).
    """

    identifier: str | None = Field(
        default=None, description="property holding the monument ID, e.g. P2186 (WLM Italy)"
    )
    designations: list[str] = Field(
        default_factory=list, description="P1435 values in scope (subclasses via P279* included)"
    )
    country: bool = Field(default=True, description="only items with P17 = country.qid")
    valid_on: date | None = Field(
        default=None,
        description="keep identifier statements valid that day: P580 ≤ day ≤ P582 when present",
    )
    query: str | None = Field(
        default=None, description=".rq file (relative to the campaign file) giving the columns "
        "of sparql/scope_items.rq"
    )

    _p = field_validator("identifier")(lambda v: v if v is None else _check_pid(v))

    @field_validator("designations")
    @classmethod
    def _qids(cls, values: list[str]) -> list[str]:
        return [_check_qid(v) for v in values]

    @model_validator(mode="after")
    def _one_way(self) -> Scope:
        if self.query and (self.identifier or self.designations):
            raise ValueError("give either query, or identifier/designations, not both")
        if not self.query and not self.identifier and not self.designations:
            raise ValueError("needs identifier, designations or query")
        if self.valid_on and not self.identifier:
            raise ValueError("valid_on needs identifier (the qualifiers sit on its statements)")
        return self


class Contest(_Model):
    """The photo contest on Commons (``07_contest/``); unset keys take the contest stage's defaults."""

    year: int | None = Field(default=None, description="contest year (default: the campaign's)")
    start: date | None = Field(default=None, description="first day (default: 1 September / 1 June)")
    end: date | None = Field(default=None, description="last day (default: end of that month)")
    category: str | None = Field(
        default=None, description="contest category, e.g. 'Images from Wiki Loves Monuments 2026 "
        "in Sweden' (without 'Category:')"
    )
    country_code: str | None = Field(default=None, description="cc of {{Wiki Loves Monuments YYYY|cc}}")
    id_template: str | None = Field(default=None, description="ID template, e.g. 'Monument Sweden'")
    tracker_category: str | None = Field(
        default=None, description="'… with known IDs' category the ID template files into"
    )
    id_format: str | None = Field(default=None, description="ID in the template: '{id}' or '{item}'")
    min_megapixels: float | None = Field(default=None, description="minimum resolution (default 2)")
    file_types: list[str] | None = Field(default=None, description="accepted MIME types")
    exif_window: bool | None = Field(default=None, description="EXIF date must be in the window")
    jurors: list[str] = Field(default_factory=list, description="jury accounts (not eligible)")
    organisers: list[str] = Field(default_factory=list, description="organiser accounts")

    @model_validator(mode="after")
    def _window(self) -> Contest:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end should not be before start, got {self.start} … {self.end}")
        return self
