"""Graceful stop of a run that writes: Ctrl-C / SIGTERM finish the write in flight, then exit.

First signal: no new write starts (:func:`requested` turns true; the upload checks it between
records); the write in flight is finished and recorded, or — if it has not answered within
:data:`STOP_WITHIN_S` seconds — left ``pending`` in the ledger, which the next run resolves from
the account's contributions. Either way the process then prints one line saying how to resume
and exits with status 130, without tracebacks and without waiting for Prefect's API (which the
same Ctrl-C may already have stopped). A second signal exits at once; the ledger is still
recoverable (every write is recorded ``pending`` before it is sent).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

#: Seconds the write in flight gets after the first signal.
STOP_WITHIN_S = 4.0
#: Exit status after a stop (128 + SIGINT, as shells report Ctrl-C).
STOP_STATUS = 130

_stop = threading.Event()
_stopped = threading.Event()


def requested() -> bool:
    """Whether a stop was asked for (checked by the upload between two writes)."""
    return _stop.is_set()


def finished() -> None:
    """The run stopped with its ledger consistent: exit now (called by the upload flow)."""
    _stopped.set()


def _exit(resume: str) -> None:
    sys.stderr.write(f"Stopped; the ledger is consistent. Resume with: {resume}\n")
    sys.stderr.flush()
    os._exit(STOP_STATUS)  # skip Prefect's shutdown hooks: its API may be gone with the same Ctrl-C


def _watch(resume: str) -> None:
    _stopped.wait(STOP_WITHIN_S)
    _exit(resume)


@contextmanager
def graceful(resume: str) -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM stop the run as described in the module docstring.

    Args:
        resume: The command that resumes the run (printed on exit).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        if _stop.is_set():
            _exit(resume)
        _stop.set()
        sys.stderr.write("Stopping after the write in flight (press Ctrl-C again to quit at once) …\n")
        sys.stderr.flush()
        threading.Thread(target=_watch, args=(resume,), name="wlkit-stop", daemon=True).start()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
