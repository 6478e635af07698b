"""A school year played for each region through the console channel, with the clock: the transcripts are fixtures.

Each region gets a small staff (a coordinator where it has one, a manager, teachers), and the year is
played at fixed instants: the reminder sweep runs, and people write to the bot in the console. What
each person receives and when is written as a transcript and compared with the fixture beside this file
(`<region>.txt`). A change in what anyone is told shows as a diff; after checking it is intended, run
with `AMNESLAG_UPDATE_TRANSCRIPTS=1` to write the new fixtures.
"""

from __future__ import annotations

import datetime as dtm
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.console import render
from dialogs.app import build_dialogs
from dialogs.types import Incoming
from scheduler.sweep import sweep
from storage import schoolyear
from storage.db import session_scope
from storage.directory import person_by_email
from storage.models import NetworkDay, OutboxMessage, Person
from storage.roster import import_roster
from storage.seed import seed_region

HERE = Path(__file__).parent
ZONE = ZoneInfo("Europe/Stockholm")
STAFF = {
    "vasterbotten": "name,email,school,roles\n"
    "Kim Samordnare,kim@vb.example.org,,coordinator\n"
    "Linnea Chef,linnea@vb.example.org,Bjurholm,manager\n"
    "Alva Lärare,alva@vb.example.org,Bjurholm,teacher\n"
    "Dan Ledare,dan@vb.example.org,Umeå,teacher\n",
    "vastmanland": "name,email,school,roles\n"
    "Vera Samordnare,vera@vm.example.org,,coordinator\n"
    "Maja Chef,maja@vm.example.org,Köping,manager\n"
    "Tor Lärare,tor@vm.example.org,Köping,teacher\n",
    "sjuharad": "name,email,school,roles\n"
    "Sara Chef,sara@sj.example.org,Borås,manager\n"
    "Gustav Gitarr,gustav@sj.example.org,Borås,teacher\n"
    "Elin Gitarr,elin@sj.example.org,Ulricehamn,teacher\n",
}
# (local time, who, what they write) — who "sweep" is the reminder sweep at that instant.
YEAR = {
    "vasterbotten": [
        ("2026-05-04 10:00", "sweep", ""),
        ("2026-05-04 10:05", "alva@vb.example.org", "välj ämneslag"),
        ("2026-05-04 10:06", "alva@vb.example.org", "Dans"),
        ("2026-05-04 10:07", "alva@vb.example.org", "ja"),
        ("2026-05-15 10:00", "sweep", ""),
        ("2026-06-02 10:00", "sweep", ""),
        ("2026-06-02 10:05", "kim@vb.example.org", "ramverk"),
    ],
    "vastmanland": [
        # May–June: no choice, no report, no framework; the coordinator reads the region's settings
        ("2026-05-04 10:00", "sweep", ""),
        ("2026-05-04 10:05", "tor@vm.example.org", "välj ämneslag"),
        ("2026-05-15 10:00", "sweep", ""),
        ("2026-06-02 10:00", "sweep", ""),
        ("2026-06-02 10:05", "maja@vm.example.org", "rapportera ämneslag"),
        ("2026-06-02 10:06", "vera@vm.example.org", "ramverk"),
        # August: the regional arts school (the coordinator) calls the county meetings and the study day
        ("2026-08-17 09:00", "vera@vm.example.org", "utse ledare"),
        ("2026-08-17 09:01", "vera@vm.example.org", "1"),
        ("2026-08-17 09:02", "vera@vm.example.org", "Vera Samordnare"),
        ("2026-08-17 09:03", "vera@vm.example.org", "1"),
        ("2026-08-17 09:10", "vera@vm.example.org", "planera en fysisk träff 16 september"),
        ("2026-08-17 09:11", "vera@vm.example.org", "1"),
        ("2026-08-17 09:12", "vera@vm.example.org", "9-12"),
        ("2026-08-17 09:13", "vera@vm.example.org", "1"),
        # September: the notice is due; the managers get it, one reports absence
        ("2026-08-26 10:00", "sweep", ""),
        ("2026-09-02 10:00", "sweep", ""),
        ("2026-09-02 10:05", "vera@vm.example.org", "skicka kallelse"),
        ("2026-09-02 10:06", "vera@vm.example.org", "1"),
        ("2026-09-03 08:00", "maja@vm.example.org", "kommande träffar"),
        ("2026-09-03 08:01", "maja@vm.example.org", "jag kan inte komma 16 september"),
        ("2026-09-03 08:02", "tor@vm.example.org", "kommande träffar"),
        # after the meeting: notes
        ("2026-09-18 10:00", "sweep", ""),
        ("2026-09-18 10:05", "vera@vm.example.org", "logga anteckningar"),
    ],
    "sjuharad": [
        # May–June: no yearly choice and no report
        ("2026-05-04 10:00", "sweep", ""),
        ("2026-05-04 10:05", "gustav@sj.example.org", "hjälp"),
        ("2026-05-15 10:00", "sweep", ""),
        ("2026-06-02 10:00", "sweep", ""),
        ("2026-06-02 10:05", "sara@sj.example.org", "rapportera ämneslag"),
        # August: the guitar teachers run their network themselves; the managers' network gets a convener
        ("2026-08-17 09:00", "gustav@sj.example.org", "välj ämneslag"),
        ("2026-08-17 09:01", "gustav@sj.example.org", "1"),
        ("2026-08-17 09:02", "gustav@sj.example.org", "ja"),
        ("2026-08-17 09:03", "gustav@sj.example.org", "1"),
        ("2026-08-17 09:10", "elin@sj.example.org", "gå med i gitarrnätverket"),
        ("2026-08-17 09:11", "elin@sj.example.org", "ja"),
        ("2026-08-17 09:20", "sara@sj.example.org", "mitt ämneslag"),
        ("2026-08-17 09:21", "sara@sj.example.org", "3"),
        ("2026-08-17 09:30", "gustav@sj.example.org", "planera en digital träff 24 september"),
        ("2026-08-17 09:31", "gustav@sj.example.org", "https://meet.example.org/gitarr"),
        ("2026-08-17 09:32", "gustav@sj.example.org", "2"),
        ("2026-08-17 09:33", "gustav@sj.example.org", "1"),
        # September: the notice, an absence, and the notes afterwards
        ("2026-09-03 10:00", "sweep", ""),
        ("2026-09-03 10:05", "gustav@sj.example.org", "skicka kallelse"),
        ("2026-09-03 10:06", "gustav@sj.example.org", "1"),
        ("2026-09-10 08:00", "elin@sj.example.org", "jag kan inte komma 24 september"),
        ("2026-09-26 10:00", "sweep", ""),
        ("2026-10-01 10:00", "sweep", ""),
    ],
}


def _instant(text: str) -> dtm.datetime:
    return dtm.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


def _play(engine: sa.Engine, region_key: str) -> str:
    with session_scope(engine) as s:
        region = seed_region(s, region_key).region
        import_roster(s, region, STAFF[region_key])
        for label in ("2025/26", "2026/27"):
            schoolyear.get_or_create(s, label)
        if region_key == "vasterbotten":  # the manager network's days for the coming year
            s.add(NetworkDay(region_id=region.id or 0, date=dtm.date(2026, 9, 24)))
    now = {"at": _instant(YEAR[region_key][0][0])}
    dialogs = build_dialogs(engine, clock=lambda: now["at"])
    lines: list[str] = []
    seen = 0
    for when, who, text in YEAR[region_key]:
        now["at"] = _instant(when)
        if who == "sweep":
            sweep(engine, now["at"])
        else:
            with Session(engine) as s:
                person = person_by_email(s, who)
                assert person is not None, who
                person_id = person.id
            incoming = Incoming(person_id=person_id, channel="console", conversation_id=who, text=text)
            replies = dialogs.handle(incoming)
            lines.append(f"{when} {who}: {text}")
            lines += [f"    {line}" for line in render(replies).splitlines()]
        with Session(engine) as s:  # what the bot sent others on its own (reminders, notifications)
            query = select(OutboxMessage).where(col(OutboxMessage.id) > seen).order_by(col(OutboxMessage.id))
            for message in s.exec(query).all():
                seen = max(seen, message.id or 0)
                person = s.get(Person, message.recipient_id) if message.recipient_id else None
                first = "".join(str(message.payload.get("text", "")).splitlines()[:1])
                lines.append(f"{when} → {person.email if person else '-'} [{message.kind}] {first}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("region_key", sorted(YEAR))
def test_a_year_in_each_region_reads_as_its_transcript(engine: sa.Engine, region_key: str) -> None:
    transcript = _play(engine, region_key)
    fixture = HERE / f"{region_key}.txt"
    if os.environ.get("AMNESLAG_UPDATE_TRANSCRIPTS") == "1" or not fixture.exists():
        fixture.write_text(transcript, encoding="utf-8")
        pytest.skip(f"wrote {fixture.name}: check it, then commit it")
    assert transcript == fixture.read_text(encoding="utf-8")
