"""Entry point: ``python -m sandbox.serve --data-dir D --wikibase-port N --sparql-port M``.

Runs the Action API and the SPARQL endpoint in one process (127.0.0.1 only) sharing one
repository (SQLite revision DB + on-disk pyoxigraph store under ``D``). Stops on SIGTERM/SIGINT.
The sandbox account comes from WLKIT_SANDBOX_USER (``User@app``, default ``Wlkit@sandbox``) and
WLKIT_SANDBOX_PASSWORD (default ``sandbox-bot-password``); it is in the ``user`` and ``bot``
groups. Faults can be armed at start with WLKIT_SANDBOX_FAULTS (JSON, see sandbox.faults).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import threading
from pathlib import Path

from sandbox.admin_auth import ensure_secret, private_data_dir
from sandbox.commons.server import make_commons_server
from sandbox.commons.store import CommonsStore
from sandbox.rdf import Vocabulary
from sandbox.repo import Repository
from sandbox.server import ServerState, make_api_server
from sandbox.sparql_endpoint import make_sparql_server

log = logging.getLogger("sandbox.serve")


def build_state(data_dir: str | Path, entity_base: str = "http://www.wikidata.org",
                check_targets: bool = True) -> ServerState:
    """Open the repository in ``data_dir``, ensure the sandbox user and arm env faults."""
    repo = Repository(data_dir, Vocabulary.for_base(entity_base), check_targets=check_targets)
    lgname = os.environ.get("WLKIT_SANDBOX_USER", "Wlkit@sandbox")
    password = os.environ.get("WLKIT_SANDBOX_PASSWORD")
    name, _, appid = lgname.partition("@")
    # The configured password is stored; without one, a stored password is kept (never reset).
    if password is not None or not repo.db.has_password(name):
        repo.db.ensure_user(name, password or "sandbox-bot-password", ["user", "bot"],
                            appid or "sandbox")
    state = ServerState(repo)
    faults = os.environ.get("WLKIT_SANDBOX_FAULTS")
    if faults:
        actions = state.faults.set(json.loads(faults))
        if actions.get("expire_sessions"):
            state.expire_sessions()
    return state


def main(argv: list[str] | None = None) -> int:
    """Run both servers until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.serve", description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--wikibase-port", type=int, default=8181)
    parser.add_argument("--sparql-port", type=int, default=7878)
    parser.add_argument("--commons-port", type=int, default=8282)
    parser.add_argument("--entity-base", default=os.environ.get("WLKIT_ENTITY_BASE",
                                                                "http://www.wikidata.org"))
    parser.add_argument("--no-target-check", action="store_true",
                        help="accept item values pointing at entities that do not exist")
    parser.add_argument("--query-timeout", type=float,
                        default=float(os.environ.get("WLKIT_SPARQL_TIMEOUT", "60")),
                        help="time limit of one SPARQL query in seconds (WDQS: 60)")
    parser.add_argument("--socket-timeout", type=float,
                        default=float(os.environ.get("WLKIT_SANDBOX_SOCKET_TIMEOUT", "30")),
                        help="seconds a connection may stay silent before it is closed")
    parser.add_argument("--log-level", default=os.environ.get("WLKIT_SANDBOX_LOG", "INFO"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    private_data_dir(args.data_dir)
    secret = ensure_secret(args.data_dir)
    state = build_state(args.data_dir, args.entity_base, not args.no_target_check)
    state.admin_secret = secret
    api = make_api_server(state, args.wikibase_port)
    sparql = make_sparql_server(state, args.sparql_port, admin_secret=secret,
                                timeout_s=args.query_timeout)
    for srv in (api, sparql):
        srv.RequestHandlerClass.timeout = args.socket_timeout  # type: ignore[attr-defined]
    commons_store = CommonsStore(Path(args.data_dir) / "commons.sqlite")
    commons = make_commons_server(state.repo, commons_store, args.commons_port,
                                  admin_secret=secret)
    commons.RequestHandlerClass.timeout = args.socket_timeout  # type: ignore[attr-defined]
    threads = [threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                daemon=True) for srv in (api, sparql, commons)]
    for t in threads:
        t.start()
    log.info("sandbox Wikibase on http://127.0.0.1:%d/w/api.php, SPARQL on "
             "http://127.0.0.1:%d/query (data %s, pid %d)", args.wikibase_port,
             args.sparql_port, args.data_dir, os.getpid())
    log.info("local Commons on http://127.0.0.1:%d/w/api.php", args.commons_port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    log.info("stopping")
    for srv in (api, sparql, commons):
        srv.shutdown()
        srv.server_close()
    state.repo.graph.store.flush()
    state.repo.db.close()
    commons_store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
