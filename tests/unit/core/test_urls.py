"""core.urls.percent_encode: the same bytes as urllib's quote(safe="") but for "~", on any text."""

from __future__ import annotations

import random
import string
from urllib.parse import quote, unquote

from core.urls import percent_encode


def test_percent_encode_is_quote_with_tilde_encoded_on_any_text():
    rnd = random.Random(11)
    alphabet = string.printable + "åäöÅÄÖ€–—“”\u2028\x00\x7f😀|{}[]~&=%#+"
    samples = ["", "~~~", "Kyrka 1/2 ~ å", "a+b=c&d", *("".join(rnd.choices(alphabet, k=rnd.randint(1, 30)))
                                                    for _ in range(5_000))]
    for text in samples:
        encoded = percent_encode(text)
        assert encoded == quote(text, safe="").replace("~", "%7E")
        assert unquote(encoded) == text
        assert set(encoded) <= set(string.ascii_letters + string.digits + "%-._")
