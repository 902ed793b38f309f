"""Data loading and charts for the analysts' notebooks (``notebooks/*.ipynb``).

The notebooks hold no logic: they call these plain functions. A notebook finds its run directory
with :func:`notebook_run_dir`: ``out/demo`` after ``make demo``, else the newest run under ``out/``,
or the folder named by ``WLKIT_NOTEBOOK_OUT`` (a run directory or a folder of ``<campaign id>/``
run directories); the register-quality notebook can build what it needs offline with
:func:`ingest_sample` (no local services needed).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from core import layout

log = logging.getLogger(__name__)

ENV_VAR = "WLKIT_NOTEBOOK_OUT"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CAMPAIGN = PROJECT_ROOT / "campaigns" / "wlm-se-bbr-sample.yaml"


def _runs_under(root: Path) -> list[Path]:
    """``root`` itself and its sub-folders (a run directory or a folder of run directories)."""
    if not root.is_dir():
        return []
    return [root, *sorted(p for p in root.iterdir() if p.is_dir())]


def _pick(candidates: list[Path], needs: str, campaign_id: str | None) -> Path | None:
    if campaign_id:
        candidates = sorted(candidates, key=lambda p: p.name != campaign_id)
    for run in candidates:
        if (run / needs).is_file():
            return run
    return None


def notebook_run_dir(
    needs: str,
    campaign_id: str | None = None,
    *,
    env: str = ENV_VAR,
    out_root: str | Path | None = None,
) -> Path | None:
    """Find a run directory holding ``needs`` (a file path relative to the run, e.g. a layout name).

    Where it looks, in order: the folder named by the environment variable ``env`` when it is set
    (a run directory or a folder of them); otherwise ``out/demo`` (what ``make demo`` writes), then
    the newest run anywhere under ``out/`` (up to two levels deep, newest ``needs`` file first).

    Args:
        needs: File the notebook reads, e.g. ``"05_lists/stats.csv"``.
        campaign_id: Prefer this campaign's run when a folder holds several.
        env: Environment variable naming the run directory or the folder of run directories.
        out_root: The ``out/`` folder searched without the variable (default: the project's).

    Returns:
        The run directory, or None when nothing found has the file.
    """
    base = os.environ.get(env)
    if base:
        return _pick(_runs_under(Path(base)), needs, campaign_id)
    out = Path(out_root) if out_root is not None else PROJECT_ROOT / "out"
    found = _pick(_runs_under(out / "demo"), needs, campaign_id)
    if found is not None:
        return found
    runs = [run for top in _runs_under(out) for run in _runs_under(top) if (run / needs).is_file()]
    if not runs:
        return None
    newest = max((run / needs).stat().st_mtime for run in runs)
    recent = [run for run in runs if (run / needs).stat().st_mtime >= newest - 60]  # one run's campaigns
    return _pick(sorted(recent, key=lambda r: -(r / needs).stat().st_mtime), needs, campaign_id)


def require_run_dir(needs: str, campaign_id: str | None = None) -> Path:
    """Like :func:`notebook_run_dir` but fails with a clear message when nothing is found.

    Raises:
        FileNotFoundError: naming the folders searched and the file looked for.
    """
    run = notebook_run_dir(needs, campaign_id)
    if run is None:
        raise FileNotFoundError(
            f"no run with {needs} in out/demo or under out/: run `make demo` (or a campaign with "
            f"`wlkit run … --out out/NAME`), or set {ENV_VAR} to a run directory")
    return run


def ingest_sample(out_dir: str | Path | None = None, campaign_file: str | Path = SAMPLE_CAMPAIGN) -> Path:
    """Run the offline ingest stage on the bundled sample register and return the run directory.

    Args:
        out_dir: Where to write (default: a new temporary directory).
        campaign_file: The campaign whose register to ingest.

    Returns:
        The run directory holding ``01_ingest/``.
    """
    from modeling.ingest import ingest, resolve_source

    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="wlkit-notebook-"))
    spec, base_dir, bbox = resolve_source(campaign_file, None, None)
    ingest(spec, base_dir=base_dir, country_bbox=bbox, out_dir=out)
    return out


# --- 01 campaign coverage ---------------------------------------------------------------------


def coverage_by_region(run_dir: str | Path) -> pd.DataFrame:
    """Per-region coverage from ``05_lists/stats.csv`` (without the total row), largest first.

    Returns:
        Columns ``region_label, monuments, with_image, with_coords, with_commons_category`` and
        the ``*_pct`` shares, plus ``without_image``.
    """
    stats = pd.read_csv(Path(run_dir) / layout.LISTS_STATS)
    stats = stats[stats["region_label"].astype(str).str.lower() != "total"].copy()
    stats["without_image"] = stats["monuments"] - stats["with_image"]
    return stats.sort_values("monuments", ascending=False).reset_index(drop=True)


def coverage_chart(coverage: pd.DataFrame, top: int = 25):
    """Stacked bars: items per region with / without a photo. Returns a matplotlib Figure."""
    import matplotlib.pyplot as plt

    shown = coverage.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 1 + 0.3 * len(shown)))
    ax.barh(shown["region_label"], shown["with_image"], color="#2e7d32", label="with photo")
    ax.barh(shown["region_label"], shown["without_image"], left=shown["with_image"], color="#c62828",
            label="without photo")
    ax.set_xlabel("items")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def list_points(run_dir: str | Path) -> pd.DataFrame:
    """Points of ``05_lists/all.geojson`` as a table (``lon, lat, label, region, has_image``)."""
    data = json.loads((layout.stage_dir(run_dir, "lists", create=False) / "all.geojson").read_text(encoding="utf-8"))
    rows = []
    for f in data.get("features", []):
        lon, lat = f["geometry"]["coordinates"][:2]
        props = f.get("properties") or {}
        regions = props.get("region_labels") or []
        rows.append({"lon": lon, "lat": lat, "label": props.get("label"),
                     "region": regions[0] if isinstance(regions, list) and regions else regions or None,
                     "has_image": bool(props.get("has_image", props.get("image")))})
    return pd.DataFrame(rows, columns=["lon", "lat", "label", "region", "has_image"])


def points_map(points: pd.DataFrame, title: str = "campaign items"):
    """A tile-free map (works offline): items coloured by has-photo. Returns a Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 7))
    for flag, colour, label in ((True, "#2e7d32", "with photo"), (False, "#c62828", "without photo")):
        part = points[points["has_image"] == flag]
        ax.scatter(part["lon"], part["lat"], s=8, c=colour, label=f"{label} ({len(part)})")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect(1.8)  # roughly equal distances at Nordic latitudes
    ax.set_title(title)
    ax.legend(loc="lower right")
    return fig


# --- 02 reconciliation review ------------------------------------------------------------------


def decisions_frame(run_dir: str | Path) -> pd.DataFrame:
    """``02_reconcile/decisions.csv`` with a ``decision`` column (matched / new / review)."""
    frame = pd.read_csv(Path(run_dir) / layout.DECISIONS, dtype={"source_id": str, "qid": str})
    qid = frame["qid"].fillna("review")
    frame["decision"] = qid.where(qid.isin(["new", "review"]), "matched")
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    return frame


def decision_counts(decisions: pd.DataFrame) -> pd.DataFrame:
    """Counts per decision and per who decided (auto / human)."""
    return decisions.groupby(["decision", "decided_by"]).size().unstack(fill_value=0)


def score_histogram(decisions: pd.DataFrame, accept: float | None = None, review: float | None = None):
    """Score distribution per decision, with the campaign thresholds. Returns a Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    bins = [i / 20 for i in range(21)]
    for decision, colour in (("matched", "#2e7d32"), ("review", "#f9a825"), ("new", "#1565c0")):
        part = decisions.loc[decisions["decision"] == decision, "score"].dropna()
        ax.hist(part, bins=bins, alpha=0.7, color=colour, label=f"{decision} ({len(part)})")
    for value, name in ((accept, "accept"), (review, "review")):
        if value is not None:
            ax.axvline(value, color="black", linestyle="--", linewidth=1)
            ax.text(value, ax.get_ylim()[1] * 0.9, f" {name}", fontsize=8)
    ax.set_xlabel("score")
    ax.set_ylabel("records")
    ax.legend()
    fig.tight_layout()
    return fig


def ambiguous_cases(decisions: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The records waiting for review, closest to a decision first (highest score)."""
    cols = [c for c in ("source_id", "score", "reason", "candidates") if c in decisions]
    review = decisions[decisions["decision"] == "review"]
    return review.sort_values("score", ascending=False)[cols].head(n).reset_index(drop=True)


# --- 03 register quality --------------------------------------------------------------------------


def rejects_by_reason(run_dir: str | Path) -> pd.DataFrame:
    """Rejected rows per reason and field (``01_ingest/rejects.csv``), most frequent first."""
    rejects = pd.read_csv(Path(run_dir) / layout.REJECTS, dtype=str)
    if rejects.empty:
        return pd.DataFrame(columns=["reason", "field", "rows"])
    keys = [c for c in ("reason", "field") if c in rejects]
    out = rejects.groupby(keys, dropna=False).size().rename("rows").reset_index()
    return out.sort_values("rows", ascending=False).reset_index(drop=True)


def records_frame(run_dir: str | Path) -> pd.DataFrame:
    """The ingested records without geometry objects (``lat``/``lon`` kept)."""
    import pyarrow.parquet as pq

    table = pq.read_table(Path(run_dir) / layout.RECORDS)
    names = [n for n in table.column_names if n != "geometry"]
    return table.select(names).to_pandas()


def spatial_spread(records: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Spread of the records' positions, overall or per ``by`` column (e.g. municipality).

    Returns:
        ``records, with_coords, min/max lat/lon`` and the extent in km (north-south, east-west).
    """
    import numpy as np

    def summarise(part: pd.DataFrame) -> dict[str, Any]:
        lat, lon = part["lat"].astype(float), part["lon"].astype(float)
        mid = np.nanmean(lat) if lat.notna().any() else 0.0
        return {"records": len(part), "with_coords": int(lat.notna().sum()),
                "min_lat": lat.min(), "max_lat": lat.max(), "min_lon": lon.min(), "max_lon": lon.max(),
                "ns_km": round((lat.max() - lat.min()) * 111.2, 1) if lat.notna().any() else None,
                "ew_km": round((lon.max() - lon.min()) * 111.2 * float(np.cos(np.radians(mid))), 1)
                if lon.notna().any() else None}

    if by is None or by not in records:
        return pd.DataFrame([summarise(records)])
    rows = [{by: key, **summarise(part)} for key, part in records.groupby(by, dropna=False)]
    return pd.DataFrame(rows).sort_values("records", ascending=False).reset_index(drop=True)


def rejects_chart(by_reason: pd.DataFrame):
    """Horizontal bars of rejected rows per reason. Returns a Figure."""
    import matplotlib.pyplot as plt

    grouped = by_reason.groupby("reason")["rows"].sum().sort_values()
    fig, ax = plt.subplots(figsize=(7, 1 + 0.35 * max(len(grouped), 1)))
    ax.barh(grouped.index.astype(str), grouped.values, color="#c62828")
    ax.set_xlabel("rejected rows")
    fig.tight_layout()
    return fig
