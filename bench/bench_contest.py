"""Benchmark: a whole WLM year — 250,000 uploads against 1,000,000 monuments (target: <= 60 s).

Generates, seeded, the files the contest stage starts from: ``05_lists/all.csv`` (10⁶ monuments
in 290 regions; 40% with an image, 20% with a Commons category) and the Commons fetch's
``07_contest/*.parquet`` (250,000 uploads by 12,000 uploaders over September: 62% with the ID
template and the tracker sort key, 25% also with P180, 10% P180 only, 8% in the monument's
category only, 4% unknown IDs, 1% two monuments, 3% exact duplicates, 5% small, EXIF dates,
in-use counts). Then times :func:`modeling.contest.stage.run_contest` (read, match through
the three channels, statistics, coverage, eligibility, suggestions, every file written) and the
dashboard + wikitext page.

Baseline (``baseline_seconds_match``): the same matching done the way a per-file script does
it — one Python loop over the uploads with a regex and dictionary look-ups per file — on the
same data, compared with the stage's matching alone (``contest_match_seconds``, in memory);
both must find the same number of matched uploads. The API reads are benchmarked by the
Commons fetch (50 titles per request against one request per file).

Run: ``.venv/bin/python -m bench.bench_contest [--uploads 250000] [--monuments 1000000]``.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from core.contracts import CATEGORY_FILES_SCHEMA, UPLOADS_SCHEMA, USERS_SCHEMA
from modeling.contest.frames import normalise_monuments, normalise_uploads
from modeling.contest.match import match_uploads, template_regex
from modeling.contest.rules import rules_from_campaign
from modeling.contest.stage import run_contest
from reports.contest import write_contest_reports

TEMPLATE = "Monument Sweden"
TRACKER = "Cultural heritage monuments in Sweden with known IDs"
WLM = "Category:Images from Wiki Loves Monuments 2026 in Sweden"


def monuments(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` monuments in 290 regions, as ``05_lists/all.csv`` holds them."""
    idx = np.arange(n)
    region = rng.integers(0, 290, n)
    return pd.DataFrame(
        {
            "item": "Q" + pd.Series(9_000_000 + idx).astype(str),
            "id": pd.Series(21300000000000 + idx).astype(str),
            "label": "Byggnad " + pd.Series(idx).astype(str),
            "region": "Q" + pd.Series(8_000_000 + region).astype(str),
            "region_label": "Kommun " + pd.Series(region).astype(str),
            "lat": rng.uniform(55.3, 69, n).round(5),
            "lon": rng.uniform(11, 24, n).round(5),
            "image": np.where(
                rng.random(n) < 0.4, "Bild " + pd.Series(idx).astype(str) + ".jpg", ""
            ),
            "commons_category": np.where(
                rng.random(n) < 0.2, "Byggnad " + pd.Series(idx).astype(str), ""
            ),
        }
    )


def uploads(n: int, mons: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` contest uploads in the fetch's shape (see the module docstring for the mix)."""
    target = rng.integers(0, len(mons), n)
    ids, items, cats = (
        mons["id"].to_numpy()[target],
        mons["item"].to_numpy()[target],
        mons["commons_category"].to_numpy()[target],
    )
    kind = rng.random(n)
    with_id, unknown = kind < 0.62, (kind >= 0.62) & (kind < 0.66)
    depicts_only, category_only = (kind >= 0.66) & (kind < 0.76), (kind >= 0.76) & (kind < 0.84)
    shown_id = np.where(unknown, "99" + ids, ids)
    has_id = with_id | unknown
    second = rng.random(n) < 0.01
    text = np.where(has_id, "{{" + TEMPLATE + "|" + shown_id + "}}\n", "")
    text = text + np.where(
        second & has_id,
        "{{" + TEMPLATE + "|" + mons["id"].to_numpy()[(target + 1) % len(mons)] + "}}\n",
        "",
    )
    wikitext = (
        "=={{int:filedesc}}==\n{{Information|description=x}}\n"
        + pd.Series(text)
        + "{{Wiki Loves Monuments 2026|se}}\n"
    )
    dep = (with_id & (rng.random(n) < 0.25)) | depicts_only
    in_cat = category_only & (cats != "")
    day = rng.integers(1, 31, n)
    sha = pd.Series(rng.integers(0, 2**62, n)).astype(str)
    dup = rng.random(n) < 0.03
    sha[dup] = sha.shift(1)[dup].fillna("0")
    small = rng.random(n) < 0.05
    title = "File:WLM " + pd.Series(np.arange(n)).astype(str) + ".jpg"
    cat_lists = [
        [WLM, f"Category:{TRACKER}", f"Category:{c}"]
        if h and ic
        else [WLM, f"Category:{TRACKER}"]
        if h
        else [WLM, f"Category:{c}"]
        if ic
        else [WLM]
        for h, ic, c in zip(has_id, in_cat, cats, strict=True)
    ]
    keys = [
        [f"{WLM}|", f"Category:{TRACKER}|{s}"] if h else [f"{WLM}|"]
        for h, s in zip(has_id, shown_id, strict=True)
    ]
    return pd.DataFrame(
        {
            "title": title,
            "pageid": np.arange(n) + 1000,
            "mediainfo_id": "M" + pd.Series(np.arange(n) + 1000).astype(str),
            "uploader": "User " + pd.Series(rng.integers(0, 12_000, n)).astype(str),
            "uploaded_at": "2026-09-" + pd.Series(day).astype(str).str.zfill(2) + "T12:00:00Z",
            "sha1": sha,
            "width": np.where(small, 1200, 4000),
            "height": np.where(small, 900, 3000),
            "size": 3_000_000,
            "mime": "image/jpeg",
            "exif_datetime": "2026:09:" + pd.Series(day).astype(str).str.zfill(2) + " 10:00:00",
            "categories": cat_lists,
            "category_sortkeys": keys,
            "templates": [[] for _ in range(n)],
            "wikitext": wikitext,
            "depicts": [[q] if d else [] for q, d in zip(items, dep, strict=True)],
            "globalusage": (rng.random(n) < 0.04).astype(int),
        }
    )


def write_inputs(
    out: Path, mons: pd.DataFrame, ups: pd.DataFrame, rng: np.random.Generator
) -> None:
    """Write ``05_lists/all.csv`` and the fetch's three parquet files."""
    (out / "05_lists").mkdir(parents=True)
    (out / "07_contest").mkdir(parents=True)
    mons.to_csv(out / "05_lists" / "all.csv", index=False)
    pq.write_table(
        pa.Table.from_pandas(ups, schema=UPLOADS_SCHEMA, preserve_index=False),
        out / "07_contest" / "uploads.parquet",
    )
    users = pd.DataFrame(
        {
            "user": "User " + pd.Series(np.arange(12_000)).astype(str),
            "registration": np.where(
                rng.random(12_000) < 0.3, "2026-09-05T00:00:00Z", "2015-01-01T00:00:00Z"
            ),
        }
    )
    pq.write_table(
        pa.Table.from_pandas(users, schema=USERS_SCHEMA, preserve_index=False),
        out / "07_contest" / "users.parquet",
    )
    cats = mons[mons["commons_category"] != ""][["commons_category"]].rename(
        columns={"commons_category": "category"}
    )
    files = cats.assign(title="File:Old " + cats["category"] + ".jpg")
    pq.write_table(
        pa.Table.from_pandas(files, schema=CATEGORY_FILES_SCHEMA, preserve_index=False),
        out / "07_contest" / "category_files.parquet",
    )


def baseline_match(ups: pd.DataFrame, mons: pd.DataFrame) -> int:
    """Per-file matching as a simple script does it; returns the matched count."""
    by_id = dict(zip(mons["id"], mons["item"], strict=True))
    by_cat = {c: q for c, q in zip(mons["commons_category"], mons["item"], strict=True) if c}
    items = set(mons["item"])
    pattern = re.compile(template_regex(TEMPLATE))
    matched = 0
    for text, deps, cats in zip(ups["wikitext"], ups["depicts"], ups["categories"], strict=True):
        found = {by_id[i] for i in pattern.findall(text) if i in by_id}
        found |= {q for q in deps if q in items}
        found |= {
            by_cat[c.removeprefix("Category:")]
            for c in cats
            if c.removeprefix("Category:") in by_cat
        }
        matched += len(found) == 1
    return matched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=250_000)
    parser.add_argument("--monuments", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    mons = monuments(args.monuments, rng)
    ups = uploads(args.uploads, mons, rng)
    campaign = SimpleNamespace(
        id="bench-contest",
        name="Bench contest",
        year=2026,
        kind="wlm",
        languages=["sv"],
        country=SimpleNamespace(iso="SE"),
        lists=SimpleNamespace(upload=None),
        contest=SimpleNamespace(id_template=TEMPLATE, tracker_category=TRACKER),
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_inputs(out, mons, ups, rng)
        gen_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary = run_contest(campaign, out)
        stage_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_contest_reports(campaign, out)
        report_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rules = rules_from_campaign(campaign)
    result = match_uploads(normalise_uploads(ups), normalise_monuments(mons), rules)
    match_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    matched = baseline_match(ups, mons)
    baseline_s = time.perf_counter() - t0
    assert int((result.files["status"] == "matched").sum()) == matched, (
        "baseline and stage disagree"
    )
    total = stage_s + report_s
    label = f"{args.uploads // 1000}k_vs_{args.monuments // 1000}k"
    print(f"contest_generate_seconds={gen_s:.1f}")
    print(f"contest_uploads={summary['uploads']}")
    print(f"contest_matched={summary['matched']}")
    print(f"contest_newly_pictured={summary['newly_pictured']}")
    print(f"contest_stage_seconds_{label}={stage_s:.1f}")
    print(f"contest_reports_seconds={report_s:.1f}")
    print(f"contest_total_seconds_{label}={total:.1f}")
    print(f"contest_match_seconds={match_s:.1f}")
    print(f"baseline_seconds_match={baseline_s:.1f}")
    print(f"contest_match_speedup_vs_baseline={baseline_s / match_s:.1f}")
    print(f"contest_within_60s={'yes' if total <= 60 else 'no'}")
    print(
        f"note: stage = read + match (3 channels) + statistics + coverage + eligibility + suggestions, every "
        f"file written; baseline = per-file Python matching only ({matched} matched)"
    )


if __name__ == "__main__":
    main()
