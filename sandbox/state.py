"""Process-wide state of the sandbox's Action API: repository, faults, sessions and edit log."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from typing import Any

from sandbox.faults import Faults
from sandbox.repo import Repository

ANON_TOKEN = "+\\"
#: Idle seconds after which a session is forgotten (MediaWiki's default session expiry).
SESSION_TTL = 3600.0
#: Failed logins allowed per (user name, client address) in LOGIN_WINDOW seconds
#: (MediaWiki's $wgPasswordAttemptThrottle default).
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW = 300.0


def mediawiki_token(secret: str, salt: str) -> str:
    """A token in MediaWiki's form: HMAC hex (32), hex timestamp (8) and the ``+\\`` suffix."""
    stamp = format(int(time.time()), "x")
    mac = hmac.new(secret.encode(), (stamp + salt).encode(), hashlib.md5).hexdigest()
    return mac + stamp + ANON_TOKEN


class Session:
    """A login session: its user, its CSRF and login tokens, and when it was last used."""

    def __init__(self) -> None:
        self.user: dict[str, Any] | None = None
        self.secret = secrets.token_hex(16)
        self.csrf = mediawiki_token(self.secret, "csrf")
        self.login_token = mediawiki_token(self.secret, "login")
        self.last_used = time.monotonic()

    def log_in(self, user: dict[str, Any]) -> None:
        """Bind ``user`` and issue fresh tokens (the old ones stop working)."""
        self.user = user
        self.secret = secrets.token_hex(16)
        self.csrf = mediawiki_token(self.secret, "csrf")
        self.login_token = mediawiki_token(self.secret, "login")

    def token(self, kind: str) -> str:
        """The session's token of ``kind`` (every type but login is the CSRF token, as in
        MediaWiki where they are all one token)."""
        return self.login_token if kind == "login" else self.csrf


class ServerState:
    """Everything shared by the request handlers of one process."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.faults = Faults(repo.lags)
        self.sessions: dict[str, Session] = {}
        self.sessions_lock = threading.Lock()
        self.edits: list[dict[str, Any]] = []
        self.edits_lock = threading.Lock()
        self.admin_secret = ""  # the data directory's admin secret (set by sandbox.serve)
        self.session_ttl = SESSION_TTL
        self.redirects = repo.redirects
        self.failed_logins: dict[tuple[str, str], list[float]] = {}

    def new_session(self, sess: Session | None = None) -> tuple[str, Session]:
        """Register ``sess`` (or a new session) under a fresh id; returns ``(id, session)``."""
        sid = secrets.token_hex(16)
        sess = sess or Session()
        sess.last_used = time.monotonic()
        with self.sessions_lock:
            self._purge_expired()
            self.sessions[sid] = sess
        return sid, sess

    def rotate_session(self, old_sid: str | None, sess: Session) -> str:
        """Move ``sess`` to a fresh id (at login) and forget ``old_sid``; returns the new id."""
        if old_sid:
            self.drop_session(old_sid)
        return self.new_session(sess)[0]

    def session(self, sid: str) -> Session | None:
        """The live session with id ``sid`` (touching it), or None when unknown or expired."""
        now = time.monotonic()
        with self.sessions_lock:
            sess = self.sessions.get(sid)
            if sess is None:
                return None
            if now - sess.last_used > self.session_ttl:
                del self.sessions[sid]
                return None
            sess.last_used = now
            return sess

    def _purge_expired(self) -> None:
        now = time.monotonic()
        for sid in [k for k, v in self.sessions.items() if now - v.last_used > self.session_ttl]:
            del self.sessions[sid]

    def login_throttled(self, name: str, client: str) -> bool:
        """True when ``name`` from ``client`` failed LOGIN_ATTEMPTS times in LOGIN_WINDOW."""
        now = time.monotonic()
        with self.sessions_lock:
            recent = [t for t in self.failed_logins.get((name.lower(), client), [])
                      if now - t < LOGIN_WINDOW]
            self.failed_logins[(name.lower(), client)] = recent
            return len(recent) >= LOGIN_ATTEMPTS

    def login_failed(self, name: str, client: str) -> None:
        """Count one failed login of ``name`` from ``client``."""
        with self.sessions_lock:
            self.failed_logins.setdefault((name.lower(), client), []).append(time.monotonic())

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
