"""Sessions expire after idling; passwords are stored salted and slow, never silently reset."""

from __future__ import annotations

import gc
import time

from sandbox.rdf import Vocabulary
from sandbox.repo import Repository
from sandbox.serve import build_state
from sandbox.state import ServerState
from sandbox.store import RevisionStore, password_matches


def test_idle_session_expires(tmp_path):
    state = ServerState(Repository(tmp_path, Vocabulary.for_base("http://www.wikidata.org")))
    sid, sess = state.new_session()
    assert state.session(sid) is sess
    sess.last_used = time.monotonic() - state.session_ttl - 1  # an hour and a second idle
    assert state.session(sid) is None
    assert sid not in state.sessions


def test_password_hash_is_salted_pbkdf2(tmp_path):
    db = RevisionStore(tmp_path / "db.sqlite")
    db.ensure_user("Alice", "secret one", ["user"], "bot")
    db.ensure_user("Bob", "secret one", ["user"], "bot")
    hashes = [r[0] for r in db.reader.execute("SELECT password_sha256 FROM users ORDER BY name")]
    assert all(h.startswith("pbkdf2_sha256$") for h in hashes)
    assert hashes[0] != hashes[1]  # same password, different salts
    assert password_matches("secret one", hashes[0]) and not password_matches("secret", hashes[0])
    assert db.check_bot_password("Alice@bot", "secret one")["name"] == "Alice"
    assert db.check_password("Alice", "nope") is None
    db.close()


def test_configured_password_kept_across_restarts(tmp_path, monkeypatch):
    monkeypatch.setenv("WLKIT_SANDBOX_PASSWORD", "my own password")
    state = build_state(tmp_path)
    state.repo.db.close()
    del state
    gc.collect()  # releases the graph store's lock (a restart opens it again)
    monkeypatch.delenv("WLKIT_SANDBOX_PASSWORD")
    state = build_state(tmp_path)  # restart without the variable: the password stays
    assert state.repo.db.check_bot_password("Wlkit@sandbox", "my own password") is not None
    assert state.repo.db.check_bot_password("Wlkit@sandbox", "sandbox-bot-password") is None
    state.repo.db.close()
