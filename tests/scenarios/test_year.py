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
    # Dans: Alva (Bjurholm), Dan (Umeå, the leader from 2026/27) and Olle (Lycksele, the host of the physical
    # meeting); Stråk: Siv (Umeå), a team nobody is appointed to lead. Each school has its manager. Everyone
    # talks to the bot in Slack but Linnea, whom the bot cannot reach: what she should have been told, it says so.
    "vasterbotten": "name,email,school,roles,slack_user_id\n"
    "Kim Samordnare,kim@vb.example.org,,coordinator,UKIMSAMORDNARE1\n"
    "Linnea Chef,linnea@vb.example.org,Bjurholm,manager,\n"
    "Alva Lärare,alva@vb.example.org,Bjurholm,teacher,UALVALARARE1\n"
    "Dan Ledare,dan@vb.example.org,Umeå,teacher,UDANLEDARE1\n"
    "Ulla Chef,ulla@vb.example.org,Umeå,manager,UULLACHEF1\n"
    "Siv Lärare,siv@vb.example.org,Umeå,teacher,USIVLARARE1\n"
    "Petra Chef,petra@vb.example.org,Lycksele,manager,UPETRACHEF1\n"
    "Olle Lärare,olle@vb.example.org,Lycksele,teacher,UOLLELARARE1\n",
    "vastmanland": "name,email,school,roles,slack_user_id\n"
    "Vera Samordnare,vera@vm.example.org,,coordinator,UVERASAMORDNARE1\n"
    "Maja Chef,maja@vm.example.org,Köping,manager,UMAJACHEF1\n"
    "Tor Lärare,tor@vm.example.org,Köping,teacher,UTORLARARE1\n",
    "sjuharad": "name,email,school,roles,slack_user_id\n"
    "Sara Chef,sara@sj.example.org,Borås,manager,USARACHEF1\n"
    "Gustav Gitarr,gustav@sj.example.org,Borås,teacher,UGUSTAVGITARR1\n"
    "Elin Gitarr,elin@sj.example.org,Ulricehamn,teacher,UELINGITARR1\n",
}
# (local time, who, what they write) — who "sweep" is the reminder sweep at that instant.
YEAR = {
    "vasterbotten": [
        # May 2026: the choice of team for 2026/27 opens (1 May is a holiday: the first working day is 4 May),
        # with the coordinator's yearly check; the teachers choose, the ones who have not are reminded weekly.
        ("2026-05-04 10:00", "sweep", ""),
        ("2026-05-04 10:05", "alva@vb.example.org", "välj ämneslag"),
        ("2026-05-04 10:06", "alva@vb.example.org", "Dans"),
        ("2026-05-04 10:07", "alva@vb.example.org", "ja"),
        ("2026-05-11 10:00", "sweep", ""),
        ("2026-05-11 10:05", "olle@vb.example.org", "jag vill vara med i Dans"),
        ("2026-05-11 10:06", "olle@vb.example.org", "1"),
        ("2026-05-12 13:00", "siv@vb.example.org", "välj ämneslag"),
        ("2026-05-12 13:01", "siv@vb.example.org", "10"),
        ("2026-05-12 13:02", "siv@vb.example.org", "ja"),
        # 15 and 25 May: the managers are reminded to confirm and report by 1 June.
        ("2026-05-15 10:00", "sweep", ""),
        ("2026-05-25 10:00", "sweep", ""),
        ("2026-05-26 09:00", "dan@vb.example.org", "välj ämneslag"),
        ("2026-05-26 09:01", "dan@vb.example.org", "Dans"),
        ("2026-05-26 09:02", "dan@vb.example.org", "ja"),
        # The managers' report: Umeå early, Bjurholm on 1 June; Lycksele confirms but forgets to report, so the
        # coordinator hears of it on 2 June, and Lycksele reports then.
        ("2026-05-26 14:00", "ulla@vb.example.org", "mina medarbetare"),
        ("2026-05-26 14:01", "ulla@vb.example.org", "bekräfta alla"),
        ("2026-05-26 14:02", "ulla@vb.example.org", "rapportera ämneslag"),
        ("2026-05-26 14:03", "ulla@vb.example.org", "Skicka rapporten"),
        ("2026-06-01 09:00", "linnea@vb.example.org", "bekräfta ämneslagen"),
        ("2026-06-01 09:01", "linnea@vb.example.org", "1"),
        ("2026-06-01 09:02", "linnea@vb.example.org", "rapportera ämneslag"),
        ("2026-06-01 09:03", "linnea@vb.example.org", "1"),
        ("2026-06-01 11:00", "petra@vb.example.org", "bekräfta ämneslagen"),
        ("2026-06-01 11:01", "petra@vb.example.org", "Bekräfta alla (1)"),
        ("2026-06-02 10:00", "sweep", ""),
        ("2026-06-02 10:05", "kim@vb.example.org", "status"),
        ("2026-06-02 10:30", "petra@vb.example.org", "rapportera ämneslag"),
        ("2026-06-02 10:31", "petra@vb.example.org", "1"),
        ("2026-06-02 11:00", "kim@vb.example.org", "ramverk"),
        # June: the coordinator appoints Dans's leader for 2026/27 (Stråk gets none) and adds the network days
        # the manager network decided (24 September was already in).
        ("2026-06-03 10:00", "kim@vb.example.org", "utse ledare för Dans"),
        ("2026-06-03 10:01", "kim@vb.example.org", "Dan Ledare"),
        ("2026-06-03 10:02", "kim@vb.example.org", "1"),
        ("2026-06-08 10:00", "sweep", ""),
        ("2026-06-08 10:05", "kim@vb.example.org", "lägg till nätverksdag 4 februari 2027"),
        ("2026-06-08 10:06", "kim@vb.example.org", "Valfri"),
        ("2026-06-08 10:07", "kim@vb.example.org", "lägg till nätverksdag 22 april 2027"),
        ("2026-06-08 10:08", "kim@vb.example.org", "Valfri"),
        ("2026-06-08 10:10", "kim@vb.example.org", "status 2026/27"),
        ("2026-06-15 10:00", "sweep", ""),
        # August: the leader plans the year's first meeting, physical, on the network day 24 September, hosted by
        # Lycksele; the notice reminders come 21, 14 and 7 days before (the coordinator in copy at 7).
        ("2026-08-17 10:00", "sweep", ""),
        ("2026-08-17 10:05", "dan@vb.example.org", "boka fysisk träff för Dans 24/9 i Lycksele"),
        ("2026-08-17 10:06", "dan@vb.example.org", "1"),
        ("2026-08-17 10:07", "dan@vb.example.org", "1"),
        ("2026-09-03 10:00", "sweep", ""),
        ("2026-09-10 10:00", "sweep", ""),
        ("2026-09-15 16:00", "alva@vb.example.org", "jag kan inte komma 24/9"),
        ("2026-09-15 16:01", "alva@vb.example.org", "ja"),  # typed: confirmed before anyone is told
        ("2026-09-17 10:00", "sweep", ""),
        ("2026-09-17 11:00", "dan@vb.example.org", "skicka kallelse"),
        ("2026-09-17 11:01", "dan@vb.example.org", "1"),
        ("2026-09-21 08:30", "alva@vb.example.org", "jag kan komma ändå"),
        ("2026-09-21 08:31", "alva@vb.example.org", "1"),
        ("2026-09-21 10:00", "sweep", ""),  # three days before: the notice, sent, told of the framework review
        # After the first meeting: attendance (the day after), the framework review and the notes (two days
        # after: Saturday, so Monday), the host's cost; then nothing more is due (5 and 10 days after).
        ("2026-09-25 10:00", "sweep", ""),
        ("2026-09-25 10:05", "dan@vb.example.org", "närvaro"),
        ("2026-09-25 10:06", "dan@vb.example.org", "1"),
        ("2026-09-28 10:00", "sweep", ""),
        ("2026-09-28 10:05", "dan@vb.example.org", "vi har gått igenom ramarna"),
        ("2026-09-28 10:06", "dan@vb.example.org", "ja"),
        ("2026-09-29 10:00", "sweep", ""),
        ("2026-09-29 13:00", "dan@vb.example.org", "skriv anteckningar"),
        ("2026-09-29 13:01", "dan@vb.example.org", "Vi gick igenom ramarna och planerade vårens dansprojekt."),
        ("2026-09-29 13:02", "dan@vb.example.org", "1"),
        ("2026-09-29 13:03", "dan@vb.example.org", "Skicka anteckningarna"),
        ("2026-09-30 09:00", "petra@vb.example.org", "kostnad"),
        ("2026-09-30 09:01", "petra@vb.example.org", "3000"),
        ("2026-09-30 09:02", "petra@vb.example.org", "1"),
        ("2026-10-01 10:00", "sweep", ""),
        ("2026-10-01 10:05", "kim@vb.example.org", "status"),
        ("2026-10-05 08:30", "sweep", ""),
        # The second meeting, digital, on a day that is not a network day: its notice reminders count back from it.
        ("2026-10-05 09:00", "dan@vb.example.org", "boka digital träff för Dans 19/11"),
        ("2026-10-05 09:01", "dan@vb.example.org", "https://meet.example.org/dans"),
        ("2026-10-05 09:02", "dan@vb.example.org", "13.00-16.00"),
        ("2026-10-05 09:03", "dan@vb.example.org", "1"),
        ("2026-10-29 10:00", "sweep", ""),
        ("2026-11-05 10:00", "sweep", ""),
        ("2026-11-05 10:30", "dan@vb.example.org", "skicka kallelse"),
        ("2026-11-05 10:31", "dan@vb.example.org", "1"),
        ("2026-11-10 12:00", "olle@vb.example.org", "jag kan inte komma 19/11"),
        ("2026-11-10 12:01", "olle@vb.example.org", "ja"),
        ("2026-11-12 10:00", "sweep", ""),
        ("2026-11-20 10:00", "sweep", ""),
        ("2026-11-23 10:00", "sweep", ""),
        ("2026-11-23 15:00", "dan@vb.example.org", "skriv anteckningar"),
        ("2026-11-23 15:01", "dan@vb.example.org", "Vi delade koreografier till vårens föreställning."),
        ("2026-11-23 15:02", "dan@vb.example.org", "Ingen länk"),
        ("2026-11-23 15:03", "dan@vb.example.org", "Skicka anteckningarna"),
        # Winter: the network day 4 February; Dans has its two meetings, Stråk has none and nobody to lead it.
        ("2027-01-11 19:00", "alva@vb.example.org", "när är nästa träff?"),
        ("2027-01-14 10:00", "sweep", ""),
        ("2027-01-21 10:00", "sweep", ""),
        ("2027-01-28 10:00", "sweep", ""),
        # 15 March: the spring goals alert, for the teams below 2–3 meetings with one physical.
        ("2027-03-15 10:00", "sweep", ""),
        ("2027-03-15 10:05", "kim@vb.example.org", "status"),
        # The third meeting, digital, on the network day 22 April; its notice and notes.
        ("2027-03-22 09:00", "dan@vb.example.org", "boka digital träff för Dans 22/4"),
        ("2027-03-22 09:01", "dan@vb.example.org", "https://meet.example.org/dans"),
        ("2027-03-22 09:02", "dan@vb.example.org", "13.00-16.00"),
        ("2027-03-22 09:03", "dan@vb.example.org", "1"),
        ("2027-04-01 10:00", "sweep", ""),
        ("2027-04-08 10:00", "sweep", ""),
        ("2027-04-08 10:30", "dan@vb.example.org", "skicka kallelse"),
        ("2027-04-08 10:31", "dan@vb.example.org", "1"),
        ("2027-04-15 10:00", "sweep", ""),
        ("2027-04-26 10:00", "sweep", ""),
        ("2027-04-26 14:00", "dan@vb.example.org", "logga anteckningar"),
        ("2027-04-26 14:01", "dan@vb.example.org", "Vi utvärderade året och föreslog ändringar i ramarna."),
        ("2027-04-26 14:02", "dan@vb.example.org", "Ingen länk"),
        ("2027-04-26 14:03", "dan@vb.example.org", "Skicka anteckningarna"),
        # May 2027: the yearly check (1 May is a Saturday: Monday 3 May), the framework's yearly revision, and
        # the next choice window, for 2027/28; the network days for 2027/28 are missing from 15 May.
        ("2027-05-03 10:00", "sweep", ""),
        ("2027-05-03 10:05", "alva@vb.example.org", "välj ämneslag"),
        ("2027-05-03 10:06", "alva@vb.example.org", "Dans"),
        ("2027-05-03 10:07", "alva@vb.example.org", "ja"),
        ("2027-05-03 11:00", "kim@vb.example.org", "ramverk"),  # the revision: the new version and its link
        ("2027-05-03 11:01", "kim@vb.example.org", "1"),
        ("2027-05-03 11:02", "kim@vb.example.org", "2026-2027"),
        ("2027-05-03 11:03", "kim@vb.example.org", "https://vb.example.org/ramar-2026-2027.pdf"),
        ("2027-05-03 11:04", "kim@vb.example.org", "1"),
        ("2027-05-10 10:00", "sweep", ""),
        ("2027-05-17 10:00", "sweep", ""),
        ("2027-05-17 10:05", "kim@vb.example.org", "lägg till nätverksdag 23 september"),
        ("2027-05-17 10:06", "kim@vb.example.org", "Fysisk"),
        ("2027-05-24 10:00", "sweep", ""),
        ("2027-05-25 10:00", "sweep", ""),
        # June 2027: the schools that have not reported for 2027/28, and the coordinator's status.
        ("2027-06-02 10:00", "sweep", ""),
        ("2027-06-02 10:05", "kim@vb.example.org", "status"),
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
        ("2026-08-17 09:11", "vera@vm.example.org", "5"),  # Köping hosts: its manager arranges the room
        ("2026-08-17 09:12", "vera@vm.example.org", "9-12"),
        ("2026-08-17 09:13", "vera@vm.example.org", "1"),
        # September: the notice is due; the managers get it, one reports absence
        ("2026-08-26 10:00", "sweep", ""),
        ("2026-09-02 10:00", "sweep", ""),
        ("2026-09-02 10:05", "vera@vm.example.org", "skicka kallelse"),
        ("2026-09-02 10:06", "vera@vm.example.org", "1"),
        ("2026-09-03 08:00", "maja@vm.example.org", "kommande träffar"),
        ("2026-09-03 08:01", "maja@vm.example.org", "jag kan inte komma 16 september"),
        ("2026-09-03 08:02", "maja@vm.example.org", "ja"),
        ("2026-09-03 08:02", "tor@vm.example.org", "kommande träffar"),
        # after the meeting: notes
        ("2026-09-18 10:00", "sweep", ""),
        ("2026-09-18 10:05", "vera@vm.example.org", "logga anteckningar"),
        ("2026-09-18 10:06", "vera@vm.example.org", "Vi planerade vårens länsgemensamma konsert."),
        ("2026-09-18 10:07", "vera@vm.example.org", "Ingen länk"),
        ("2026-09-18 10:08", "vera@vm.example.org", "Skicka anteckningarna"),
        # January: the county's study day for the teachers, called by the coordinator
        ("2027-01-11 09:00", "vera@vm.example.org", "utse ledare"),
        ("2027-01-11 09:01", "vera@vm.example.org", "Länsstudiedagen"),
        ("2027-01-11 09:02", "vera@vm.example.org", "Vera Samordnare"),
        ("2027-01-11 09:03", "vera@vm.example.org", "1"),
        ("2027-01-11 09:10", "vera@vm.example.org", "planera en fysisk träff 11 mars"),
        ("2027-01-11 09:11", "vera@vm.example.org", "Länsstudiedagen"),
        ("2027-01-11 09:12", "vera@vm.example.org", "Västerås kulturskola"),
        ("2027-01-11 09:13", "vera@vm.example.org", "9-15"),
        ("2027-01-11 09:14", "vera@vm.example.org", "1"),
        ("2027-02-18 10:00", "sweep", ""),
        ("2027-02-18 10:05", "vera@vm.example.org", "skicka kallelse"),
        ("2027-02-18 10:06", "vera@vm.example.org", "1"),
        ("2027-02-19 08:00", "tor@vm.example.org", "kommande träffar"),
        # May–June 2027: still no choice, no report, no framework revision in Västmanland
        ("2027-05-03 10:00", "sweep", ""),
        ("2027-06-02 10:00", "sweep", ""),
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
        ("2026-08-17 09:21", "sara@sj.example.org", "4"),  # Bli nätverksledare
        ("2026-08-17 09:30", "gustav@sj.example.org", "planera en digital träff 24 september"),
        ("2026-08-17 09:31", "gustav@sj.example.org", "https://meet.example.org/gitarr"),
        ("2026-08-17 09:32", "gustav@sj.example.org", "2"),
        ("2026-08-17 09:33", "gustav@sj.example.org", "1"),
        # September: the notice, an absence, and the notes afterwards
        ("2026-09-03 10:00", "sweep", ""),
        ("2026-09-03 10:05", "gustav@sj.example.org", "skicka kallelse"),
        ("2026-09-03 10:06", "gustav@sj.example.org", "1"),
        ("2026-09-10 08:00", "elin@sj.example.org", "jag kan inte komma 24 september"),
        ("2026-09-10 08:01", "elin@sj.example.org", "ja"),
        ("2026-09-26 10:00", "sweep", ""),
        ("2026-10-01 10:00", "sweep", ""),
        ("2026-10-01 10:05", "gustav@sj.example.org", "logga anteckningar"),
        ("2026-10-01 10:06", "gustav@sj.example.org", "Vi delade arrangemang för gitarrensemble."),
        ("2026-10-01 10:07", "gustav@sj.example.org", "Ingen länk"),
        ("2026-10-01 10:08", "gustav@sj.example.org", "Skicka anteckningarna"),
        ("2026-10-02 08:00", "elin@sj.example.org", "senaste anteckningarna"),
        # Spring: Elin suggests an item for the network's next meeting, which Gustav plans and calls
        ("2027-02-01 09:00", "elin@sj.example.org", "kan vi ta upp vårkonserten på nästa träff?"),
        ("2027-02-01 09:01", "elin@sj.example.org", "1"),
        ("2027-02-01 10:00", "gustav@sj.example.org", "planera en digital träff 18 mars"),
        ("2027-02-01 10:01", "gustav@sj.example.org", "https://meet.example.org/gitarr"),
        ("2027-02-01 10:02", "gustav@sj.example.org", "2"),
        ("2027-02-01 10:03", "gustav@sj.example.org", "1"),
        ("2027-03-01 10:00", "sweep", ""),
        ("2027-03-01 10:05", "gustav@sj.example.org", "skicka kallelse"),
        ("2027-03-01 10:06", "gustav@sj.example.org", "1"),
        # May–June 2027: nothing to choose or report in Sjuhärad
        ("2027-05-03 10:00", "sweep", ""),
        ("2027-06-02 10:00", "sweep", ""),
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
