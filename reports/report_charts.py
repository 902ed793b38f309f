"""Charts of the case-study reports, as ``data:`` URIs (PNG, matplotlib Agg).

Embedding the PNG in the HTML keeps every report self-contained: it opens offline and makes no
request. Labels are translated by the caller's language.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # headless; must precede pyplot
import matplotlib.pyplot as plt

from reports.i18n import N_, gettext

_COLOURS = {"ticked": "#2e7d32", "not_ticked": "#c62828", "unknown": "#9e9e9e"}


def _data_uri(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def status_chart(counts: dict[str, int], lang: str) -> str:
    """Horizontal stacked bar of checklist statuses.

    Args:
        counts: ``{"ticked": n, "not_ticked": n, "unknown": n}``.
        lang: Language of the legend.

    Returns:
        A ``data:image/png;base64,…`` URI.
    """
    names = {"ticked": N_("ticked"), "not_ticked": N_("not ticked"), "unknown": N_("unknown")}
    fig, ax = plt.subplots(figsize=(6, 0.9))
    left = 0
    for key in ("ticked", "not_ticked", "unknown"):
        n = counts.get(key, 0)
        ax.barh([0], [n], left=left, color=_COLOURS[key], label=f"{gettext(names[key], lang)} ({n})")
        left += n
    ax.set_xlim(0, max(left, 1))
    ax.axis("off")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=3, frameon=False)
    return _data_uri(fig)


def share_chart(labels: Sequence[str], shares: Sequence[float], title: str) -> str:
    """Horizontal bars of shares (0–1), e.g. coverage per aspect or stage per campaign.

    Args:
        labels: Bar labels (already translated).
        shares: Values between 0 and 1.
        title: Chart title (already translated).

    Returns:
        A ``data:image/png;base64,…`` URI.
    """
    fig, ax = plt.subplots(figsize=(6, 0.45 * max(len(labels), 1) + 0.8))
    ax.barh(list(labels), [100 * s for s in shares], color="#1565c0")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("%")
    ax.set_title(title)
    for i, s in enumerate(shares):
        ax.text(min(100 * s + 1, 92), i, f"{100 * s:.0f}%", va="center")
    return _data_uri(fig)
