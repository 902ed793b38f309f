"""Shared pieces of the campaign model: id patterns, their checks, the strict base model."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

QID = re.compile(r"^Q[1-9]\d*$")
PID = re.compile(r"^P[1-9]\d*$")


def check_qid(value: str) -> str:
    """``value`` when it is an item id (``Q42``), else a ValueError naming it."""
    if not QID.match(value):
        raise ValueError(f"should be an item id like Q42, got {value!r}")
    return value


def check_pid(value: str) -> str:
    """``value`` when it is a property id (``P31``), else a ValueError naming it."""
    if not PID.match(value):
        raise ValueError(f"should be a property id like P31, got {value!r}")
    return value


class StrictModel(BaseModel):
    """A campaign section: unknown keys are errors (typos never pass silently)."""

    model_config = ConfigDict(extra="forbid")
