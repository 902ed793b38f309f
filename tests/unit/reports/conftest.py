"""Fixtures for the report tests: run folders made by the real stages (tests/fixtures/stage_runs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeling.campaign import Campaign, load_campaign

ROOT = Path(__file__).resolve().parents[3]
WLM_YAML = ROOT / "campaigns" / "wlm-se-bbr-sample.yaml"
WLE_YAML = ROOT / "campaigns" / "wle-se-reserves-sample.yaml"


@pytest.fixture
def wlm() -> Campaign:
    """The bundled WLM sample campaign."""
    return load_campaign(WLM_YAML)


@pytest.fixture
def wle() -> Campaign:
    """The bundled WLE sample campaign."""
    return load_campaign(WLE_YAML)


@pytest.fixture
def wlm_run(tmp_path, stage_runs) -> Path:
    """A copy of the complete WLM run (stages 01–05; what it holds: ``stage_runs.inputs``)."""
    return stage_runs.copy("wlm", tmp_path / "wlm-se-bbr-sample")


@pytest.fixture
def inputs(stage_runs):
    """What the inputs of ``wlm_run`` say it holds (records, rejects, review, held …)."""
    return stage_runs.inputs



def pytest_collection_modifyitems(items):
    """Tests on stage runs start the local services (once per session): mark them ``integration``."""
    for item in items:
        if {"stage_runs", "wlm_run", "inputs"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
