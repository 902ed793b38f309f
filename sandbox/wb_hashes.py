"""Snak and reference hashes computed as Wikibase computes them.

Wikibase hashes a snak as the SHA-1 of its legacy PHP serialization (``C:<len>:"<class>":…``,
what PHP before 7.4 produced for ``Serializable`` objects, kept for stable hashes) and a
reference as the SHA-1 of its snak hashes, sorted and joined with ``|``. Each data value class
serializes itself its own way (a raw string, a PHP-serialized array, or JSON as PHP's
``json_encode`` writes it, which escapes ``/`` and non-ASCII characters).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

_SNAK_CLASS = {"value": "Wikibase\\DataModel\\Snak\\PropertyValueSnak",
               "somevalue": "Wikibase\\DataModel\\Snak\\PropertySomeValueSnak",
               "novalue": "Wikibase\\DataModel\\Snak\\PropertyNoValueSnak"}
_ID_CLASS = {"item": "Wikibase\\DataModel\\Entity\\ItemId",
             "property": "Wikibase\\DataModel\\Entity\\NumericPropertyId"}


def _wrap(cls: str, data: str) -> str:
    """PHP's legacy ``Serializable`` form: ``C:<len(class)>:"<class>":<len(data)>:{<data>}``."""
    return f'C:{_len(cls)}:"{cls}":{_len(data)}:{{{data}}}'


def _len(text: str) -> int:
    return len(text.encode("utf-8"))


def _php_string(text: str) -> str:
    return f's:{_len(text)}:"{text}";'


def _php_list(items: list[str]) -> str:
    """``serialize()`` of a PHP list whose items are already serialized."""
    return f"a:{len(items)}:{{" + "".join(f"i:{i};{v}" for i, v in enumerate(items)) + "}"


def php_json(value: Any) -> str:
    """``json_encode`` with PHP's defaults: ``/`` escaped, non-ASCII as ``\\uXXXX``."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")


def _entity_id(value: dict[str, Any]) -> str:
    eid = value.get("id") or ("Q" if value.get("entity-type", "item") == "item" else "P") + \
        str(value["numeric-id"])
    inner = _wrap(_ID_CLASS["item" if eid[0] == "Q" else "property"], eid)
    return _wrap("Wikibase\\DataModel\\Entity\\EntityIdValue", inner)


def _decimal(amount: str) -> str:
    return _wrap("DataValues\\DecimalValue", _php_string(amount))


def _quantity(value: dict[str, Any]) -> str:
    unit = _php_string(value.get("unit", "1"))
    if value.get("upperBound") is None:
        return _wrap("DataValues\\UnboundedQuantityValue",
                     _php_list([_decimal(value["amount"]), unit]))
    return _wrap("DataValues\\QuantityValue", _php_list([
        _decimal(value["amount"]), unit, _decimal(value["upperBound"]),
        _decimal(value["lowerBound"])]))


def _time(value: dict[str, Any]) -> str:
    fields = [value["time"], value.get("timezone", 0), value.get("before", 0),
              value.get("after", 0), value["precision"], value["calendarmodel"]]
    return _wrap("DataValues\\TimeValue", php_json(fields))


def _globe(value: dict[str, Any]) -> str:
    precision = value.get("precision")
    fields = [float(value["latitude"]), float(value["longitude"]), None,
              None if precision is None else float(precision), value.get("globe")]
    return _wrap("DataValues\\Geo\\Values\\GlobeCoordinateValue", php_json(fields))


_VALUE_SERIALIZERS: dict[str, Callable[[Any], str]] = {
    "string": lambda v: _wrap("DataValues\\StringValue", v),
    "monolingualtext": lambda v: _wrap("DataValues\\MonolingualTextValue", _php_list(
        [_php_string(v["language"]), _php_string(v["text"])])),
    "wikibase-entityid": _entity_id,
    "quantity": _quantity,
    "time": _time,
    "globecoordinate": _globe,
}


def snak_serialization(snak: dict[str, Any]) -> str:
    """The legacy PHP serialization Wikibase hashes for a snak."""
    pid, snaktype = snak["property"], snak["snaktype"]
    if snaktype != "value":
        return _wrap(_SNAK_CLASS[snaktype], pid)
    datavalue = snak["datavalue"]
    value = _VALUE_SERIALIZERS[datavalue["type"]](datavalue["value"])
    inner = f'a:2:{{i:0;{_php_string(pid)}i:1;{value}}}'
    return _wrap(_SNAK_CLASS["value"], inner)


def wikibase_snak_hash(snak: dict[str, Any]) -> str:
    """Wikibase's snak hash (``hash`` of main snaks, qualifiers and reference snaks)."""
    return hashlib.sha1(snak_serialization(snak).encode("utf-8")).hexdigest()


def wikibase_reference_hash(snak_hashes: list[str]) -> str:
    """Wikibase's reference hash: SHA-1 of the snak hashes, sorted, joined with ``|``."""
    return hashlib.sha1("|".join(sorted(snak_hashes)).encode("ascii")).hexdigest()
