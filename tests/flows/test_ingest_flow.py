"""The ingest flow runs once on the bundled BBR sample and publishes its counts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from prefect.client.orchestration import get_client

from pipelines.ingest import ingest_flow

ROOT = Path(__file__).resolve().parents[2]


async def _latest_artifacts() -> list:
    async with get_client() as client:
        return await client.read_latest_artifacts(limit=50)


def test_ingest_flow_on_the_bbr_sample(tmp_path: Path) -> None:
    summary = ingest_flow(campaign=str(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml"),
                          out=str(tmp_path), overrides={"crs": "EPSG:3006"})
    assert (summary["records_ok"], summary["rejects"]) == (329, 8)
    written = json.loads((tmp_path / "01_ingest" / "summary.json").read_text(encoding="utf-8"))
    assert written["records_ok"] == 329
    assert (tmp_path / "01_ingest" / "rejects.csv").read_text(encoding="utf-8").count("\n") == 9
    artifacts = {a.key: a for a in asyncio.run(_latest_artifacts())}
    table = artifacts["wlm-se-bbr-sample-ingest-table"].data
    rows = {r["reason"]: r["rows"] for r in json.loads(table)}
    assert rows == {"bad_coordinate": 1, "duplicate_id": 2, "missing_id": 1, "missing_name": 1,
                    "outside_country": 1, "ragged_row": 1, "swapped_coordinates": 1}
    assert "| records_ok | 329 |" in artifacts["wlm-se-bbr-sample-ingest-summary"].data
