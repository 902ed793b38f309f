"""The map of a large campaign as bounded pages (reports.lists_map_pages, reports.lists_map.write_maps):
every monument on one part of each of its regions, every page within the limit, the overview's
size bounded by its grid, not by the monuments; every link to a page that exists."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

from modeling.campaign import load_campaign
from reports import lists
from reports.lists_map import write_maps
from reports.lists_map_pages import CELL_LINKS, GRID_CELLS, Grid, grid_step, plan_regions, tiles

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from map_monuments import WHEN, monuments, page_cells, page_points  # noqa: E402


@pytest.mark.parametrize(("n", "limit"), [(10, 3), (5_000, 700), (4_001, 1_000), (999, 1_000)])
def test_tiles_hold_every_point_once_within_the_limit(n, limit):
    rows = [r for r in monuments(n)[0] if r["lat"] is not None]
    boxes = tiles(rows, limit)
    assert all(0 < len(b) <= limit for b in boxes)
    assert sorted(r["item"] for b in boxes for r in b) == sorted(r["item"] for r in rows)
    needed = math.ceil(len(rows) / limit)
    assert needed <= len(boxes) <= needed + math.ceil(math.sqrt(needed))  # about full boxes


def test_grid_counts_each_monument_once_and_ranks_the_pages_of_a_cell():
    rows = [{"lat": 59.31 + i * 0.001, "lon": 18.05, "image": "a.jpg" if i % 4 == 0 else None} for i in range(40)]
    grid = Grid(grid_step(rows))
    for n, row in enumerate(rows):
        grid.add(row)
        for page in range(n % 11 + 1):  # pages 0…10; page 0 holds every row
            grid.link(row, page)
    doc = grid.doc([(f"p{i}.html", f"Page {i}") for i in range(11)])
    assert doc["step"] == 0.001 and len(doc["pages"]) == 11
    assert sum(c[2] for c in doc["cells"]) == 40 and sum(c[3] for c in doc["cells"]) == 10
    whole = Grid(1.0)
    for n, row in enumerate(rows):
        whole.add(row)
        for page in range(n % 11 + 1):
            whole.link(row, page)
    (cell,) = whole.doc([])["cells"]
    assert cell[:4] == [59, 18, 40, 10]
    assert [p for p, _ in cell[4]] == list(range(CELL_LINKS)) and cell[4][0] == [0, 40]
    assert cell[5] == 11 - CELL_LINKS


def test_small_campaign_keeps_one_map_with_every_marker(tmp_path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    rows, names = monuments(500)
    (tmp_path / "map").mkdir()
    (tmp_path / "map" / "old-region.html").write_text("stale", encoding="utf-8")
    written = write_maps(campaign, rows, lists.sections(rows, names), tmp_path, WHEN, max_points=500)
    assert written == [tmp_path / "map.html"]
    assert not list((tmp_path / "map").iterdir())  # the pages of an earlier, larger run are gone
    assert len(page_points(tmp_path / "map.html")) == sum(r["lat"] is not None for r in rows)


def test_large_campaign_becomes_bounded_pages_reaching_every_monument(tmp_path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    rows, names = monuments(6_000)
    secs = lists.sections(rows, names)
    written = write_maps(campaign, rows, secs, tmp_path, WHEN, max_points=800)
    national = tmp_path / "map.html"
    assert written[0] == national
    assert "wlk-data" not in national.read_text(encoding="utf-8")  # counts only, no markers
    cells = page_cells(national)
    located = [r for r in rows if r["lat"] is not None]
    assert sum(c[2] for c in cells["cells"]) == len(located)
    assert sum(c[3] for c in cells["cells"]) == sum(r["image"] is not None for r in located)
    # every page a cell links to exists and holds markers within the limit
    for href, _ in cells["pages"]:
        assert 0 < len(page_points(tmp_path / href)) <= 800
    # each monument is on a page of each of its regions, once
    for region in plan_regions(secs, 800):
        shown = [p[0] for part in region.parts for p in page_points(tmp_path / "map" / part.file)]
        assert sorted(shown) == sorted(r["item"] for r in region.section.rows if r["lat"] is not None)
    big = plan_regions(secs, 800)[0]
    assert big.section.label == "Kommun 0" and len(big.parts) > 1
    overview = page_cells(tmp_path / "map" / big.file)
    assert {href for href, _ in overview["pages"]} == {p.file for p in big.parts}
    assert sum(c[2] for c in overview["cells"]) == big.points
    links = re.findall(r'class="wlk-page" href="([^"]+)"', national.read_text(encoding="utf-8"))
    assert len(links) == len(secs) and all((tmp_path / href).is_file() for href in links)


def test_the_overview_is_bounded_by_its_grid_not_by_the_monuments(tmp_path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    cells = []
    for n in (8_000, 32_000):
        rows, names = monuments(n)
        out = tmp_path / str(n)
        out.mkdir()
        write_maps(campaign, rows, lists.sections(rows, names), out, WHEN, max_points=1_000)
        doc = page_cells(out / "map.html")
        assert len(doc["cells"]) <= (GRID_CELLS + 1) ** 2
        assert all(len(c[4]) <= CELL_LINKS for c in doc["cells"])
        assert (out / "map.html").stat().st_size < 500_000
        assert max(p.stat().st_size for p in (out / "map").glob("*.html")) < 1_000 * 120 + 20_000
        cells.append(len(doc["cells"]))
    assert cells[1] < cells[0] * 1.5  # 4 times the monuments, the same country: about the same cells
