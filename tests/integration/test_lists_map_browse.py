"""The multi-page map of a large campaign in headless Chromium, from file:// and offline: the
national overview draws its cells, a large region's overview its cells and parts, a region page
its markers, all without a console error; a cell's popup links to the pages holding its markers.

Small data with a low page limit (the same code path as 10⁶ monuments; bench/bench_lists.py
measures that size). Needs Debian's ``chromium`` (``make browser``); a missing browser is a failure.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from _browser import harness, map_dom_and_console

from modeling.campaign import load_campaign
from reports import lists
from reports.lists_map import write_maps
from reports.lists_map_pages import plan_regions

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from map_monuments import WHEN, monuments, page_cells, page_points  # noqa: E402

pytestmark = pytest.mark.browser
LIMIT = 150


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    rows, names = monuments(900, n_regions=5)
    rows[0]["label"] = "</script><b>x</b>"
    write_maps(campaign, rows, lists.sections(rows, names), tmp_path, WHEN, max_points=LIMIT)
    return tmp_path


def _paths(dom: str, css_class: str) -> list[str]:
    return re.findall(rf"<path[^>]*class=\"[^\"]*{css_class}[^\"]*\"[^>]*>", dom)


def test_national_page_draws_counts_per_cell_and_links_every_region(pages: Path, tmp_path: Path):
    page = pages / "map.html"
    text = page.read_text(encoding="utf-8")
    assets = re.findall(r"""<(?:script|link)[^>]+(?:src|href)="([^"]+)""", text)
    assert assets == ["leaflet.css", "leaflet.js", "wlk-map.js", "map/shapes.js"]  # files next to it, no fetch
    dom, console = map_dom_and_console(page, tmp_path / "profile")
    assert console == []
    cells = _paths(dom, "wlk-cell")
    assert len(cells) == len(page_cells(page)["cells"]) > 100
    assert not _paths(dom, "wlk-marker")  # counts, not markers
    assert len(_paths(dom, "wlk-region")) == 21 and _paths(dom, "wlk-country")  # Sweden's län from shapes.js
    assert dom.index("wlk-country") < dom.index("wlk-cell")
    links = re.findall(r'class="wlk-page" href="([^"]+)"', dom)
    rows, names = monuments(900, n_regions=5)
    mapped = [s for s in lists.sections(rows, names) if any(r["lat"] is not None for r in s.rows)]
    assert len(mapped) == 5  # the 6th region's one monument has no coordinates: no page
    assert links == [f"map/{s.slug}.html" for s in mapped] and all((pages / href).is_file() for href in links)


def test_region_pages_draw_markers_and_parts(pages: Path, tmp_path: Path):
    rows, names = monuments(900, n_regions=5)
    regions = plan_regions(lists.sections(rows, names), LIMIT)
    big = next(r for r in regions if len(r.parts) > 1)
    dom, console = map_dom_and_console(pages / "map" / big.file, tmp_path / "p1")
    assert console == []
    assert len(_paths(dom, "wlk-tile")) == len(big.parts) > 1
    assert len(_paths(dom, "wlk-cell")) == len(page_cells(pages / "map" / big.file)["cells"])
    assert '<a class="wlk-up" href="../map.html">' in dom
    held = next(p for p in big.parts if any(r["item"] == rows[0]["item"] for r in p.rows))  # the hostile label
    part = pages / "map" / held.file
    assert "\\u003c/script\\u003e" in part.read_text(encoding="utf-8")
    dom, console = map_dom_and_console(part, tmp_path / "p2")
    assert console == []
    markers = _paths(dom, "wlk-marker")
    assert len(markers) == len(page_points(part)) == len(held.rows)
    with_photo = sum(r["image"] is not None for r in held.rows)
    assert len([m for m in markers if "wlk-with-photo" in m]) == with_photo
    assert f'<a class="wlk-up" href="{big.file}">' in dom
    assert "<b>x</b>" not in dom


CLICK_HARNESS = """
    var cells = doc.querySelectorAll("path.wlk-cell"), seen = [];
    for (var i = 0; i < cells.length && seen.length < 5; i += 7) {
      cells[i].dispatchEvent(new MouseEvent("click", { bubbles: true, view: doc.defaultView }));
      var box = doc.querySelector(".wlk-cell-popup");
      if (!box) { seen.push(null); continue; }
      seen.push([box.firstChild.textContent, Array.prototype.map.call(box.querySelectorAll("a"), function (a) {
        return [a.getAttribute("href"), a.textContent];
      })]);
    }
    document.getElementById("out").textContent = JSON.stringify(seen);"""


def test_clicking_a_cell_links_to_the_pages_holding_its_markers(pages: Path, tmp_path: Path):
    seen = harness(pages, CLICK_HARNESS, tmp_path / "profile")
    assert len(seen) == 5 and all(seen)
    for text, links in seen:
        total = int(text.split(" monuments")[0])
        assert links and sum(int(label.rsplit("(", 1)[1].rstrip(")")) for _, label in links) >= total
        for href, _ in links:
            assert href.startswith("map/") and (pages / href).is_file()
            assert 0 < len(page_points(pages / href)) <= LIMIT


CANVAS_CLICK_HARNESS = """
    var win = document.getElementById("f").contentWindow, canvas = doc.querySelector("canvas");
    var box = canvas.getBoundingClientRect(), x = box.x + box.width / 2, y = box.y + box.height / 2;
    ["mousemove", "click"].forEach(function (type) {
      canvas.dispatchEvent(new win.MouseEvent(type, { bubbles: true, clientX: x, clientY: y, view: win }));
    });
    var popup = doc.querySelector(".wlk-cell-popup");
    document.getElementById("out").textContent = JSON.stringify([doc.querySelectorAll("canvas").length,
      popup ? Array.prototype.map.call(popup.querySelectorAll("a"), function (a) { return a.getAttribute("href"); })
            : null]);"""


def test_a_large_overview_draws_on_one_canvas_whose_cells_take_the_clicks(tmp_path: Path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    rows, names = monuments(9_000)
    write_maps(campaign, rows, lists.sections(rows, names), tmp_path, WHEN, max_points=1_000)
    assert len(page_cells(tmp_path / "map.html")["cells"]) > 2_000  # above CELLS_CANVAS_FROM
    dom, console = map_dom_and_console(tmp_path / "map.html", tmp_path / "p1")
    assert console == [] and not _paths(dom, "wlk-cell")  # drawn on the canvas, not as SVG
    canvases, links = harness(tmp_path, CANVAS_CLICK_HARNESS, tmp_path / "p2")
    assert canvases == 1  # outlines and cells share it: a second canvas would swallow the clicks
    assert links and all((tmp_path / href).is_file() for href in links)
