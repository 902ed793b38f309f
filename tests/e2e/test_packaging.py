"""Packaging matches use: built wheels, installed non-editable, run the demo from another folder.

The product wheel carries the sample campaigns as package data and no ``sandbox``; the local
services come from their own wheel (the ``sandbox`` extra). Both are built from this checkout and
installed into a fresh target folder, and the demo runs from a working directory outside the
checkout, so nothing can be found through the source tree by accident.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


#: What a build copy of the checkout leaves out (environments, outputs, VCS and build leftovers).
_NOT_SOURCES = shutil.ignore_patterns(
    ".venv", ".git", ".wlkit", "out", "node_modules", "build", "*.egg-info", "__pycache__", ".pytest_cache"
)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both wheels, built from a copy of the checkout (a build writes ``build/`` into its source)."""
    dist = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("source") / "wikiloves-kit"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    for project in (source, source / "sandbox"):
        _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
              "-w", str(dist), str(project)], cwd=source)
    found = {p.name.split("-")[0]: p for p in dist.glob("*.whl")}
    return {"product": found["wikiloves_kit"], "sandbox": found["wikiloves_kit_sandbox"]}


def test_product_wheel_ships_campaigns_and_no_sandbox(wheels: dict[str, Path]) -> None:
    names = zipfile.ZipFile(wheels["product"]).namelist()
    assert "campaigns/wlm-se-bbr-sample.yaml" in names
    assert "campaigns/data/wlm-se-bbr-sample/bbr_sample.csv" in names
    assert "core/errors.py" in names and "sparql/lists_campaign_items.rq" in names
    assert not [n for n in names if n.startswith("sandbox/")]
    sandbox_names = zipfile.ZipFile(wheels["sandbox"]).namelist()
    assert "sandbox/services.py" in sandbox_names and "sandbox/seed/base.jsonl" in sandbox_names


def test_non_editable_install_runs_the_demo(wheels: dict[str, Path], tmp_path: Path) -> None:
    site = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
          str(wheels["product"]), str(wheels["sandbox"])], cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {"PYTHONPATH": str(site)}
    where = _run([sys.executable, "-c", "import core, campaigns, sandbox; print(core.__file__); "
                  "print(sandbox.__file__)"], cwd=work, env=env)
    assert all(line.startswith(str(site)) for line in where.splitlines()), where

    campaign = site / "campaigns" / "wle-se-reserves-sample.yaml"
    out = work / "out"
    stdout = _run([sys.executable, "-m", "pipelines.cli", "demo", "--out", str(out), "--data-dir",
                   str(work / "services"), "--campaign", str(campaign)], cwd=work, env=env)
    assert stdout.strip().splitlines()[-1] == str(out)
    run = out / "wle-se-reserves-sample"
    assert (run / "05_lists" / "map.html").stat().st_size > 0
    assert (run / "06_reports" / "checklist.html").stat().st_size > 0
