"""Fan-out on a local Dask cluster (two worker processes) gives the same outputs as one process."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowRunFilter

from core.layout import INGEST_SUMMARY, RECORDS
from pipelines.scale import campaigns_flow, dask_runner, with_runner

PROJECT = Path(__file__).resolve().parents[2]
CAMPAIGNS = [str(PROJECT / "campaigns")]
IDS = ["wle-se-reserves-sample", "wlm-se-bbr-sample"]


def _comparable(summary: dict) -> dict:
    # Output paths, timings and timestamps differ between the runs; everything else must not.
    return {k: v for k, v in summary.items() if k not in ("out", "out_dir", "file", "seconds", "at")}


def test_campaign_fan_out_on_dask_matches_one_process(tmp_path):
    serial = campaigns_flow(campaigns=CAMPAIGNS, out=str(tmp_path / "serial"), stage="ingest")

    runner = dask_runner(n_workers=2)
    assert runner.cluster_kwargs["n_workers"] == 2
    assert runner.cluster_kwargs["processes"] is True
    assert runner.cluster_kwargs["host"] == "127.0.0.1"
    on_dask = with_runner(campaigns_flow, dask=True, workers=2)
    state = on_dask(
        campaigns=CAMPAIGNS, out=str(tmp_path / "dask"), stage="ingest", return_state=True
    )
    parallel = state.result()

    assert sorted(serial["campaigns"]) == sorted(parallel["campaigns"]) == IDS
    for cid in IDS:
        assert _comparable(serial["campaigns"][cid]) == _comparable(parallel["campaigns"][cid])
        a = gpd.read_parquet(tmp_path / "serial" / cid / RECORDS)
        b = gpd.read_parquet(tmp_path / "dask" / cid / RECORDS)
        assert len(a) > 0
        pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
        sa = json.loads((tmp_path / "serial" / cid / INGEST_SUMMARY).read_text())
        sb = json.loads((tmp_path / "dask" / cid / INGEST_SUMMARY).read_text())
        assert _comparable(sa) == _comparable(sb)
    assert {r.geom_type for r in gpd.read_parquet(tmp_path / "dask" / IDS[0] / RECORDS).geometry} <= {
        "Polygon",
        "MultiPolygon",
    }

    # The nested ingest runs executed on the Dask workers were recorded in this run's database
    # (the workers got PREFECT_API_URL), not in throwaway per-worker ephemeral servers.
    with get_client(sync_client=True) as client:
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id={"any_": [state.state_details.flow_run_id]})
        )
        runs = client.read_flow_runs(flow_filter=FlowFilter(name={"any_": ["ingest"]}))
    nested = [r for r in runs if str(r.parameters.get("out", "")).startswith(str(tmp_path / "dask"))]
    assert len([t for t in tasks if t.name.startswith("run_stage")]) == 2
    assert sorted(Path(r.parameters["out"]).name for r in nested) == IDS
    assert {r.state.type.value for r in nested} == {"COMPLETED"}
