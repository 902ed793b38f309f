"""Datavalue validation and normalisation per datatype (what Wikibase's validators check)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox.languages import LANGUAGES
from sandbox.wb_model import (
    AMOUNT_RE,
    DATA_PAGE_RE,
    ENTITY_ID_RE,
    GREGORIAN,
    JULIAN,
    STRING_MAX,
    TIME_RE,
    URL_SCHEMES,
    VALUE_TYPES,
    EditContext,
    numeric_id,
)
from sandbox.wikibase_errors import ApiFailure, modification_failed


def _bad_value(pid: str, text: str) -> ApiFailure:
    return modification_failed("wikibase-validator-malformed-value", [text],
                               f"Malformed value for property {pid}: {text}")


def _check_string(pid: str, value: Any, limit: int = STRING_MAX) -> str:
    if not isinstance(value, str):
        raise _bad_value(pid, f"should be a string, got {value!r}")
    if value == "" or value != value.strip():
        raise _bad_value(pid, f"should be a non-empty string without leading/trailing "
                              f"whitespace, got {value!r}")
    if any(c in value for c in "\n\r\t"):
        raise _bad_value(pid, f"should not contain line breaks or tabs, got {value!r}")
    if len(value) > limit:
        raise modification_failed("wikibase-validator-too-long", [str(limit), value],
                                  f"Property {pid}: must be no more than {limit} characters long")
    return value


def _numeric(pid: str, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or \
            not re.fullmatch(r"[1-9]\d{0,15}", str(raw)):
        raise _bad_value(pid, f"numeric-id should be a positive integer, got {raw!r}")
    return int(raw)


def _entity_value(pid: str, datatype: str, value: Any, ctx: EditContext) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad_value(pid, f"entity id value should be an object, got {value!r}")
    etype = value.get("entity-type", "property" if datatype == "wikibase-property" else "item")
    want = "property" if datatype == "wikibase-property" else "item"
    letter = "P" if etype == "property" else "Q"
    eid = value.get("id")
    if eid is None and "numeric-id" in value:
        eid = f"{letter}{_numeric(pid, value['numeric-id'])}"
    if not isinstance(eid, str) or not ENTITY_ID_RE.match(eid) or eid[0] != letter \
            or etype != want:
        raise _bad_value(pid, f"should be a {want} id, got {value!r}")
    if "numeric-id" in value and _numeric(pid, value["numeric-id"]) != numeric_id(eid):
        raise _bad_value(pid, f"numeric-id and id disagree in {value!r}")
    if ctx.check_targets and not ctx.entity_exists(eid):
        raise modification_failed("wikibase-validator-no-such-entity", [eid],
                                  f"Could not find an entity with ID {eid} (property {pid}).")
    return {"entity-type": want, "numeric-id": numeric_id(eid), "id": eid}


def _string_value(pid: str, datatype: str, value: Any, ctx: EditContext) -> str:
    value = _check_string(pid, value)
    if datatype == "url":
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if scheme not in URL_SCHEMES or not re.match(r"^[a-zA-Z][\w+.-]*:\S+$", value):
            raise modification_failed("wikibase-validator-bad-url", [value],
                                      f"Property {pid}: invalid URL {value!r}")
    elif datatype == "commonsMedia":
        if value.startswith(("File:", "file:")) or not re.search(r"\.[A-Za-z0-9]{2,5}$", value) \
                or any(c in value for c in "[]{}|#<>/"):
            raise modification_failed(
                "wikibase-validator-bad-commons-media-value", [value],
                f"Property {pid}: {value!r} should be a Commons file name without "
                f"'File:' (e.g. 'Foo bar.jpg')")
        if len(value) > 240:
            raise _bad_value(pid, "file name longer than 240 characters")
    elif datatype in DATA_PAGE_RE and not DATA_PAGE_RE[datatype].match(value):
        raise modification_failed(
            "wikibase-validator-illegal-" + datatype + "-title", [value],
            f"Property {pid}: {value!r} should be a Commons data page title like "
            f"'Data:Foo.{'map' if datatype == 'geo-shape' else 'tab'}'")
    return value


def _monolingual_value(pid: str, datatype: str, value: Any, ctx: EditContext) -> dict:
    if not isinstance(value, dict):
        raise _bad_value(pid, f"monolingualtext should be an object, got {value!r}")
    text = _check_string(pid, value.get("text"), 1500)
    lang = value.get("language")
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise modification_failed("wikibase-validator-not-a-language", [str(lang)],
                                  f"Property {pid}: {lang!r} is not a known language code.")
    return {"text": text, "language": lang}


def _globe_value(pid: str, datatype: str, value: Any, ctx: EditContext) -> dict:
    if not isinstance(value, dict):
        raise _bad_value(pid, f"globecoordinate should be an object, got {value!r}")
    try:
        lat, lon = float(value["latitude"]), float(value["longitude"])
    except (KeyError, TypeError, ValueError):
        raise _bad_value(pid, f"latitude/longitude should be numbers, got {value!r}") from None
    if not -90 <= lat <= 90 or not -360 <= lon <= 360:
        raise modification_failed("wikibase-validator-out-of-range", [str(lat), str(lon)],
                                  f"Property {pid}: coordinates out of range "
                                  f"(latitude {lat}, longitude {lon})")
    precision = value.get("precision")
    if precision is not None:
        try:
            precision = float(precision)
        except (TypeError, ValueError):
            raise _bad_value(pid, f"precision should be a number, got {precision!r}") from None
        if precision <= 0 or precision > 360:
            raise _bad_value(pid, f"precision should be in (0, 360], got {precision!r}")
    globe = value.get("globe") or "http://www.wikidata.org/entity/Q2"
    if not isinstance(globe, str) or not re.match(r"^https?://\S+$", globe):
        raise _bad_value(pid, f"globe should be an entity URI, got {globe!r}")
    return {"latitude": value["latitude"], "longitude": value["longitude"],
            "altitude": None, "precision": value.get("precision"), "globe": globe}


def _quantity_value(pid: str, datatype: str, value: Any, ctx: EditContext) -> dict:
    if not isinstance(value, dict):
        raise _bad_value(pid, f"quantity should be an object, got {value!r}")
    out: dict[str, Any] = {}
    for key in ("amount", "upperBound", "lowerBound"):
        if key in value and value[key] is not None:
            amt = value[key]
            if not isinstance(amt, str) or not AMOUNT_RE.match(amt):
                raise modification_failed(
                    "wikibase-validator-malformed-value", [str(amt)],
                    f"Property {pid}: {key} should be a signed decimal string like '+12.5', "
                    f"got {amt!r}")
            out[key] = amt
    if "amount" not in out:
        raise _bad_value(pid, "quantity without amount")
    if ("upperBound" in out) != ("lowerBound" in out):
        raise _bad_value(pid, "quantity needs both upperBound and lowerBound or neither")
    if "upperBound" in out and not (float(out["lowerBound"]) <= float(out["amount"])
                                    <= float(out["upperBound"])):
        raise _bad_value(pid, "quantity amount should lie between lowerBound and upperBound")
    unit = value.get("unit", "1")
    if unit != "1" and not (isinstance(unit, str) and re.match(r"^https?://\S+/Q\d+$", unit)):
        raise modification_failed("wikibase-validator-malformed-value", [str(unit)],
                                  f"Property {pid}: unit should be '1' or an entity URI, "
                                  f"got {unit!r}")
    ordered = {"amount": out["amount"], "unit": unit}
    if "upperBound" in out:
        ordered["upperBound"] = out["upperBound"]
        ordered["lowerBound"] = out["lowerBound"]
    return ordered


def _int_field(pid: str, value: dict[str, Any], key: str) -> int:
    raw = value.get(key, 0)
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or \
            not re.fullmatch(r"-?\d{1,6}", str(raw)):
        raise _bad_value(pid, f"time {key} should be an integer, got {raw!r}")
    return int(raw)


def _time_value(pid: str, datatype: str, value: Any, ctx: EditContext) -> dict:
    if not isinstance(value, dict):
        raise _bad_value(pid, f"time should be an object, got {value!r}")
    time = value.get("time")
    if not isinstance(time, str) or not TIME_RE.match(time):
        raise modification_failed("wikibase-validator-malformed-value", [str(time)],
                                  f"Property {pid}: time should look like "
                                  f"'+1998-10-20T00:00:00Z', got {time!r}")
    precision = value.get("precision")
    if not isinstance(precision, int) or isinstance(precision, bool) or not 0 <= precision <= 11:
        raise modification_failed("wikibase-validator-malformed-value", [str(precision)],
                                  f"Property {pid}: time precision should be 0-11, "
                                  f"got {precision!r}")
    calendar = value.get("calendarmodel")
    if calendar not in (GREGORIAN, JULIAN):
        raise modification_failed("wikibase-validator-bad-calendar", [str(calendar)],
                                  f"Property {pid}: calendarmodel should be {GREGORIAN} or "
                                  f"{JULIAN}, got {calendar!r}")
    month, day = int(time[-15:-13]), int(time[-12:-10])
    if month > 12 or day > 31:
        raise _bad_value(pid, f"invalid month/day in {time!r}")
    return {"time": time, "timezone": _int_field(pid, value, "timezone"),
            "before": _int_field(pid, value, "before"), "after": _int_field(pid, value, "after"),
            "precision": precision, "calendarmodel": calendar}


_NORMALIZERS: dict[str, Callable[[str, str, Any, EditContext], Any]] = {
    "wikibase-entityid": _entity_value, "string": _string_value,
    "monolingualtext": _monolingual_value, "globecoordinate": _globe_value,
    "quantity": _quantity_value, "time": _time_value,
}


def normalize_datavalue(pid: str, datatype: str, dv: Any, ctx: EditContext) -> dict[str, Any]:
    """Validate a snak's ``datavalue`` against the property's datatype; returns it normalised.

    Raises:
        ApiFailure: ``modification-failed`` naming the property and the bad value.
    """
    if not isinstance(dv, dict) or "value" not in dv or "type" not in dv:
        raise _bad_value(pid, f"datavalue should have 'value' and 'type', got {dv!r}")
    want = VALUE_TYPES.get(datatype, "string")
    if dv["type"] != want:
        raise modification_failed(
            "wikibase-validator-bad-value-type", [str(dv["type"]), want],
            f"Bad value type {dv['type']}, expected {want} (property {pid} has datatype "
            f"{datatype})")
    return {"value": _NORMALIZERS[want](pid, datatype, dv["value"], ctx), "type": want}
