"""A new country's first campaign, as the README walks through it (issue 15 "Done when").

A Swiss cantonal register in LV95 that the kit has never seen: ``wlkit init`` proposes the
campaign (the CRS suggested, not given), ``wlkit staging prepare`` creates what it refers to on
the local target (admin units from a CSV), and ``wlkit run --dry-run`` carries it through to
lists and reports. Every command runs as a subprocess, like a user's shell.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from pyproj import Transformer

from core.layout import PLANS
from modeling.preflight import read_plan_lines

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: (BFS number, municipality, lon, lat) of the municipalities the monuments lie in.
MUNICIPALITIES = [("351", "Bern", 7.4474, 46.9480), ("261", "Zürich", 8.5417, 47.3769),
                  ("2701", "Basel", 7.5886, 47.5596), ("1061", "Luzern", 8.3093, 47.0502)]


def _register(tmp_path: Path) -> Path:
    to_lv95 = Transformer.from_crs("EPSG:4326", "EPSG:2056", always_xy=True)
    rng = np.random.default_rng(15)
    lines = ["KGS_NR;OBJEKT;GEMEINDE;BFS_NR;E;N"]
    for i in range(24):
        bfs, town, lon, lat = MUNICIPALITIES[i % 4]
        e, n = to_lv95.transform(lon + rng.normal(0, 0.01), lat + rng.normal(0, 0.01))
        lines.append(f"{9000 + i};Baudenkmal {town} {i + 1};{town};{bfs};{e:.1f};{n:.1f}")
    path = tmp_path / "kgs_inventar_2026.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _wlkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True,
                            text=True, timeout=600, env={**os.environ, **(env or {})}, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


def test_init_staging_prepare_and_dry_run_for_a_new_country(tmp_path: Path,
                                                            services_factory) -> None:
    register = _register(tmp_path)
    campaign = tmp_path / "campaigns" / "wlm-ch-kgs.yaml"
    init = _wlkit("init", str(register), "--country", "CH", "--out", str(campaign),
                  "--licence", "CC0-1.0")
    assert "EPSG:2056" in init.stdout
    text = campaign.read_text(encoding="utf-8")
    assert "SUGGESTED, not detected" in text and "crs: EPSG:2056" in text
    data = yaml.safe_load(text)
    assert data["source"]["id_column"] == "KGS_NR" and data["mapping"]["located_in"]["by"] == "code"

    units = tmp_path / "gemeinden.csv"
    units.write_text("code,name,lat,lon\n" + "".join(f"{c},{n},{lat},{lon}\n" for c, n, lon, lat
                                                     in MUNICIPALITIES), encoding="utf-8")
    services = services_factory(seed=True)
    env = {"WLKIT_API_URL": services.api_url, "WLKIT_SPARQL_URL": services.sparql_url,
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}  # a busy machine
    prepare = _wlkit("staging", "prepare", str(campaign), "--admin-units", str(units),
                     "--data-dir", str(services.data_dir))
    assert "created" in prepare.stdout
    again = _wlkit("staging", "prepare", str(campaign), "--admin-units", str(units),
                   "--data-dir", str(services.data_dir))
    assert re.search(r"^created\s+0\s*$", again.stdout, re.M)  # idempotent

    out = tmp_path / "run"
    started = time.monotonic()
    _wlkit("run", str(campaign), "--out", str(out), "--dry-run", env=env)
    preflight = json.loads((out / "03_plan" / "preflight.json").read_text(encoding="utf-8"))
    assert preflight["missing"] == [] and preflight["blocking"] is False
    ingest = json.loads((out / "01_ingest" / "summary.json").read_text(encoding="utf-8"))
    assert ingest["records_ok"] == 24 and ingest["crs_in"] == "EPSG:2056"
    plans = list(read_plan_lines(out / PLANS))
    assert len(plans) == 24
    p131 = {p["source_id"]: p["data"]["claims"]["P131"][0]["mainsnak"]["datavalue"]["value"]["id"]
            for p in plans if "P131" in p.get("data", {}).get("claims", {})}
    assert len(p131) == 24  # every item gets its municipality from the staged units
    assert (out / "04_upload" / "dry_run.html").stat().st_size > 0
    assert (out / "06_reports" / "checklist.html").stat().st_size > 0
    assert time.monotonic() - started < 600
