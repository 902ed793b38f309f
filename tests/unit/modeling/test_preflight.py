"""What the plans and the campaign refer to, and how a target's answer is judged (offline)."""

from __future__ import annotations

from _upload_fixtures import ADMIN, TODAY, bbr, bbr_record

from modeling.items import plan_items
from modeling.preflight import blocking_message, campaign_refs, check_refs, plan_refs


def _plan_lines(n: int = 3) -> list[dict]:
    records = [bbr_record(source_id=f"2130000001234{i}", name=f"Hus {i}") for i in range(n)]
    plans = plan_items(records, {r["source_id"]: "new" for r in records}, bbr(), admin_units=ADMIN,
                       today=TODAY, live_entities={})
    return [p.to_json() for p in plans]


def test_plan_refs_collect_properties_with_datatypes_and_item_values() -> None:
    refs = plan_refs(_plan_lines(3))
    assert refs["P1435"].datatypes == {"wikibase-item"} and refs["P1435"].used_by == 3
    assert refs["P625"].datatypes == {"globe-coordinate"}
    assert refs["Q20244383"].used_by == 3  # stated in, on every reference
    assert refs["Q34"].kind == "item"  # the country, as a P17 value
    assert refs["P813"].datatypes == {"time"}  # reference snaks are walked too


def test_check_refs_orders_missing_by_use_and_names_roles() -> None:
    refs = plan_refs(_plan_lines(2), campaign_refs(bbr()))

    def fetch(ids):
        return {i: {"missing": i in {"Q34", "Q20244383"}, "type": "item" if i[0] == "Q" else "property",
                    "datatype": "string" if i == "P1260" else
                    ("wikibase-item" if i in {"P31", "P17", "P131", "P1435", "P248"} else None)}
                for i in ids}

    result = check_refs(refs, fetch)
    assert [m["id"] for m in result["missing"]][:2] in (["Q20244383", "Q34"], ["Q34", "Q20244383"])
    assert "country" in {r for m in result["missing"] for r in m["roles"]}
    assert result["wrong_datatype"] == [{"id": "P1260", "kind": "property", "expected": "external-id",
                                         "actual": "string", "roles": ["identifier", "statement"],
                                         "used_by": 2}]
    message = blocking_message({**result, "target": "local"})
    assert message.startswith("the target 'local' lacks what the plans refer to: ")
    assert "P1260 is string, should be external-id" in message


def test_nothing_missing_is_clear() -> None:
    refs = campaign_refs(bbr())
    result = check_refs(refs, lambda ids: {i: {"missing": False} for i in ids})
    assert result["ok"] and blocking_message(result) is None
