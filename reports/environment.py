"""The one Jinja ``Environment`` of wikiloves-kit.

Every renderer in ``reports/`` gets its templates through :func:`get_environment`, so escaping,
undefined handling and filters are the same everywhere (STYLE §2.9):

* ``PackageLoader("reports", "templates")`` — templates live in ``reports/templates/<format>/``;
* ``StrictUndefined`` — a missing fact is an error, never an empty cell;
* autoescape only for ``.html`` / ``.html.j2`` (``select_autoescape``'s default does *not* match
  ``x.html.j2``, checked on Jinja 3.1.6), never for wikitext or Markdown, which use the explicit
  ``wikitext`` / ``markdown`` filters instead;
* ``trim_blocks`` / ``lstrip_blocks`` so block tags do not leave blank lines in wikitext tables;
* filters from :mod:`reports.filters` (see :data:`reports.filters.FILTERS`).
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from reports.filters import FILTERS


@lru_cache(maxsize=1)
def get_environment() -> Environment:
    """Return the project's Jinja environment (built once, shared; it holds no run state).

    Returns:
        The configured :class:`jinja2.Environment`.
    """
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html", "html.j2"),
            disabled_extensions=(),
            default_for_string=False,
            default=False,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_template(name: str, **context: object) -> str:
    """Render ``reports/templates/<name>`` with ``context``.

    Args:
        name: Template path relative to ``reports/templates``, e.g. ``"wikitext/lists/page.wiki.j2"``.
        **context: Template variables (all must be given: the environment is strict).

    Returns:
        The rendered text.
    """
    return get_environment().get_template(name).render(**context)
