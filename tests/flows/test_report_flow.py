"""report_flow runs once per mode under the session harness and publishes the checklist artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]




#: The steps the WLM stage run ticks: the YAML facts (register, licence, publisher, reviewed
#: mapping, UploadWizard campaign) and the run's (3 % rejects, every planned write done,
#: 67 of 69 positioned, lists built). Not: identifier (unverified), reconcile (review queue),
#: dry run (not reviewed), labels (Swedish only), statistics (not published).
TICKED_STEPS = {"source", "licence", "owner", "mapping", "commons_campaign",
                "ingest", "upload", "coordinates", "lists"}


@pytest.mark.integration  # stage_runs starts the local services
def test_report_flow_all_campaigns_and_artifact(tmp_path, stage_runs):
    from prefect.client.orchestration import get_client

    from pipelines.report import report_flow

    stage_runs.copy("wlm", tmp_path / "wlm-se-bbr-sample")
    summary = report_flow(campaign=None, out=str(tmp_path), all_campaigns=True,
                          campaigns_dir=str(ROOT / "campaigns"), lang="sv")
    [one] = summary["campaigns"]
    assert one["campaign"] == "wlm-se-bbr-sample" and one["ticked"] == len(TICKED_STEPS) and one["stage"] == "lists"
    assert sorted(Path(p).name for p in summary["progress"]) == ["progress.html", "progress.wiki"]
    assert "Checklista" in (tmp_path / "wlm-se-bbr-sample" / "06_reports" / "checklist.md").read_text()

    async def latest(key):
        async with get_client() as client:
            return await client.read_latest_artifacts() if key is None else [
                a for a in await client.read_latest_artifacts() if a.key == key]

    import asyncio

    [artifact] = asyncio.run(latest("wlm-se-bbr-sample-checklist"))
    assert "Checklista inför kampanjen" in artifact.data
