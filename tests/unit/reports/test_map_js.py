"""The map page rebuilds each upload link in JavaScript (reports/static/wlk-map.js) from one
template: the links must equal, byte for byte, those the lists write (reports.lists_fold.upload_link).

Needs ``node`` (``make test`` installs it with the conformance clients); a missing node is a failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from modeling.campaign import load_campaign
from reports.lists_fold import upload_link, upload_templates
from reports.lists_map import map_points

ROOT = Path(__file__).resolve().parents[3]
JS = ROOT / "reports/static/wlk-map.js"
ROWS = [
    {"item": "Q1", "id": "raa/bbr/21300000000001", "label": "Gamla kyrkan", "lat": 59.3293, "lon": 18.0686},
    {"item": "Q2", "id": "raa/bbr/2", "label": "Kvarn | {{x}} [[y]] ~~~~ a=b 'it' (1) *!", "lat": -33.5, "lon": -70.25},
    {"item": "Q3", "id": "id with spaces & ü", "label": None, "lat": 46.948, "lon": 7.4474},
    {"item": "Q4", "id": "x", "label": "Ærø – “citat” 東京 ☃", "lat": 55.0000005, "lon": 10.1234564},
]


def test_links_built_in_the_page_equal_the_lists_links():
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "node is not installed: run `make node-clients`"
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    rows = [{**r, "regions": [], "image": None} for r in ROWS]
    points = [{"uid": (p[7] if len(p) > 7 else p[1]), "label": p[2], "lat": p[3], "lon": p[4]}
              for p in map_points(campaign, rows, {})]
    script = (f"const m = require({json.dumps(str(JS))});"
              f"const t = {json.dumps(upload_templates(campaign))};"
              f"console.log(JSON.stringify({json.dumps(points)}.map(p => m.uploadUrl(t, p))));")
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    built = json.loads(done.stdout)
    expected = [upload_link(campaign, {**r, "lat": round(r["lat"], 6), "lon": round(r["lon"], 6)}) for r in ROWS]
    assert built == expected
    assert "description=" not in built[2]  # no label: no description/caption parameters
