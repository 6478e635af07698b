"""The team leader's dialogs end to end: scheduling, notices with calendar invites, changes, notes, the review."""

from __future__ import annotations

import datetime as dtm
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from sqlmodel import Session, col, select

from dialogs.types import Button, CardReply, ChoicesReply, FormReply, Incoming, TextReply, buttons_of
from domain.meetings import team_members
from storage.db import session_scope
from storage.models import AuditLog, Meeting, Note, OutboxMessage, Person, PersonRole, Team
from tests.dialogs.conftest import Chat, Clock

LEADER = "jonas.sundqvist@example.org"  # leads Bild, form och skapande with Petter Backman
COORDINATOR = "kalle.forsberg@example.org"
BILD_MEMBERS = 5


@pytest.fixture
def leader(chat_as) -> Chat:
    return chat_as(LEADER)


def _bild(db: sa.Engine) -> Team:
    with Session(db) as s:
        return s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()


def _meetings(db: sa.Engine) -> list[Meeting]:
    team = _bild(db)
    with Session(db) as s:
        return list(s.exec(select(Meeting).where(Meeting.team_id == team.id).order_by(col(Meeting.starts_at))).all())


def _sent(chat: Chat, kind: str) -> list[OutboxMessage]:
    return [m for m in chat.outbox() if m.kind == kind]


def _emails(db: sa.Engine, messages: list[OutboxMessage]) -> set[str]:
    with Session(db) as s:
        return {s.get(Person, m.recipient_id).email for m in messages}


def _invite(message: OutboxMessage) -> Calendar:
    (attachment,) = message.payload["attachments"]
    assert attachment["media_type"].startswith("text/calendar")
    return Calendar.from_ical(attachment["content"])


def _event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def _count(event, name: str) -> int:
    """How many times the property `name` occurs in the event (icalendar gives one, or a list of several)."""
    return sum(1 for key, _ in event.property_items(recursive=False) if key == name)


def _managers_in_slack(db: sa.Engine) -> None:
    """The managers talk to the bot in Slack, so a reply may say they were told (the demo's people have no chat)."""
    with session_scope(db) as s:
        managers = select(PersonRole.person_id).where(PersonRole.role == "manager")
        for person in s.exec(select(Person).where(col(Person.id).in_(managers))).all():
            person.slack_user_id = f"U{person.id:05d}"


def test_schedule_a_physical_meeting_step_by_step(leader: Chat) -> None:
    _managers_in_slack(leader.db)
    before = len(_meetings(leader.db))
    (question,) = leader.say("jag vill planera en ny träff")
    # every network day of the year already has a Bild meeting, so the leader gives a date: written, picked in a
    # calendar the button opens (Slack's datepicker), or in the picker beside it (Teams)
    assert isinstance(question, ChoicesReply) and "Ange datumet" in question.text
    assert [b.label for b in question.buttons] == ["Välj datum …"]
    assert [f.kind for f in question.fields] == ["date"]
    (kind,) = leader.say("11 mars")
    assert isinstance(kind, ChoicesReply) and len(kind.buttons) == 2
    (place,) = leader.click(kind.buttons[0])  # physical
    assert isinstance(place, ChoicesReply) and "Lycksele Musikskola" in [b.label for b in place.buttons]
    (time,) = leader.say("Lycksele")  # a municipality names its school
    assert isinstance(time, ChoicesReply)
    (preview,) = leader.say("13-16")
    assert isinstance(preview, CardReply)
    facts = dict(preview.facts)
    assert "Lycksele Musikskola" in facts.values() and "13.00–16.00" in facts.values()
    assert preview.text and "11 mars" in preview.text  # not a network day: a warning, not a refusal
    assert leader.outbox() == []
    replies = leader.click(preview.buttons[0])
    assert isinstance(replies[-1], CardReply)
    meetings = _meetings(leader.db)
    assert len(meetings) == before + 1
    (new,) = [m for m in meetings if m.starts_at.date() == dtm.date(2027, 3, 11)]
    assert new.kind == "physical" and new.place == "Lycksele Musikskola" and new.first_of_year is False
    assert new.starts_at == dtm.datetime(2027, 3, 11, 12, 0, tzinfo=dtm.UTC)  # 13.00 in Stockholm (winter)
    # the members hear of it with the notice; the host school's manager now (the room), and the leader's own
    # manager of the cost to expect (Lycksele invoices the visiting schools)
    assert sorted(m.kind for m in leader.outbox()) == ["host_booked", "host_costs"]
    with Session(leader.db) as s:
        (booked,) = [m for m in leader.outbox() if m.kind == "host_booked"]
        host_manager = s.get(Person, booked.recipient_id)
        assert host_manager is not None and host_manager.school_id == new.host_school_id
    assert isinstance(replies[0], TextReply) and "Värdskolans chef" in replies[0].text

    again = leader.click(preview.buttons[0])  # the same preview pressed twice
    assert len(_meetings(leader.db)) == before + 1
    assert isinstance(again[0], TextReply)


def test_schedule_on_a_network_day_with_buttons(leader: Chat, demo: sa.Engine, clock: Clock) -> None:
    from storage.models import NetworkDay, Region

    with Session(demo) as s:
        region = s.exec(select(Region)).one()
        assert region.id is not None
        s.add(NetworkDay(region_id=region.id, date=dtm.date(2027, 5, 20), kind="digital"))
        s.commit()
    (question,) = leader.say("boka träff")
    assert isinstance(question, ChoicesReply)
    assert [b.label for b in question.buttons] == ["torsdag 20 maj (digital)", "Annat datum …"]
    (link_question,) = leader.click(question.buttons[0])  # the day's kind comes with it
    assert isinstance(link_question, TextReply)
    bad, again = leader.say("example.org/mote")  # the reason, then the question again
    assert "https://" in (bad.text or "") and again == link_question
    (time,) = leader.say("https://example.org/mote/bild")
    (preview,) = leader.click(buttons_of([time])[0])
    assert isinstance(preview, CardReply) and preview.text == (  # a network day: no warning about the day
        "Obs: Bild, form och skapande har redan 3 träffar läsåret 2026/27, och målet är 2–3 om året. "
        "Du kan ändå spara träffen."  # only that it is the team's fourth meeting of the year
    )
    leader.click(preview.buttons[0])
    (new,) = [m for m in _meetings(demo) if m.starts_at.date() == dtm.date(2027, 5, 20)]
    assert new.kind == "digital" and new.link == "https://example.org/mote/bild" and new.network_day_id is not None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"day": "2026-11-20", "start": "13:00", "end": "16:00"}, "day"),  # in the past
        ({"day": "2027-03-11", "start": "16:00", "end": "13:00"}, "start"),  # ends before it starts
        ({"day": "2027-09-09", "start": "13:00", "end": "16:00"}, "day"),  # another school year
    ],
)
def test_bad_drafts_are_answered_and_nothing_is_saved(
    leader: Chat, demo: sa.Engine, values: dict[str, str], field: str
) -> None:
    team = _bild(demo)
    before = len(_meetings(demo))
    draft = {"team_id": team.id, "year": "2026/27", "kind": "digital", "link": "https://example.org/m", **values}
    replies = leader.click(Button(label="Spara", action="schedule.save", values=draft))
    assert isinstance(replies[0], TextReply)
    assert len(_meetings(demo)) == before
    assert leader.outbox() == []


def test_a_link_that_is_not_http_is_refused(leader: Chat, demo: sa.Engine) -> None:
    team = _bild(demo)
    draft = {"team_id": team.id, "year": "2026/27", "day": "2027-03-11", "start": "13:00", "end": "16:00"}
    for link in ("javascript:alert(1)", "ftp://example.org/x", "www.example.org"):
        replies = leader.click(
            Button(label="Spara", action="schedule.save", values={**draft, "kind": "digital", "link": link})
        )
        assert isinstance(replies[0], TextReply) and "https://" in replies[0].text
    assert all(m.starts_at.date() != dtm.date(2027, 3, 11) for m in _meetings(demo))


def test_send_the_notice_with_a_calendar_invite_once(leader: Chat, demo: sa.Engine) -> None:
    february = _meetings(demo)[1]
    (card,) = leader.say("skicka kallelse")  # February and April have no notice yet: which one?
    assert isinstance(card, ChoicesReply) and len(card.buttons) == 2
    (preview,) = leader.click(card.buttons[0])
    assert isinstance(preview, CardReply)
    (done,) = leader.click(preview.buttons[0])
    notices = _sent(leader, "meeting_notice")
    assert len(notices) == BILD_MEMBERS
    assert LEADER in _emails(demo, notices)
    event = _event(_invite(notices[0]))
    assert str(event["uid"]) == f"meeting-{february.id}.vasterbotten@amneslagsboten"
    assert event["sequence"] == 0
    assert event.decoded("dtstart") == february.starts_at
    assert str(event["location"]) == february.link
    assert _invite(notices[0])["method"] == "REQUEST"
    assert str(event["organizer"]) == f"mailto:{LEADER}"  # RFC 5546: a REQUEST has its ORGANIZER
    assert event["organizer"].params["cn"] == "Jonas Sundqvist"
    with Session(demo) as s:
        for notice in notices:  # each member's invite is addressed to them, with the leader as its one organizer
            member = s.get(Person, notice.recipient_id)
            parsed = _event(_invite(notice))
            assert _count(parsed, "ORGANIZER") == 1
            assert _count(parsed, "ATTENDEE") == 1
            attendee = parsed["attendee"]
            assert str(attendee) == f"mailto:{member.email}" and attendee.params["cn"] == member.name
            assert (attendee.params["partstat"], attendee.params["rsvp"], attendee.params["role"]) == (
                "NEEDS-ACTION",
                "FALSE",
                "REQ-PARTICIPANT",
            )
    (attachment,) = notices[0].payload["attachments"]
    day = february.starts_at.astimezone(ZoneInfo("Europe/Stockholm")).date().isoformat()
    assert attachment["filename"] == f"kallelse-bild-form-och-skapande-{day}.ics"
    assert [b.action for b in buttons_of(_replies(notices[0]))] == ["absence.report"]

    (again,) = leader.click(preview.buttons[0])
    assert isinstance(again, TextReply)
    assert len(_sent(leader, "meeting_notice")) == BILD_MEMBERS  # nothing sent twice
    with Session(demo) as s:
        assert s.get(Meeting, february.id).notice_sent_at is not None


def _replies(message: OutboxMessage):
    from dialogs.types import load_replies

    return load_replies(message.payload["replies"])


def test_change_a_meeting_keeps_the_uid_and_raises_the_sequence(leader: Chat, demo: sa.Engine) -> None:
    april = _meetings(demo)[2]
    leader.click(Button(label="Skicka", action="notice.send", values={"meeting_id": april.id}))
    (menu,) = leader.click(Button(label="Ändra", action="meeting.change", values={"meeting_id": april.id}))
    assert isinstance(menu, ChoicesReply)
    (time,) = leader.click(menu.buttons[1])  # the time
    (preview,) = leader.say("10-14")
    assert isinstance(preview, CardReply)
    replies = leader.click(preview.buttons[0])
    assert isinstance(replies[0], TextReply)
    with Session(demo) as s:
        changed = s.get(Meeting, april.id)
        assert changed is not None and changed.sequence == 1
        assert changed.starts_at == dtm.datetime(2027, 4, 8, 8, 0, tzinfo=dtm.UTC)  # 10.00 summer time
        entry = s.exec(select(AuditLog).where(AuditLog.action == "meeting.changed")).one()
    assert entry.details["before"]["starts_at"].startswith("2027-04-08T07:00")
    assert entry.details["after"]["starts_at"].startswith("2027-04-08T08:00")
    changes = _sent(leader, "meeting_changed")
    assert len(changes) == BILD_MEMBERS
    card = _replies(changes[0])[0]
    assert isinstance(card, CardReply)
    assert dict(card.facts)["Ändrat"].startswith("tiden (var torsdag 8 april kl. ")  # what changed, and from what
    event = _event(_invite(changes[0]))
    assert str(event["uid"]) == f"meeting-{april.id}.vasterbotten@amneslagsboten"
    assert event["sequence"] == 1

    replies = leader.click(preview.buttons[0])  # the same change again: nothing to tell
    assert len(_sent(leader, "meeting_changed")) == BILD_MEMBERS


def test_changing_a_meeting_whose_notice_was_never_sent_tells_no_member(leader: Chat, demo: sa.Engine) -> None:
    """The members learn of the meeting, as it is by then, from its notice; a "changed" before it is noise."""
    _managers_in_slack(demo)
    april = _meetings(demo)[2]
    (menu,) = leader.click(Button(label="Ändra", action="meeting.change", values={"meeting_id": april.id}))
    leader.click(menu.buttons[1])  # the time
    (preview,) = leader.say("10-14")
    (done, _) = leader.click(preview.buttons[0])
    assert done.text == (
        "Ändrat. Kallelsen har inte skickats än, så medlemmarna får träffen som den är nu med kallelsen; "
        "1 annan ledare har fått veta det. Värdskolans chef (Rasmus Stenlund) har fått veta det. "
        "Din chef (Sixten Rönnlund) har fått veta vilken kostnad som väntar."
    )
    changes = _sent(leader, "meeting_changed")
    assert _emails(demo, changes) == {"petter.backman@example.org"}
    assert "attachments" not in changes[0].payload
    card = _replies(changes[0])[0]
    assert isinstance(card, CardReply)
    assert dict(card.facts)["Changed"].startswith("the time (was Thursday 8 April")  # Petter reads English


def test_a_change_of_kind_and_place_says_both_joined_with_och(leader: Chat, demo: sa.Engine) -> None:
    april = _meetings(demo)[2]
    leader.click(Button(label="Skicka", action="notice.send", values={"meeting_id": april.id}))
    (menu,) = leader.click(Button(label="Ändra", action="meeting.change", values={"meeting_id": april.id}))
    leader.press("Fysisk eller digital")
    leader.press("Digital träff")
    (preview,) = leader.say("https://meet.example.org/bild")
    leader.click(preview.buttons[0])
    card = _replies(_sent(leader, "meeting_changed")[0])[0]
    assert isinstance(card, CardReply)
    changed = dict(card.facts)["Ändrat"]
    assert changed.startswith("typen (var fysisk träff) och platsen (var ") and ";" not in changed


def test_cancel_a_meeting_removes_it_from_calendars(leader: Chat, demo: sa.Engine) -> None:
    april = _meetings(demo)[2]
    leader.click(Button(label="Skicka", action="notice.send", values={"meeting_id": april.id}))
    (question,) = leader.say("ställ in träffen 8/4")
    assert isinstance(question, ChoicesReply)
    assert "Alla medlemmar får veta det" in question.text
    with session_scope(demo) as s:  # all but Stina talk to the bot in Slack: the answer names her
        bild = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        for n, person in enumerate(team_members(s, bild.id or 0, april.school_year_id)):
            person.slack_user_id = None if person.name == "Stina Sehlstedt" else f"UBILD{n:03d}"
    (done,) = leader.click(question.buttons[0])
    assert done.text == (
        "Träffen är inställd. 4 medlemmar har fått veta det. Stina Sehlstedt nås inte av boten (ingen chatt med "
        "den): berätta det själv för hen."
    )
    cancels = _sent(leader, "meeting_cancelled")
    assert len(cancels) == BILD_MEMBERS
    calendar = _invite(cancels[0])
    assert calendar["method"] == "CANCEL"
    event = _event(calendar)
    assert str(event["status"]) == "CANCELLED" and event["sequence"] == 1
    assert str(event["uid"]) == f"meeting-{april.id}.vasterbotten@amneslagsboten"
    with Session(demo) as s:
        assert s.get(Meeting, april.id).cancelled_at is not None
        member = s.get(Person, cancels[0].recipient_id)
    assert _count(event, "ORGANIZER") == 1 and _count(event, "ATTENDEE") == 1  # RFC 5546: CANCEL names them
    assert str(event["attendee"]) == f"mailto:{member.email}" and "PARTSTAT" not in event["attendee"].params
    leader.click(question.buttons[0])
    assert len(_sent(leader, "meeting_cancelled")) == BILD_MEMBERS


def test_a_member_known_to_teams_only_by_id_is_no_chat_and_is_named(leader: Chat, demo: sa.Engine) -> None:
    """An AAD object id from the roster opens no chat: the bot can write first only where a chat is stored. Such a
    member is named as not reached, and their message is queued for "no chat" (looked up, installed for, mailed),
    not for a Teams chat that does not exist."""
    april = _meetings(demo)[2]
    leader.click(Button(label="Skicka", action="notice.send", values={"meeting_id": april.id}))
    (question,) = leader.say("ställ in träffen 8/4")
    with session_scope(demo) as s:  # all but Stina talk to the bot in Slack; Stina's AAD id came with the roster
        bild = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        for n, person in enumerate(team_members(s, bild.id or 0, april.school_year_id)):
            person.slack_user_id = None if person.name == "Stina Sehlstedt" else f"UBILD{n:03d}"
            if person.name == "Stina Sehlstedt":
                person.teams_user_id = "00000000-0000-0000-0000-00000000057a"
    (done,) = leader.click(question.buttons[0])
    assert done.text == (
        "Träffen är inställd. 4 medlemmar har fått veta det. Stina Sehlstedt nås inte av boten (ingen chatt med "
        "den): berätta det själv för hen."
    )
    with Session(demo) as s:
        stina = s.exec(select(Person).where(Person.name == "Stina Sehlstedt")).one()
    (to_stina,) = [m for m in _sent(leader, "meeting_cancelled") if m.recipient_id == stina.id]
    assert to_stina.channel == "log"


def test_cancelling_a_meeting_whose_notice_was_never_sent_tells_only_the_leaders(leader: Chat, demo: sa.Engine) -> None:
    """Issue 17, B3: the members were never told of it, so no "Inställd" and no cancelling invite reach them."""
    april = _meetings(demo)[2]
    assert april.notice_sent_at is None
    (question,) = leader.say("ställ in träffen 8/4")
    assert isinstance(question, ChoicesReply)
    assert "Kallelsen har inte skickats" in question.text and "Alla medlemmar" not in question.text
    (done,) = leader.click(question.buttons[0])
    assert done.text == (
        "Träffen är inställd. Kallelsen skickades aldrig, så medlemmarna behöver inte få veta något; "
        "1 annan ledare har fått veta det."
    )
    cancels = _sent(leader, "meeting_cancelled")
    assert _emails(demo, cancels) == {"petter.backman@example.org"}  # the other leader, and nobody else
    assert "attachments" not in cancels[0].payload
    assert cancels[0].payload["text"].startswith("Cancelled: Bild, form och skapande's meeting Thursday 8 April")  # en
    with Session(demo) as s:
        assert s.get(Meeting, april.id).cancelled_at is not None


def test_first_meeting_of_the_year_is_marked_automatically(demo: sa.Engine) -> None:
    from domain import meetings as rules
    from storage.models import Region

    team = _bild(demo)
    with Session(demo) as s:
        region = s.exec(select(Region)).one()
        actor = s.exec(select(Person).where(Person.email == LEADER)).one()
        now = dtm.datetime(2027, 6, 1, tzinfo=dtm.UTC)
        base: dict[str, Any] = {
            "team_id": team.id,
            "year": "2027/28",
            "kind": "digital",
            "link": "https://example.org/m",
        }
        later = rules.schedule(
            s,
            draft=rules.MeetingDraft(**base, day=dtm.date(2027, 11, 4), start=dtm.time(9), end=dtm.time(12)),
            region=region,
            actor=actor,
            now=now,
        )
        assert later.first_of_year is True
        earlier = rules.schedule(
            s,
            draft=rules.MeetingDraft(**base, day=dtm.date(2027, 9, 9), start=dtm.time(9), end=dtm.time(12)),
            region=region,
            actor=actor,
            now=now,
        )
        assert earlier.first_of_year is True and later.first_of_year is False
        rules.cancel(s, meeting=earlier, actor=actor, now=now)
        assert later.first_of_year is True and earlier.first_of_year is False


def test_absences_in_my_team(leader: Chat, chat_as) -> None:
    chat_as("alva.jonsson@example.org").say_yes("jag kan inte komma 11/2")
    (card,) = leader.say("vilka är frånvarande?")
    assert isinstance(card, CardReply)
    facts = dict(card.facts)
    assert facts["Bild, form och skapande, torsdag 11 februari"] == "Alva Jonsson"


def _after_february(clock: Clock) -> None:
    clock.now = dtm.datetime(2027, 2, 12, 9, 0, tzinfo=dtm.UTC)


def test_log_notes_preview_and_distribute_once(leader: Chat, demo: sa.Engine, clock: Clock) -> None:
    _after_february(clock)
    february = _meetings(demo)[1]
    replies = leader.say("logga anteckningar")
    assert isinstance(replies[0], FormReply) and replies[0].fields[0].kind == "multiline"
    body = "Vi gick igenom vårens projekt.\nNästa gång: ta med noter."
    (link_question,) = leader.say(body)
    assert isinstance(link_question, ChoicesReply)
    with Session(demo) as s:
        draft = s.exec(select(Note).where(Note.meeting_id == february.id)).one()  # saved, not lost
        assert draft.body == body
    (preview,) = leader.say("https://example.org/anteckningar")
    assert isinstance(preview, CardReply) and preview.text == body
    assert leader.outbox() == []
    leader.click(preview.buttons[0])
    sent = _sent(leader, "notes")
    assert _emails(demo, sent) >= {COORDINATOR, LEADER, "alva.jonsson@example.org"}
    assert len(sent) == BILD_MEMBERS + 1
    card = _replies(sent[0])[0]
    assert isinstance(card, CardReply) and card.text == body
    assert ("Länk", "https://example.org/anteckningar") in card.facts or (
        "Link",
        "https://example.org/anteckningar",
    ) in card.facts

    leader.click(preview.buttons[0])  # the same notes confirmed twice
    assert len(_sent(leader, "notes")) == BILD_MEMBERS + 1
    with Session(demo) as s:
        assert s.get(Meeting, february.id).notes_distributed_at == clock.now


def test_notes_of_100000_characters_are_refused_and_nothing_is_sent(
    leader: Chat, demo: sa.Engine, clock: Clock
) -> None:
    _after_february(clock)
    february = _meetings(demo)[1]
    leader.say("logga anteckningar")
    reply, form, _ = leader.say("x" * 100_000)  # the reason, then the notes form again
    assert isinstance(reply, TextReply) and "100000" in reply.text
    assert isinstance(form, FormReply)
    with Session(demo) as s:
        assert s.exec(select(Note).where(Note.meeting_id == february.id)).first() is None
    assert leader.outbox() == []
    (link_question,) = leader.say("Kortare anteckningar.")  # the step is still waiting for the notes
    assert isinstance(link_question, ChoicesReply)


def test_notes_through_the_form(leader: Chat, demo: sa.Engine, clock: Clock) -> None:
    _after_february(clock)
    february = _meetings(demo)[1]
    reason, link_question = leader.click(
        Button(
            label="Förhandsgranska",
            action="notes.submit",
            values={"meeting_id": february.id, "body": "Rad ett\nRad två", "link": "ftp://x"},
        )
    )  # the notes are saved; the link is asked for again, with "no link" as a button
    assert isinstance(reason, TextReply) and "https://" in reason.text
    assert isinstance(link_question, ChoicesReply) and len(link_question.buttons) == 1
    (preview,) = leader.click(
        Button(
            label="x", action="notes.submit", values={"meeting_id": february.id, "body": "Rad ett\nRad två", "link": ""}
        )
    )
    assert isinstance(preview, CardReply) and preview.text == "Rad ett\nRad två"
    # edited after the preview was shown: the old preview's button does not send the old text
    leader.click(
        Button(label="x", action="notes.submit", values={"meeting_id": february.id, "body": "Ny text", "link": ""})
    )
    replies = leader.click(preview.buttons[0])
    assert leader.outbox() == [] and isinstance(replies[-1], CardReply) and replies[-1].text == "Ny text"


def test_confirm_the_framework_review(leader: Chat, demo: sa.Engine) -> None:
    september = _meetings(demo)[0]
    with Session(demo) as s:
        meeting = s.get(Meeting, september.id)
        assert meeting is not None
        meeting.framework_reviewed_at = None
        s.commit()
    (done,) = leader.say_yes("vi har gått igenom ramarna")
    assert isinstance(done, TextReply)
    (again,) = leader.say("bekräfta genomgång av ramarna")
    assert isinstance(again, TextReply) and again.text != done.text
    with Session(demo) as s:
        assert s.get(Meeting, september.id).framework_reviewed_at is not None
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "meeting.framework_reviewed")).all()) == 1


def test_leader_help_and_the_meeting_cards(leader: Chat) -> None:
    replies = leader.say("hjälp")
    labels = [b.label for b in buttons_of(replies)]
    assert "Mitt ämneslag" in labels and len(labels) == 12  # the last: "Närvaro och kostnad"
    (card,) = [r for r in leader.click(buttons_of(replies)[6]) if isinstance(r, CardReply)][:1]
    assert card.title.startswith("Bild, form och skapande")


def test_a_double_click_sends_the_notice_once(chat_as, demo: sa.Engine) -> None:
    """Two presses of "send notice" at once (a double click, two devices): each member is told once."""
    february = _meetings(demo)[1]
    assert february.notice_sent_at is None
    presses = [chat_as(LEADER, conversation=f"device-{n}") for n in range(2)]
    together = threading.Barrier(2)

    def press(chat: Chat) -> list[Any]:
        together.wait()
        return chat.click(Button(label="x", action="notice.send", values={"meeting_id": february.id}))

    with ThreadPoolExecutor(2) as pool:
        answers = [text for replies in pool.map(press, presses) for text in (r.text for r in replies)]
    with Session(demo) as s:
        members = len(s.exec(select(OutboxMessage.recipient_id).where(OutboxMessage.kind == "meeting_notice")).all())
        sent = s.exec(select(AuditLog).where(AuditLog.action == "meeting.notice_sent")).all()
    assert len(sent) == 1
    assert members == 5  # Bild's five members, once each
    assert sum(1 for text in answers if text and text.startswith("Skickat")) == 1, answers


def test_the_leader_is_told_the_years_meetings_are_over(leader: Chat, clock: Clock) -> None:
    clock.now = dtm.datetime(2027, 5, 20, 8, 0, tzinfo=dtm.UTC)  # April's meeting is more than 30 days ago
    (reply,) = leader.click(Button(label="Mina träffar", action="leader.meetings", values={}))
    assert isinstance(reply, ChoicesReply)
    assert reply.text == "Läsårets träffar i Bild, form och skapande är slut: 3 träffar, den sista torsdag 8 april."


def test_a_meeting_beyond_the_years_goal_is_warned_of_in_the_preview_not_refused(leader: Chat, demo: sa.Engine) -> None:
    """Bild, form och skapande has its three meetings of 2026/27; a fourth is above the region's goal of 2-3."""
    leader.say("boka en fysisk träff 11 mars")
    leader.say("Lycksele")
    card = next(r for r in leader.say("9-15") if isinstance(r, CardReply))
    assert (
        "Obs: Bild, form och skapande har redan 3 träffar läsåret 2026/27, och målet är 2–3 om året. "
        "Du kan ändå spara träffen." in (card.text or "")
    )
    leader.press("Spara träffen")
    assert len(_meetings(demo)) == 4


def test_a_member_who_reads_english_gets_the_invite_in_english(leader: Chat, demo: sa.Engine) -> None:
    february = _meetings(demo)[1]
    with session_scope(demo) as s:
        alva = s.exec(select(Person).where(Person.email == "alva.jonsson@example.org")).one()
        alva.language = "en"
        alva_id = alva.id
    leader.click(Button(label="Skicka", action="notice.send", values={"meeting_id": february.id}))
    notices = _sent(leader, "meeting_notice")
    (english,) = [m for m in notices if m.recipient_id == alva_id]
    with Session(demo) as s:
        swedish = next(m for m in notices if (p := s.get(Person, m.recipient_id)) is not None and p.language == "sv")
    assert str(_event(_invite(english))["summary"]) == "Bild, form och skapande: subject team meeting"
    assert english.payload["attachments"][0]["filename"].startswith("notice-bild-form-och-skapande-")
    assert str(_event(_invite(swedish))["summary"]).startswith("Bild, form och skapande: ")
    assert swedish.payload["attachments"][0]["filename"].startswith("kallelse-")


def test_another_date_is_picked_in_a_calendar_and_a_past_one_is_refused_at_it(leader: Chat, clock: Clock) -> None:
    (question,) = leader.say("boka träff")
    assert isinstance(question, ChoicesReply) and question.buttons[-1].label == "Välj datum …"
    form, typed = leader.press("Välj datum …")
    assert isinstance(form, FormReply) and isinstance(typed, TextReply)  # typed where a channel has no forms
    assert (form.short_title, form.close, form.submit.label) == ("Träffens datum", "Avbryt", "Nästa")
    assert form.title == "Datum för träffen i Bild, form och skapande"
    (field,) = form.fields
    assert field.kind == "date" and field.name == "picked_day"

    def submitted(day: str) -> Incoming:
        values = {**form.submit.values, "picked_day": day}
        return Incoming(
            person_id=leader.person_id, channel="slack", conversation_id="m", action=form.submit.action, values=values
        )

    assert leader.dialogs.form_problems(submitted("2026-01-07")) == {
        "picked_day": "Det datumet har redan varit; en träff måste ligga framåt i tiden."
    }
    assert leader.dialogs.form_problems(submitted("2027-03-18")) == {}
    kind = leader.dialogs.handle(submitted("2027-03-18"))
    assert isinstance(kind[0], ChoicesReply) and [b.label for b in kind[0].buttons] == ["Fysisk träff", "Digital träff"]
    assert kind[0].buttons[0].values["day"] == "2027-03-18" and "pick_day" not in kind[0].buttons[0].values


def test_another_time_is_picked_on_two_clocks_and_an_end_before_the_start_is_refused_at_it(leader: Chat) -> None:
    leader.say("boka träff 18 mars i Lycksele")
    (question,) = leader.last
    assert isinstance(question, ChoicesReply) and question.text.startswith("Vilken tid?")
    assert question.buttons[-1].label == "Annan tid …"
    form, typed = leader.press("Annan tid …")
    assert isinstance(form, FormReply) and isinstance(typed, TextReply)  # typed where a channel has no forms
    assert (form.short_title, form.close, form.submit.label) == ("Träffens tid", "Avbryt", "Nästa")
    assert form.title == "Tid för träffen i Bild, form och skapande"
    assert [(f.name, f.kind, f.value) for f in form.fields] == [
        ("picked_start", "time", "09:00"),
        ("picked_end", "time", "15:00"),
    ]

    def submitted(start: str, end: str) -> Incoming:
        values = {**form.submit.values, "picked_start": start, "picked_end": end}
        return Incoming(
            person_id=leader.person_id, channel="slack", conversation_id="m", action=form.submit.action, values=values
        )

    assert leader.dialogs.form_problems(submitted("16:00", "13:00")) == {
        "picked_end": "Träffen måste sluta efter att den har börjat."
    }
    assert leader.dialogs.form_problems(submitted("", "13:00")) == {"picked_start": "Välj en tid."}
    assert leader.dialogs.form_problems(submitted("13:15", "16:45")) == {}
    again = leader.dialogs.handle(submitted("16:00", "13:00"))  # sent anyway (a channel without field errors)
    assert isinstance(again[0], TextReply) and again[0].text == "Träffen måste sluta efter att den har börjat."
    assert isinstance(again[1], FormReply) and again[1].title == form.title  # the clocks again, not the buttons
    preview = leader.dialogs.handle(submitted("13:15", "16:45"))
    shown = " ".join(str(r) for r in preview)
    assert "13.15–16.45" in shown
    assert all("pick_time" not in b.values for b in buttons_of(preview))
