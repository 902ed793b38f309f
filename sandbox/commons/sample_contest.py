"""Generate a realistic sample contest for a bundled campaign, with its known answers.

``python -m sandbox.commons.sample_contest campaigns/<id>.yaml …`` writes, deterministically
(seeded by the campaign id), into ``campaigns/data/<id>/contest/``:

* ``commons.jsonl`` — ``user`` and ``file`` records the local Commons loads (``wlkit services up``
  and ``make demo`` load them): uploads through the campaign's upload link over its contest
  month, and older photos already in some monuments' Commons categories (P373);
* ``answers.csv`` — per contest file the expected match and eligibility (:data:`ANSWER_COLUMNS`;
  statuses and reasons in the contest stage's vocabulary);
* ``monuments.csv`` — the monuments the answers assume (``id, item, label, region,
  commons_category, in_scope``).

The cases: ID template (some also with P180 or the monument's category), P180 only, the
monument's category only, neither, an unknown ID (typo, or an ID the scope leaves out), two IDs,
an ID plus a P180 of another monument; overlaid on some: EXIF date outside the window, under the
minimum resolution, a non-photo file type, uploaded after the last day, exact duplicates (same
SHA-1), uploads by jurors and organisers; uploaders registered during the contest; files in use
on other wikis.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from modeling.campaign import Campaign, load_campaign
from modeling.contest.rules import ContestRules, rules_from_campaign
from sandbox.commons.sample_cases import Case, plan_cases
from sandbox.commons.sample_monuments import campaign_monuments, write_monuments
from sandbox.commons.sample_pages import Conventions, Upload, file_record
from sandbox.commons.sample_users import Users, make_users

CONTEST_DIR = "contest"
ANSWER_COLUMNS = ["title", "pageid", "mediainfo_id", "uploader", "case", "status", "monument_ids",
                  "items", "channels", "eligible", "reasons"]


def conventions(campaign: Campaign, rules: ContestRules) -> Conventions:
    """The tagging conventions of a campaign's contest."""
    event = "Wiki Loves Earth" if campaign.kind == "wle" else "Wiki Loves Monuments"
    cc = rules.country_code or campaign.country.iso.lower()
    return Conventions(
        contest_template=f"{event} {rules.year}", country_code=cc,
        contest_category=campaign.contest_category,
        id_template=rules.id_template or f"{event} ID",
        tracker_category=rules.tracker_category or f"{event} {campaign.country.iso} with known IDs",
        upload_campaign=campaign.lists.upload.campaign or campaign.id,
        language=campaign.lists.upload.description_language or campaign.languages[0])


def _when(rng: random.Random, rules: ContestRules, late: bool) -> datetime:
    days = (rules.end - rules.start).days + 1
    if late:
        day = rules.end + timedelta(days=rng.randint(1, 2))
    else:  # busier towards the end of the month, as real contests are, with a first-day bump
        weights = [3 if d == 0 else 1 + 4 * (d / days) ** 2 for d in range(days)]
        day = rules.start + timedelta(days=rng.choices(range(days), weights)[0])
    return datetime(day.year, day.month, day.day, rng.randint(6, 22), rng.randint(0, 59),
                    rng.randint(0, 59), tzinfo=UTC)


def _exif(rng: random.Random, taken: datetime, rules: ContestRules, case: Case) -> str | None:
    if case.no_exif:
        return None
    if case.late:  # photographed on the last day, uploaded after it
        return f"{rules.end.strftime('%Y:%m:%d')} 17:{rng.randint(10, 59)}:00"
    if case.exif_outside:
        old = datetime(rules.year - rng.randint(1, 6), rng.randint(4, 8), rng.randint(1, 28), 11)
        return old.strftime("%Y:%m:%d %H:%M:%S")
    start = datetime(rules.start.year, rules.start.month, rules.start.day, tzinfo=UTC)
    shot = max(start, taken - timedelta(hours=rng.randint(1, 60)))
    return shot.strftime("%Y:%m:%d %H:%M:%S")


def _upload(rng: random.Random, case: Case, n: int, users: Users, rules: ContestRules,
            camp: Campaign) -> Upload:
    taken = _when(rng, rules, case.late)
    label = case.label.replace("/", "-").replace(":", "-")
    width, height = (1280, 960) if case.low_res else rng.choice(
        [(4000, 3000), (6000, 4000), (5472, 3648), (4608, 3456), (3024, 4032)])
    ext, mime = {"application/pdf": ("pdf", "application/pdf"),
                 "image/png": ("png", "image/png")}.get(case.mime, ("jpg", "image/jpeg"))
    return Upload(
        title=f"File:{label} {camp.country.iso} {rules.year} {n:04d}.{ext}", pageid=0,
        uploader=users.pick(rng, case), timestamp=taken.strftime("%Y-%m-%dT%H:%M:%SZ"),
        exif=_exif(rng, taken, rules, case), width=width, height=height, mime=mime,
        sha1=hashlib.sha1(f"{camp.id}/{n}".encode()).hexdigest(), description=case.label,
        ids=list(case.ids), depicts=list(case.depicts), categories=list(case.categories),
        location=case.location,
        globalusage=[(f"{camp.languages[0]}.wikipedia.org", case.label)] if case.in_use else [])


def _answer(u: Upload, case: Case) -> dict[str, object]:
    return {"title": u.title, "pageid": u.pageid, "mediainfo_id": f"M{u.pageid}",
            "uploader": u.uploader, "case": case.name, "status": case.status,
            "monument_ids": ";".join(case.monument_ids), "items": ";".join(case.items),
            "channels": ";".join(case.channels), "eligible": not case.reasons,
            "reasons": ";".join(case.reasons)}


def generate(campaign: Campaign, out_dir: Path) -> dict[str, int]:
    """Generate the sample contest of ``campaign`` into ``out_dir`` (see module docstring).

    Returns:
        Counts: ``files`` (contest uploads), ``older_files``, ``users``, ``eligible``.
    """
    rules = rules_from_campaign(campaign)
    rng = random.Random(zlib.crc32(campaign.id.encode()))
    monuments = campaign_monuments(campaign)
    cases = plan_cases(rng, monuments, campaign.country.bbox)
    users = make_users(rng, campaign, rules)
    uploads = [_upload(rng, case, n, users, rules, campaign) for n, case in enumerate(cases)]
    order = sorted(range(len(uploads)), key=lambda i: uploads[i].timestamp)
    base = 10_000_000 + (zlib.crc32(campaign.id.encode()) % 800) * 10_000
    for rank, i in enumerate(order):
        uploads[i].pageid = base + rank + 1
    _mark_duplicates(rng, uploads, cases, order)
    users.settle_registrations(uploads)
    conv = conventions(campaign, rules)
    older = users.older_files(rng, monuments, base + len(uploads) + 1, campaign)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "commons.jsonl", "w", encoding="utf-8") as fh:
        fh.write(f"# sample contest of {campaign.id}, generated by sandbox.commons.sample_contest\n")
        for rec in [*users.records(), *(file_record(u, conv) for u in [*uploads, *older])]:
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    answers = pd.DataFrame([_answer(uploads[i], cases[i]) for i in order], columns=ANSWER_COLUMNS)
    answers.to_csv(out_dir / "answers.csv", index=False)
    write_monuments(monuments, out_dir / "monuments.csv")
    return {"files": len(uploads), "older_files": len(older), "users": len(users.all),
            "eligible": int(answers["eligible"].sum())}


def _mark_duplicates(rng: random.Random, uploads: list[Upload], cases: list[Case],
                     order: list[int]) -> None:
    """A few later uploads repeat an earlier file byte for byte (same SHA-1)."""
    for i in [i for i in order if cases[i].duplicate_of_earlier]:
        earlier = [j for j in order if uploads[j].timestamp < uploads[i].timestamp
                   and not cases[j].reasons and cases[j].name == "id"]
        if earlier:
            j = rng.choice(earlier)
            uploads[i].sha1, uploads[i].width, uploads[i].height = (
                uploads[j].sha1, uploads[j].width, uploads[j].height)
            uploads[i].exif = uploads[j].exif
            cases[i] = replace(cases[i], reasons=tuple(sorted({*cases[i].reasons, "duplicate"})))


def main(argv: list[str] | None = None) -> int:
    """Generate the sample contest of each campaign file given."""
    for path in argv if argv is not None else sys.argv[1:]:
        camp = load_campaign(path)
        counts = generate(camp, camp.data_dir / CONTEST_DIR)
        print(f"{camp.id}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
