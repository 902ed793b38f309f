"""Licence gate: only CC0 / public-domain data may be uploaded to Wikidata."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import LicenceError
from modeling.campaign import load_campaign
from modeling.licence import licence_allows_upload, licence_gate

ROOT = Path(__file__).resolve().parents[3]


def test_bundled_samples_are_cc0_and_pass() -> None:
    for name in ("wlm-se-bbr-sample.yaml", "wle-se-reserves-sample.yaml"):
        licence_gate(load_campaign(ROOT / "campaigns" / name))


@pytest.mark.parametrize("licence", ["OGL-3.0", "CC-BY-4.0", "etalab-2.0", "DL-DE-BY-2.0", "", None])
def test_attribution_or_unknown_licences_are_refused(licence) -> None:
    camp = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml").model_copy(
        update={"licence": licence})
    with pytest.raises(LicenceError) as err:
        licence_gate(camp)
    msg = str(err.value)
    assert f"got {licence!r}" in msg
    assert "only CC0 or public-domain data may be added" in msg
    assert "lists and reports still work" in msg
    assert not licence_allows_upload(licence)


def test_public_domain_variants_pass() -> None:
    assert all(licence_allows_upload(x) for x in ("CC0-1.0", "CC0", "PD", "public-domain"))
