"""What each upload of a sample contest is (:class:`Case`), and its expected answer.

:func:`plan_cases` draws the cases in fixed proportions from a campaign's monuments and states,
for each, what the contest stage must find: the status (``matched``, ``several_monuments``,
``unknown_id``, ``unmatched``), the monuments, the channels (``id``, ``depicts``, ``category``)
and every eligibility reason (the vocabulary of :mod:`modeling.contest.eligibility`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import pandas as pd

#: Share of each matching case (the rest are plain ID-template uploads).
SHARES = {"depicts_only": 0.10, "category_only": 0.05, "nothing": 0.08, "unknown_id": 0.04,
          "two_ids": 0.03, "id_other_depicts": 0.02}
#: Overlays on plain ID-template uploads: name -> count (ints) or share (floats).
OVERLAYS = {"exif_outside": 0.05, "low_res": 0.05, "no_exif": 0.04, "late": 2, "pdf": 1, "png": 2,
            "duplicate": 3, "juror": 3, "organiser": 1, "in_use": 0.08, "with_category": 0.3,
            "with_depicts": 0.3}
REASON_OF = {"exif_outside": "exif_date_outside_window", "low_res": "below_min_resolution",
             "late": "uploaded_outside_window", "pdf": "file_type", "juror": "by_juror",
             "organiser": "by_organiser"}


@dataclass(frozen=True)
class Case:
    """One upload: what it carries and what the contest stage must conclude."""

    name: str
    label: str
    status: str
    ids: tuple[str, ...] = ()
    depicts: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    monument_ids: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    location: tuple[float, float] | None = None
    in_use: bool = False
    no_exif: bool = False
    exif_outside: bool = False
    low_res: bool = False
    late: bool = False
    mime: str = "image/jpeg"
    by: str | None = None
    duplicate_of_earlier: bool = False


def _m(row: pd.Series) -> tuple[str, str | None, str | None, str]:
    item = row["item"] if isinstance(row["item"], str) else None
    cat = row["commons_category"] if isinstance(row["commons_category"], str) else None
    return str(row["id"]), item, cat, str(row["label"])


def _with_item(row: pd.Series) -> tuple[str, str, str | None, str]:
    """:func:`_m` of a row known to have an item."""
    mid, item, cat, label = _m(row)
    assert item is not None
    return mid, item, cat, label


def _with_category(row: pd.Series) -> tuple[str, str | None, str, str]:
    """:func:`_m` of a row known to have a Commons category."""
    mid, item, cat, label = _m(row)
    assert cat is not None
    return mid, item, cat, label


def _typo(value: str, taken: set[str]) -> str:
    for digit in "7384950162":
        candidate = value[:-1] + digit
        if candidate not in taken:
            return candidate
    return value + "0"


def _matching_case(name: str, rng: random.Random, scope: pd.DataFrame, outside: pd.DataFrame,
                   taken: set[str]) -> Case:
    with_item = scope[scope["item"].notna()]
    with_cat = scope[scope["commons_category"].notna()]
    if name == "depicts_only" and len(with_item):
        mid, item, _, label = _with_item(with_item.sample(1, random_state=rng.randrange(2**31)).iloc[0])
        return Case(name, label, "matched", depicts=(item,), monument_ids=(mid,), items=(item,),
                    channels=("depicts",), reasons=("no_id",))
    if name == "category_only" and len(with_cat):
        mid, on_item, cat, label = _with_category(with_cat.sample(1, random_state=rng.randrange(2**31)).iloc[0])
        return Case(name, label, "matched", categories=(cat,), monument_ids=(mid,),
                    items=(on_item,) if on_item else (), channels=("category",), reasons=("no_id",))
    if name in ("nothing", "depicts_only", "category_only"):
        return Case("nothing", rng.choice(["Landscape", "Street view", "Old town", "Countryside"]),
                    "unmatched", reasons=("no_id",))
    if name == "unknown_id":
        if len(outside) and rng.random() < 0.6:  # an ID the scope leaves out (expired, abroad)
            bad, _, _, label = _m(outside.sample(1, random_state=rng.randrange(2**31)).iloc[0])
        else:
            mid, _, _, label = _m(scope.sample(1, random_state=rng.randrange(2**31)).iloc[0])
            bad = _typo(mid, taken)
        return Case(name, label, "unknown_id", ids=(bad,), reasons=("unknown_id",))
    two = scope.sample(2, random_state=rng.randrange(2**31))
    (id1, item1, _, label1), (id2, item2, _, label2) = _m(two.iloc[0]), _m(two.iloc[1])
    if name == "id_other_depicts" and len(with_item):
        id2, item2, _, label2 = _with_item(with_item[with_item["id"] != id1].iloc[0])
        return Case(name, label1, "several_monuments", ids=(id1,), depicts=(item2,),
                    monument_ids=tuple(sorted({id1, id2})), items=tuple(sorted(i for i in (item1, item2) if i)),
                    channels=("id", "depicts"), reasons=("several_monuments",))
    return Case("two_ids", f"{label1} and {label2}", "several_monuments", ids=(id1, id2),
                monument_ids=tuple(sorted({id1, id2})),
                items=tuple(sorted(i for i in (item1, item2) if i)), channels=("id",),
                reasons=("several_monuments",))


def _id_case(rng: random.Random, row: pd.Series) -> Case:
    mid, item, _, label = _m(row)
    return Case("id", label, "matched", ids=(mid,), monument_ids=(mid,),
                items=(item,) if item else (), channels=("id",))


def _overlay(case: Case, overlay: str, row: pd.Series) -> Case:
    _, item, cat, _ = _m(row)
    if overlay == "with_depicts" and item:
        return replace(case, depicts=(item,), channels=("id", "depicts"))
    if overlay == "with_category" and cat:
        return replace(case, categories=(cat,), channels=(*case.channels, "category"))
    if overlay == "in_use":
        return replace(case, in_use=True)
    changes: dict[str, object] = {"exif_outside": {"exif_outside": True}, "low_res": {"low_res": True},
                                  "no_exif": {"no_exif": True}, "late": {"late": True},
                                  "pdf": {"mime": "application/pdf"}, "png": {"mime": "image/png"},
                                  "duplicate": {"duplicate_of_earlier": True},
                                  "juror": {"by": "juror"}, "organiser": {"by": "organiser"}
                                  }.get(overlay, {})  # type: ignore[assignment]
    reason = REASON_OF.get(overlay)
    reasons = tuple(sorted({*case.reasons, reason})) if reason else case.reasons
    return replace(case, reasons=reasons, **changes)  # type: ignore[arg-type]


def plan_cases(rng: random.Random, monuments: pd.DataFrame,
               bbox: tuple[float, float, float, float] | None) -> list[Case]:
    """The cases of a sample contest over ``monuments`` (see the module docstring)."""
    scope = monuments[monuments["in_scope"]].reset_index(drop=True)
    outside = monuments[~monuments["in_scope"]]
    taken = set(monuments["id"].astype(str))
    n = min(240, max(60, 3 * len(scope)))
    names = [name for name, share in SHARES.items() for _ in range(round(share * n))]
    cases = [_matching_case(name, rng, scope, outside, taken) for name in names]
    plain = [(_id_case(rng, row), row) for _, row in
             scope.sample(n - len(cases), replace=True, random_state=rng.randrange(2**31)).iterrows()]
    slots = list(range(len(plain)))
    rng.shuffle(slots)
    exclusive = [o for o in OVERLAYS if o not in ("in_use", "with_category", "with_depicts")]
    for overlay in exclusive:  # each plain upload gets at most one reason-bearing overlay
        count = OVERLAYS[overlay]
        k = count if isinstance(count, int) else round(count * len(plain))
        for _ in range(k):
            i = slots.pop()
            plain[i] = (_overlay(plain[i][0], overlay, plain[i][1]), plain[i][1])
    for overlay in ("with_depicts", "with_category", "in_use"):
        for i in range(len(plain)):
            if rng.random() < float(OVERLAYS[overlay]) and not plain[i][0].duplicate_of_earlier:
                plain[i] = (_overlay(plain[i][0], overlay, plain[i][1]), plain[i][1])
    everything = cases + [c for c, _ in plain]
    rng.shuffle(everything)
    return [_located(rng, c, bbox) for c in everything]


def _located(rng: random.Random, case: Case, bbox: tuple[float, float, float, float] | None) -> Case:
    """Most cameras and phones record where the photo was taken (``{{Location}}``, P1259)."""
    if bbox is None or rng.random() < 0.4:
        return case
    lon0, lat0, lon1, lat1 = bbox
    mid_lon, mid_lat = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    return replace(case, location=(round(mid_lat + rng.uniform(-1, 1), 5),
                                   round(mid_lon + rng.uniform(-1, 1), 5)))
