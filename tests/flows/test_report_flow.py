"""report_flow runs once per mode under the session harness and publishes the checklist artifact."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _fake_runs():
    name = "wlkit_fake_runs"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "fixtures" / "fake_runs.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_report_flow_all_campaigns_and_artifact(tmp_path):
    from prefect.client.orchestration import get_client

    from pipelines.report import report_flow

    _fake_runs().build_run(tmp_path / "wlm-se-bbr-sample")
    summary = report_flow(campaign=None, out=str(tmp_path), all_campaigns=True,
                          campaigns_dir=str(ROOT / "campaigns"), lang="sv")
    [one] = summary["campaigns"]
    assert one["campaign"] == "wlm-se-bbr-sample" and one["ticked"] == 8 and one["stage"] == "lists"
    assert sorted(Path(p).name for p in summary["progress"]) == ["progress.html", "progress.wiki"]
    assert "Checklista" in (tmp_path / "wlm-se-bbr-sample" / "06_reports" / "checklist.md").read_text()

    async def latest(key):
        async with get_client() as client:
            return await client.read_latest_artifacts() if key is None else [
                a for a in await client.read_latest_artifacts() if a.key == key]

    import asyncio

    [artifact] = asyncio.run(latest("wlm-se-bbr-sample-checklist"))
    assert "Checklista inför kampanjen" in artifact.data
