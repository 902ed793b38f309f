"""The contest commands of ``wlkit`` (registered from :mod:`pipelines.cli`): contest, writeback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer


def contest(
    campaign: Path = typer.Argument(..., help="Campaign YAML."),
    out: Path = typer.Option(..., help="Run directory (reads 05_lists and the Commons fetch, writes 07_contest)."),
    target: str = typer.Option("local", help="Target profile (its Commons API)."),
    at: str | None = typer.Option(None, help="Coverage as it stood at the end of this day (YYYY-MM-DD)."),
    fetch: bool = typer.Option(True, "--fetch/--no-fetch",
                               help="Read the uploads from the target's Commons first (--no-fetch: reuse 07_contest)."),
) -> dict[str, Any]:
    """Contest stage: match uploads to monuments, statistics, coverage, eligibility, suggestions, dashboard."""
    from pipelines.contest import contest_flow

    summary = contest_flow(campaign=str(campaign), out=str(out), target=target, at=at, fetch=fetch)
    typer.echo(f"Dashboard: {summary['dashboard']}")
    return summary


def writeback(
    campaign: Path = typer.Argument(..., help="Campaign YAML."),
    out: Path = typer.Option(..., help="Run directory (reads 07_contest/suggestions_*.csv)."),
    target: str = typer.Option("local", help="Target profile (Wikidata API for items, Commons API for files)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Compare with the live entities, change nothing."),
) -> dict[str, Any]:
    """Write the accepted P18/P373/P180 suggestions back: one add-only edit per entity, ledgered."""
    from pipelines.writeback import writeback_flow

    return writeback_flow(campaign=str(campaign), out=str(out), target=target, dry_run=dry_run)


def register(app: typer.Typer, friendly: Callable[[Callable[..., None]], Callable[..., None]],
             print_summary: Callable[[str, Any], None]) -> None:
    """Add ``contest`` and ``writeback`` to ``app`` with the CLI's error handling and summary table."""
    for name, func in (("contest", contest), ("writeback", writeback)):
        app.command(name)(friendly(_printing(name, func, print_summary)))


def _printing(name: str, func: Callable[..., Any], print_summary: Callable[[str, Any], None]) -> Callable[..., None]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        print_summary(name, func(*args, **kwargs))

    wrapper.__annotations__ = {**func.__annotations__, "return": None}
    return wrapper
