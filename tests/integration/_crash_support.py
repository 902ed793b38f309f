"""Crash helpers for the upload tests: upload runs in forked children that the test kills.

A forked child starts in milliseconds (the parent already imported everything), so a test can
kill twenty runs at random points and stay fast. The child gets its own HTTP session (WBI's
module-level session is shared with the parent otherwise). Crash points are injected here — a
SIGKILL from the test, or an ``on_write`` callback that ends the child — never by product code.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import wikibaseintegrator.wbi_helpers as wbi_helpers
from _upload_support import campaign

from clients.wikibase import WikibaseClient
from core.settings import Target
from modeling.items import Plan, read_plans
from modeling.upload import UploadOptions, upload

_FORK = multiprocessing.get_context("fork")


def _child(target: Target, plans_path: Path, ledger: Path, grace: float, crash_after: int | None) -> None:
    wbi_helpers.default_session = requests.Session()  # never share the parent's pooled sockets

    def on_write(writes: int) -> None:
        if crash_after is not None and writes >= crash_after:
            os._exit(9)  # the test's crash point: after the API answered, before the ledger write

    client = WikibaseClient(target, sleep=time.sleep, backoff=0.05)
    upload(read_plans(plans_path), campaign(), client, ledger_path=ledger, batch=f"b{os.getpid()}",
           options=UploadOptions(sleep=time.sleep, commit_grace=grace, on_write=on_write))
    os._exit(0)


def start_run(target: Target, plans_path: Path, ledger: Path, *, grace: float,
              crash_after: int | None = None) -> Any:
    """A forked upload run (``.pid``, ``.join()``, ``.exitcode``)."""
    proc = _FORK.Process(target=_child, args=(target, plans_path, ledger, grace, crash_after), daemon=True)
    proc.start()
    return proc


def kill(proc: Any) -> None:
    """SIGKILL a run and reap it."""
    if proc.is_alive():
        os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)


def wait_until(condition: Callable[[], bool], proc: Any, timeout: float = 60.0) -> None:
    """Poll ``condition`` while the run lives (fails when the run died or time ran out)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.is_alive() or condition(), f"run ended early (exit {proc.exitcode})"
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def saved_creates(services: Any) -> list[dict[str, Any]]:
    """Successful item creations the server recorded (each is one new item)."""
    return [e for e in services.edits()["edits"] if e["ok"] and e.get("new") == "item"]


def strip_descriptions(plans: list[Plan]) -> list[Plan]:
    """Plans without descriptions: Wikibase's label+description uniqueness cannot catch a duplicate."""
    for p in plans:
        p.data.pop("descriptions", None)
        p.desired.pop("descriptions", None)
    return plans


def set_identifiers(plans: list[Plan], prop: str, values: list[str]) -> list[Plan]:
    """Give each plan a new identifier value (in its data, desired entity and ``identifier``)."""
    for p, value in zip(plans, values, strict=True):
        for entity in (p.data, p.desired):
            for st in entity["claims"][prop]:
                st["mainsnak"]["datavalue"]["value"] = value
        p.identifier = value
    return plans
