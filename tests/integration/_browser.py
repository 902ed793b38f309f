"""Headless Chromium for the browser tests: find it, open a page with the common flags, read its DOM,
its console, or the JSON a script writes from a harness page around it.

Needs Debian's ``chromium`` (``make browser`` installs it); a missing browser is a failure.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")
LOG_CONSOLE = ("--enable-logging=stderr", "--v=0")


def chromium() -> str:
    """The Chromium executable; asserts it is installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "chromium is not installed: run `make browser`"
    return found


def headless(page: Path, profile: Path, *flags: str, budget_ms: int | None = None, dump_dom: bool = True,
             timeout: int = 180) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``page`` with its own ``profile`` directory and the extra ``flags``;
    with ``budget_ms`` it runs that much virtual time, with ``dump_dom`` its DOM is the stdout."""
    budget = [f"--virtual-time-budget={budget_ms}"] if budget_ms is not None else []
    return subprocess.run(
        [chromium(), *FLAGS, *flags, f"--user-data-dir={profile}", *(["--dump-dom"] if dump_dom else []), *budget,
         page.as_uri()],
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def dump_dom(page: Path, profile: Path, *, budget_ms: int | None = None, timeout: int = 90) -> str:
    """The DOM of ``page``; asserts Chromium exited cleanly."""
    run = headless(page, profile, budget_ms=budget_ms, timeout=timeout)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def console(run: subprocess.CompletedProcess[str]) -> list[str]:
    """The console messages and uncaught errors of a run with ``LOG_CONSOLE``."""
    return [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def map_dom(page: Path, profile: Path, *flags: str, budget_ms: int = 8000,
            timeout: int = 180) -> subprocess.CompletedProcess[str]:
    """The run of a Leaflet ``page`` after ``budget_ms`` of virtual time; asserts the map was drawn."""
    run = headless(page, profile, *flags, budget_ms=budget_ms, timeout=timeout)
    assert "leaflet-container" in run.stdout, run.stderr[-2000:]
    return run


def map_dom_and_console(page: Path, profile: Path, *, budget_ms: int = 8000,
                        timeout: int = 180) -> tuple[str, list[str]]:
    """The DOM of a Leaflet ``page`` after it has run, and the console messages / uncaught errors it logged."""
    run = map_dom(page, profile, *LOG_CONSOLE, budget_ms=budget_ms, timeout=timeout)
    return run.stdout, console(run)


def harness(page_dir: Path, script: str, profile: Path) -> object:
    """Open ``map.html`` of ``page_dir`` in a frame, run ``script`` (its ``doc``) once it is drawn;
    the JSON the script writes into ``#out``."""
    page = page_dir / "harness.html"
    page.write_text(
        '<!DOCTYPE html><html><body><pre id="out">waiting</pre>\n'
        '<iframe id="f" src="map.html" style="width:1000px;height:800px"></iframe>\n<script>\n'
        'document.getElementById("f").addEventListener("load", function () {\n  setTimeout(function () {\n'
        '    var doc = document.getElementById("f").contentDocument;\n'
        f"{script}\n  }}, 500);\n}});\n</script></body></html>", encoding="utf-8")
    run = headless(page, profile, "--allow-file-access-from-files", budget_ms=8000)
    found = re.search(r'<pre id="out">(.*?)</pre>', run.stdout, re.S)
    assert found and found.group(1).startswith("["), run.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
                      .replace("&amp;", "&"))
