"""Each region gets the reminders of its own framework: a year swept for Västerbotten, Västmanland and Sjuhärad.

Västmanland (003) has no subject teams and Sjuhärad (004) has teacher-run networks: neither has a yearly
team choice, a managers' report or a framework document to review. Their teachers, managers and the
guitar network's first meeting are all there, so every rule has someone it could wrongly remind.
"""

from __future__ import annotations

import datetime as dtm
from collections import defaultdict
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import select

from domain import meetings
from scheduler.sweep import sweep
from storage import schoolyear
from storage.db import session_scope
from storage.models import Person, Team
from storage.roster import import_roster
from storage.seed import seed_region

ZONE = ZoneInfo("Europe/Stockholm")
VASTERBOTTEN_ONLY = {
    "team_choice",
    "manager_report",
    "report_escalation",
    "leaders_missing",
    "framework_revision",
    "framework_before",
    "framework_confirm",
    "framework_escalation",
}
ROSTERS = {
    "vastmanland": "name,email,school,roles\n"
    "Vera Västman,vera.vm@example.org,,coordinator\n"
    "Maja Chef,maja.vm@example.org,Köping,manager\n"
    "Tor Lärare,tor.vm@example.org,Köping,teacher\n",
    "sjuharad": "name,email,school,roles\n"
    "Sara Chef,sara.sj@example.org,Borås,manager\n"
    "Gustav Gitarr,gustav.sj@example.org,Borås,teacher\n"
    "Greta Gitarr,greta.sj@example.org,Mark,teacher\n",
    "vasterbotten": "name,email,school,roles\n"
    "Kalle Samordnare,kalle.vb@example.org,,coordinator\n"
    "Linnea Chef,linnea.vb@example.org,Bjurholm,manager\n"
    "Alva Lärare,alva.vb@example.org,Bjurholm,teacher\n",
}


def _at(year: int, month: int, day: int) -> dtm.datetime:
    return dtm.datetime(year, month, day, 10, 0, tzinfo=ZONE)


def test_each_region_is_reminded_only_of_its_own_duties(engine: sa.Engine) -> None:
    with session_scope(engine) as s:
        for key, roster in ROSTERS.items():
            import_roster(s, seed_region(s, key).region, roster)
        sjuharad = seed_region(s, "sjuharad").region
        network = s.exec(select(Team).where(Team.name == "Gitarrnätverket")).one()
        gustav = s.exec(select(Person).where(Person.email == "gustav.sj@example.org")).one()
        schoolyear.get_or_create(s, "2026/27")
        draft = meetings.MeetingDraft(
            team_id=network.id or 0,
            year="2026/27",
            day=dtm.date(2026, 9, 24),
            start=dtm.time(13),
            end=dtm.time(16),
            kind="digital",
            link="https://meet.example.org/gitarr",
        )
        meetings.schedule(s, draft=draft, region=sjuharad, actor=gustav, now=_at(2026, 8, 20))

    rules: dict[str, set[str]] = defaultdict(set)
    instants = [_at(2026, 5, 4), _at(2026, 5, 15), _at(2026, 5, 25), _at(2026, 6, 2), _at(2026, 6, 9)]
    instants += [_at(2026, 9, 21), _at(2026, 9, 28), _at(2026, 10, 6), _at(2027, 5, 3)]
    for instant in instants:
        for planned in sweep(engine, instant, dry_run=True).reminders:
            region = planned.email.split("@")[0].rsplit(".", 1)[-1]
            rules[region].add(planned.rule)

    assert rules["vm"] & VASTERBOTTEN_ONLY == set()
    assert rules["sj"] & VASTERBOTTEN_ONLY == set()
    assert {"team_choice", "manager_report"} <= rules["vb"]  # the same sweep still reminds Västerbotten
