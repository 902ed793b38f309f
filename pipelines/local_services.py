"""The one door from the product to the local services (the ``sandbox`` extra).

``wlkit services …``, ``wlkit staging prepare`` and the demo reach the sandbox only through
:func:`sandbox_services` and :func:`sandbox_samples`, so a product installed without the extra
(pointed at a real Wikibase) says what to install instead of failing on an import.
"""

from __future__ import annotations

from types import ModuleType

from core.errors import ConfigError

_MISSING = (
    "the local services are not installed (they are the 'sandbox' extra): "
    "pip install 'wikiloves-kit[sandbox]', or run 'make demo' in a checkout"
)


def sandbox_services() -> ModuleType:
    """``sandbox.services`` (start, stop, status, seed), or a one-line :class:`ConfigError`."""
    try:
        from sandbox import services
    except ImportError as exc:  # the extra is not installed
        raise ConfigError(_MISSING) from exc
    return services


def sandbox_samples() -> ModuleType:
    """``sandbox.commons.loading`` (the sample contests), or a one-line :class:`ConfigError`."""
    try:
        from sandbox.commons import loading
    except ImportError as exc:
        raise ConfigError(_MISSING) from exc
    return loading
