"""Shared rendering of the case-study documents (checklist, recommendations, progress).

One function picks the template ``reports/templates/<format dir>/<kind>.<ext>.j2`` from the
translated overlay of the one project environment (:func:`reports.i18n.translated_environment`)
and fills the context every document shares (campaign, language, generation date).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from modeling.campaign import Campaign
from reports.i18n import translated_environment

#: Output format → (template folder, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "md": ("markdown", "md"),
    "html": ("html", "html"),
    "wiki": ("wikitext", "wiki"),
}


def template_name(kind: str, fmt: str) -> str:
    """Template path of document ``kind`` in format ``fmt`` (``md``, ``html``, ``wiki``).

    Raises:
        ValueError: for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format should be one of {sorted(FORMATS)}, got {fmt!r}")
    folder, ext = FORMATS[fmt]
    return f"{folder}/{kind}.{ext}.j2"


def render_document(
    kind: str,
    fmt: str,
    lang: str,
    campaign: Campaign | None,
    context: dict[str, Any],
    *,
    today: date | None = None,
) -> str:
    """Render one document.

    Args:
        kind: ``checklist``, ``recommendations`` or ``progress``.
        fmt: ``md``, ``html`` or ``wiki``.
        lang: Report language.
        campaign: The campaign (None for the all-campaign progress page).
        context: Document-specific variables.
        today: Generation date shown in the document (default: today).

    Returns:
        The rendered text.
    """
    env = translated_environment(lang)
    template = env.get_template(template_name(kind, fmt))
    return template.render(campaign=campaign, generated=today or date.today(), **context)
