"""Contest outputs people look at: the dashboard (one self-contained HTML file) and the
wikitext statistics page. Render only: the figures come from the ``07_contest/`` files.

The dashboard works offline and from a single file: Leaflet is inlined from the vendored copy
in ``reports/static/`` (no CDN, no tile server), the charts are inline SVG drawn here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from core.layout import stage_dir
from reports.environment import render_template

STATIC = Path(__file__).resolve().parent / "static"
#: Marker colours of the coverage map (photographed before / newly pictured / not yet pictured).
STATUS_COLOURS = {
    "photographed_before": "#3366cc",
    "newly_pictured": "#109618",
    "not_pictured": "#dc3912",
}
#: Monuments drawn on the dashboard map at most (newly pictured first); the rest are counted.
MAX_MAP_POINTS = 20_000
TOP_REGIONS = 15


def svg_bars(
    values: list[int], labels: list[str], *, width: int = 640, height: int = 160
) -> dict[str, Any]:
    """Geometry of a bar chart (one bar per value) for the template's inline SVG."""
    top = max(values, default=0) or 1
    step = width / max(len(values), 1)
    bars = [
        {
            "x": round(i * step + 1, 1),
            "w": round(max(step - 2, 1), 1),
            "h": round(height * v / top, 1),
            "y": round(height - height * v / top, 1),
            "label": labels[i],
            "value": v,
        }
        for i, v in enumerate(values)
    ]
    return {"width": width, "height": height, "bars": bars, "max": top}


def svg_line(
    values: list[float], *, width: int = 640, height: int = 160, top: float | None = None
) -> dict[str, Any]:
    """Geometry of a line chart (``points`` attribute of an SVG polyline)."""
    top = top or max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{round(i * step, 1)},{round(height - height * v / top, 1)}" for i, v in enumerate(values)
    )
    return {"width": width, "height": height, "points": points, "max": top}


def map_points(monuments: pd.DataFrame, limit: int = MAX_MAP_POINTS) -> list[dict[str, Any]]:
    """Monuments with coordinates for the map: newly pictured first, then the others, ≤ ``limit``."""
    rank = monuments["status"].map(
        {"newly_pictured": 0, "not_pictured": 1, "photographed_before": 2}
    )
    frame = (
        monuments[monuments["lat"].notna() & monuments["lon"].notna()]
        .assign(_r=rank)
        .sort_values(["_r", "item"])
    )
    frame = frame.head(limit)
    return [
        {
            "item": r.item,
            "id": r.id,
            "label": r.label if isinstance(r.label, str) else None,
            "lat": round(float(r.lat), 5),
            "lon": round(float(r.lon), 5),
            "status": r.status,
            "uploads": int(r.uploads),
        }
        for r in frame.itertuples(index=False)
    ]


def dashboard_context(
    name: str,
    lang: str,
    summary: dict[str, Any],
    daily: pd.DataFrame,
    curve: pd.DataFrame,
    regions: pd.DataFrame,
    monuments: pd.DataFrame,
    generated_at: str,
) -> dict[str, Any]:
    """Everything the dashboard template shows, from the contest stage's tables."""
    points = map_points(monuments)
    elig = summary.get("eligibility", {})
    total = max(int(summary.get("uploads", 0)), 1)
    reasons = [
        {"reason": k, "count": v, "pct": round(100 * v / total, 1)}
        for k, v in elig.items()
        if k != "eligible"
    ]
    return {
        "title": f"{name}: contest dashboard",
        "lang": lang,
        "summary": summary,
        "generated_at": generated_at,
        "uploads_chart": svg_bars(
            daily["uploads"].astype(int).tolist(), daily["date"].astype(str).tolist()
        ),
        "cumulative_chart": svg_line(daily["cumulative_uploads"].astype(float).tolist()),
        "curve_chart": svg_line(curve["photographed_pct"].astype(float).tolist(), top=100.0),
        "curve_last": curve.iloc[-1].to_dict() if len(curve) else {},
        "days": (daily["date"].iloc[0], daily["date"].iloc[-1]) if len(daily) else ("", ""),
        "regions": regions.head(TOP_REGIONS).to_dict("records"),
        "reasons": reasons,
        "eligible": elig.get("eligible", 0),
        "points": points,
        "shown_points": len(points),
        "mapped": int((monuments["lat"].notna() & monuments["lon"].notna()).sum()),
        "colours": STATUS_COLOURS,
        "leaflet_css": Markup((STATIC / "leaflet.css").read_text(encoding="utf-8")),
        "leaflet_js": Markup((STATIC / "leaflet.js").read_text(encoding="utf-8")),
    }


def render_dashboard(context: dict[str, Any]) -> str:
    """The dashboard HTML (one file, no external requests)."""
    return render_template("html/contest/dashboard.html.j2", **context)


def render_stats_page(
    name: str,
    summary: dict[str, Any],
    daily: pd.DataFrame,
    regions: pd.DataFrame,
    uploaders: pd.DataFrame,
    generated_at: str,
) -> str:
    """The wikitext statistics page (totals, per day, per region, top uploaders)."""
    return render_template(
        "wikitext/contest/stats.wiki.j2",
        campaign_name=name,
        summary=summary,
        daily=daily.to_dict("records"),
        regions=regions.to_dict("records"),
        uploaders=uploaders.head(50).to_dict("records"),
        generated_at=generated_at,
    )


def write_contest_reports(
    campaign: Any, out: str | Path, generated_at: str | None = None
) -> dict[str, str]:
    """Render ``07_contest/dashboard.html`` and ``07_contest/stats.wiki`` from the stage's files.

    Args:
        campaign: The campaign (name, languages, id).
        out: The run directory (``07_contest/`` must hold the contest stage's files).
        generated_at: Timestamp shown on the pages (default: now, UTC).

    Returns:
        ``{"dashboard": path, "stats": path}``.
    """
    dest = stage_dir(out, "contest")
    generated_at = generated_at or datetime.now(UTC).replace(microsecond=0).isoformat()
    summary = json.loads((dest / "summary.json").read_text(encoding="utf-8"))
    daily = pd.read_csv(dest / "daily.csv", dtype={"date": str})
    curve = pd.read_csv(dest / "curve.csv", dtype={"date": str})
    regions = pd.read_csv(
        dest / "regions.csv", dtype={"region": str, "region_label": str}, keep_default_na=False
    )
    uploaders = pd.read_csv(dest / "uploaders.csv", dtype={"user": str}, keep_default_na=False)
    monuments = pd.read_parquet(dest / "monuments.parquet")
    lang = campaign.languages[0] if getattr(campaign, "languages", None) else "en"
    context = dashboard_context(
        campaign.name, lang, summary, daily, curve, regions, monuments, generated_at
    )
    (dest / "dashboard.html").write_text(render_dashboard(context), encoding="utf-8")
    (dest / "stats.wiki").write_text(
        render_stats_page(campaign.name, summary, daily, regions, uploaders, generated_at),
        encoding="utf-8",
    )
    return {"dashboard": str(dest / "dashboard.html"), "stats": str(dest / "stats.wiki")}
