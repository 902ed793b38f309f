"""The dry-run detail pages ``04_upload/dry_run/page-NNNN.html`` — on worker processes for a large run.

Each page holds :data:`PAGE_SIZE` items of one action (create, then update, held, unchanged), with
previous/next links; its items are built by :class:`reports.dry_run_items.ItemHtml`. The main
process reads each page's JSON lines from ``dry_run/items-<action>.jsonl`` and, from
:data:`PARALLEL_FROM` items on, hands them to up to four worker processes
(:func:`modeling.process_pool.ordered_map`) which decode, render and write the page; one page of
entries per job, so memory does not grow with the register.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
from markupsafe import Markup

from modeling.dryrun import ACTIONS, DRY_RUN_DIR, iter_lines
from modeling.process_pool import ordered_map, workers_for
from reports.dry_run_items import ItemHtml
from reports.environment import get_environment

Json = dict[str, Any]
#: Items per detail page.
PAGE_SIZE = 500
#: Items from which worker processes are worth their start (about a second of imports each;
#: by CPU time they pay off from about 40,000 items on 2 idle cores, not on busy ones).
PARALLEL_FROM = 80_000
_UNCHANGED_HEAD = '<table class="unchanged-list">\n<tr><th>source id</th><th>label</th><th>item</th></tr>\n'


class PageWriter:
    """Write detail pages of one dry run (one per process: the item renderer caches ids).

    Args:
        dest: ``04_upload/``.
        meta: The dry run's meta (:func:`modeling.dryrun.read_meta`).
        labels: Entity id → label on the target.
        page_base: URL prefix of entity pages on the target.
        total: Number of pages.
    """

    def __init__(self, dest: Path, meta: Json, labels: Mapping[str, str], page_base: str, total: int) -> None:
        self.dest, self.meta, self.total = dest, meta, total
        self.items = ItemHtml(labels, page_base)
        self.template = get_environment().get_template("html/dry_run/page.html.j2")

    def body(self, action: str, chunk: list[Json]) -> Markup:
        """The items of one page: a table of unchanged items, or one section per item."""
        if action == "unchanged":
            rows = "".join(self.items.unchanged_row(it) for it in chunk)
            return Markup(_UNCHANGED_HEAD + rows + "</table>\n")
        return Markup("".join(self.items(it) for it in chunk))

    def write(self, number: int, action: str, lines: list[bytes]) -> Json:
        """Write page ``number`` from its entries' JSON lines; returns its index row."""
        chunk = [orjson.loads(line) for line in lines]
        href = f"page-{number:04d}.html"
        html = self.template.render(
            meta=self.meta, number=number, total=self.total, action=action, body=self.body(action, chunk),
            prev=f"page-{number - 1:04d}.html" if number > 1 else None,
            next=f"page-{number + 1:04d}.html" if number < self.total else None)
        (self.dest / DRY_RUN_DIR / href).write_text(html, encoding="utf-8")
        return {"href": f"{DRY_RUN_DIR}/{href}", "action": action, "count": len(chunk),
                "first": chunk[0]["source_id"], "last": chunk[-1]["source_id"]}


_WORKER: list[PageWriter] = []  # a worker's page writer (set once by _start_worker)


def _start_worker(*args: Any) -> None:
    _WORKER[:] = [PageWriter(*args)]


def _worker_page(number: int, action: str, lines: list[bytes]) -> Json:
    return _WORKER[0].write(number, action, lines)


def _jobs(dest: Path, page_size: int) -> Iterator[tuple[int, str, list[bytes]]]:
    number = 0
    for action in ACTIONS:
        lines = iter_lines(dest, action)
        while chunk := list(islice(lines, page_size)):
            number += 1
            yield number, action, chunk


def page_workers(meta: Json) -> int:
    """Worker processes worth starting for a dry run: one per core (at most 4) from
    :data:`PARALLEL_FROM` items on, else 1 (this process)."""
    return workers_for(sum(meta["counts"].values()), PARALLEL_FROM)


def write_pages(dest: Path, meta: Json, labels: Mapping[str, str], page_base: str,
                page_size: int = PAGE_SIZE, workers: int = 1) -> list[Json]:
    """Write every detail page, replacing an earlier run's; returns their index rows in order.

    Args:
        dest: ``04_upload/`` holding ``dry_run/``.
        meta: The dry run's meta (counts give the number of pages).
        labels: Entity id → label on the target.
        page_base: URL prefix of entity pages on the target.
        page_size: Items per page.
        workers: Processes rendering pages (1 = this one; see :func:`page_workers`).

    Returns:
        ``{"href", "action", "count", "first", "last"}`` per page.
    """
    for old in (dest / DRY_RUN_DIR).glob("page-*.html"):
        old.unlink()
    counts = meta["counts"]
    total = sum((counts[a] + page_size - 1) // page_size for a in ACTIONS)
    state = (dest, meta, dict(labels), page_base, total)
    if workers <= 1 or total < 2:
        writer = PageWriter(*state)
        return [writer.write(*job) for job in _jobs(dest, page_size)]
    return list(ordered_map(_worker_page, _jobs(dest, page_size), workers, _start_worker, state))
