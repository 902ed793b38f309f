"""The ``wlkit`` command line: one command per flow, plus the local services and the demo.

Every command calls the same flow function the Prefect deployments use, so the CLI and the
deployments cannot drift. A :class:`~core.errors.WlkitError` is printed as one line and the
command exits with status 2 (no traceback).
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from core.errors import WlkitError
from core.logs import install_redaction, quiet_user_errors
from core.settings import DEFAULT_COMMONS_PORT, DEFAULT_SPARQL_PORT, DEFAULT_WIKIBASE_PORT
from modeling.process_pool import tune_gc
from pipelines import cli_contest, cli_setup, stopping
from pipelines.console import (
    command_path,
    interrupted,
    run_dir,
    setup_console,
    stop_console,
    verbose_flag,
)
from pipelines.console import print_summary as _print_summary
from pipelines.local_services import sandbox_samples, sandbox_services
from pipelines.prefect_server import running_api_url, server_status, start_server, stop_server

app = typer.Typer(
    name="wlkit",
    help="Wiki Loves campaigns on Wikidata: ingest, reconcile, upload, lists, reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
services_app = typer.Typer(help="Local Wikibase + SPARQL services on loopback.", no_args_is_help=True)
app.add_typer(services_app, name="services")

console = Console(stderr=True)

#: Prefect settings the CLI defaults to: no telemetry or analytics leave the machine, and the
#: ephemeral server stays quiet. A user's own environment still wins (setdefault).
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "modeling,sparql,reports",
    # Commands that run no flow (init, services) log without a flow run: no warning about it.
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Prefect's log lines on the console too."),
) -> None:
    """Wiki Loves campaigns on Wikidata: ingest, reconcile, upload, lists, reports."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    tune_gc()  # millions of small acyclic dicts: the default GC took half the plan stage's time
    if "PREFECT_API_URL" not in os.environ and (url := running_api_url(Path(".wlkit"))):
        os.environ["PREFECT_API_URL"] = url  # the long-running server of `services up` (issue 11 §5)


F = TypeVar("F", bound=Callable[..., Any])

DATA_DIR_HELP = "Folder holding the services' databases, pid and log files."


def _friendly(func: F) -> F:
    """Turn WlkitError into one line on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        log = setup_console(run_dir(func.__name__, kwargs), verbose=verbose_flag())  # console.py (F2)
        install_redaction()
        quiet_user_errors()
        try:
            from pipelines.heartbeats import without_flow_heartbeats  # Prefect: imported already
            with without_flow_heartbeats():
                return func(*args, **kwargs)
        except WlkitError as exc:
            stop_console()
            console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            interrupted(command_path(), log)
        finally:
            stop_console()

    return wrapper  # type: ignore[return-value]


# --- local services ------------------------------------------------------------------------------


@services_app.command("up")
@_friendly
def services_up(
    data_dir: Path = typer.Option(Path(".wlkit"), help=DATA_DIR_HELP),
    wikibase_port: int = typer.Option(DEFAULT_WIKIBASE_PORT, help="Port of the Action API."),
    sparql_port: int = typer.Option(DEFAULT_SPARQL_PORT, help="Port of the SPARQL endpoint."),
    commons_port: int = typer.Option(DEFAULT_COMMONS_PORT, help="Port of the local Commons API."),
) -> None:
    """Start the local Wikibase API, SPARQL endpoint and Commons; seed base entities, the items of
    campaigns without a register and the sample contests; print their URLs."""
    from pipelines.demo import bundled_campaigns

    info = sandbox_services().start_services(data_dir, wikibase_port=wikibase_port, sparql_port=sparql_port, seed=True,
                          commons_port=commons_port)
    typer.echo(f"Wikibase API: {info.api_url}")
    typer.echo(f"SPARQL:       {info.sparql_url}")
    typer.echo(f"Commons API:  {info.commons_api_url}")
    typer.echo(f"Prefect UI:   {start_server(data_dir)['ui_url']}")
    for cid, loaded in sandbox_samples().load_samples(info, bundled_campaigns()).items():
        typer.echo(f"{cid}: " + ", ".join(f"{v} {k}" for k, v in loaded.items()))


@services_app.command("down")
@_friendly
def services_down(data_dir: Path = typer.Option(Path(".wlkit"), help=DATA_DIR_HELP)) -> None:
    """Stop the local services started from DATA_DIR."""
    stopped = sandbox_services().stop_services(data_dir)
    stop_server(data_dir)
    typer.echo("stopped" if stopped else "not running")


@services_app.command("status")
@_friendly
def services_status_cmd(data_dir: Path = typer.Option(Path(".wlkit"), help=DATA_DIR_HELP)) -> None:
    """Say whether the local services run, and where."""
    status = sandbox_services().services_status(data_dir)
    typer.echo(json.dumps({**status, "prefect": server_status(data_dir)}, indent=2, default=str))


@services_app.command("seed")
@_friendly
def services_seed(
    files: list[Path] = typer.Argument(..., help="Entity JSON files (single, {'entities':…}, or JSON lines)."),
    data_dir: Path = typer.Option(Path(".wlkit"), help=DATA_DIR_HELP),
) -> None:
    """Load Wikibase entity JSON into the running local Wikibase, keeping the ids in the files."""
    services = sandbox_services()
    status = services.services_status(data_dir)
    if not status.get("running"):
        raise WlkitError(f"local services in {data_dir} are not running: run 'wlkit services up' first")
    result = services.seed_files(status["api_url"], files, secret=status.get("admin_secret"))
    typer.echo(
        f"seeded {result['seeded']} entities "
        f"({result['created']} created, {result['changed']} changed, {result['unchanged']} unchanged)"
    )


# --- stages --------------------------------------------------------------------------------------


@app.command()
@_friendly
def ingest(
    source: Path | None = typer.Argument(None, help="Register file (CSV/TSV/XLSX/GeoJSON/SHP/ZIP/GPKG)."),
    out: Path = typer.Option(..., help="Run directory; writes OUT/01_ingest/."),
    campaign: Path | None = typer.Option(None, help="Campaign YAML; flags override its source."),
    id_column: str | None = typer.Option(None, help="Column holding the register identifier."),
    name_column: str | None = typer.Option(None, help="Column holding the name."),
    lat_column: str | None = typer.Option(None, help="Latitude (or northing) column."),
    lon_column: str | None = typer.Option(None, help="Longitude (or easting) column."),
    wkt_column: str | None = typer.Option(None, help="Column with WKT geometry."),
    crs: str | None = typer.Option(None, help="CRS of the coordinates, e.g. EPSG:3006."),
    encoding: str | None = typer.Option(None, help="Text encoding (default: detected)."),
    layer: str | None = typer.Option(None, help="Layer of a GeoPackage."),
    dissolve: bool = typer.Option(
        False, "--dissolve", help="Merge rows sharing an id into one area (multi-row registers)."
    ),
) -> None:
    """Read a register, reproject to WGS84, validate; write records.parquet and rejects.csv."""
    from pipelines.ingest import ingest_flow

    if source is None and campaign is None:
        raise WlkitError("give a SOURCE file or --campaign")
    overrides: dict[str, str | bool] = {
        k: v
        for k, v in {
            "id_column": id_column, "name_column": name_column, "lat_column": lat_column,
            "lon_column": lon_column, "wkt_column": wkt_column, "crs": crs,
            "encoding": encoding, "layer": layer, "dissolve": dissolve or None,
        }.items()
        if v is not None
    }
    summary = ingest_flow(
        campaign=str(campaign) if campaign else None,
        source=str(source) if source else None,
        out=str(out),
        overrides=overrides or None,
    )
    _print_summary("ingest", summary)


@app.command()
@_friendly
def reconcile(
    campaign: Path = typer.Argument(..., help="Campaign YAML."),
    out: Path = typer.Option(..., help="Run directory (reads 01_ingest, writes 02_reconcile)."),
    target: str = typer.Option("local", help="Target: local, testwikidata, wikidata or custom."),
) -> None:
    """Match records with existing items (identifier, then distance + name); write decisions.csv."""
    from pipelines.reconcile import reconcile_flow

    cli_setup.check_target(target, campaign)  # within 2 s, not minutes of retries (issue 15)

    _print_summary("reconcile", reconcile_flow(campaign=str(campaign), out=str(out), target=target))


@app.command()
@_friendly
def plan(
    campaign: Path = typer.Argument(..., help="Campaign YAML."),
    out: Path = typer.Option(..., help="Run directory (reads 01–02, writes 03_plan)."),
    target: str = typer.Option("local", help="Target profile."),
    refresh: bool = typer.Option(False, "--refresh", help="Look cached lookups (admin units) up again."),
    jsonl: bool = typer.Option(False, "--jsonl", help="Also export the plans as 03_plan/plans.jsonl."),
) -> None:
    """Build item plans, diff them against live items and run the pre-upload checks."""
    from pipelines.plan import plan_flow

    cli_setup.check_target(target, campaign)
    _print_summary("plan", plan_flow(campaign=str(campaign), out=str(out), target=target, refresh=refresh,
                                           jsonl=jsonl))


@app.command()
@_friendly
def upload(
    campaign: Path = typer.Argument(..., help="Campaign YAML."),
    out: Path = typer.Option(..., help="Run directory (reads 03_plan, writes 04_upload)."),
    target: str = typer.Option("local", help="Target profile."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write the diff report, change nothing."),
    shards: int = typer.Option(
        1, min=1, help="Split into identifier-range shards (the ledger decides what is left)."
    ),
    dask: bool = typer.Option(False, "--dask", help="Run the shards on a local Dask cluster."),
    dask_address: str | None = typer.Option(None, help="Scheduler of an existing Dask cluster."),
) -> None:
    """Upload item plans: one edit per item, resumable through the ledger."""
    cli_setup.check_target(target, campaign)
    if shards > 1:
        from pipelines.scale import upload_shards_flow, with_runner

        flow_ = with_runner(upload_shards_flow, dask=dask, dask_address=dask_address)
        summary = flow_(campaign=str(campaign), out=str(out), target=target, shards=shards,
                        dry_run=dry_run)
        _print_summary("upload", summary)
        return
    from pipelines.upload import upload_flow

    with stopping.graceful(f"wlkit upload {campaign} --out {out} --target {target}"):
        summary = upload_flow(campaign=str(campaign), out=str(out), target=target, dry_run=dry_run)
    _print_summary("upload", summary)


@app.command()
@_friendly
def lists(
    campaign: Path = typer.Argument(..., help="Campaign YAML."),
    out: Path = typer.Option(..., help="Run directory (writes 05_lists)."),
    region: str | None = typer.Option(None, help="Only this region (QID)."),
    target: str = typer.Option("local", help="Target profile."),
    by_region: bool = typer.Option(
        False, "--by-region", help="One flow run per region (fan-out), into OUT/regions/<QID>/."
    ),
    dask: bool = typer.Option(False, "--dask", help="Fan the regions out on a local Dask cluster."),
) -> None:
    """Campaign lists by SPARQL: wikitext, CSV, GeoJSON, offline map, upload links, statistics."""
    cli_setup.check_target(target, campaign)
    if by_region:
        from pipelines.scale import lists_by_region_flow, with_runner

        flow_ = with_runner(lists_by_region_flow, dask=dask)
        regions = [region] if region else None
        _print_summary("lists", flow_(campaign=str(campaign), out=str(out), target=target,
                                      regions=regions))
        return
    from pipelines.lists import lists_flow

    summary = lists_flow(campaign=str(campaign), out=str(out), target=target, region=region)
    _print_summary("lists", summary)


@app.command()
@_friendly
def report(
    campaign: Path | None = typer.Argument(None, help="Campaign YAML (omit with --all)."),
    out: Path = typer.Option(..., help="Run directory; with --all, the folder of run directories."),
    all_campaigns: bool = typer.Option(False, "--all", help="Progress page over all campaigns."),
    campaigns_dir: Path = typer.Option(Path("campaigns"), help="Where campaign YAMLs are (--all)."),
    lang: str = typer.Option("en", help="Report language (en, sv)."),
    target: str | None = typer.Option(None, help="Target to check facts against (optional)."),
) -> None:
    """Readiness checklist, recommendations and progress page from measured data."""
    from pipelines.report import report_flow

    if campaign is None and not all_campaigns:
        raise WlkitError("give a CAMPAIGN file or --all")
    summary = report_flow(
        campaign=str(campaign) if campaign else None,
        out=str(out),
        all_campaigns=all_campaigns,
        campaigns_dir=str(campaigns_dir),
        lang=lang,
        target=target,
    )
    _print_summary("report", summary)


@app.command()
@_friendly
def run(
    campaign: Path = typer.Argument(..., help="Campaign YAML."),
    out: Path | None = typer.Option(None, help="Run directory (default out/<campaign id>)."),
    target: str = typer.Option("local", help="Target profile."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Upload stage writes the diff only."),
    lang: str = typer.Option("en", help="Report language."),
    refresh: bool = typer.Option(False, "--refresh", help="Look cached lookups (admin units) up again."),
) -> None:
    """Run the whole campaign: ingest → reconcile → plan → upload → lists → report."""
    from modeling.campaign import load_campaign
    from pipelines.campaign import campaign_flow

    cli_setup.check_target(target, campaign)

    c = load_campaign(campaign)
    run_dir = out or Path("out") / c.id
    summary = campaign_flow(
        campaign=str(campaign), out=str(run_dir), target=target, dry_run=dry_run, lang=lang,
        refresh=refresh,
    )
    _print_summary("run", summary)
    typer.echo(str(run_dir))


@app.command("fan-out")
@_friendly
def fan_out(
    campaigns: list[str] = typer.Argument(..., help="Campaign YAMLs, folders or glob patterns."),
    out: Path = typer.Option(..., help="Parent folder: each campaign runs into OUT/<campaign id>/."),
    stage: str = typer.Option("campaign", help="Stage to run (ingest … report, or campaign = all)."),
    target: str = typer.Option("local", help="Target profile."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Upload stages write the diff only."),
    dask: bool = typer.Option(False, "--dask", help="Run on a local Dask cluster."),
    dask_address: str | None = typer.Option(None, help="Scheduler of an existing Dask cluster."),
    workers: int = typer.Option(2, min=1, help="Workers of the local Dask cluster."),
) -> None:
    """Run one stage (or the whole campaign) for many campaigns in parallel."""
    from pipelines.scale import campaigns_flow, with_runner

    flow_ = with_runner(campaigns_flow, dask=dask, dask_address=dask_address, workers=workers)
    summary = flow_(campaigns=campaigns, out=str(out), stage=stage, target=target, dry_run=dry_run)
    _print_summary("fan-out", summary)


@app.command()
@_friendly
def demo(
    out: Path = typer.Option(Path("out/demo"), help="Where the demo writes everything."),
    data_dir: Path = typer.Option(Path(".wlkit/demo"), help=DATA_DIR_HELP),
    keep_services: bool = typer.Option(False, help="Leave the local services running afterwards."),
    campaign: list[Path] | None = typer.Option(
        None, help="Only these campaign files (default: every bundled *-sample.yaml)."
    ),
) -> None:
    """Start local services and run the bundled sample campaigns end to end into OUT."""
    from pipelines.demo import run_demo

    logging.getLogger("prefect").setLevel(logging.WARNING)
    result = run_demo(out=out, data_dir=data_dir, keep_services=keep_services, echo=typer.echo,
                      campaigns=campaign or None)
    typer.echo("")
    typer.echo(f"Outputs are in {result}/")
    typer.echo(str(result))


cli_contest.register(app, _friendly, _print_summary)  # wlkit contest, wlkit writeback (issue 13)
cli_setup.register(app, _friendly, _print_summary)  # wlkit init, wlkit staging prepare (issue 15)


def main() -> None:  # pragma: no cover - console entry point alias
    """Entry point for ``python -m pipelines.cli``."""
    app(prog_name="wlkit")


if __name__ == "__main__":  # pragma: no cover
    main()
