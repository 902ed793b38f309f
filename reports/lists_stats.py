"""Campaign lists, step 3: coverage statistics per region (FIELD-NOTES §1.3) — table, wikitext, chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from modeling.campaign import Campaign
from reports.entity_links import EntityLinks
from reports.filters import csv_safe
from reports.i18n import translated_environment
from reports.lists_fold import Section
from reports.lists_render import COLOURS, list_language


def _counts(rows: Sequence[dict[str, Any]], languages: Sequence[str]) -> dict[str, Any]:
    return {
        "monuments": len(rows),
        "with_image": sum(r["image"] is not None for r in rows),
        "with_coords": sum(r["lat"] is not None for r in rows),
        "with_commons_category": sum(r["commons_category"] is not None for r in rows),
        "labelled": {lang: sum(bool(r[f"has_label_{lang}"]) for r in rows) for lang in languages},
    }


def coverage(table: Sequence[dict[str, Any]], secs: Sequence[Section],
             languages: Sequence[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Coverage per region and overall (distinct items), FIELD-NOTES §1.3.

    Returns:
        (rows, total): dicts with ``label, qid, slug, monuments, with_image, with_coords,
        with_commons_category, labelled {lang: n}``.
    """
    rows = [{"label": s.label, "qid": s.qid, "slug": s.slug, **_counts(s.rows, languages)} for s in secs]
    total = {"label": "Total", "qid": None, "slug": "total", **_counts(table, languages)}
    return rows, total


def stats_frame(rows: Sequence[dict[str, Any]], total: dict[str, Any], languages: Sequence[str]) -> pd.DataFrame:
    """Coverage as a flat table (counts and percentages) for ``stats.csv``."""
    out = []
    for r in [*rows, total]:
        n = r["monuments"]
        rec = {"region": r["qid"] or "", "region_label": r["label"], "monuments": n}
        for key in ("with_image", "with_coords", "with_commons_category"):
            rec[key], rec[f"{key}_pct"] = r[key], round(100 * r[key] / n, 1) if n else 0.0
        for lang in languages:
            rec[f"labelled_{lang}"] = r["labelled"][lang]
            rec[f"labelled_{lang}_pct"] = round(100 * r["labelled"][lang] / n, 1) if n else 0.0
        out.append(rec)
    return pd.DataFrame(out).map(csv_safe)


def render_stats(campaign: Campaign, rows: Sequence[dict[str, Any]], total: dict[str, Any], generated_at: str,
                 links: EntityLinks | None = None) -> str:
    """Wikitext coverage table in the campaign's language, cells "n (x%)", a bold total row."""
    lang = list_language(campaign)
    template = translated_environment(lang).get_template("wikitext/lists/stats.wiki.j2")
    return template.render(campaign_name=campaign.name, languages=campaign.languages, rows=list(rows),
                           total=total, locale=lang, generated_at=generated_at,
                           link=(links or EntityLinks()).wikitext)


def plot_stats(rows: Sequence[dict[str, Any]], path: Path, title: str, top: int = 40) -> Path:
    """Horizontal bar chart (PNG): monuments per region, with / without a photo.

    Args:
        rows: Per-region coverage from :func:`coverage`.
        path: Output PNG path.
        title: Chart title.
        top: Regions shown (largest first).

    Returns:
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = sorted(rows, key=lambda r: -r["monuments"])[:top][::-1]
    labels = [r["label"] for r in shown]
    with_img = [r["with_image"] for r in shown]
    without = [r["monuments"] - r["with_image"] for r in shown]
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.28 * max(len(shown), 1)))
    ax.barh(labels, with_img, color=COLOURS["with"], label="with photo")
    ax.barh(labels, without, left=with_img, color=COLOURS["without"], label="without photo")
    ax.set_xlabel("monuments")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
