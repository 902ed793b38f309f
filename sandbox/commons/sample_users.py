"""Uploaders of a sample contest: regular contributors, newcomers who registered during the
contest, the campaign's jurors and organisers; and the older photos some of them had already put
in monuments' Commons categories (P373) before the contest.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from modeling.campaign import Campaign
from modeling.contest.rules import ContestRules
from sandbox.commons.sample_cases import Case
from sandbox.commons.sample_pages import Upload

#: Name parts by campaign language (generated combinations, not real accounts).
FIRST = {"sv": ["Anna", "Erik", "Karin", "Lars", "Maja", "Nils", "Sara", "Olof", "Elin", "Johan"],
         "it": ["Giulia", "Marco", "Chiara", "Luca", "Sara", "Paolo", "Elena", "Davide", "Marta"],
         "en": ["Alex", "Sam", "Robin", "Kim", "Jo"]}
HANDLES = {("wlm", "sv"): ["Fotograf", "Kulturvandrare", "Kyrkresenar", "Byggnadsvårdare",
                            "Fyrvaktare"],
           ("wle", "sv"): ["Naturfotograf", "Skogsmulle", "Fjällvandrare", "Myrmark", "Ornitolog"],
           ("wlm", "it"): ["Fotografo", "Viandante", "Campanile", "Borghi", "Scatti"],
           ("wle", "it"): ["Escursionista", "Naturalista", "Sentieri"],
           ("wlm", "en"): ["Photo", "Wanderer", "Lens"], ("wle", "en"): ["Hiker", "Birder"]}


@dataclass
class Users:
    """The accounts of one sample contest."""

    regular: list[str]
    newcomers: set[str]
    jurors: list[str]
    organisers: list[str]
    contest_start: datetime
    registration: dict[str, str] = field(default_factory=dict)

    @property
    def all(self) -> list[str]:
        """Every account name."""
        return [*self.regular, *self.jurors, *self.organisers]

    def pick(self, rng: random.Random, case: Case) -> str:
        """The uploader of a case (a few accounts upload most files, as in real contests)."""
        if case.by == "juror":
            return rng.choice(self.jurors)
        if case.by == "organiser":
            return rng.choice(self.organisers)
        weights = [1 / (k + 1) ** 0.9 for k in range(len(self.regular))]
        return rng.choices(self.regular, weights)[0]

    def settle_registrations(self, uploads: list[Upload]) -> None:
        """Newcomers register during the contest, minutes to hours before their first upload."""
        first: dict[str, str] = {}
        for u in sorted(uploads, key=lambda u: u.timestamp):
            first.setdefault(u.uploader, u.timestamp)
        for name in sorted(self.newcomers):
            t = (datetime.strptime(first[name], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
                 if name in first else self.contest_start + timedelta(days=len(name) % 20))
            reg = max(self.contest_start + timedelta(minutes=1), t - timedelta(minutes=7 + len(name) * 11))
            self.registration[name] = reg.strftime("%Y-%m-%dT%H:%M:%SZ")

    def records(self) -> list[dict[str, Any]]:
        """``user`` records for the local Commons."""
        return [{"kind": "user", "name": n, "registration": self.registration.get(n),
                 "editcount": 40 + 7 * len(n)} for n in self.all]

    def older_files(self, rng: random.Random, monuments: pd.DataFrame, first_pageid: int,
                    camp: Campaign) -> list[Upload]:
        """Photos from earlier years already in some monuments' Commons categories."""
        cats = monuments[monuments["commons_category"].notna()]
        out: list[Upload] = []
        for _, row in cats.iterrows():
            for k in range(rng.randint(1, 3)):
                year = rng.randint(2012, 2024)
                out.append(Upload(
                    title=f"File:{row['commons_category'].replace(':', '-')} {year} {k + 1}.jpg",
                    pageid=first_pageid + len(out), uploader=rng.choice(self.regular),
                    timestamp=f"{year}-0{rng.randint(4, 9)}-1{rng.randint(0, 9)}T10:00:00Z",
                    exif=f"{year}:05:10 12:00:00", width=3000, height=2000, mime="image/jpeg",
                    sha1=hashlib.sha1(f"{camp.id}/older/{row['id']}/{k}".encode()).hexdigest(),
                    description=str(row["label"]), categories=[row["commons_category"]],
                    in_contest=False))
        return out


def make_users(rng: random.Random, camp: Campaign, rules: ContestRules) -> Users:
    """Accounts for a campaign's sample contest (jurors/organisers from its ``contest:``)."""
    lang = camp.languages[0] if camp.languages[0] in FIRST else "en"
    handles = HANDLES[(camp.kind, lang)]  # distinct per kind: one Commons holds every sample
    names: list[str] = []
    while len(names) < 28:
        name = (f"{rng.choice(FIRST[lang])} {rng.choice(handles)}" if rng.random() < 0.5
                else f"{rng.choice(handles)}{rng.randint(10, 99)}")
        if name not in names:
            names.append(name)
    start = datetime(rules.start.year, rules.start.month, rules.start.day, tzinfo=UTC)
    newcomers = set(rng.sample(names, 11))
    users = Users(regular=names, newcomers=newcomers,
                  jurors=sorted(rules.jurors) or [f"Jury {camp.id}"],
                  organisers=sorted(rules.organisers) or [f"Organiser {camp.id}"],
                  contest_start=start)
    for name in users.all:
        if name not in newcomers:
            users.registration[name] = (f"{rng.randint(2008, rules.year - 1)}-"
                                        f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
                                        f"{rng.randint(0, 23):02d}:15:00Z")
    return users
