"""Notebooks find their run without any setting: out/demo first, else the newest run under out/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reports.notebook_data import ENV_VAR, notebook_run_dir, require_run_dir

STATS = "05_lists/stats.csv"


def _run(root: Path, name: str, mtime: float | None = None) -> Path:
    run = root / name
    (run / "05_lists").mkdir(parents=True)
    stats = run / STATS
    stats.write_text("region,monuments\nQ1,3\n", encoding="utf-8")
    if mtime is not None:
        os.utime(stats, (mtime, mtime))
    return run


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


def test_finds_out_demo_after_make_demo_without_the_variable(tmp_path):
    out = tmp_path / "out"
    _run(out / "demo", "wle-se-reserves-sample")
    wlm = _run(out / "demo", "wlm-se-bbr-sample")
    assert notebook_run_dir(STATS, "wlm-se-bbr-sample", out_root=out) == wlm


def test_without_out_demo_the_newest_run_under_out_wins(tmp_path):
    out = tmp_path / "out"
    _run(out, "old-run", mtime=1_700_000_000)
    new = _run(out / "zh", "wlm-ch-zh", mtime=1_800_000_000)
    assert notebook_run_dir(STATS, out_root=out) == new


def test_the_variable_still_chooses_the_folder(tmp_path, monkeypatch):
    _run(tmp_path / "out" / "demo", "wlm-se-bbr-sample")
    other = _run(tmp_path / "elsewhere", "wlm-se-bbr-sample")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere"))
    assert notebook_run_dir(STATS, "wlm-se-bbr-sample", out_root=tmp_path / "out") == other


def test_nothing_found_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr("reports.notebook_data.PROJECT_ROOT", tmp_path)
    assert notebook_run_dir(STATS) is None
    with pytest.raises(FileNotFoundError, match="make demo"):
        require_run_dir(STATS)
