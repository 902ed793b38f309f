"""decisions.csv validation: the column-wise check normalises exactly as the row-by-row one,
and a table with one bad value is still refused naming the row and field."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from core.errors import ReconcileError
from modeling.decisions import DECISION_COLUMNS, read_decisions, validate_decisions

EDITED = """source_id,qid,score,reason,candidates,decided_by
21300000003265, q42 ,0.912,identifier: P1260 raa/bbr/21300000003265 on Q42,Q42:1.00,
21300000003266,NEW,,,,HUMAN
21300000003267,Review,0.55,close call,Q7:0.55;Q8:0.51,auto
21300000003268,Q1234, 1 ,name + distance, Q1234:0.97 ,Human
"""


def test_an_edited_file_is_normalised(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text(EDITED, encoding="utf-8")
    got = read_decisions(path)
    assert list(got.columns) == DECISION_COLUMNS and str(got["score"].dtype) == "float64"
    assert got["qid"].tolist() == ["Q42", "new", "review", "Q1234"]
    assert got["decided_by"].tolist() == ["auto", "human", "auto", "human"]
    assert got["candidates"].tolist() == ["Q42:1.00", "", "Q7:0.55;Q8:0.51", "Q1234:0.97"]
    assert got["score"].iloc[0] == 0.912 and math.isnan(got["score"].iloc[1]) and got["score"].iloc[3] == 1.0
    frame = pd.read_csv(path, dtype=str, keep_default_na=True)  # NaN cells, as a frame may hold
    assert validate_decisions(frame).equals(got)


@pytest.mark.parametrize(("row", "field"), [
    ("21300000003270,Q0,,,,auto", "qid"), ("21300000003270,Q5,abc,,,auto", "score"),
    ("21300000003270,Q5,,,Q5:x,auto", "candidates"), ("21300000003270,Q5,,,,robot", "decided_by"),
    ("21300000003269,Q5,,,,auto", "source_id"), (",Q5,,,,auto", "source_id")])
def test_one_bad_value_is_refused_naming_row_and_field(tmp_path, row, field):
    path = tmp_path / "decisions.csv"
    path.write_text(EDITED + "21300000003269,new,,,,auto\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ReconcileError, match=rf"decisions\.csv, row 7, field '{field}'"):
        read_decisions(path)
