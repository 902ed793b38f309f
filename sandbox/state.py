"""Process-wide state of the sandbox's Action API: repository, faults, sessions and edit log."""

from __future__ import annotations

import secrets
import threading
from typing import Any

from sandbox.faults import Faults
from sandbox.repo import Repository

ANON_TOKEN = "+\\"


class Session:
    """A login session (bound CSRF token)."""

    def __init__(self) -> None:
        self.user: dict[str, Any] | None = None
        self.csrf = secrets.token_hex(16) + ANON_TOKEN
        self.login_token = secrets.token_hex(16) + ANON_TOKEN


class ServerState:
    """Everything shared by the request handlers of one process."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.faults = Faults()
        self.sessions: dict[str, Session] = {}
        self.sessions_lock = threading.Lock()
        self.edits: list[dict[str, Any]] = []
        self.edits_lock = threading.Lock()

    def new_session(self) -> tuple[str, Session]:
        """Create and register a session; returns ``(session id, session)``."""
        sid = secrets.token_hex(16)
        sess = Session()
        with self.sessions_lock:
            self.sessions[sid] = sess
        return sid, sess

    def session(self, sid: str) -> Session | None:
        """The live session with id ``sid``, or None."""
        with self.sessions_lock:
            return self.sessions.get(sid)

    def drop_session(self, sid: str) -> None:
        """Forget one session (logout)."""
        with self.sessions_lock:
            self.sessions.pop(sid, None)

    def expire_sessions(self) -> int:
        """Forget every session (clients then fail assert/badtoken)."""
        with self.sessions_lock:
            n = len(self.sessions)
            self.sessions.clear()
            return n

    def record_edit(self, entry: dict[str, Any]) -> None:
        """Append to the wbeditentity log."""
        with self.edits_lock:
            self.edits.append(entry)

    def clear_edits(self) -> None:
        """Empty the edit log (``/admin/reset``)."""
        with self.edits_lock:
            self.edits.clear()

    def edit_log(self) -> dict[str, Any]:
        """``{"count": calls, "saved": ok calls, "ids": ids of ok calls, "edits": [...]}``."""
        with self.edits_lock:
            edits = list(self.edits)
        ok = [e for e in edits if e["ok"]]
        return {"count": len(edits), "saved": len(ok), "ids": [e["id"] for e in ok],
                "edits": edits}
