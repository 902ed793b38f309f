"""Fault injection for the sandbox: counted faults that fire on the next matching requests.

Spec (``POST /admin/faults`` JSON, or env ``WLKIT_SANDBOX_FAULTS``), every key optional::

    {"maxlag":       {"count": 2, "lag": 3, "retry_after": 1},   # API requests carrying maxlag=
     "ratelimited":  {"count": 1, "retry_after": 1},             # writes by default
     "http_429":     {"count": 1, "retry_after": 1},
     "http_503":     {"count": 1, "retry_after": 1},
     "slow":         {"count": 3, "delay_ms": 200},
     "drop":         {"count": 1},                                # close socket, no answer
     "editconflict": {"count": 1},                                # writes
     "delayed_commit": {"count": 1, "delay_ms": 1500},            # writes: commit late
     "search_lag":   {"seconds": 30},                             # haswbstatement lags
     "query_lag":    {"seconds": 10},                             # SPARQL lags
     "expire_sessions": true}                                     # one-shot: forget all sessions

Each counted fault also takes ``"on"``: ``any`` (every API request), ``read``, ``write``,
``sparql`` (SPARQL port requests) or an action name such as ``wbeditentity``. Each matching
request consumes one count.

Realistic consistency faults (what a real Wikibase does, issue 12 §3):

* ``delayed_commit`` — the write is committed ``delay_ms`` after it arrived, whether or not the
  client is still waiting (it may time out, be killed or Ctrl-C'd meanwhile): the edit exists
  although the client never saw the answer, as on a real wiki that keeps running a request
  whose client went away.
* ``search_lag`` — ``haswbstatement:`` search sees a saved edit only ``seconds`` later (until
  then it answers from the item's previous version), like CirrusSearch's index.
* ``query_lag`` — SPARQL sees a saved edit only ``seconds`` later, like WDQS's updater. Each
  item's triples are swapped in one transaction, so a query sees an item's old or new version,
  never none.

The lags are settings rather than counts: ``{"search_lag": {"seconds": 0}}`` (or ``null``) turns
one off and the index catches up at once; ``/admin/reset`` turns both off.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

#: Fault kind → default ``on``.
FAULT_KINDS = {
    "maxlag": "any",
    "ratelimited": "write",
    "http_429": "any",
    "http_503": "any",
    "slow": "any",
    "drop": "any",
    "editconflict": "write",
    "delayed_commit": "write",
}
#: Lag settings (seconds, not counts) → attribute of :class:`Lags`.
LAG_KINDS = {"search_lag": "search_s", "query_lag": "query_s"}


@dataclass
class Lags:
    """Propagation delays in seconds (0 = immediate), read by the store and the RDF graph."""

    search_s: float = 0.0
    query_s: float = 0.0
WRITE_ACTIONS = frozenset({"wbeditentity", "wbremoveclaims", "wbsetlabel", "wbsetdescription",
                           "wbsetaliases", "wbcreateclaim", "wbsetclaim", "wbmergeitems",
                           "delete", "edit",
                           "wbsetsitelink", "wbsetclaimvalue", "wbsetqualifier",
                           "wbremovequalifiers", "wbsetreference", "wbremovereferences",
                           "wbcreateredirect"})


class FaultError(ValueError):
    """An invalid fault specification."""


class Faults:
    """Thread-safe counted faults."""

    def __init__(self, lags: Lags | None = None) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, dict[str, Any]] = {}
        self.lags = lags or Lags()

    def _set_lag(self, kind: str, conf: Any) -> None:
        seconds = conf.get("seconds", 0) if isinstance(conf, dict) else conf
        try:
            value = float(seconds or 0)
        except (TypeError, ValueError):
            raise FaultError(f"{kind}.seconds should be a number, got {seconds!r}") from None
        if value < 0:
            raise FaultError(f"{kind}.seconds should be >= 0, got {value}")
        setattr(self.lags, LAG_KINDS[kind], value)

    def set(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Add or replace faults from a spec; returns the one-shot actions requested."""
        if not isinstance(spec, dict):
            raise FaultError(f"faults should be a JSON object, got {spec!r}")
        actions: dict[str, Any] = {}
        with self._lock:
            for kind, conf in spec.items():
                if kind == "expire_sessions":
                    actions["expire_sessions"] = bool(conf)
                    continue
                if kind in LAG_KINDS:
                    self._set_lag(kind, conf)
                    continue
                if kind not in FAULT_KINDS:
                    raise FaultError(f"unknown fault {kind!r}; known: "
                                     f"{', '.join(sorted([*FAULT_KINDS, *LAG_KINDS]))}, "
                                     "expire_sessions")
                if conf in (None, False, 0):
                    self._active.pop(kind, None)
                    continue
                conf = {"count": 1} if conf is True else dict(conf)
                count = int(conf.get("count", 1))
                if count < 0:
                    raise FaultError(f"{kind}.count should be >= 0, got {count}")
                conf["count"] = count
                conf.setdefault("on", FAULT_KINDS[kind])
                self._active[kind] = conf
        return actions

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._active.clear()
            self.lags.search_s = self.lags.query_s = 0.0

    def snapshot(self) -> dict[str, Any]:
        """Currently armed faults (and lags that are on)."""
        with self._lock:
            out: dict[str, Any] = {k: dict(v) for k, v in self._active.items() if v["count"] > 0}
            for kind, attr in LAG_KINDS.items():
                if getattr(self.lags, attr):
                    out[kind] = {"seconds": getattr(self.lags, attr)}
            return out

    def commit_delay(self, action: str) -> float:
        """Seconds to hold this write before committing it (an armed ``delayed_commit``), else 0."""
        conf = self.take("delayed_commit", action)
        return float(conf.get("delay_ms", 1500)) / 1000.0 if conf else 0.0

    def take(self, kind: str, action: str | None, sparql: bool = False,
             has_maxlag: bool = False) -> dict[str, Any] | None:
        """Consume one count of ``kind`` if it applies to this request; returns its config."""
        with self._lock:
            conf = self._active.get(kind)
            if not conf or conf["count"] <= 0:
                return None
            on = conf["on"]
            if sparql:
                match = on == "sparql"
            elif on == "sparql":
                match = False
            elif on == "any":
                match = True
            elif on == "write":
                match = action in WRITE_ACTIONS
            elif on == "read":
                match = action not in WRITE_ACTIONS
            else:
                match = action == on
            if kind == "maxlag" and not has_maxlag:
                match = False
            if not match:
                return None
            conf["count"] -= 1
            return dict(conf)

    def transport(self, action: str | None, *, sparql: bool = False,
                  has_maxlag: bool = False) -> tuple[str, int, str] | None:
        """Apply the transport-level faults to one request (both ports share this).

        Sleeps for an armed ``slow`` fault, then returns ``("drop", 0, "")`` when the connection
        must be closed unanswered, ``("status", 429|503, retry_after)`` for a plain HTTP error,
        or None when the request goes on normally.
        """
        if self.take("drop", action, sparql=sparql, has_maxlag=has_maxlag):
            return ("drop", 0, "")
        slow = self.take("slow", action, sparql=sparql, has_maxlag=has_maxlag)
        if slow:
            time.sleep(float(slow.get("delay_ms", 100)) / 1000.0)
        for kind, status in (("http_429", 429), ("http_503", 503)):
            conf = self.take(kind, action, sparql=sparql, has_maxlag=has_maxlag)
            if conf:
                return ("status", status, str(conf.get("retry_after", 1)))
        return None
