"""The campaign model: bundled campaigns load; bad files give errors naming file, key and value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.errors import CampaignError
from modeling.campaign import load_campaign

ROOT = Path(__file__).resolve().parents[3]
BUNDLED = sorted((ROOT / "campaigns").glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_campaigns_load_and_point_at_shipped_files(path: Path) -> None:
    c = load_campaign(path)
    if c.has_register:
        assert c.source_path.exists(), c.source_path
        assert c.mapping.reference.stated_in.startswith("Q")
    else:  # a campaign without a register: scope on the target, items in its staging seed
        assert c.scope is not None and (c.data_dir / "staging_seed.jsonl").exists()
    assert c.languages


def _write(tmp_path: Path, data: object) -> Path:
    p = tmp_path / "c.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def _valid() -> dict:
    return yaml.safe_load((ROOT / "campaigns" / "wlm-se-bbr-sample.yaml").read_text("utf-8"))


def test_bad_qid_names_key_and_value(tmp_path: Path) -> None:
    data = _valid()
    data["mapping"]["instance_of"]["map"]["kyrka"] = "church"
    with pytest.raises(CampaignError) as exc:
        load_campaign(_write(tmp_path, data))
    msg = str(exc.value)
    assert "c.yaml" in msg and "mapping.instance_of" in msg and "'church'" in msg


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    data = _valid()
    data["source"]["id_colum"] = "X"
    with pytest.raises(CampaignError, match=r"source\.id_colum"):
        load_campaign(_write(tmp_path, data))


def test_missing_required_key(tmp_path: Path) -> None:
    data = _valid()
    del data["licence"]
    with pytest.raises(CampaignError, match="licence"):
        load_campaign(_write(tmp_path, data))


def test_lat_without_lon(tmp_path: Path) -> None:
    data = _valid()
    del data["source"]["lon_column"]
    with pytest.raises(CampaignError, match="lat_column and lon_column go together"):
        load_campaign(_write(tmp_path, data))


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "broken.yaml"
    p.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(CampaignError, match=r"broken\.yaml: not valid YAML"):
        load_campaign(p)
    with pytest.raises(CampaignError, match="not found"):
        load_campaign(tmp_path / "nope.yaml")


def test_licence_gate_property(tmp_path: Path) -> None:
    data = _valid()
    data["licence"] = "Licence-Ouverte-2.0"
    c = load_campaign(_write(tmp_path, data))
    assert not c.may_upload
    data["licence"] = "CC0-1.0"
    assert load_campaign(_write(tmp_path, data)).may_upload


def _scoped() -> dict:
    data = _valid()
    for key in ("source", "mapping", "reconcile"):
        data.pop(key)
    data["scope"] = {"identifier": "P2186", "valid_on": "2026-09-01"}
    return data


def test_campaign_without_register_needs_a_scope(tmp_path: Path) -> None:
    c = load_campaign(_write(tmp_path, _scoped()))
    assert not c.has_register and c.scope.identifier == "P2186"
    assert c.scope.valid_on.isoformat() == "2026-09-01"
    with pytest.raises(CampaignError, match="source"):
        _ = c.source_path
    data = _scoped()
    data.pop("scope")
    with pytest.raises(CampaignError, match=r"needs source .* or scope"):
        load_campaign(_write(tmp_path, data))


@pytest.mark.parametrize("scope, message", [
    ({"identifier": "P2186", "query": "x.rq"}, "either query, or identifier"),
    ({"country": True}, "needs identifier, designations or query"),
    ({"designations": ["Q1"], "valid_on": "2026-09-01"}, "valid_on needs identifier"),
    ({"designations": ["heritage"]}, "scope.designations"),
])
def test_bad_scope_names_the_key(tmp_path: Path, scope: dict, message: str) -> None:
    data = _scoped()
    data["scope"] = scope
    with pytest.raises(CampaignError, match=message):
        load_campaign(_write(tmp_path, data))


def test_contest_section_checks_its_window(tmp_path: Path) -> None:
    data = _valid()
    data["contest"] = {"start": "2026-09-30", "end": "2026-09-01", "jurors": ["A"]}
    with pytest.raises(CampaignError, match="end should not be before start"):
        load_campaign(_write(tmp_path, data))
    data["contest"] = {"category": "Images from Wiki Loves Monuments 2026 in Sweden", "jurors": ["A"]}
    assert load_campaign(_write(tmp_path, data)).contest.jurors == ["A"]


def test_register_stages_refuse_a_campaign_without_register(tmp_path: Path) -> None:
    from modeling.ingest import resolve_source

    path = _write(tmp_path, _scoped())
    with pytest.raises(CampaignError, match=r"no register .*`wlkit ingest` does not apply"):
        resolve_source(path)
    load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml").require_register("ingest")  # no error
