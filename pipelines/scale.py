"""Fan-out flows: one stage over many campaigns, a campaign's lists per region, upload shards.

The same stage flows as ``wlkit run`` are mapped with ``task.map``; by default on Prefect's
thread pool, or on Dask when :func:`with_runner` is given ``dask=True`` (a local cluster of
processes) or a scheduler ``dask_address``. Plain sharding logic lives in
:mod:`modeling.shards`.

- :func:`campaigns_flow` — run one stage (or the whole campaign) for every campaign YAML in a
  list/folder/glob, each into ``<out>/<campaign id>/``.
- :func:`lists_by_region_flow` — the lists stage once per region (P131 value), in parallel.
- :func:`upload_shards_flow` — the upload stage split into identifier ranges computed from the
  ledger (the source of truth: ``done`` rows are never re-sharded). All shards writing to one
  target share its single write slot (:func:`pipelines._options.upload_slot`), so parallelism
  speeds up reading/diffing, never the edit rate.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from prefect import Flow, flow, task, unmapped
from prefect.settings import PREFECT_API_URL
from prefect_dask import DaskTaskRunner

from core.errors import ConfigError
from core.layout import LEDGER, LISTS_STATS, PLANS
from modeling.campaign import load_campaign
from modeling.ledger import Ledger
from modeling.plan_store import iter_rows
from modeling.shards import expand_campaign_paths, merge_summaries, pending_ids, shard_by_range
from pipelines._options import LOCAL_TASK, STAGE_FLOW, publish_summary

#: Stage name → ``module:flow`` (imported lazily, so one broken stage does not break the rest).
STAGE_FLOWS: dict[str, str] = {
    "ingest": "pipelines.ingest:ingest_flow",
    "reconcile": "pipelines.reconcile:reconcile_flow",
    "plan": "pipelines.plan:plan_flow",
    "upload": "pipelines.upload:upload_flow",
    "lists": "pipelines.lists:lists_flow",
    "report": "pipelines.report:report_flow",
    "campaign": "pipelines.campaign:campaign_flow",
}


def stage_flow(stage: str) -> Flow[..., Any]:
    """The flow object of ``stage`` (a key of :data:`STAGE_FLOWS`)."""
    if stage not in STAGE_FLOWS:
        raise ConfigError(f"stage should be one of {', '.join(STAGE_FLOWS)}, got {stage!r}")
    module, name = STAGE_FLOWS[stage].split(":")
    return getattr(importlib.import_module(module), name)


def _call(stage: str, params: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Call a stage flow with the parameters it accepts (None values left to its defaults).

    ``required`` names parameters that must not be dropped (e.g. an upload shard's
    ``source_ids``: without it every shard would upload everything).
    """
    stage_fn = stage_flow(stage)
    accepted = inspect.signature(stage_fn.fn).parameters
    missing = [name for name in required if name not in accepted]
    if missing:
        raise ConfigError(
            f"{STAGE_FLOWS[stage]} should accept {', '.join(missing)} for sharding, "
            f"got parameters {', '.join(accepted)}"
        )
    return stage_fn(**{k: v for k, v in params.items() if k in accepted and v is not None})


# --------------------------------------------------------------------------- task runners


def _api_url() -> str:
    """The API the flow run reports to; in ephemeral mode start (or reuse) the local server."""
    url = PREFECT_API_URL.value()
    if url:
        return url
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the same singleton Prefect's client uses
    server.start()
    return server.api_url


def dask_runner(address: str | None = None, n_workers: int = 2) -> DaskTaskRunner:
    """A Dask task runner: the scheduler at ``address``, or a local cluster of processes.

    A local cluster listens on loopback only and its workers get ``PREFECT_API_URL`` of this
    run, so their task runs land in the same Prefect database even in ephemeral mode. Workers
    of an external cluster must have ``PREFECT_API_URL`` set themselves.

    Args:
        address: ``tcp://host:8786`` of a running scheduler, or None for a local cluster.
        n_workers: Worker processes of the local cluster (one thread each).
    """
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": n_workers,
            "processes": True,
            "threads_per_worker": 1,
            "host": "127.0.0.1",
            "dashboard_address": None,
            "env": {"PREFECT_API_URL": _api_url()},
        },
    )


def with_runner(
    fan_out: Flow[..., Any], *, dask: bool = False, dask_address: str | None = None, workers: int = 2
) -> Flow[..., Any]:
    """``fan_out`` on Dask when asked (``--dask`` / ``--dask-address``), else unchanged.

    Example: ``with_runner(campaigns_flow, dask=True)(campaigns=["campaigns"], out="out")``.
    """
    if not dask and not dask_address:
        return fan_out
    # Prefect types task_runner as TaskRunner[PrefectFuture[Any]] (invariant), while DaskTaskRunner
    # is a TaskRunner[PrefectDaskFuture]: the runner is valid, the annotation is too narrow.
    return fan_out.with_options(task_runner=dask_runner(dask_address, workers))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- tasks


@task(**LOCAL_TASK)
def run_stage(
    stage: str, params: dict[str, Any], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Run one stage flow (as a nested flow run) and return its summary."""
    return _call(stage, params, required)


@task(**LOCAL_TASK)
def campaign_ids(paths: list[str]) -> list[str]:
    """The ``id`` of each campaign file (validated)."""
    return [load_campaign(p).id for p in paths]


@task(**LOCAL_TASK)
def upload_shards(campaign: str, out: str, n_shards: int) -> list[list[str]]:
    """Identifier shards still to upload: plan ids minus the ledger's ``done`` rows."""
    camp = load_campaign(campaign)
    plans = Path(out) / PLANS
    ids = [r["source_id"] for rows in iter_rows(plans, ["source_id"]) for r in rows]
    status: dict[str, str] = {}
    if (Path(out) / LEDGER).exists():
        with Ledger(Path(out) / LEDGER) as ledger:
            status = {row.source_id: row.status for row in ledger.rows(camp.id)}
    return [list(s.ids) for s in shard_by_range(pending_ids(ids, status), n_shards)]


# --------------------------------------------------------------------------- flows


@flow(name="campaigns-fan-out", **STAGE_FLOW)
def campaigns_flow(
    campaigns: list[str],
    out: str,
    stage: str = "ingest",
    target: str = "local",
    dry_run: bool = False,
) -> dict[str, Any]:
    """Run ``stage`` for every campaign in parallel, each into ``<out>/<campaign id>/``.

    Args:
        campaigns: Campaign YAML files, folders of them, or glob patterns.
        out: Parent output directory.
        stage: A key of :data:`STAGE_FLOWS` (``campaign`` runs every stage).
        target: Target profile for stages that talk to a wiki.
        dry_run: Passed to stages that upload.

    Returns:
        ``{"stage": …, "campaigns": {id: stage summary}}``.
    """
    paths = expand_campaign_paths(campaigns)
    if stage in ("ingest", "reconcile", "plan", "upload"):  # a campaign without a register
        paths = [p for p in paths if load_campaign(p).has_register]  # starts at the lists
    ids = campaign_ids(paths)
    params = [
        {"campaign": p, "out": str(Path(out) / cid), "target": target, "dry_run": dry_run}
        for p, cid in zip(paths, ids, strict=True)
    ]
    summaries = run_stage.map(unmapped(stage), params).result()
    result = {"stage": stage, "campaigns": dict(zip(ids, summaries, strict=True))}
    publish_summary(
        "campaigns",
        stage,
        {"campaigns": len(ids), "stage": stage},
        table=[{"campaign": cid, "out": p["out"]} for cid, p in zip(ids, params, strict=True)],
    )
    return result


@task(**LOCAL_TASK)
def known_regions(out: str) -> list[str]:
    """Region QIDs of a previous whole-campaign lists run (``05_lists/stats.csv``)."""
    import csv

    stats = Path(out) / LISTS_STATS
    if not stats.exists():
        raise ConfigError(
            f"regions should be given, or {stats} should exist from a whole-campaign lists run"
        )
    with stats.open(encoding="utf-8", newline="") as fh:
        return sorted({r["region"] for r in csv.DictReader(fh) if r.get("region", "").startswith("Q")})


@flow(name="lists-by-region", **STAGE_FLOW)
def lists_by_region_flow(
    campaign: str,
    out: str,
    target: str = "local",
    regions: list[str] | None = None,
) -> dict[str, Any]:
    """The lists stage once per region, in parallel, each into ``<out>/regions/<QID>/05_lists/``.

    Args:
        campaign: Campaign YAML path.
        out: The campaign's run directory.
        target: Target profile (SPARQL endpoint).
        regions: Region QIDs (P131 values); default: the regions of ``05_lists/stats.csv``.

    Returns:
        ``{"regions": {QID: lists summary}}``.
    """
    qids = regions if regions is not None else known_regions(out)
    params = [
        {"campaign": campaign, "out": str(Path(out) / "regions" / q), "target": target, "region": q}
        for q in qids
    ]
    summaries = run_stage.map(unmapped("lists"), params, unmapped(("region",))).result()
    result = {"regions": dict(zip(qids, summaries, strict=True))}
    publish_summary(
        load_campaign(campaign).id,
        "lists-by-region",
        {"regions": len(qids)},
        table=[{"region": q, "out": p["out"]} for q, p in zip(qids, params, strict=True)],
    )
    return result


@flow(name="upload-shards", **STAGE_FLOW)
def upload_shards_flow(
    campaign: str,
    out: str,
    target: str = "local",
    shards: int = 4,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Upload one campaign in identifier-range shards (one write slot per target).

    Args:
        campaign: Campaign YAML path.
        out: The campaign's run directory (reads the plan store ``03_plan/``, the ledger).
        target: Target profile.
        shards: Number of shards.
        dry_run: Write the diff report instead of editing (one unsharded run: the report is a
            single file).

    Returns:
        The shard summaries merged (counts summed) plus ``shards``.
    """
    if dry_run:  # a dry run writes one diff report: shards would overwrite each other's
        return run_stage("upload", {"campaign": campaign, "out": out, "target": target,
                                    "dry_run": True}) | {"shards": 0}
    id_shards = upload_shards(campaign, out, shards)
    params = [
        {"campaign": campaign, "out": out, "target": target, "dry_run": dry_run, "source_ids": ids}
        for ids in id_shards
    ]
    summaries = run_stage.map(unmapped("upload"), params, unmapped(("source_ids",))).result()
    merged = merge_summaries(summaries) | {"shards": len(id_shards)}
    publish_summary(load_campaign(campaign).id, "upload-shards", merged)
    return merged
