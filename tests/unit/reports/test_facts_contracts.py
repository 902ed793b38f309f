"""Report facts read the real stage files through the stage contracts, so numbers agree.

The run here is produced by the real ingest and the real plan stage on a small register (no
hand-written stage files): a row rejected for two reasons, a row outside the country, and
plans whose labels come partly from the live item.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from core import layout
from core.contracts import IngestSummary, PlanSummary, read_summary
from core.errors import InputError
from modeling.campaign import Source, load_campaign
from modeling.entity_builder import build_entity
from modeling.ingest import ingest
from modeling.planning import plan_to_store
from reports.facts import collect_facts

ROOT = Path(__file__).resolve().parents[3]
BBOX = (10.5, 55.0, 24.3, 69.1)
HEADER = "BBR_ID;NAMN;E_KOORD;N_KOORD;KOMMUNKOD;KOMMUN;BYGGAR"
ROWS = [
    "21300000000001;Rådhuset;674032,10;6580821,50;0180;Stockholm;1750",
    "21300000000002;Kv. Ärlan 4;647700,00;6638000,00;0380;Uppsala;1820",
    "21300000000003;Tullhuset;319000,00;6400000,00;1480;Göteborg;1701",
    "21300000000004;;;;0180;Stockholm;1900",          # no name, no coordinates: 3 lines
    "21300000000005;Fyren;1500000,00;6100000,00;1280;Malmö;1880",  # outside Sweden
]


@pytest.fixture
def run(tmp_path) -> Path:
    register = tmp_path / "register.csv"
    register.write_bytes(("\r\n".join([HEADER, *ROWS]) + "\r\n").encode("cp1252"))
    source = Source(path=str(register), id_column="BBR_ID", name_column="NAMN",
                    lon_column="E_KOORD", lat_column="N_KOORD", crs="EPSG:3006",
                    columns={"municipality_code": "KOMMUNKOD", "municipality": "KOMMUN",
                             "built": "BYGGAR"}, date_columns=["built"])
    out = tmp_path / "run"
    ingest(source, country_bbox=BBOX, out_dir=out)
    return out


def _campaign():
    return load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")


def test_rejects_count_rows_everywhere_and_coordinate_coverage_counts_outside_country(run):
    summary = read_summary(run, layout.INGEST_SUMMARY)
    assert isinstance(summary, IngestSummary)
    assert summary.rejects == 2 and summary.records_ok == 3
    lines = (run / layout.REJECTS).read_text(encoding="utf-8").splitlines()
    assert len(lines) - 1 == 4  # the row without name and coordinates has three lines
    assert summary.rejects_by_reason == {"missing_coordinates": 1, "missing_name": 1,
                                         "outside_country": 1}
    facts = collect_facts(run, _campaign())
    assert facts.value("ingest.rejects") == summary.rejects
    assert facts.value("ingest.rejects_by_reason") == summary.rejects_by_reason
    coverage = facts.get("coordinates.with")
    # 3 records with coordinates + both rejected rows lack a usable position (one of them is
    # outside the country) = the register's 5 rows
    assert (coverage.value, coverage.evidence.total) == (3, len(ROWS))


def test_label_counts_agree_between_plan_summary_and_facts(run):
    campaign = _campaign()
    campaign.mapping.labels = {"sv": "{name}"}
    records = json.loads((run / layout.INGEST_SUMMARY).read_text())["records_ok"]
    import geopandas as gpd

    frame = gpd.read_parquet(run / layout.RECORDS)
    first = frame.drop(columns="geometry").iloc[0].to_dict()
    existing, _, _ = build_entity(first, campaign, admin_units={}, today=date(2026, 10, 1))
    existing["labels"]["en"] = {"language": "en", "value": "Town hall"}  # someone else's label
    live = {"Q9": {**existing, "id": "Q9", "lastrevid": 3}}
    decisions = {str(s): "new" for s in frame["source_id"]} | {str(first["source_id"]): "Q9"}
    summary = plan_to_store(run / layout.RECORDS, decisions, campaign, run / layout.PLANS,
                            admin_units={}, fetch_live=lambda q: {k: live[k] for k in q})
    (run / layout.PLAN_SUMMARY).write_text(json.dumps(summary))
    plan_summary = read_summary(run, layout.PLAN_SUMMARY)
    assert isinstance(plan_summary, PlanSummary)
    assert plan_summary.labelled == {"en": 1, "sv": records}
    facts = collect_facts(run, campaign)
    assert facts.value("labels.with") == {"sv": records, "en": 1}


def test_a_summary_without_a_required_key_names_the_file_and_key(run):
    (run / layout.INGEST_SUMMARY).write_text(json.dumps({"records": 3, "rejects": 1}))
    with pytest.raises(InputError, match=r"summary.json.*records_read"):
        read_summary(run, layout.INGEST_SUMMARY)
