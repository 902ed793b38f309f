"""Escaping and formatting filters registered on the one Jinja environment.

Each filter is a plain function, usable from Python too:

* :func:`wikitext` — text safe inside a wikitext table cell, template parameter or link text:
  ``|``, ``{{``, ``}}``, ``[[``, ``]]``, ``<``, ``>``, ``=``, ``&``, ``''``, ``~~~``, ``__`` and
  line breaks can never change the page's structure (character references keep the text intact
  once rendered, and :func:`mwparserfromhell` sees one plain-text parameter);
* :func:`markdown` — text safe in a Markdown paragraph or table cell;
* :func:`csv_safe` — spreadsheet formula-injection guard (OWASP "CSV injection");
* :func:`upload_wizard_url` — the Commons UploadWizard link (FIELD-NOTES §1.1), every value
  percent-encoded, so ``|`` between categories is ``%7C`` and the URL is wikitext-safe;
* :func:`number`, :func:`percent`, :func:`count_pct` — locale-aware number formats ("n (x%)");
* :func:`json_script` — JSON that can sit inside an HTML ``<script>`` element.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from core.urls import percent_encode

UPLOAD_WIZARD = "https://commons.wikimedia.org/w/index.php"

# Single characters that are markup in wikitext somewhere in a table/template/link context.
# '&' first so references we add are not re-escaped.
_WIKI_CHARS = {
    "&": "&amp;",
    "|": "&#124;",
    "{": "&#123;",
    "}": "&#125;",
    "[": "&#91;",
    "]": "&#93;",
    "<": "&lt;",
    ">": "&gt;",
    "=": "&#61;",
    "~": "&#126;",
    "!": "&#33;",  # "!!" separates cells in one-line table rows
}
_WIKI_TABLE = str.maketrans(_WIKI_CHARS)
_WIKI_SEQ = [("''", "&#39;&#39;"), ("__", "&#95;&#95;"), ("://", "&#58;//")]
_LINE_START = re.compile(r"^[*#:;\s-]")
_WS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
# Anything wikitext() would change: most list cells (names, ids) have none and are returned as is.
_WIKI_ANY = re.compile("[" + re.escape("".join(_WIKI_CHARS)) + r"\r\n\t\v\f\u2028\u2029]|''|__|://|^[*#:;\s-]")
_MD_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
#: What a CSV cell may not start with unguarded (:func:`csv_safe`).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def wikitext(value: Any) -> str:
    """Escape ``value`` for wikitext (template parameter, table cell, link text).

    Line breaks become spaces; markup characters become numeric character references, which
    MediaWiki renders as the original characters.

    Args:
        value: Any value; ``None``/NaN give ``""``.

    Returns:
        Escaped single-line text.

    >>> wikitext("A|B {{x}} [[y]] a=b")
    'A&#124;B &#123;&#123;x&#125;&#125; &#91;&#91;y&#93;&#93; a&#61;b'
    """
    text = _text(value)
    if not _WIKI_ANY.search(text):
        return text
    text = _WS.sub(" ", text).translate(_WIKI_TABLE)
    for seq, rep in _WIKI_SEQ:
        text = text.replace(seq, rep)
    if _LINE_START.match(text):  # list/indent/table markup only matters at a line start
        text = f"&#{ord(text[0])};{text[1:]}"
    return text


def markdown(value: Any) -> str:
    """Escape ``value`` for a Markdown paragraph or table cell (single line, HTML neutralised).

    Args:
        value: Any value; ``None``/NaN give ``""``.

    Returns:
        Escaped single-line text.

    >>> markdown("a|b *c* <d>")
    'a\\\\|b \\\\*c\\\\* &lt;d\\\\>'
    """
    text = _WS.sub(" ", _text(value)).replace("&", "&amp;").replace("<", "&lt;")
    return _MD_RE.sub(r"\\\1", text)


def csv_safe(value: Any) -> Any:
    """Guard a CSV cell against spreadsheet formula injection.

    Strings starting with ``= + - @``, tab or CR get a leading ``'`` (OWASP), except plain
    numbers such as ``-12.5``. Non-strings (numbers, None) are returned unchanged.

    Args:
        value: The cell value.

    Returns:
        The safe value.

    >>> csv_safe("=HYPERLINK(1)"), csv_safe("-12.5"), csv_safe(3)
    ("'=HYPERLINK(1)", '-12.5', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def _q(value: Any) -> str:
    # quote(safe="") with "~" encoded too: "~~~" would be a signature in saved wikitext.
    return percent_encode(_text(value))


def upload_wizard_url(
    *,
    campaign: str | None,
    id: str,
    description: str | None = None,
    lang: str | None = None,
    categories: Iterable[str] = (),
    lat: float | None = None,
    lon: float | None = None,
) -> str:
    """Build a Commons UploadWizard campaign link (FIELD-NOTES §1.1).

    Every value is percent-encoded; categories lose a ``Category:`` prefix and are joined with
    ``|`` (encoded ``%7C``), so the URL contains no wikitext markup characters.

    Args:
        campaign: UploadWizard campaign name (e.g. ``wlm-se-bbr``); None gives a plain wizard link.
        id: The monument's register id (or QID) for ``&id=``.
        description: Description text (label), also used as caption.
        lang: Language of description and caption.
        categories: Commons categories.
        lat: Latitude (WGS84).
        lon: Longitude (WGS84).

    Returns:
        The absolute URL.
    """
    return UploadWizardLinks(campaign, lang, categories).url(id, description, lat, lon)


class UploadWizardLinks:
    """UploadWizard links of one campaign: the parts every link shares are encoded once
    (a list of 10⁶ monuments builds 10⁶ links), see :func:`upload_wizard_url`."""

    def __init__(self, campaign: str | None, lang: str | None, categories: Iterable[str] = ()) -> None:
        self._start = f"{UPLOAD_WIZARD}?title={_q('Special:UploadWizard')}"
        self._start += f"&campaign={_q(campaign)}" if campaign else ""
        self._lang = (f"&descriptionlang={_q(lang)}", f"&captionlang={_q(lang)}") if lang else None
        cats = [c.removeprefix("Category:").strip() for c in categories if c and c.strip()]
        self._cats = f"&categories={_q('|'.join(cats))}" if cats else ""

    def url(self, id: str, description: str | None = None, lat: float | None = None,
            lon: float | None = None) -> str:
        """The link for one monument (arguments as in :func:`upload_wizard_url`)."""
        url = f"{self._start}&id={_q(id)}"
        if description:
            text = _q(description)
            url += (f"{self._lang[0]}&description={text}{self._lang[1]}&caption={text}" if self._lang
                    else f"&description={text}")
        url += self._cats
        if lat is not None and lon is not None and not (math.isnan(lat) or math.isnan(lon)):
            url += f"&lat={lat:.6f}&lon={lon:.6f}"  # digits, "-" and "." need no encoding
        return url


def number(value: Any, locale: str = "en") -> str:
    """Format a number with the locale's grouping (``1234`` → ``1,234`` in en, ``1 234`` in sv).

    Args:
        value: Int or float; ``None``/NaN give ``""``.
        locale: Babel locale name.

    Returns:
        The formatted number.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(format_decimal(value, locale=locale))


def percent(part: float, total: float, locale: str = "en", digits: int = 1) -> str:
    """Format ``part / total`` as a percentage (``0 %`` for an empty total).

    Args:
        part: Numerator.
        total: Denominator.
        locale: Babel locale name.
        digits: Maximum fraction digits.

    Returns:
        e.g. ``"12.5%"``.
    """
    ratio = part / total if total else 0.0
    fmt = "#,##0" + ("." + "#" * digits if digits else "") + "%"
    return str(format_percent(ratio, format=fmt, locale=locale))


def count_pct(part: int, total: int, locale: str = "en") -> str:
    """Format a coverage cell "n (x%)" (FIELD-NOTES §1.3).

    Args:
        part: Count.
        total: Total.
        locale: Babel locale name.

    Returns:
        e.g. ``"3 (75%)"``.
    """
    return f"{number(part, locale)} ({percent(part, total, locale)})"


def json_script(value: Any) -> Markup:
    """Serialise ``value`` as JSON safe inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&`` and the JS line separators are written as ``\\uXXXX`` escapes, so a
    string like ``</script>`` cannot close the element.

    Args:
        value: JSON-serialisable data.

    Returns:
        Markup (not escaped again by autoescape).
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch, rep in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return Markup(text)


#: Filters registered on the environment by ``reports.environment``.
FILTERS: dict[str, Callable[..., Any]] = {
    "wikitext": wikitext,
    "markdown": markdown,
    "csv_safe": csv_safe,
    "number": number,
    "percent": percent,
    "count_pct": count_pct,
    "json_script": json_script,
}
