"""Dry-run report data: per item, what the upload would write (before → after per statement).

:func:`build_report` turns plans into plain data; :func:`write_report` renders it through the
project's one Jinja environment (``reports/templates/{markdown,html}/dry_run.*.j2``) into
``04_upload/dry_run.md`` and ``dry_run.html``. Nothing here talks to a wiki.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from modeling.campaign import Campaign
from modeling.items import Plan
from core.settings import Target

Json = dict[str, Any]
ACTIONS = ("create", "update", "unchanged", "held")


def _label(plan: Plan) -> str:
    for src in (plan.desired, plan.data):
        labels = src.get("labels") or {}
        for term in labels.values():
            return str(term["value"])
    return plan.source_id


def build_report(plans: list[Plan], campaign: Campaign, target: Target, batch: str) -> Json:
    """The dry-run report as data.

    Args:
        plans: The item plans.
        campaign: The campaign.
        target: The target the upload would write to (name and API URL only).
        batch: The batch id the real run would use.

    Returns:
        ``{"campaign", "target", "batch", "generated", "counts", "items"}``; items are ordered
        create, update, held, unchanged.
    """
    counts = {a: 0 for a in ACTIONS}
    items = []
    for p in plans:
        counts[p.action] += 1
        items.append({
            "source_id": p.source_id,
            "qid": p.qid,
            "action": p.action,
            "label": _label(p),
            "identifier": p.identifier,
            "changes": [
                {"what": c.get("property") or f"{c['kind']} {c.get('language', '')}".strip(),
                 "kind": c["kind"], "before": c.get("before"), "after": c.get("after")}
                for c in p.changes
            ] if p.action in ("create", "update") else [],
            "held": p.held,
            "failed_checks": [{"check": c["check"], "message": c["message"]} for c in p.failed_checks],
            "warnings": list(p.warnings),
        })
    order = {"create": 0, "update": 1, "held": 2, "unchanged": 3}
    items.sort(key=lambda i: (order[i["action"]], i["source_id"]))
    return {
        "campaign": {"id": campaign.id, "name": campaign.name},
        "target": {"name": target.name, "api_url": target.api_url},
        "batch": batch,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts,
        "writes": counts["create"] + counts["update"],
        "items": items,
    }


def write_report(report: Json, out_dir: Path) -> tuple[Path, Path]:
    """Render ``dry_run.md`` and ``dry_run.html`` into ``out_dir``.

    Returns:
        The two paths written.
    """
    from reports.environment import render_template

    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "dry_run.md"
    html = out_dir / "dry_run.html"
    md.write_text(render_template("markdown/dry_run.md.j2", **report), encoding="utf-8")
    html.write_text(render_template("html/dry_run.html.j2", **report), encoding="utf-8")
    return md, html
