"""The groups beyond the subject teams, in Västerbotten's demo region: the coordinator's meetings with the
team leaders ("kallar de regionala ämneslagledarna till samordningsmöten", 000)."""

from __future__ import annotations

import datetime as dtm
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dialogs.types import Button
from domain import groups
from domain.coordination import appoint_leader
from storage.db import session_scope
from storage.models import Leadership, Meeting, OutboxMessage, Person, PersonRole, SchoolYear, Team
from tests.dialogs.conftest import NOW, TEACHER, text_of

COORDINATOR = "kalle.forsberg@example.org"
BILD_LEADER = "jonas.sundqvist@example.org"
COORDINATION = "Ämneslagsledarnas samordning"


def _coordination_meeting(demo: sa.Engine) -> int:
    """The coordinator leads the coordination group and has a digital meeting with the leaders on 9 December."""
    with session_scope(demo) as s:
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2026/27")).one()
        kalle = s.exec(select(Person).where(Person.email == COORDINATOR)).one()
        team = s.exec(select(Team).where(Team.name == COORDINATION)).one()
        appoint_leader(s, team=team, year=year, person=kalle, replacing=None, actor=kalle, now=NOW)
        assert team.id is not None and year.id is not None
        meeting = Meeting(
            team_id=team.id,
            school_year_id=year.id,
            starts_at=dtm.datetime(2026, 12, 9, 14, tzinfo=dtm.UTC),
            ends_at=dtm.datetime(2026, 12, 9, 15, tzinfo=dtm.UTC),
            kind="digital",
            link="https://meet.example.org/samordning",
        )
        s.add(meeting)
        s.flush()
        assert meeting.id is not None
        return meeting.id


def test_the_coordination_group_is_the_years_team_leaders(demo: sa.Engine) -> None:
    _coordination_meeting(demo)
    with Session(demo) as s:
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2026/27")).one()
        team = s.exec(select(Team).where(Team.name == COORDINATION)).one()
        assert year.id is not None
        leading = set(
            s.exec(
                select(Person.email)
                .join(Leadership, col(Leadership.person_id) == Person.id)
                .join(Team, col(Team.id) == Leadership.team_id)
                .where(Leadership.school_year_id == year.id, Team.kind == "subject_team")
            ).all()
        )
        members = {p.email for p in groups.members(s, team, year.id)}
    assert leading and members == leading | {COORDINATOR}


def test_a_team_leader_gets_the_coordinators_notice_and_reports_absence_as_from_any_meeting(
    demo: sa.Engine, chat_as: Any
) -> None:
    meeting_id = _coordination_meeting(demo)
    kalle = chat_as(COORDINATOR)
    kalle.say("skicka kallelse")
    sent = text_of(kalle.last)
    assert "Ämneslagsledarnas samordning" in sent
    with Session(demo) as s:
        jonas_id = s.exec(select(Person.id).where(Person.email == BILD_LEADER)).one()
    kalle.say("1")
    notices = [m for m in kalle.outbox() if m.kind == "meeting_notice"]
    assert jonas_id in {m.recipient_id for m in notices}
    jonas = chat_as(BILD_LEADER)
    assert "Ämneslagsledarnas samordning" in text_of(jonas.say("kommande träffar"))
    assert "Anmäla frånvaro från Ämneslagsledarnas samordning" in text_of(jonas.say("jag kan inte komma 9 december"))
    answer = text_of(jonas.say("ja"))
    assert "Ämneslagsledarnas samordning" in answer and "är anmäld" in answer
    with Session(demo) as s:
        told = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "absence_reported")).all()
        kalle_id = s.exec(select(Person.id).where(Person.email == COORDINATOR)).one()
    assert kalle_id in {m.recipient_id for m in told} and meeting_id


def test_the_may_reminder_lets_a_teacher_stay_in_their_team_in_one_click(demo: sa.Engine, chat_as: Any) -> None:
    """3 May 2027: Alva is in Bild, form och skapande in 2026/27 and has not chosen for 2027/28."""
    from dialogs.types import buttons_of, load_replies
    from scheduler.sweep import sweep
    from storage.models import Membership

    sweep(demo, dtm.datetime(2027, 5, 3, 8, tzinfo=dtm.UTC))
    alva = chat_as(TEACHER)
    reminder = next(m for m in alva.outbox() if m.kind == "reminder.team_choice" and m.recipient_id == alva.person_id)
    stay = buttons_of(load_replies(reminder.payload["replies"]))[0]
    assert stay.label == "Stanna i Bild, form och skapande"
    answer = text_of(alva.click(stay))
    assert "Klart: du är med i Bild, form och skapande läsåret 2027/28." in answer
    with Session(demo) as s:
        coming = s.exec(select(SchoolYear).where(SchoolYear.label == "2027/28")).one()
        chosen = s.exec(
            select(Membership).where(Membership.person_id == alva.person_id, Membership.school_year_id == coming.id)
        ).one()
        team = s.get(Team, chosen.team_id)
    assert team is not None and team.name == "Bild, form och skapande" and chosen.confirmed_at is None


def test_the_host_schools_manager_confirms_the_room_in_one_click(demo: sa.Engine, chat_as: Any) -> None:
    """Jonas books Bild's meeting at Lycksele on 11 March; Lycksele's manager arranges the room."""
    from dialogs.types import CardReply, buttons_of, load_replies

    jonas = chat_as(BILD_LEADER)
    jonas.say("jag vill planera en ny träff")
    jonas.say("11 mars")
    jonas.click(buttons_of(jonas.last)[0])  # physical
    jonas.say("Lycksele")
    jonas.say("13-16")
    jonas.click(buttons_of(jonas.last)[0])  # save
    (booked,) = [m for m in jonas.outbox() if m.kind == "host_booked"]
    card = load_replies(booked.payload["replies"])[0]
    assert (
        isinstance(card, CardReply)
        and card.title == "Bild, form och skapande träffas på Lycksele Musikskola torsdag 11 mars"
    )
    host = chat_as(COORDINATOR)  # anyone else pressing it is refused
    assert "Bara en chef på värdskolan" in text_of(host.click(buttons_of([card])[0]))
    with Session(demo) as s:
        manager = s.get(Person, booked.recipient_id)
        assert manager is not None
    lycksele = chat_as(manager.email)
    done = text_of(lycksele.click(buttons_of([card])[0]))
    assert done == (  # the demo's leaders have no chat, so the bot says it did not reach them
        "Tack: lokalen är bekräftad. Jonas Sundqvist och Petter Backman nås inte av boten (ingen chatt med den): "
        "berätta det själv för dem."
    )
    assert "redan bekräftad" in text_of(lycksele.click(buttons_of([card])[0]))  # a double click: once
    told = [m.recipient_id for m in jonas.outbox() if m.kind == "host_room"]
    assert jonas.person_id in told and len(told) == 2  # Bild's two leaders, once each
    with Session(demo) as s:
        meeting = s.exec(select(Meeting).where(col(Meeting.room_confirmed_at).is_not(None))).one()
        assert meeting.place == "Lycksele Musikskola"


def test_the_coordinator_records_the_revised_framework_and_leaders_and_managers_are_told(
    demo: sa.Engine, chat_as: Any
) -> None:
    from dialogs.types import Button, buttons_of
    from scheduler.sweep import sweep

    kalle = chat_as(COORDINATOR)
    asked = text_of(kalle.click(Button(label="x", action="framework.revised", values={"year": "2027/28"})))
    assert "Vilken version av Ramar för de regionala ämneslagen gäller från 2027/28?" in asked
    assert "Det är ingen webblänk" not in text_of(kalle.say("2026-2027"))
    assert "Det är ingen webblänk" in text_of(kalle.say("intranätet"))
    preview = kalle.say("https://region.example.org/ramar-2026-2027.pdf")
    assert "Registrera version 2026-2027 av Ramar för de regionala ämneslagen för 2027/28" in text_of(preview)
    done = text_of(kalle.click(buttons_of(preview)[0]))
    assert done.startswith("Noterat: ramarna är reviderade för läsåret 2027/28.")
    told = [m for m in kalle.outbox() if m.kind == "framework_revised"]
    assert told and all(
        "Ramar för de regionala ämneslagen, version 2026-2027" in m.payload["text"]
        and m.payload["text"].endswith(" https://region.example.org/ramar-2026-2027.pdf")
        for m in told
    )
    assert (
        "Ramarna är reviderade inför 2027/28: Ramar för de regionala ämneslagen, version 2026-2027. "
        "https://region.example.org/ramar-2026-2027.pdf"
    ) in {m.payload["text"] for m in told}
    with Session(demo) as s:
        roles = {
            r for m in told for r in s.exec(select(PersonRole.role).where(PersonRole.person_id == m.recipient_id)).all()
        }
        leading = {
            m.recipient_id
            for m in told
            if s.exec(select(Leadership).where(Leadership.person_id == m.recipient_id)).first() is not None
        }
    assert "manager" in roles and leading  # the managers, and the team leaders
    # the demo's people have no chat: none is counted as told, and each is named as not reached
    assert "har fått veta det" not in done and "nås inte av boten" in done
    with Session(demo) as s:
        assert all(p.name in done for m in told if (p := s.get(Person, m.recipient_id)) is not None)
    report = sweep(demo, dtm.datetime(2027, 5, 3, 8, tzinfo=dtm.UTC))
    assert "framework_revision" not in {r.rule for r in report.reminders}  # revised: the yearly reminder is quiet


def test_a_members_item_and_the_coordinators_question_go_with_the_next_notice_once(
    demo: sa.Engine, chat_as: Any
) -> None:
    """Alva asks for the spring concert on Bild's next meeting; Kalle puts a question on every team's; Jonas finds
    both in the notice's preview, the notice carries them, and the next notice does not carry them again."""
    from dialogs.types import CardReply, buttons_of, load_replies

    alva = chat_as(TEACHER)
    question = alva.say("kan vi ta upp vårkonserten på nästa träff?")  # typed: confirmed before it is saved
    assert text_of(question).startswith('Lägga "vårkonserten" på nästa träff i Bild, form och skapande?')
    asked = text_of(alva.click(buttons_of(question)[0]))
    assert asked.startswith('Tack: "vårkonserten" finns med på nästa träff i Bild, form och skapande')
    kalle = chat_as(COORDINATOR)
    preview = kalle.say("en fråga till alla ämneslag: hur går rekryteringen?")
    assert 'Lägga "hur går rekryteringen?" på nästa träff i alla 12 ämneslag?' in text_of(preview)
    assert text_of(kalle.click(buttons_of(preview)[0])).startswith("Klart: frågan finns med på nästa träff i 12")
    assert "redan" in text_of(kalle.click(buttons_of(preview)[0]))  # a double click adds nothing
    jonas = chat_as(BILD_LEADER)
    with Session(demo) as s:
        bild = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        ahead = s.exec(
            select(Meeting).where(
                Meeting.team_id == bild.id, col(Meeting.notice_sent_at).is_(None), Meeting.starts_at > NOW
            )
        ).all()
    first, later = sorted(ahead, key=lambda m: m.starts_at)[:2]
    (card,) = jonas.click(Button(label="x", action="notice.preview", values={"meeting_id": first.id}))
    assert isinstance(card, CardReply)
    on_agenda = dict(card.facts)["På dagordningen"]
    assert on_agenda == "– vårkonserten (Alva Jonsson)\n– hur går rekryteringen? (Kalle Forsberg)"
    jonas.click(buttons_of([card])[0])
    notices = [m for m in jonas.outbox() if m.kind == "meeting_notice"]
    first_card = load_replies(notices[0].payload["replies"])[0]
    assert isinstance(first_card, CardReply)
    facts = dict(first_card.facts)
    assert facts["På dagordningen"] == on_agenda
    (second,) = jonas.click(Button(label="x", action="notice.preview", values={"meeting_id": later.id}))
    assert isinstance(second, CardReply) and "På dagordningen" not in dict(second.facts)  # carried once


def test_the_coordinator_moves_a_teacher_mid_year_and_both_teams_leaders_are_told(
    demo: sa.Engine, chat_as: Any
) -> None:
    from dialogs.types import buttons_of

    kalle = chat_as(COORDINATOR)
    assert "Skriv namnet" in text_of(kalle.click(Button(label="x", action="move.start", values={})))
    (person,) = buttons_of(kalle.say("Alva Jonsson"))
    assert person.label == "Alva Jonsson (Bild, form och skapande)"
    teams = buttons_of(kalle.click(person))
    dans = next(b for b in teams if b.label == "Dans")
    question = kalle.click(dans)
    assert text_of(question).startswith("Flytta Alva Jonsson från Bild, form och skapande till Dans resten av läsåret")
    done = text_of(kalle.click(buttons_of(question)[0]))
    assert done.startswith("Klart: Alva Jonsson är med i Dans från och med nu.")
    assert "redan med i Dans" in text_of(kalle.click(buttons_of(question)[0]))  # a double click moves once
    alva = chat_as(TEACHER)
    assert "Dans" in text_of(alva.say("mitt ämneslag"))
    moved = [m for m in kalle.outbox() if m.kind == "membership_moved"]
    with Session(demo) as s:
        bild, dans_team = (
            s.exec(select(Team).where(Team.name == name)).one() for name in ("Bild, form och skapande", "Dans")
        )
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2026/27")).one()
        leading = set(
            s.exec(
                select(Leadership.person_id).where(
                    col(Leadership.team_id).in_([bild.id, dans_team.id]), Leadership.school_year_id == year.id
                )
            ).all()
        )
    assert {m.recipient_id for m in moved} == leading | {alva.person_id}


def test_the_coordinators_weekly_digest_is_opt_in_and_comes_once_a_week(demo: sa.Engine, chat_as: Any) -> None:
    from dialogs.types import CardReply, buttons_of, load_replies
    from scheduler.sweep import sweep

    kalle = chat_as(COORDINATOR)
    monday = dtm.datetime(2026, 11, 30, 8, tzinfo=dtm.UTC)
    assert "coordinator_digest" not in {r.rule for r in sweep(demo, monday, dry_run=True).reminders}  # asked for
    toggle = next(b for b in buttons_of(kalle.say("hjälp")) if b.label == "Veckobrev: av")
    assert text_of(kalle.click(toggle)).startswith("Veckobrevet är på")
    jonas = chat_as(BILD_LEADER)  # last week (from Monday 23 November), Bild's February notice went out
    with Session(demo) as s:
        february = s.exec(
            select(Meeting)
            .join(Team, col(Team.id) == Meeting.team_id)
            .where(
                Team.name == "Bild, form och skapande", col(Meeting.notice_sent_at).is_(None), Meeting.starts_at > NOW
            )
        ).first()
        assert february is not None
    (preview,) = jonas.click(Button(label="x", action="notice.preview", values={"meeting_id": february.id}))
    jonas.click(buttons_of([preview])[0])
    report = sweep(demo, monday)
    assert [r.rule for r in report.reminders if r.rule == "coordinator_digest"] == ["coordinator_digest"]
    (digest,) = [m for m in kalle.outbox() if m.kind == "reminder.coordinator_digest"]
    card = load_replies(digest.payload["replies"])[0]
    assert isinstance(card, CardReply) and card.title == "Vecka 49: ämneslagen sedan måndag 23 november"
    assert any(team == "Bild, form och skapande" and "kallelse till" in what for team, what in card.facts)
    tuesday = monday + dtm.timedelta(days=1)
    assert "coordinator_digest" not in {r.rule for r in sweep(demo, tuesday).reminders}  # once a week
    off = next(b for b in buttons_of(kalle.say("hjälp")) if b.label == "Veckobrev: på")
    assert text_of(kalle.click(off)).startswith("Veckobrevet är avstängt")
    next_monday = monday + dtm.timedelta(days=7)
    assert "coordinator_digest" not in {r.rule for r in sweep(demo, next_monday, dry_run=True).reminders}
