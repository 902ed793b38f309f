"""Shared pytest fixtures: the local services (sandbox Wikibase + SPARQL) and ../shared data.

Fixtures (other helpers may ADD fixtures at the end of this file, but must not rewrite it):

- ``local_services`` (session): one fresh services pair on free loopback ports in a tmp dir,
  seeded with the base entities (``sandbox/seed/base.jsonl``). Yields a :class:`LocalServices`
  with ``.target`` (a :class:`core.settings.Target`), ``.api_url``, ``.sparql_url``,
  ``.admin_url``, ``.data_dir``, ``.pid``. Tests that inject faults must reset them
  (``local_services.reset()``) — or better use ``services_factory``.
- ``services_factory`` (function): ``services_factory(seed=True)`` starts an isolated pair
  (own data dir, own ports) and returns a :class:`LocalServices`; all are stopped at test end.
- ``shared_data``: ``Path`` of ``/work/shared/data`` (``../shared/data`` next to the project),
  or ``pytest.skip`` when it is absent.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from core.settings import Target
from sandbox.services import ServicesInfo, free_port, start_services, stop_services

# (None of the imports above loads Prefect, so the environment below is set before it is.)
# No telemetry from Prefect in tests: nothing may reach a non-loopback address.
for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_UI_ENABLED": "false",
    # A temporary Prefect server (a CLI subprocess's, a flow's outside tests/flows) may take longer
    # than Prefect's 20 s to start when the suite runs in parallel on a busy 2-core machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}.items():
    os.environ.setdefault(_key, _value)

# Every test session gets its own Prefect home (database, concurrency limits, results), so tests
# never share state with a user's runs or with an earlier, killed session. Under pytest-xdist each
# worker process is a session of its own: a home inherited from the controlling process (marked by
# WLKIT_TEST_PREFECT_HOME) is replaced, so two workers never share one SQLite database.
if "PREFECT_HOME" not in os.environ or (
    "PYTEST_XDIST_WORKER" in os.environ
    and os.environ["PREFECT_HOME"] == os.environ.get("WLKIT_TEST_PREFECT_HOME")
):
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="wlkit-test-prefect-")
    os.environ["WLKIT_TEST_PREFECT_HOME"] = os.environ["PREFECT_HOME"]


#: Under ``make test`` (pytest-xdist) a test module is one unit of work; the modules (or folders)
#: named here share one unit and so run one after another on one worker. Both demos prefer the
#: default ports (8181, 7878, 8282), and two at once could pick the same one; the flow tests share
#: one session-wide Prefect test harness (tests/flows/conftest.py), started once, not per worker.
SAME_WORKER = {"tests/e2e/test_demo.py": "wlkit demo", "tests/e2e/test_packaging.py": "wlkit demo",
               "tests/flows/": "flow tests"}


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``make test`` (``-n auto --dist loadscope``): one work unit per test module (so a module's
    fixtures, services or built wheels, start once, not once per worker), or per group of
    :data:`SAME_WORKER`. (xdist's ``xdist_group`` mark would say the same in the test file, but
    under pytest 9.2 its renamed node ids are ignored.) Other ``--dist`` modes are left to xdist."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleOrGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            folder = module.rsplit("/", 1)[0] + "/"
            return SAME_WORKER.get(module) or SAME_WORKER.get(folder) or module

    return ModuleOrGroupScheduling(config, log)


PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"

SANDBOX_USER = "Wlkit@sandbox"
SANDBOX_PASSWORD = "sandbox-bot-password"


@dataclass
class LocalServices:
    """A running sandbox pair, as handed to tests."""

    info: ServicesInfo
    data_dir: Path
    target: Target = field(init=False)

    def __post_init__(self) -> None:
        self.target = Target(
            name="local",
            api_url=self.info.api_url,
            sparql_url=self.info.sparql_url,
            user=SANDBOX_USER,
            password=SecretStr(SANDBOX_PASSWORD),
            user_agent="wikiloves-kit-tests/0.1 (tests@example.org)",
            is_production=False,
        )

    @property
    def api_url(self) -> str:
        """Action API URL (``http://127.0.0.1:PORT/w/api.php``)."""
        return self.info.api_url

    @property
    def sparql_url(self) -> str:
        """SPARQL endpoint URL (``http://127.0.0.1:PORT/query``)."""
        return self.info.sparql_url

    @property
    def admin_url(self) -> str:
        """Admin base URL (``http://127.0.0.1:PORT/admin``)."""
        return self.info.admin_url

    @property
    def sparql_admin_url(self) -> str:
        """Admin base URL of the SPARQL port (``/admin/load`` for Turtle/N-Triples)."""
        return self.info.sparql_admin_url

    @property
    def pid(self) -> int:
        """Process id of the services process."""
        return self.info.pid

    def admin(self, path: str, payload: Any = None) -> Any:
        """POST (payload given) or GET an admin endpoint, e.g. ``admin("faults", {...})``."""
        url = f"{self.admin_url}/{path.lstrip('/')}"
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
        req.add_header("Content-Type", "application/json")
        for key, value in self.info.admin_headers.items():
            req.add_header(key, value)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def faults(self, **faults: Any) -> Any:
        """Inject faults, e.g. ``faults(maxlag={"count": 2, "lag": 7})`` (see sandbox docs)."""
        return self.admin("faults", faults)

    def edits(self) -> dict[str, Any]:
        """Recorded wbeditentity calls: ``{"count": n, "ids": [...], "edits": [...]}``."""
        return self.admin("edits")

    def reset(self) -> Any:
        """Clear injected faults and the recorded edit log (entities stay)."""
        return self.admin("reset", {})

    def load_rdf(self, text: str, content_type: str = "text/turtle") -> Any:
        """Load Turtle/N-Triples into the SPARQL store (default graph)."""
        req = urllib.request.Request(
            f"{self.sparql_admin_url}/load", data=text.encode("utf-8"), method="POST"
        )
        req.add_header("Content-Type", content_type)
        for key, value in self.info.admin_headers.items():
            req.add_header(key, value)
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")


def _start(data_dir: Path, seed: bool) -> LocalServices:
    info = start_services(
        data_dir, wikibase_port=free_port(), sparql_port=free_port(), seed=seed
    )
    return LocalServices(info=info, data_dir=data_dir)


@pytest.fixture(scope="session")
def local_services(tmp_path_factory: pytest.TempPathFactory):
    """Session-wide seeded local services on free loopback ports (stopped at session end)."""
    data_dir = tmp_path_factory.mktemp("wlkit-services")
    services = _start(data_dir, seed=True)
    try:
        yield services
    finally:
        stop_services(data_dir)


@pytest.fixture
def services_factory(tmp_path_factory: pytest.TempPathFactory):
    """Factory for isolated services pairs: ``services_factory(seed=True) -> LocalServices``."""
    started: list[Path] = []

    def factory(seed: bool = True) -> LocalServices:
        data_dir = tmp_path_factory.mktemp("wlkit-services-iso")
        started.append(data_dir)
        return _start(data_dir, seed=seed)

    try:
        yield factory
    finally:
        for data_dir in started:
            stop_services(data_dir)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the shared real datasets (``../shared/data``); skips when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


# --- shared test data builders -------------------------------------------------------------------

LISTS_FIXTURE_TTL = PROJECT_ROOT / "tests" / "fixtures" / "rdf" / "lists_monuments.ttl"


@pytest.fixture(scope="session")
def fixture_rdf_target(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An isolated, unseeded services pair whose store holds only the WDQS-format fixture RDF.

    Yields a :class:`~core.settings.Target` pointing at it (lists and ``.rq`` tests).
    """
    data_dir = tmp_path_factory.mktemp("rdf-fixture-endpoint")
    info = start_services(data_dir, wikibase_port=free_port(), sparql_port=free_port(), seed=False)
    try:
        req = urllib.request.Request(
            f"{info.sparql_admin_url}/load", data=LISTS_FIXTURE_TTL.read_bytes(), method="POST"
        )
        req.add_header("Content-Type", "text/turtle")
        for key, value in info.admin_headers.items():
            req.add_header(key, value)
        with urllib.request.urlopen(req, timeout=60):
            pass
        yield Target(name="rdf-fixture", api_url=info.api_url, sparql_url=info.sparql_url,
                     user_agent="wikiloves-kit-tests/0.1 (tests@example.org)")
    finally:
        stop_services(data_dir)


def load_fixture_module(name: str) -> Any:
    """Import ``tests/fixtures/<name>.py`` by path (``tests/`` is not a package)."""
    import importlib.util
    import sys

    key = f"wlkit_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, PROJECT_ROOT / "tests" / "fixtures" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


@pytest.fixture(scope="session")
def stage_runs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Run folders made once per session by the real stages on the bundled samples
    (``tests/fixtures/stage_runs.py``: ``.wlm``, ``.failed_upload``, ``.labels``,
    ``.low_rejects``, ``.wle_partial``, ``.inputs`` …), on a seeded services pair of their own
    that is stopped as soon as they are built. Read-only: ``stage_runs.copy(name, dest)`` first
    to change one. Under pytest-xdist the first worker that needs them builds them, under a file
    lock in the session's shared temporary folder, and the others read them from there."""
    import fcntl
    import pickle

    module = load_fixture_module("stage_runs")
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # basetemp is <session>/popen-gwN
        shared = shared.parent
    built = shared / "stage-runs.pickle"
    with (shared / "stage-runs.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if built.is_file():
            return pickle.loads(built.read_bytes())
        data_dir = tmp_path_factory.mktemp("wlkit-stage-runs-services")
        services = _start(data_dir, seed=True)
        try:
            runs = module.build_runs(shared / "stage-runs", services.target, services.api_url,
                                     services.info.admin_secret, services.faults)
        finally:
            stop_services(data_dir)
        built.write_bytes(pickle.dumps(runs))
        return runs


@pytest.fixture(scope="session")
def contest_small() -> Any:
    """The hand-checked small contest module (``build()``, ``write_run(dir, data)``, expected answers)."""
    import importlib.util
    import sys

    name = "wlkit_contest_small"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "tests" / "fixtures" / "contest_small.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def bot_services(tmp_path_factory: pytest.TempPathFactory):
    """Seeded local services of their own for tests whose bots create and edit many items
    (sandbox editing actions, third-party client scenarios), so ``local_services`` keeps only
    what the other tests expect."""
    data_dir = tmp_path_factory.mktemp("wlkit-bot-services")
    services = _start(data_dir, seed=True)
    try:
        yield services
    finally:
        stop_services(data_dir)
