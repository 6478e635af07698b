"""The manager's dialogs end to end: staff and their choices, confirm, assign, report, absences."""

from __future__ import annotations

import datetime as dtm
import json

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from dialogs.types import Button, CardReply, ChoicesReply, TextReply, buttons_of
from domain.status import build_status
from storage.models import AuditLog, Membership, MembershipReport, Person, Region, SchoolYear, Team
from tests.dialogs.conftest import Chat, Clock

MANAGER = "pontus.ronnlund@example.org"  # manager of Kulturskolan i Umeå, 14 teachers
COORDINATOR = "kalle.forsberg@example.org"
UMEA_TEACHERS = 14


@pytest.fixture
def in_may(clock: Clock) -> Clock:
    """10 May 2027: team choice for 2027/28 is open."""
    clock.now = dtm.datetime(2027, 5, 10, 8, 0, tzinfo=dtm.UTC)
    return clock


@pytest.fixture
def manager(chat_as) -> Chat:
    return chat_as(MANAGER)


def _choose(chat_as, email: str, team: str) -> None:
    teacher = chat_as(email)
    teacher.say(f"jag vill välja {team}")
    teacher.say("ja")


def _membership(db: sa.Engine, email: str, year: str) -> Membership | None:
    with Session(db) as s:
        person = s.exec(select(Person).where(Person.email == email)).one()
        school_year = s.exec(select(SchoolYear).where(SchoolYear.label == year)).first()
        if school_year is None:
            return None
        return s.exec(
            select(Membership).where(Membership.person_id == person.id, Membership.school_year_id == school_year.id)
        ).first()


def test_staff_list_shows_the_choices_for_the_coming_year(manager: Chat, chat_as, in_may: Clock) -> None:
    _choose(chat_as, "alva.jonsson@example.org", "Stråk")
    (card,) = manager.say("visa min personal")
    assert isinstance(card, CardReply)
    assert "2027/28" in card.title and "Kulturskolan i Umeå" in card.title
    facts = dict(card.facts)
    assert len(facts) == UMEA_TEACHERS
    assert facts["Alva Jonsson"].startswith("Stråk (")
    labels = [b.label for b in card.buttons]
    assert len([b for b in card.buttons if b.action == "staff.confirm"]) == 1
    assert len([b for b in card.buttons if b.action == "staff.assign"]) == 10  # at most ten person buttons
    assert any(b.action == "staff.confirm_all" for b in card.buttons), labels


def test_confirm_one_and_the_teacher_is_told(manager: Chat, chat_as, in_may: Clock) -> None:
    _choose(chat_as, "alva.jonsson@example.org", "Stråk")
    (card,) = manager.say("min personal")
    confirm = next(b for b in buttons_of([card]) if b.action == "staff.confirm")
    replies = manager.click(confirm)
    assert isinstance(replies[0], TextReply) and "Alva Jonsson" in replies[0].text
    chosen = _membership(manager.db, "alva.jonsson@example.org", "2027/28")
    assert chosen is not None and chosen.confirmed_at == in_may.now
    told = [m for m in manager.outbox() if m.kind == "membership_confirmed"]
    assert len(told) == 1 and "Stråk" in told[0].payload["text"]
    manager.click(confirm)  # pressed again: already confirmed, nobody told twice
    assert len([m for m in manager.outbox() if m.kind == "membership_confirmed"]) == 1
    with Session(manager.db) as s:
        entry = s.exec(select(AuditLog).where(AuditLog.action == "membership.confirmed")).one()
    assert entry.details["before"]["confirmed_at"] is None and entry.details["after"]["confirmed_at"]


def test_confirm_all_at_once(manager: Chat, chat_as, in_may: Clock) -> None:
    for email, team in (("alva.jonsson@example.org", "Stråk"), ("rut.dahlberg@example.org", "Dans")):
        _choose(chat_as, email, team)
    (card,) = manager.say("bekräfta alla val")
    confirm_all = next(b for b in buttons_of([card]) if b.action == "staff.confirm_all")
    manager.click(confirm_all)
    for email in ("alva.jonsson@example.org", "rut.dahlberg@example.org"):
        assert _membership(manager.db, email, "2027/28").confirmed_at is not None
    assert len([m for m in manager.outbox() if m.kind == "membership_confirmed"]) == 2
    manager.click(confirm_all)
    assert len([m for m in manager.outbox() if m.kind == "membership_confirmed"]) == 2


def test_assign_a_team_to_a_teacher_who_has_not_chosen(manager: Chat, in_may: Clock) -> None:
    (card,) = manager.say("min personal")
    assign = next(b for b in buttons_of([card]) if b.action == "staff.assign")
    (teams,) = manager.click(assign)
    assert isinstance(teams, ChoicesReply) and len(teams.buttons) == 12
    dans = next(b for b in teams.buttons if b.label == "Dans")
    manager.click(dans)
    with Session(manager.db) as s:
        person = s.get(Person, assign.values["person_id"])
        assert person is not None
        email = person.email
    assigned = _membership(manager.db, email, "2027/28")
    assert assigned is not None and assigned.confirmed_at is not None
    with Session(manager.db) as s:
        assert s.get(Team, assigned.team_id).name == "Dans"
    replies = manager.click(dans)  # twice: the teacher has a team now
    assert isinstance(replies[0], TextReply)
    assert len([m for m in manager.outbox() if m.kind == "membership_confirmed"]) == 1


def test_report_to_the_coordinator_once(manager: Chat, demo: sa.Engine, in_may: Clock) -> None:
    (preview,) = manager.say("rapportera ämneslagen till samordnaren")
    assert isinstance(preview, CardReply)
    manager.click(preview.buttons[0])
    reports = [m for m in manager.outbox() if m.kind == "memberships_reported"]
    assert len(reports) == 1
    with Session(demo) as s:
        coordinator = s.get(Person, reports[0].recipient_id)
        assert coordinator is not None and coordinator.email == COORDINATOR
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2027/28")).one()
        region_status = build_status(s, s.exec(select(Region)).one(), year).model_dump(mode="json")
        assert "Kulturskolan i Umeå" not in region_status["schools_not_reported"]
        assert len(s.exec(select(MembershipReport)).all()) == 1
    manager.click(preview.buttons[0])  # the same button again
    assert len([m for m in manager.outbox() if m.kind == "memberships_reported"]) == 1
    (update,) = manager.say("rapportera")
    assert isinstance(update, CardReply)
    manager.click(update.buttons[0])  # an update is a new, explicit report
    assert len([m for m in manager.outbox() if m.kind == "memberships_reported"]) == 2


def test_absences_of_own_staff_only(manager: Chat, chat_as) -> None:
    chat_as("alva.jonsson@example.org").say_yes("jag kan inte komma 11/2")
    (card,) = manager.say("frånvaro")
    assert isinstance(card, CardReply)
    assert list(dict(card.facts).values()) == ["Alva Jonsson"]
    other = chat_as("linnea.wallin@example.org")  # the manager in Bjurholm
    (reply,) = other.say("frånvaro")
    assert isinstance(reply, TextReply)


def test_a_manager_cannot_touch_another_schools_staff(chat_as, manager: Chat, in_may: Clock) -> None:
    _choose(chat_as, "alva.jonsson@example.org", "Stråk")
    chosen = _membership(manager.db, "alva.jonsson@example.org", "2027/28")
    assert chosen is not None
    other = chat_as("linnea.wallin@example.org")
    (reply,) = other.click(Button(label="x", action="staff.confirm", values={"membership_id": chosen.id}))
    assert isinstance(reply, TextReply)
    assert _membership(manager.db, "alva.jonsson@example.org", "2027/28").confirmed_at is None
    with Session(manager.db) as s:
        refused = s.exec(select(AuditLog).where(AuditLog.action == "refused")).one()
    assert refused.details["reason"] == "not_own_staff"


SKELLEFTEA_MANAGER = "alva.sandstrom@example.org"
NEWCOMER = "marta.sandstrom@example.org"  # a teacher at Skellefteå Kulturskola with no team in 2026/27


def test_in_may_a_teacher_without_a_team_this_year_chooses_for_the_coming_one(
    chat_as, in_may: Clock, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17, B1: from the choice window's start every place decides the coming year, the same one."""
    teacher = chat_as(NEWCOMER)
    (question,) = teacher.say("välj ämneslag")
    assert "läsåret 2027/28" in question.text
    teacher.say("stråk")
    (done,) = teacher.say("ja")
    assert done.text.startswith("Klart: du är med i Stråk läsåret 2027/28.")
    assert _membership(teacher.db, NEWCOMER, "2026/27") is None
    assert _membership(teacher.db, NEWCOMER, "2027/28") is not None
    (told,) = [m for m in teacher.outbox() if m.kind == "team_choice"]
    assert "har valt Stråk läsåret 2027/28" in told.payload["text"]
    (mine,) = teacher.say("mitt ämneslag")
    assert mine.text == (
        "Du är inte med i något ämneslag läsåret 2026/27. Läsåret 2027/28 är du med i Stråk (inte bekräftat än)."
    )

    manager = chat_as(SKELLEFTEA_MANAGER)
    (card,) = manager.say("min personal")
    assert isinstance(card, CardReply) and "läsåret 2027/28" in card.title
    assert dict(card.facts)["Märta Sandström"] == "Stråk (inte bekräftad)"
    confirm = next(b for b in card.buttons if b.action == "staff.confirm")
    (lead, _) = manager.click(confirm)
    assert lead.text == "Bekräftat: Märta Sandström i Stråk."
    (confirmed,) = [m for m in manager.outbox() if m.kind == "membership_confirmed"]
    assert "läsåret 2027/28" in confirmed.payload["text"]

    coordinator = chat_as(COORDINATOR)
    (without,) = coordinator.say("vilka saknar ämneslag?")
    assert isinstance(without, CardReply) and without.title == "Utan ämneslag läsåret 2027/28"
    assert "Märta Sandström" not in str(without.facts)

    env.setenv("AMNESLAG_NOW", in_may.now.isoformat())
    from bot.cli import main

    assert main(["status", "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["school_year"] == "2026/27" and status["choice_year"] == "2027/28"
    assert NEWCOMER not in status["people_without_team"]
    assert main(["status"]) == 0
    assert "Utan ämneslag 2027/28 (" in capsys.readouterr().out
