"""`wlkit run` builds lists and reports for every licence; only the upload honours the gate.

Issue 15 §5: a non-CC0 register stopped the whole run at the upload stage, so lists and reports
were never built although the message said they "still work". The stage flows are replaced by
recorders here (the gate decision is the campaign flow's own logic; each stage has its own tests).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import pipelines.campaign as campaign_module

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def stages(monkeypatch):
    called: list[tuple[str, dict]] = []

    def recorder(name):
        def stage(**kwargs):
            called.append((name, kwargs))
            return {"stage": name}
        return stage

    for name in ("ingest", "reconcile", "plan", "upload", "lists", "report"):
        monkeypatch.setattr(campaign_module, f"{name}_flow", recorder(name))
    return called


def _campaign(tmp_path: Path, licence: str) -> str:
    src = ROOT / "campaigns" / "wlm-se-bbr-sample.yaml"
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data["licence"] = licence
    data["source"]["path"] = str(src.parent / data["source"]["path"])
    path = tmp_path / "camp.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_non_cc0_run_skips_only_the_upload(tmp_path: Path, stages) -> None:
    summary = campaign_module.campaign_flow.fn(campaign=_campaign(tmp_path, "CC-BY-4.0"),
                                               out=str(tmp_path / "out"))
    assert [name for name, _ in stages] == ["ingest", "reconcile", "plan", "lists", "report"]
    assert "got 'CC-BY-4.0'" in summary["upload"]["skipped"]
    assert summary["lists"] == {"stage": "lists"} and summary["report"] == {"stage": "report"}


def test_non_cc0_dry_run_still_writes_the_diff(tmp_path: Path, stages) -> None:
    campaign_module.campaign_flow.fn(campaign=_campaign(tmp_path, "OGL-3.0"),
                                     out=str(tmp_path / "out"), dry_run=True)
    assert ("upload", True) in [(n, kw.get("dry_run")) for n, kw in stages]


def test_cc0_run_uploads(tmp_path: Path, stages) -> None:
    campaign_module.campaign_flow.fn(campaign=_campaign(tmp_path, "CC0-1.0"),
                                     out=str(tmp_path / "out"))
    assert [name for name, _ in stages][3] == "upload"


def test_a_blocking_preflight_skips_only_the_upload(tmp_path: Path, stages) -> None:
    # issue 15 §2: what the target lacks blocks the upload; lists and reports are still built
    out = tmp_path / "out"
    (out / "03_plan").mkdir(parents=True)
    (out / "03_plan" / "preflight.json").write_text(
        '{"target": "local", "blocking": true, "missing": [{"id": "Q39", "kind": "item", '
        '"roles": ["country"], "used_by": 12}], "wrong_datatype": []}', encoding="utf-8")
    summary = campaign_module.campaign_flow.fn(campaign=_campaign(tmp_path, "CC0-1.0"), out=str(out))
    assert [name for name, _ in stages] == ["ingest", "reconcile", "plan", "lists", "report"]
    assert summary["upload"]["skipped"].startswith("upload blocked: the target 'local' lacks")
    assert "Q39 (country)" in summary["upload"]["skipped"]
