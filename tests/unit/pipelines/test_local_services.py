"""The product without the `sandbox` extra: the local-services commands say what to install."""

from __future__ import annotations

import sys

import pytest

from core.errors import ConfigError
from pipelines.local_services import sandbox_samples, sandbox_services


@pytest.mark.parametrize("door", [sandbox_services, sandbox_samples])
def test_missing_extra_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, door) -> None:
    for name in [n for n in sys.modules if n == "sandbox" or n.startswith("sandbox.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sandbox", None)  # what an install without the extra looks like
    with pytest.raises(ConfigError, match=r"pip install 'wikiloves-kit\[sandbox\]'"):
        door()


def test_installed_extra_gives_the_services_module() -> None:
    services = sandbox_services()
    assert callable(services.start_services) and callable(services.services_status)
