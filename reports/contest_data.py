"""Data loading and charts for the contest notebook (``notebooks/04_contest.ipynb``).

The notebook holds no logic: it finds a run with :func:`reports.notebook_data.notebook_run_dir`
(``07_contest/summary.json``) and calls these functions on the contest stage's files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from core.layout import stage_dir


def _dir(run: str | Path) -> Path:
    return stage_dir(run, "contest", create=False)


def contest_summary(run: str | Path) -> pd.Series:
    """The headline figures (``summary.json``) as a Series; nested counts are left out."""
    data: dict[str, Any] = json.loads((_dir(run) / "summary.json").read_text(encoding="utf-8"))
    return pd.Series({k: v for k, v in data.items() if not isinstance(v, dict)}, name="value")


def contest_table(run: str | Path, name: str) -> pd.DataFrame:
    """One of the stage's CSV tables (``daily``, ``uploaders``, ``regions``, ``coverage``, ``curve``,
    ``eligibility``, ``review``, ``jury``, ``suggestions_p18`` …)."""
    return pd.read_csv(_dir(run) / f"{name}.csv", dtype={"date": str, "region": str}, keep_default_na=False)


def eligibility_breakdown(run: str | Path) -> pd.DataFrame:
    """Files per eligibility reason (``eligible`` first), with the share of all uploads."""
    data = json.loads((_dir(run) / "summary.json").read_text(encoding="utf-8"))
    counts = pd.Series(data["eligibility"], name="files")
    out = counts.to_frame()
    out["share_pct"] = (100 * out["files"] / max(int(data["uploads"]), 1)).round(1)
    return out


def review_reasons(run: str | Path) -> pd.DataFrame:
    """Uploads to review per status (unmatched, unknown ID, several monuments)."""
    review = contest_table(run, "review")
    return review.groupby("status").size().rename("uploads").sort_values(ascending=False).to_frame()


def daily_chart(daily: pd.DataFrame):
    """Uploads per day (bars) and cumulative uploaders (line). Returns a matplotlib Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 3.5))
    ax.bar(daily["date"].str[5:], daily["uploads"], color="#3366cc", label="uploads per day")
    ax.set_ylabel("uploads")
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    line = ax.twinx()
    line.plot(daily["date"].str[5:], daily["cumulative_uploaders"], color="#ff9900", label="uploaders (total)")
    line.plot(daily["date"].str[5:], daily["cumulative_new_uploaders"], color="#109618", label="new uploaders (total)")
    line.set_ylabel("uploaders")
    fig.legend(loc="upper left")
    fig.tight_layout()
    return fig


def curve_chart(curve: pd.DataFrame):
    """The share of monuments photographed over the contest days. Returns a Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 3))
    ax.plot(curve["date"].str[5:], curve["photographed_pct"], color="#109618")
    ax.set_ylabel("photographed, % of monuments in scope")
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    fig.tight_layout()
    return fig
