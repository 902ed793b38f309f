"""Fixtures for the report tests: realistic fake run directories (tests/fixtures/fake_runs.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from modeling.campaign import Campaign, load_campaign

ROOT = Path(__file__).resolve().parents[3]
WLM_YAML = ROOT / "campaigns" / "wlm-se-bbr-sample.yaml"
WLE_YAML = ROOT / "campaigns" / "wle-se-reserves-sample.yaml"


def load_fake_runs():
    """Import tests/fixtures/fake_runs.py by path (tests/ is not a package)."""
    name = "wlkit_fake_runs"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "fixtures" / "fake_runs.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def fake_runs():
    """The fake-run builder module (``build_run(dir, RunSpec(...))``)."""
    return load_fake_runs()


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
