"""Vetting queries in a separate process before the real store sees them.

pyoxigraph's parser and planner recurse over the query: a short query with 30,000 ``+`` terms or
``UNION`` branches overflows the stack and kills the whole process (both ports), and a 600-step
property path or a few hundred ``OPTIONAL`` blocks keep a core busy for minutes before a single
row is read. So every query is first parsed, planned and run against an *empty* store in a
helper process (``python -m sandbox.sparql_vet``), with the endpoint's time limit. If the helper
dies or runs out of time, it is replaced and the query is refused; the server never notices.
Only queries that pass go to the real store, evaluated on a thread with the same large stack.
"""

from __future__ import annotations

import contextlib
import json
import queue
import struct
import subprocess
import sys
import threading
import time
from typing import IO, Any

from pyoxigraph import QueryBoolean, Store

from sandbox.sparql_lexer import QueryRefused, QueryTimeout
from sandbox.wdqs_functions import custom_functions

#: Stack of the threads that parse and evaluate queries (the helper's and the server's).
STACK_BYTES = 256 * 1024 * 1024
#: Seconds a new helper may take to start (not counted in any query's time limit).
STARTUP_S = 60.0
_HEADER = struct.Struct(">I")
_STACK_LOCK = threading.Lock()


def _write(stream: IO[bytes], doc: Any) -> None:
    data = json.dumps(doc).encode("utf-8")
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError("the vetting helper closed its pipe")
    (size,) = _HEADER.unpack(head)
    return json.loads(stream.read(size))


def run_on_big_stack(fn: Any) -> threading.Thread:
    """Start ``fn`` on a daemon thread with :data:`STACK_BYTES` of stack.

    The stack size is a process-wide setting read when a thread starts; the lock makes sure
    it is always put back to the default afterwards.
    """
    with _STACK_LOCK:
        old = threading.stack_size(STACK_BYTES)
        try:
            thread = threading.Thread(target=fn, name="sparql-eval", daemon=True)
            thread.start()
        finally:
            threading.stack_size(old)
    return thread


class _Helper:
    """One helper process and its pipes."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox.sparql_vet"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if self.ask({"ping": True}, STARTUP_S) is None:
            self.kill()
            raise QueryRefused("the query helper process did not start; see the services log")

    def ask(self, doc: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        """The helper's answer, or None when it died or took longer than ``timeout_s``."""
        answer: dict[str, Any] = {}

        def talk() -> None:
            try:
                assert self.proc.stdin is not None and self.proc.stdout is not None
                _write(self.proc.stdin, doc)
                answer.update(_read(self.proc.stdout))
            except (OSError, EOFError, ValueError):
                pass

        thread = threading.Thread(target=talk, daemon=True)
        thread.start()
        thread.join(timeout_s)
        return answer or None

    def kill(self) -> None:
        """End the helper process."""
        self.proc.kill()
        self.proc.wait()


class QueryVetter:
    """A small pool of helper processes that try each query on an empty store first."""

    def __init__(self, prefixes: dict[str, str], size: int = 2) -> None:
        self.prefixes, self.size = prefixes, size
        self._idle: queue.LifoQueue[_Helper] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    def vet(self, query: str, timeout_s: float) -> float:
        """Return the seconds the check took when ``query`` parses and plans fine; else raise.

        Starting a helper (after one was replaced) is not counted.

        Raises:
            SyntaxError: the parser's message (HTTP 400).
            QueryRefused: the helper crashed on it (HTTP 400).
            QueryTimeout: planning alone took longer than ``timeout_s``.
        """
        with self._slots:
            try:
                helper = self._idle.get_nowait()
            except queue.Empty:
                helper = _Helper()
            started = time.monotonic()
            answer = helper.ask({"query": query, "prefixes": self.prefixes}, timeout_s)
            spent = time.monotonic() - started
            if answer is None:
                alive = helper.proc.poll() is None
                helper.kill()
                threading.Thread(target=self._spare, daemon=True).start()
                if alive:
                    raise QueryTimeout(f"the query did not even finish planning within "
                                     f"{timeout_s:g} s")
                raise QueryRefused("the query is too deep or too long for the query planner "
                                   "(it crashed a helper process); simplify it")
            self._keep(helper)
        if "syntax" in answer:
            raise SyntaxError(answer["syntax"])
        return spent

    def _keep(self, helper: _Helper) -> None:
        """Put ``helper`` back in the idle pool, or end it when the pool is full."""
        if self._idle.qsize() >= self.size:
            helper.kill()
        else:
            self._idle.put(helper)

    def _spare(self) -> None:
        """Start a replacement helper ahead of the next query."""
        with contextlib.suppress(OSError, QueryRefused):
            self._keep(_Helper())

    def close(self) -> None:
        """End every idle helper."""
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return


def _check(query: str, prefixes: dict[str, str]) -> dict[str, Any]:
    store = Store()
    try:
        result = store.query(query, prefixes=prefixes, use_default_graph_as_union=True,
                             custom_functions=custom_functions(store))
        if not isinstance(result, QueryBoolean):
            for _ in result:
                pass
    except SyntaxError as exc:
        return {"syntax": str(exc)}
    except (OSError, ValueError, RuntimeError) as exc:
        return {"ok": True, "note": str(exc)}
    return {"ok": True}


def _check_on_big_stack(query: str, prefixes: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    run_on_big_stack(lambda: out.update(_check(query, prefixes))).join()
    return out


def main() -> int:
    """Helper loop: read length-prefixed JSON queries on stdin, answer on stdout."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            doc = _read(stdin)
        except EOFError:
            return 0
        if doc.get("ping"):
            _write(stdout, {"ok": True})
            continue
        _write(stdout, _check_on_big_stack(doc["query"], doc["prefixes"]))


if __name__ == "__main__":
    raise SystemExit(main())
