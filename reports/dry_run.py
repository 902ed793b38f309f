"""Render the dry-run report from the data the upload stage streamed into ``04_upload/dry_run/``.

``04_upload/dry_run.html`` opens with the **blockers** (entities and properties the plans need that
the target lacks: the preflight's findings), then the **held items**, then a summary and the
index of the detail pages ``dry_run/page-0001.html`` … (:data:`PAGE_SIZE` items each, so every
page opens quickly in a browser however large the register). ``dry_run.md`` has the same head and
the detail of the first items. Every entity id is shown beside its label on the target (fetched
by the flow, in the campaign's language fallback) — this module renders what it is given and
never calls an API.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from itertools import islice
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from core.layout import DRY_RUN_HTML, DRY_RUN_MD, PREFLIGHT
from modeling.dryrun import DRY_RUN_DIR, REVIEW, iter_entries, read_meta
from reports.dry_run_items import ItemHtml
from reports.dry_run_pages import PAGE_SIZE, write_pages
from reports.entity_links import EntityLinks
from reports.environment import get_environment

log = logging.getLogger(__name__)

Json = dict[str, Any]
#: Held items shown on the front page (the rest are on the held pages).
HELD_ON_FRONT = 500
#: Items whose detail ``dry_run.md`` shows.
MD_DETAIL = 1_000
LABELS_FILE = "labels.json"


def read_blockers(run_dir: str | Path) -> list[Json]:
    """The preflight's blocking findings (``03_plan/preflight.json``, :mod:`modeling.preflight`).

    Returns:
        One ``{"id", "kind", "message"}`` per entity missing on the target or property with the
        wrong datatype, in the file's order (missing first).
    """
    path = Path(run_dir) / PREFLIGHT
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [_blocker(b, "missing") for b in data.get("missing", [])] + \
        [_blocker(b, "wrong_datatype") for b in data.get("wrong_datatype", [])]


def _blocker(raw: Mapping[str, Any], problem: str) -> Json:
    if problem == "missing":
        message = "does not exist on {target}"
    else:
        message = f"has datatype {raw.get('actual')} on {{target}}; the plans need {raw.get('expected')}"
    roles = ", ".join(raw.get("roles") or [])
    used = raw.get("used_by") or 0
    extra = [f"used as {roles}" if roles else "", f"by {used} plan{'s' if used != 1 else ''}" if used else ""]
    detail = " ".join(e for e in extra if e)
    return {"id": str(raw.get("id", "?")), "kind": raw.get("kind"),
            "message": message + (f" ({detail})" if detail else "")}


def _environment(items: ItemHtml, labels: Mapping[str, str]) -> Environment:
    """An overlay of the project environment with the renderers the dry-run templates use.

    ``item_html(entry)`` gives one item's section (:class:`reports.dry_run_items.ItemHtml`),
    ``ent_html(value)`` "label <a>Q42</a>", ``name(value)`` "label (Q42)" for Markdown.
    """
    def name(value: Any) -> str:
        if isinstance(value, str) and value in labels:
            return f"{labels[value]} ({value})"
        return "" if value is None else str(value)

    def ent_html(value: Any) -> Markup:
        return Markup(items.ent(value))

    env = get_environment().overlay()
    env.filters, env.globals = dict(env.filters), dict(env.globals)  # never leak into the base
    env.filters["name"] = name
    env.globals.update(name=name, ent_html=ent_html, item_html=items.markup)
    return env


def render_dry_run(
    upload_dir: str | Path,
    labels: Mapping[str, str] | None = None,
    *,
    blockers: list[Json] | None = None,
    links: EntityLinks | None = None,
    page_size: int = PAGE_SIZE,
    workers: int = 1,
) -> list[Path]:
    """Write ``dry_run.html`` (front page), ``dry_run/page-NNNN.html`` and ``dry_run.md``.

    Args:
        upload_dir: ``04_upload/`` holding ``dry_run/`` (:func:`modeling.dryrun.write_dry_run`).
        labels: Entity id → label on the target; default: ``dry_run/labels.json`` when present.
        blockers: Preflight findings (default: :func:`read_blockers` of the run directory).
        links: Entity links of the target wiki (default: Wikidata).
        page_size: Items per detail page.
        workers: Processes rendering the detail pages (see :func:`reports.dry_run_pages.page_workers`).

    Returns:
        The paths written, front page first.
    """
    dest = Path(upload_dir)
    meta = read_meta(dest)
    if labels is None:
        path = dest / DRY_RUN_DIR / LABELS_FILE
        labels = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    blockers = read_blockers(dest.parent) if blockers is None else blockers
    blockers = [{**b, "message": b["message"].replace("{target}", meta["target"]["name"])} for b in blockers]
    page_base = (links or EntityLinks()).page_base
    pages = write_pages(dest, meta, labels, page_base, page_size, workers)
    env = _environment(ItemHtml(labels, page_base), labels)
    first_page: dict[str, str] = {}
    for p in pages:
        first_page.setdefault(p["action"], p["href"])
    held = list(islice(iter_entries(dest, REVIEW), HELD_ON_FRONT))
    head = {"meta": meta, "blockers": blockers, "held": held,
            "held_more": meta["review"] - len(held), "pages": pages, "first_page": first_page}
    front = dest / Path(DRY_RUN_HTML).name
    front.write_text(env.get_template("html/dry_run.html.j2").render(**head), encoding="utf-8")
    detail = [e for a in ("create", "update") for e in islice(iter_entries(dest, a), MD_DETAIL)][:MD_DETAIL]
    md = dest / Path(DRY_RUN_MD).name
    md.write_text(env.get_template("markdown/dry_run.md.j2").render(
        **head, detail=detail, detail_more=meta["writes"] - len(detail)), encoding="utf-8")
    log.info("dry run report: %d pages, %d blockers, %d to review", len(pages), len(blockers), meta["review"])
    return [front, md, *(dest / p["href"] for p in pages)]
