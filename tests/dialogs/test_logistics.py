"""Regional logistics end to end: travel in the leader's preview, attendance, the cost split, the invoice basis.

The demo's Piano/keyboard team is spread over Lycksele (the leader Albin Hedlund), Umeå (two) and
Skellefteå (two); its September meeting (held, physical) was hosted by Nordmalings Musikskola.
"""

from __future__ import annotations

import datetime as dtm
import json

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.cli import main
from bot.console import render
from dialogs.types import Button, CardReply, FormReply, Incoming, buttons_of, load_replies
from domain.status import build_status
from scheduler.sweep import sweep
from storage import schoolyear
from storage.db import session_scope
from storage.directory import only_region, person_by_email
from storage.models import (
    Absence,
    Attendance,
    AuditLog,
    Meeting,
    MeetingCost,
    Membership,
    OutboxMessage,
    Person,
    PersonRole,
    School,
    Team,
)
from tests.dialogs.conftest import Chat, Clock, text_of

LEADER = "albin.hedlund@example.org"  # leads Piano/keyboard, Lycksele
HOST_MANAGER = "sara.stromberg@example.org"  # Nordmalings Musikskola hosted Piano's September meeting
UMEA_MANAGER = "pontus.ronnlund@example.org"
TEACHER = "alva.jonsson@example.org"
COORDINATOR = "kalle.forsberg@example.org"
PIANO = "Piano/keyboard"


def _meetings(db: sa.Engine, team: str = PIANO) -> list[Meeting]:
    with Session(db) as s:
        team_id = s.exec(select(Team.id).where(Team.name == team)).one()
        return list(s.exec(select(Meeting).where(Meeting.team_id == team_id).order_by(col(Meeting.starts_at))).all())


def _september(db: sa.Engine) -> Meeting:
    return _meetings(db)[0]


def _person(db: sa.Engine, email: str) -> Person:
    with Session(db) as s:
        person = person_by_email(s, email)
        assert person is not None
        return person


def _press(chat: Chat, action: str, **values: object) -> list:
    return chat.click(Button(label="-", action=action, values=values))


def _labels(replies: list) -> list[str]:
    return [b.label for b in buttons_of(replies)]


def _outbox(db: sa.Engine, kind: str) -> list[OutboxMessage]:
    with Session(db) as s:
        return list(
            s.exec(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(col(OutboxMessage.id))).all()
        )


def _add_sorsele_member(db: sa.Engine) -> None:
    with session_scope(db) as s:
        region = only_region(s)
        sorsele = s.exec(select(School).where(School.municipality == "Sorsele")).one()
        piano = s.exec(select(Team).where(Team.name == PIANO)).one()
        person = Person(
            email="saga.sorsele@example.org", name="Saga Sorsele", region_id=region.id or 0, school_id=sorsele.id
        )
        s.add(person)
        s.flush()
        s.add(PersonRole(person_id=person.id or 0, role="teacher"))
        year = schoolyear.get_or_create(s, "2026/27")
        s.add(Membership(person_id=person.id or 0, school_year_id=year.id or 0, team_id=piano.id or 0))


def _schedule_at(leader: Chat, place: str) -> list:
    leader.say("boka en fysisk träff 12/3")
    leader.say(place)
    return leader.say("9-15")


# Travel in the preview ------------------------------------------------------------------------


def test_the_preview_shows_the_longest_trip_and_that_the_goal_holds(chat_as) -> None:
    leader = chat_as(LEADER)
    preview = _schedule_at(leader, "Skellefteå")
    card = next(r for r in preview if isinstance(r, CardReply))
    facts = dict(card.facts)
    assert facts["Längsta resan"].startswith(
        "27,4\u00a0mil (274\u00a0km) tur och retur från Lycksele Musikskola (uppskattning: fågelvägen × 1,25)"
    )
    assert facts["Mål för resor"] == "håller: ingen reser mer än 40\u00a0mil tur och retur"
    assert "Ingen annan värdskola ger medlemmarna en kortare längsta resa." in (card.text or "")
    assert _labels(preview) == ["Spara träffen", "Börja om"]


def test_without_meeting_goals_in_the_framework_no_travel_goal_is_claimed(chat_as, demo: sa.Engine) -> None:
    from storage.framework import change_setting
    from storage.models import Region

    _add_sorsele_member(demo)
    with session_scope(demo) as s:
        region = s.exec(select(Region).where(Region.key == "vasterbotten")).one()
        change_setting(s, region, "duties.meeting_goals", "false")
    preview = _schedule_at(chat_as(LEADER), "Umeå")
    card = next(r for r in preview if isinstance(r, CardReply))
    assert dict(card.facts)["Längsta resan"].startswith(
        "57,3\u00a0mil (573\u00a0km) tur och retur från Sorsele Kulturskola"
    )
    assert "Mål för resor" not in dict(card.facts) and "Över målet" not in (card.text or "")


def test_a_member_in_sorsele_gives_a_warning_and_a_better_host_by_button(chat_as, demo: sa.Engine) -> None:
    _add_sorsele_member(demo)
    leader = chat_as(LEADER)
    preview = _schedule_at(leader, "Umeå")
    card = next(r for r in preview if isinstance(r, CardReply))
    assert dict(card.facts)["Längsta resan"].startswith(
        "57,3\u00a0mil (573\u00a0km) tur och retur från Sorsele Kulturskola"
    )
    assert "Över målet för resor (40\u00a0mil tur och retur): Sorsele Kulturskola (57,3\u00a0mil)." in (card.text or "")
    hosts = [label for label in _labels(preview) if label.startswith("Värd:")]
    assert hosts[0] == "Värd: Lycksele Musikskola (längst 29,1\u00a0mil)"
    assert len(hosts) == 3
    again = leader.press(hosts[0])
    card = next(r for r in again if isinstance(r, CardReply))
    facts = dict(card.facts)
    assert facts["Var"] == "Lycksele Musikskola" and facts["Mål för resor"].startswith("håller")
    leader.press("Spara träffen")
    with Session(demo) as s:
        saved = s.exec(select(Meeting).order_by(col(Meeting.id).desc())).first()
        lycksele = s.exec(select(School).where(School.municipality == "Lycksele")).one()
    assert saved is not None and saved.host_school_id == lycksele.id


def test_a_place_that_is_no_school_says_the_distance_is_unknown(chat_as) -> None:
    leader = chat_as(LEADER)
    card = next(r for r in _schedule_at(leader, "Hotell Aurum") if isinstance(r, CardReply))
    assert "Jag kan inte säga hur långt medlemmarna har till Hotell Aurum" in (card.text or "")
    assert any(label.startswith("Värd: Skellefteå Kulturskola") for label in _labels([card]))


def test_a_digital_preview_has_no_travel(chat_as) -> None:
    leader = chat_as(LEADER)
    leader.say("boka en digital träff 12/3")
    leader.say("https://example.org/m")
    card = next(r for r in leader.say("9-15") if isinstance(r, CardReply))
    assert "Längsta resan" not in dict(card.facts) and not any(label.startswith("Värd") for label in _labels([card]))


# Attendance -----------------------------------------------------------------------------------


def test_attendance_ticks_everyone_who_did_not_report_absence(chat_as, demo: sa.Engine) -> None:
    meeting = _september(demo)
    lina = _person(demo, "lina.granlund@example.org")
    with session_scope(demo) as s:
        s.add(Absence(person_id=lina.id or 0, meeting_id=meeting.id or 0))
    leader = chat_as(LEADER)
    replies = leader.say("bekräfta närvaron för pianoträffen 10/9")
    form = next(r for r in replies if isinstance(r, FormReply))
    field = form.fields[0]
    assert field.kind == "checks" and len(field.options) == 5
    ticked = set((field.value or "").split(","))
    assert str(lina.id) not in ticked and len(ticked) == 4
    shown = render(replies)
    assert "[ ] Lina Granlund (Skellefteå Kulturskola)" in shown and "[x] Albin Hedlund (Lycksele Musikskola)" in shown
    assert _labels(replies)[0] == "Bekräfta: 4 var med"
    everyone = text_of(leader.press("Var där: Lina Granlund"))
    assert "Var inte där: ingen." in everyone  # not "-"
    assert "Albin Hedlund, " in everyone and " och " in everyone  # a list in a sentence, ending with "och"
    answer = leader.press("Bekräfta: 5 var med")
    assert text_of(answer).startswith("Sparat: 5 av 5 var med på Piano/keyboard, torsdag 10 september.")
    with Session(demo) as s:
        rows = s.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
        audit = s.exec(select(AuditLog).where(AuditLog.action == "attendance.confirmed")).all()
    assert len(rows) == 5 and all(r.attended for r in rows)
    assert len(audit) == 1 and audit[0].details["before"] is None and len(audit[0].details["after"]["attended"]) == 5


def test_the_form_answer_as_teams_and_slack_send_it(chat_as, demo: sa.Engine) -> None:
    meeting = _september(demo)
    leader = chat_as(LEADER)
    lars, moa = _person(demo, "lars.renberg@example.org"), _person(demo, "moa.lidstrom@example.org")
    outsider = _person(demo, TEACHER)
    answer = _press(leader, "attendance.save", meeting_id=meeting.id, attended=f"{lars.id},{moa.id},{outsider.id},x")
    assert text_of(answer).startswith("Sparat: 2 av 5 var med")  # someone not on the list is ignored
    answer = _press(leader, "attendance.save", meeting_id=meeting.id)  # no answer at all: the card again
    assert any(isinstance(r, FormReply) for r in answer)
    answer = _press(leader, "attendance.save", meeting_id=meeting.id, attended="")  # nobody came
    assert text_of(answer).startswith("Sparat: 0 av 5 var med")
    with Session(demo) as s:
        audit = s.exec(
            select(AuditLog).where(AuditLog.action == "attendance.confirmed").order_by(col(AuditLog.id))
        ).all()
    assert lars.id is not None and moa.id is not None
    assert audit[-1].details["before"]["attended"] == sorted([lars.id, moa.id])
    assert audit[-1].details["after"]["attended"] == []


def test_only_the_teams_leader_confirms_attendance_and_only_after_the_meeting(chat_as, demo: sa.Engine) -> None:
    teacher = chat_as(TEACHER)
    assert "Bara ämneslagsledare bekräftar" in text_of(teacher.say("närvaro"))
    answer = _press(teacher, "attendance.start", meeting_id=_september(demo).id)
    assert text_of(answer) == "Bara ledarna för Piano/keyboard bekräftar vilka som var med på dess träffar."
    april = _meetings(demo)[-1]
    leader = chat_as(LEADER)
    assert text_of(_press(leader, "attendance.start", meeting_id=april.id)) == (
        "Närvaron bekräftas när träffen har ägt rum."
    )
    with Session(demo) as s:
        refused = s.exec(select(AuditLog).where(AuditLog.action == "refused")).all()
    assert {r.entity for r in refused} >= {"attendance.confirm"}


# The cost -------------------------------------------------------------------------------------


def _attended(demo: sa.Engine, *emails: str) -> Meeting:
    meeting = _september(demo)
    with session_scope(demo) as s:
        from domain.logistics import confirm_attendance

        leader = person_by_email(s, LEADER)
        db_meeting = s.get(Meeting, meeting.id)
        assert leader is not None and db_meeting is not None
        ids = {p.id for e in emails if (p := person_by_email(s, e)) is not None and p.id is not None}
        confirm_attendance(s, meeting=db_meeting, attended=ids, actor=leader, now=db_meeting.starts_at)
    return meeting


EVERYONE = (
    "albin.hedlund@example.org",
    "lars.renberg@example.org",
    "moa.lidstrom@example.org",
    "rasmus.olofsson@example.org",
)


def test_the_host_manager_enters_the_cost_and_each_visiting_manager_gets_their_share(chat_as, demo: sa.Engine) -> None:
    meeting = _attended(demo, *EVERYONE)
    with session_scope(demo) as s:  # the visiting schools' managers talk to the bot in Slack
        managers = s.exec(
            select(Person).join(PersonRole, col(PersonRole.person_id) == Person.id).where(PersonRole.role == "manager")
        )
        for n, manager in enumerate(managers.all()):
            manager.slack_user_id = f"UMGR{n:03d}"
    manager = chat_as(HOST_MANAGER)
    preview = manager.say("kostnaden för pianoträffen blev 10 001 kr")
    card = next(r for r in preview if isinstance(r, CardReply))
    assert card.title == "Dela 10\u00a0001\u00a0kr på 4 deltagare?"
    assert dict(card.facts) == {
        "Kulturskolan i Umeå": "2 deltagare · 5\u00a0001\u00a0kr (faktureras)",
        "Lycksele Musikskola": "1 deltagare · 2\u00a0500\u00a0kr (faktureras)",
        "Skellefteå Kulturskola": "1 deltagare · 2\u00a0500\u00a0kr (faktureras)",
    }
    assert "beslutad i chefs- och ledarnätverket" in (card.text or "")
    done = manager.press("Skicka andelarna")
    assert text_of(done).startswith(
        "Klart: 10\u00a0001\u00a0kr är fördelat och de 3 cheferna för de besökande skolorna har fått sina andelar."
    )
    shares = _outbox(demo, "cost_share")
    pontus = _person(demo, UMEA_MANAGER)
    umea = next(m for m in shares if m.recipient_id == pontus.id)
    assert "Er andel: 5\u00a0001\u00a0kr" in umea.payload["text"]
    assert "Era deltagare: Lars Renberg och Moa Lidström" in umea.payload["text"]
    assert "Nordmalings Musikskola fakturerar Kulturskolan i Umeå 5\u00a0001\u00a0kr" in umea.payload["text"]
    assert len(shares) == 3 and umea.payload["origin"] == _person(demo, HOST_MANAGER).id
    assert _outbox(demo, "cost_entered") == []  # the host's manager entered it and saw it
    with Session(demo) as s:
        cost = s.exec(select(MeetingCost)).one()
        audit = s.exec(select(AuditLog).where(AuditLog.action == "meeting_cost.entered")).one()
    assert (cost.meeting_id, cost.total_kr, cost.participants) == (meeting.id, 10001, 4)
    assert sum(share["share_kr"] for share in cost.shares) == 10001
    assert audit.details["before"] is None and audit.details["after"]["total_kr"] == 10001


def test_a_cost_entered_twice_is_answered_and_nothing_goes_out_again(chat_as, demo: sa.Engine) -> None:
    _attended(demo, *EVERYONE)
    leader = chat_as(LEADER)
    leader.say("lägg in kostnaden")
    leader.say("12000")
    send = next(b for b in buttons_of(leader.last) if b.label == "Skicka andelarna")
    leader.click(send)
    leader_sent = len(_outbox(demo, "cost_share")) + len(_outbox(demo, "cost_entered"))
    assert leader_sent == 4  # three visiting managers, and the host's manager gets the basis
    again = leader.click(send)  # the old button, pressed again
    assert text_of(again).startswith(
        "Kostnaden för träffen lades in måndag 23 november av Albin Hedlund: 12\u00a0000\u00a0kr. "
        "Andelarna skickades då"
    )
    manager = chat_as(HOST_MANAGER)
    manager.say("kostnad 9000 kr")
    assert "har redan en: Piano/keyboard, torsdag 10 september (12\u00a0000\u00a0kr)." in text_of(manager.last)
    manager.say("kostnaden för pianoträffen 10/9 blev 9000 kr")  # that meeting, named
    assert "Andelarna skickades då; inget skickas igen" in text_of(manager.last)
    assert len(_outbox(demo, "cost_share")) + len(_outbox(demo, "cost_entered")) == leader_sent
    with Session(demo) as s:
        assert s.exec(select(MeetingCost.total_kr)).all() == [12000]
    locked = _press(leader, "attendance.start", meeting_id=_september(demo).id)
    assert text_of(locked).startswith("Kostnaden för träffen delades efter närvaron")


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("-500", "En kostnad kan inte vara negativ."),
        ("0", "En kostnad på 0 kr ger inget att dela, så inget skickas."),
        ("600 000", "600\u00a0000\u00a0kr är mer än 500\u00a0000\u00a0kr"),
        ("1200,50", "Skriv totalen i hela kronor, till exempel 12\u00a0000."),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_stored(chat_as, demo: sa.Engine, typed: str, answer: str) -> None:
    _attended(demo, *EVERYONE)
    leader = chat_as(LEADER)
    leader.say("kostnad")
    replies = leader.say(typed)
    assert text_of(replies).startswith(answer)
    assert any(isinstance(r, FormReply) for r in replies)  # asked again
    with Session(demo) as s:
        assert s.exec(select(MeetingCost)).all() == []
    assert _outbox(demo, "cost_share") == []


def test_nobody_attending_and_attendance_not_confirmed(chat_as, demo: sa.Engine) -> None:
    meeting = _september(demo)
    manager = chat_as(HOST_MANAGER)
    assert text_of(_press(manager, "cost.start", meeting_id=meeting.id)) == (
        "Ämneslagsledaren har inte bekräftat vilka som var med än, och kostnaden delas på dem som var där."
    )
    leader = chat_as(LEADER)
    first = _press(leader, "cost.start", meeting_id=meeting.id)
    assert text_of(first).startswith("Bekräfta först vilka som var med")
    assert any(isinstance(r, FormReply) for r in first)
    _attended(demo)  # confirmed: nobody came
    assert text_of(_press(manager, "cost.preview", meeting_id=meeting.id, total="5000")).startswith(
        "Enligt den bekräftade närvaron var ingen med"
    )
    with Session(demo) as s:
        assert s.exec(select(MeetingCost)).all() == []


def test_digital_not_yet_held_and_cancelled_meetings_have_no_cost(chat_as, demo: sa.Engine, clock: Clock) -> None:
    _, february, april = _meetings(demo)
    leader = chat_as(LEADER)
    assert text_of(_press(leader, "cost.start", meeting_id=april.id)) == (
        "Kostnaden läggs in efter träffen, och den har inte ägt rum än."
    )
    clock.now = dtm.datetime(2027, 3, 1, 9, tzinfo=dtm.UTC)
    assert text_of(_press(leader, "cost.start", meeting_id=february.id)).startswith("Det var en digital träff")
    with session_scope(demo) as s:
        db_april = s.get(Meeting, april.id)
        assert db_april is not None
        db_april.cancelled_at = dtm.datetime(2027, 2, 1, tzinfo=dtm.UTC)
    clock.now = dtm.datetime(2027, 4, 20, 9, tzinfo=dtm.UTC)
    assert text_of(_press(leader, "cost.start", meeting_id=april.id)).startswith("Träffen ställdes in")


def test_only_the_host_manager_or_the_leader_enters_a_cost(chat_as, demo: sa.Engine) -> None:
    meeting = _attended(demo, *EVERYONE)
    for email in (TEACHER, UMEA_MANAGER, COORDINATOR):
        chat = chat_as(email)
        answer = _press(chat, "cost.confirm", meeting_id=meeting.id, total=1000, attendance="-")
        assert text_of(answer) == (
            "Bara värdskolans chef eller en ledare för Piano/keyboard kan lägga in kostnaden för träffen."
        )
    assert "Bara en värdskolas chef eller en ämneslagsledare" in text_of(chat_as(TEACHER).say("fakturera"))
    with Session(demo) as s:
        assert s.exec(select(MeetingCost)).all() == []
        assert (
            len(s.exec(select(AuditLog).where(AuditLog.action == "refused", AuditLog.entity == "cost.enter")).all())
            == 4
        )


def test_a_changed_attendance_since_the_preview_shows_the_new_split(chat_as, demo: sa.Engine) -> None:
    meeting = _attended(demo, *EVERYONE)
    manager = chat_as(HOST_MANAGER)
    manager.say("kostnad 1000 kr")
    send = next(b for b in buttons_of(manager.last) if b.label == "Skicka andelarna")
    _attended(demo, *EVERYONE[:2])
    answer = manager.click(send)
    assert text_of(answer).startswith("Närvaron har ändrats sedan förhandsgranskningen.")
    assert "Dela 1\u00a0000\u00a0kr på 2 deltagare?" in text_of(answer)
    with Session(demo) as s:
        assert s.exec(select(MeetingCost).where(MeetingCost.meeting_id == meeting.id)).all() == []


def test_the_leaders_meeting_card_leads_to_attendance_then_cost_then_the_invoice(
    chat_as, demo: sa.Engine, clock: Clock
) -> None:
    clock.now = dtm.datetime(2026, 9, 14, 9, tzinfo=dtm.UTC)  # the September meeting was last week
    leader = chat_as(LEADER)
    cards = leader.click(Button(label="-", action="leader.meetings", values={}))
    assert "Bekräfta närvaro" in _labels(cards[:1])
    _attended(demo, *EVERYONE)
    cards = leader.click(Button(label="-", action="leader.meetings", values={}))
    assert {"Närvaro", "Lägg in kostnaden"} <= set(_labels(cards[:1]))
    leader.press("Lägg in kostnaden")
    leader.say("4000")
    leader.press("Skicka andelarna")
    cards = leader.click(Button(label="-", action="leader.meetings", values={}))
    assert "Fakturaunderlag" in _labels(cards[:1])
    invoice = leader.press("Fakturaunderlag")
    assert text_of(invoice).startswith("== Fakturaunderlag: Piano/keyboard, torsdag 10 september ==")


# The coordinator's status and the command line ----------------------------------------------


def test_the_status_has_the_longest_trip_and_the_goal_per_physical_meeting(
    chat_as, demo: sa.Engine, clock: Clock
) -> None:
    _add_sorsele_member(demo)
    with Session(demo) as s:
        region = only_region(s)
        year = schoolyear.get_or_create(s, "2026/27")
        status = build_status(s, region, year).model_dump(mode="json")
    piano = next(t for t in status["teams"] if t["name"] == PIANO)
    september, february, april = piano["meetings"]
    assert (september["location"], september["longest_round_trip_km"]) == ("Nordmalings Musikskola", 593)
    assert september["travel_goal_met"] is False and september["travel_over_goal"] == ["Sorsele Kulturskola"]
    assert (february["longest_round_trip_km"], february["travel_goal_met"], february["travel_over_goal"]) == (
        None,
        None,
        [],
    )
    assert set(september) >= {"id", "starts_at", "kind", "location", "absent", "notice_sent"}  # the old keys stay
    _attended(demo, *EVERYONE)  # Saga from Sorsele did not come: the goal held for those who did
    with Session(demo) as s:
        status = build_status(s, only_region(s), schoolyear.get_or_create(s, "2026/27")).model_dump(mode="json")
    september = next(t for t in status["teams"] if t["name"] == PIANO)["meetings"][0]
    assert september["travel_goal_met"] is True and september["longest_round_trip_km"] == 372
    coordinator = chat_as(COORDINATOR)
    shown = text_of(coordinator.say("status Piano"))
    assert "längsta resa 37,2\u00a0mil, inom målet för resor" in shown


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_invoice_formats(env: pytest.MonkeyPatch, demo: sa.Engine, chat_as, capsys: pytest.CaptureFixture[str]) -> None:
    meeting = _attended(demo, *EVERYONE)
    code, _, err = _run(capsys, "invoice", str(meeting.id))
    assert code == 1 and "har ingen kostnad inlagd än" in err
    manager = chat_as(HOST_MANAGER)
    manager.say("kostnad 10 001 kr")
    manager.press("Skicka andelarna")
    code, out, _ = _run(capsys, "invoice", str(meeting.id), "--format", "json")
    basis = json.loads(out)
    assert code == 0
    assert (basis["meeting_id"], basis["team"], basis["host_school"], basis["total_kr"], basis["participants"]) == (
        meeting.id,
        PIANO,
        "Nordmalings Musikskola",
        10001,
        4,
    )
    assert basis["entered_by"] == HOST_MANAGER and basis["invoiced_kr"] == 10001
    assert [(s["school"], s["participants"], s["share_kr"], s["host"]) for s in basis["schools"]] == [
        ("Kulturskolan i Umeå", 2, 5001, False),
        ("Lycksele Musikskola", 1, 2500, False),
        ("Skellefteå Kulturskola", 1, 2500, False),
    ]
    assert [p["email"] for p in basis["schools"][0]["people"]] == [
        "lars.renberg@example.org",
        "moa.lidstrom@example.org",
    ]
    code, out, _ = _run(capsys, "invoice", str(meeting.id), "--format", "csv")
    lines = out.splitlines()
    assert lines[0] == "meeting_id,starts_at,team,host_school,school,host,participants,share_kr,total_kr,people"
    assert lines[1].endswith(",Kulturskolan i Umeå,nej,2,5001,10001,Lars Renberg; Moa Lidström")
    code, out, _ = _run(capsys, "invoice", str(meeting.id))
    assert out.startswith("Fakturaunderlag: Piano/keyboard, träff 2026-09-10 09.00 (Nordmalings Musikskola)")
    assert "Att fakturera besökande skolor: 10\u00a0001\u00a0kr." in out
    february = _meetings(demo)[1]
    code, _, err = _run(capsys, "invoice", str(february.id))
    assert code == 1 and "är digital" in err


def test_attendance_and_cost_buttons_stay_within_each_channel(chat_as, demo: sa.Engine) -> None:
    from bot.slack import blocks
    from bot.teams import cards

    leader = chat_as(LEADER)
    replies = leader.dialogs.handle(
        Incoming(
            person_id=leader.person_id,
            channel="teams",
            conversation_id="t",
            action="attendance.start",
            values={"meeting_id": _september(demo).id},
        )
    )
    form = next(r for r in replies if isinstance(r, FormReply))
    card = cards.card(replies)
    choice = next(e for e in card["body"] if e.get("id") == "attended")
    assert choice["isMultiSelect"] is True and choice["style"] == "expanded" and len(choice["choices"]) == 5
    assert choice["value"] == form.fields[0].value
    modal = blocks.modal(form)
    boxes = [b for b in modal["blocks"] if b.get("element", {}).get("type") == "checkboxes"]
    assert modal["title"]["text"] == "Närvaro" and modal["close"]["text"] == "Avbryt"
    assert modal["blocks"][0]["text"]["text"].startswith("Vilka var med på Piano/keyboard, ")
    assert len(boxes) == 1 and len(boxes[0]["element"]["initial_options"]) == 5


def _entered(demo: sa.Engine, total: int) -> None:
    """September's attendance confirmed and its cost entered, so its figures are locked."""
    meeting = _attended(demo, *EVERYONE)
    with session_scope(demo) as s:
        from domain.logistics import enter_cost

        leader = person_by_email(s, LEADER)
        db_meeting = s.get(Meeting, meeting.id)
        assert leader is not None and db_meeting is not None
        entered = enter_cost(s, meeting=db_meeting, total_kr=total, actor=leader, now=db_meeting.ends_at)
        assert not isinstance(entered, str)


FEBRUARY_MEETING_DAY = dtm.datetime(2027, 2, 11, 10, 0, tzinfo=dtm.UTC)  # Piano's digital meeting is under way


def test_a_cost_on_the_day_of_a_digital_meeting_is_not_about_septembers(chat_as, demo: sa.Engine, clock: Clock) -> None:
    """Issue 17, B8: a cost is only for a physical meeting; September's is locked, so there is none to enter."""
    _entered(demo, 12000)
    clock.now = FEBRUARY_MEETING_DAY
    leader = chat_as(LEADER)
    answer = text_of(leader.say("kostnaden för träffen blev 500 kr"))
    assert answer == (
        "Träffen i Piano/keyboard torsdag 11 februari kl. 09.00 var digital: en kostnad läggs bara in för fysiska "
        "träffar. Alla fysiska träffar som har ägt rum och som du kan lägga in en kostnad för har redan en: "
        "Piano/keyboard, torsdag 10 september (12\u00a0000\u00a0kr)."
    )
    assert "lades in" not in answer  # not an answer about September's meeting
    answer = text_of(leader.say("kostnaden för träffen 11/2 blev 500 kr"))
    assert answer.startswith("Det var en digital träff")
    answer = text_of(leader.say("kostnaden för träffen 3/3 blev 500 kr"))
    assert answer == "Du har ingen fysisk träff onsdag 3 mars att lägga in en kostnad för."
    assert _outbox(demo, "cost_share") == []


def test_on_the_day_of_a_digital_meeting_the_open_physical_one_is_picked(
    chat_as, demo: sa.Engine, clock: Clock
) -> None:
    _attended(demo, *EVERYONE)  # September's attendance is confirmed, its cost not entered
    clock.now = FEBRUARY_MEETING_DAY
    leader = chat_as(LEADER)
    card = next(r for r in leader.say("kostnaden för träffen blev 500 kr") if isinstance(r, CardReply))
    assert card.title == "Dela 500\u00a0kr på 4 deltagare?"


def test_attendance_confirmed_overrides_the_reported_absence(chat_as, demo: sa.Engine) -> None:
    """Issue 17, B9: Lina reported absence, then came; the leader confirmed it. She is absent nowhere."""
    meeting = _september(demo)
    lina = _person(demo, "lina.granlund@example.org")
    with session_scope(demo) as s:
        s.add(Absence(person_id=lina.id or 0, meeting_id=meeting.id or 0, reported_at=meeting.starts_at))
    _attended(demo, *EVERYONE, "lina.granlund@example.org")
    coordinator = chat_as(COORDINATOR)
    shown = text_of(coordinator.say("frånvaro piano 10/9"))
    assert "Lina Granlund" not in shown and "Ingen har anmält frånvaro." in shown
    with Session(demo) as s:
        status = build_status(s, only_region(s), schoolyear.get_or_create(s, "2026/27")).model_dump(mode="json")
    piano = next(t for t in status["teams"] if t["name"] == PIANO)
    assert piano["meetings"][0]["absent"] == []
    leader_card = text_of(_press(chat_as(LEADER), "leader.meetings"))
    assert "Lina Granlund" not in leader_card


def test_who_did_not_come_after_reporting_absence_stays_absent(chat_as, demo: sa.Engine) -> None:
    meeting = _september(demo)
    lina = _person(demo, "lina.granlund@example.org")
    with session_scope(demo) as s:
        s.add(Absence(person_id=lina.id or 0, meeting_id=meeting.id or 0, reported_at=meeting.starts_at))
    _attended(demo, *EVERYONE)
    assert "Lina Granlund" in text_of(chat_as(COORDINATOR).say("frånvaro piano 10/9"))


def test_the_attendance_reminders_button_opens_the_attendance_form(chat_as, demo: sa.Engine) -> None:
    stockholm = dtm.timezone(dtm.timedelta(hours=2))  # summer time
    sweep(demo, dtm.datetime(2026, 9, 11, 10, tzinfo=stockholm))  # the day after the physical piano meeting
    leader = chat_as(LEADER)
    reminder = next(m for m in _outbox(demo, "reminder.attendance") if m.recipient_id == _person(demo, LEADER).id)
    (button,) = buttons_of(load_replies(reminder.payload["replies"]))
    answer = leader.click(button)
    assert any(isinstance(r, FormReply) for r in answer)
    assert _labels(answer)[0] == "Bekräfta: 5 var med"
    leader.press("Bekräfta: 5 var med")
    later = sweep(demo, dtm.datetime(2026, 9, 15, 10, tzinfo=stockholm)).reminders
    assert not [p for p in later if p.rule == "attendance" and p.subject.startswith(f"meeting{_september(demo).id}/")]


def test_the_host_manager_reopens_the_invoice_basis_and_the_visiting_managers_are_told(
    chat_as, demo: sa.Engine
) -> None:
    """A wrong cost or attendance: the host school's manager reopens it, the shares are taken back (kept in the
    audit log), the visiting managers are told to wait, and a new cost can be entered."""
    meeting = _attended(demo, *EVERYONE)
    manager = chat_as(HOST_MANAGER)
    manager.say("kostnaden för pianoträffen blev 10 001 kr")
    manager.press("Skicka andelarna")
    leader = chat_as(LEADER)
    card = leader.click(Button(label="x", action="cost.show", values={"meeting_id": meeting.id}))
    assert "Öppna underlaget igen" not in [b.label for b in buttons_of(card)]  # only the host school's manager
    refused = leader.click(Button(label="x", action="cost.reopen.confirm", values={"meeting_id": meeting.id}))
    assert "Bara en chef på värdskolan kan öppna dess fakturaunderlag igen." in text_of(refused)
    card = manager.click(Button(label="x", action="cost.show", values={"meeting_id": meeting.id}))
    question = manager.click(next(b for b in buttons_of(card) if b.label == "Öppna underlaget igen"))
    done = manager.click(next(b for b in buttons_of(question) if b.label == "Ja, öppna"))
    assert text_of(done).startswith("Öppnat: närvaron och kostnaden för")
    told = _outbox(demo, "cost_reopened")
    umea = _person(demo, UMEA_MANAGER)
    assert umea.id in {m.recipient_id for m in told}
    assert "vänta med att betala" in next(m for m in told if m.recipient_id == umea.id).payload["text"]
    again = manager.click(next(b for b in buttons_of(question) if b.label == "Ja, öppna"))
    assert "redan öppet" in text_of(again)  # a double click takes back nothing more
    with Session(demo) as s:
        assert s.exec(select(MeetingCost)).first() is None
        audit = s.exec(select(AuditLog).where(AuditLog.action == "meeting_cost.reopened")).one()
    assert audit.details["before"]["total_kr"] == 10001
    manager.say("kostnaden för pianoträffen blev 9 000 kr")  # entered again, the new split goes out
    assert text_of(manager.press("Skicka andelarna")).startswith("Klart: 9\u00a0000\u00a0kr är fördelat")


def test_a_submitted_cost_form_that_is_no_amount_is_refused_at_its_field_and_nothing_changes(
    dialogs, demo: sa.Engine
) -> None:
    meeting = _attended(demo, *EVERYONE)
    manager = _person(demo, HOST_MANAGER)

    def problems(total: str) -> dict[str, str]:
        return dialogs.form_problems(
            Incoming(
                person_id=manager.id,
                channel="slack",
                conversation_id="modal",
                action="cost.preview",
                values={"meeting_id": meeting.id, "total": total},
            )
        )

    (reason,) = problems("tolv tusen").values()
    assert list(problems("tolv tusen")) == ["total"] and "kronor" in reason
    assert problems("-5") and problems("0")
    assert problems("12 000") == {}
    no_meeting = Incoming(person_id=manager.id, channel="slack", conversation_id="m", action="cost.preview", values={})
    assert dialogs.form_problems(no_meeting) == {}  # the guard refuses: the turn itself answers that
    with Session(demo) as s:
        assert s.exec(select(MeetingCost)).all() == []
