"""Fixtures for the report tests: realistic fake run directories (tests/fixtures/fake_runs.py)."""

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
def wlm_run(tmp_path, fake_runs) -> Path:
    """A complete fake WLM run (120 records, 3 rejects, 9 without coordinates, 5 to review …)."""
    return fake_runs.build_run(tmp_path / "wlm-se-bbr-sample")
