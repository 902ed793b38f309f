"""Translations of the reports (gettext catalogues via Babel) and locale-aware message formatting.

Catalogues live in ``reports/locale/<lang>/LC_MESSAGES/wlkit.po``. A ``.mo`` is used when it is
present and newer than its ``.po``; otherwise the ``.po`` is compiled in memory at load time
(:mod:`babel.messages.mofile`), so there is no build step. English is the source language (the
msgids), Swedish (``sv``) is shipped. Adding a language: see the README, "Translations".

:func:`translated_environment` returns an *overlay* of the one project environment
(:func:`reports.environment.get_environment`) with ``jinja2.ext.i18n`` and the catalogue
installed, so the base environment stays untouched and filters/escaping stay identical.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment

from reports.environment import get_environment
from reports.filters import number, percent

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "wlkit"
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (translated at render time)."""
    return message


@dataclass(frozen=True)
class Ratio:
    """A part of a total, formatted as a locale-aware percentage in messages."""

    part: float
    total: float


@dataclass(frozen=True)
class LangShare:
    """Share of items with a label in one language, formatted as ``sv 97.5%``."""

    lang: str
    part: int
    total: int


def available_languages() -> list[str]:
    """Languages with a shipped catalogue, plus English (the source language)."""
    langs = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted(langs | {DEFAULT_LANGUAGE})


@lru_cache(maxsize=16)
def translations(lang: str) -> NullTranslations:
    """Load the catalogue of ``lang`` (English or an unknown language → no translation).

    Args:
        lang: Language code, e.g. ``"sv"``.

    Returns:
        A gettext translations object (``NullTranslations`` for English).
    """
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if lang == DEFAULT_LANGUAGE or not po.is_file():
        if lang != DEFAULT_LANGUAGE:
            log.warning("no %s catalogue at %s; reports stay in English", lang, po)
        return NullTranslations()
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def gettext(message: str, lang: str) -> str:
    """Translate one message into ``lang``."""
    return translations(lang).ugettext(message) if message else message


def _babel_locale(lang: str) -> str:
    try:
        Locale.parse(lang)
        return lang
    except (ValueError, UnknownLocaleError):
        return DEFAULT_LANGUAGE


def language_name(code: str, lang: str) -> str:
    """Name of language ``code`` in language ``lang`` (``sv`` in ``en`` → ``Swedish``)."""
    try:
        return Locale.parse(code).get_display_name(_babel_locale(lang)) or code
    except (ValueError, UnknownLocaleError):
        return code


def format_value(value: Any, lang: str) -> str:
    """Format one message parameter for ``lang``: numbers grouped, ratios as %, dates localised.

    Args:
        value: int/float, :class:`Ratio`, :class:`LangShare`, date, list of those, or text.
        lang: Language code.

    Returns:
        Display text.
    """
    loc = _babel_locale(lang)
    if isinstance(value, bool):
        return gettext(N_("yes") if value else N_("no"), lang)
    if isinstance(value, int | float):
        return number(value, loc)
    if isinstance(value, Ratio):
        return percent(value.part, value.total, loc)
    if isinstance(value, LangShare):
        return f"{value.lang} {number(value.part, loc)}/{number(value.total, loc)} " \
               f"({percent(value.part, value.total, loc)})"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return str(format_date(value, format="medium", locale=loc))
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v, lang) for v in value)
    return str(value)


def format_message(message: str, params: Mapping[str, Any], lang: str) -> str:
    """Translate ``message`` and fill its ``{name}`` placeholders with localised values.

    Args:
        message: English msgid with ``str.format`` placeholders.
        params: Values for the placeholders.
        lang: Language code.

    Returns:
        The translated, filled text.
    """
    text = gettext(message, lang)
    return text.format(**{k: format_value(v, lang) for k, v in params.items()})


@lru_cache(maxsize=16)
def translated_environment(lang: str) -> Environment:
    """Return an overlay of the project environment with ``lang``'s translations installed.

    The overlay has its own template cache (templates compiled with the i18n extension and
    bound to this catalogue never leak into the base environment).

    Args:
        lang: Language code.

    Returns:
        A Jinja environment (``_``, ``gettext``, ``ngettext`` available in templates, plus the
        ``msg`` filter: :func:`format_message` bound to ``lang``).
    """
    env = get_environment().overlay(cache_size=50)
    # An overlay shares the base's ``globals``/``filters`` dicts: copy them *before* adding the
    # i18n extension (its constructor writes ``_`` into globals), so a catalogue or the ``msg``
    # filter never leaks into the base environment or another language's overlay.
    env.globals = dict(env.globals)
    env.filters = dict(env.filters)
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["msg"] = lambda message, params=None: format_message(message, params or {}, lang)
    env.filters["fmt"] = lambda value: format_value(value, lang)
    env.filters["language_name"] = lambda code: language_name(code, lang)
    env.globals["lang"] = lang
    return env
