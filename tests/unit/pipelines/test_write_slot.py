"""The write slot of ephemeral runs: a machine-wide file lock that a killed writer cannot leak."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from pipelines._options import LOCK_DIR, _file_lock

HOLDER = """
import sys, time
from pipelines._options import _file_lock
with _file_lock(sys.argv[1], None):
    print("held", flush=True)
    time.sleep(120)
"""


def test_second_writer_waits_and_a_sigkilled_holder_releases_the_slot() -> None:
    name = f"wikibase-writes-test-{uuid.uuid4().hex[:8]}"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, name], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(TimeoutError, match=name), _file_lock(name, 0.5):
            pass
        os.kill(holder.pid, signal.SIGKILL)  # no clean-up runs in the holder
        holder.wait(10)
        started = time.monotonic()
        with _file_lock(name, 10):
            assert time.monotonic() - started < 5
    finally:
        if holder.poll() is None:
            holder.kill()
        (LOCK_DIR / f"{name}.lock").unlink(missing_ok=True)
