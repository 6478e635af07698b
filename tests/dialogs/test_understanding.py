"""Understanding that never acts on a misreading (issue #18), through the dialogs as a new user would write.

A free-text request that would change data or tell people is asked about first (Ja/Nej) and only the Ja
button acts; negations, requests about someone else and how-to questions act on nothing; small talk gets a
short answer; the slots people actually write (a time range, "nästa träff", "alla") are used.
"""

from __future__ import annotations

import datetime as dtm

import sqlalchemy as sa
from sqlmodel import Session, select

from dialogs.app import build_dialogs
from dialogs.types import CardReply, ChoicesReply, TextReply, buttons_of
from storage.models import Absence, Meeting, Membership, Person, SchoolYear
from tests.dialogs.conftest import Chat, Clock, text_of

LEADER = "jonas.sundqvist@example.org"  # leads Bild, form och skapande
MANAGER = "pontus.ronnlund@example.org"  # manager of Kulturskolan i Umeå
COORDINATOR = "kalle.forsberg@example.org"


def _absences(chat: Chat) -> list[Absence]:
    with Session(chat.db) as s:
        return list(s.exec(select(Absence).where(Absence.person_id == chat.person_id)).all())


def _meeting_of(db: sa.Engine, absence: Absence) -> Meeting:
    with Session(db) as s:
        meeting = s.get(Meeting, absence.meeting_id)
        assert meeting is not None
        return meeting


def test_an_absence_in_free_text_is_asked_about_first_and_done_on_ja(teacher: Chat) -> None:
    (question,) = teacher.say("jag kan inte komma 11/2")
    assert isinstance(question, ChoicesReply)
    assert question.text == "Anmäla frånvaro från Bild, form och skapande torsdag 11 februari kl. 09.00?"
    assert [b.label for b in question.buttons] == ["Ja", "Nej"]
    assert _absences(teacher) == [] and teacher.outbox() == []  # nothing done, nobody told yet
    (done,) = teacher.press("Ja")
    assert done.text.startswith("Klart: din frånvaro från träffen i Bild, form och skapande torsdag 11 februari")
    assert len(_absences(teacher)) == 1
    assert {m.kind for m in teacher.outbox()} == {"absence_reported"}


def test_nej_does_nothing(teacher: Chat) -> None:
    teacher.say("jag kan inte komma 11/2")
    (nothing,) = teacher.say("nej")
    assert nothing.text.startswith("Okej, jag har inte gjort något.")
    assert _absences(teacher) == [] and teacher.outbox() == []


def test_the_question_survives_a_restart(teacher: Chat, demo: sa.Engine, clock: Clock) -> None:
    teacher.say("jag kan inte komma 11/2")
    teacher.dialogs = build_dialogs(demo, clock=clock)  # a new process: only the database remembers
    (done,) = teacher.say("ja")
    assert done.text.startswith("Klart: din frånvaro")
    assert len(_absences(teacher)) == 1


def test_a_button_press_needs_no_confirmation(teacher: Chat) -> None:
    teacher.say("anmäl frånvaro")  # no date: the meetings as buttons, nothing to confirm yet
    (done,) = teacher.click(buttons_of(teacher.last)[0])
    assert done.text.startswith("Klart: din frånvaro")
    assert len(_absences(teacher)) == 1


def test_a_negation_acts_on_nothing(teacher: Chat) -> None:
    (reply,) = teacher.say("jag missar inte träffen 11 februari")
    assert reply.text.startswith("Bra, då har jag inte gjort något.")
    assert _absences(teacher) == [] and teacher.outbox() == []


def test_someone_elses_absence_is_not_reported_as_mine(teacher: Chat) -> None:
    (reply,) = teacher.say("Stina kan inte komma 8 april")
    assert reply.text.startswith("Jag kan bara anmäla din egen frånvaro")
    assert _absences(teacher) == [] and teacher.outbox() == []


def test_the_next_meeting_is_the_next_one_not_a_choice_of_reported_ones(teacher: Chat) -> None:
    (question,) = teacher.say("jag kan inte komma på nästa träff")
    assert isinstance(question, ChoicesReply) and question.text.startswith("Anmäla frånvaro från Bild, form")
    teacher.press("Ja")
    (first,) = _absences(teacher)
    (again,) = teacher.say("jag kan inte komma")  # which meeting? only those not reported yet
    labels = [b.label for b in again.buttons]
    with Session(teacher.db) as s:
        meetings = s.exec(select(Meeting).where(Meeting.team_id == _meeting_of(teacher.db, first).team_id)).all()
        upcoming = [m for m in meetings if m.starts_at > dtm.datetime(2026, 11, 23, 9, tzinfo=dtm.UTC)]
    first_meeting = _meeting_of(teacher.db, first)
    assert min(upcoming, key=lambda m: m.starts_at).id == first_meeting.id  # the next one
    assert len(labels) == len(upcoming) - 1  # the reported one is not offered again


def test_a_how_to_question_gets_the_menu_not_a_refusal(teacher: Chat) -> None:
    replies = teacher.say("hur anmäler jag frånvaro?")
    assert replies[0].text.startswith("Hej Alva! Det här kan jag hjälpa dig med")
    assert "Anmäl frånvaro" in [b.label for b in buttons_of(replies)]
    assert "inte" not in (replies[0].text or "")


def test_small_talk_is_answered_briefly_without_the_menu(teacher: Chat) -> None:
    for text, answer in (("tack!", "Varsågod!"), ("ok", "👍"), ("👍", "👍"), ("hej då", "Tack, detsamma!")):
        replies = teacher.say(text)
        assert [r.text for r in replies] == [answer], text
        assert buttons_of(replies) == [], text
    (hello,) = teacher.say("hej")
    assert hello.text.startswith("Hej Alva!") and buttons_of([hello]) == []


def test_the_time_in_the_sentence_is_not_asked_again(chat_as) -> None:
    leader = chat_as(LEADER)
    leader.say("planera en digital träff den 15 april kl 13-16")
    (preview,) = leader.say("https://meet.example.org/bild")  # the link is the only thing left to ask
    assert isinstance(preview, CardReply), text_of([preview])
    assert "13.00–16.00" in dict(preview.facts).values()


def test_a_leader_asking_for_the_teams_meetings_gets_the_leaders_view(chat_as) -> None:
    replies = chat_as(LEADER).say("lagets träffar")
    assert replies and all(isinstance(r, CardReply) for r in replies)
    labels = [b.label for b in buttons_of(replies)]
    assert any("kallelse" in label.lower() or "ändra" in label.lower() for label in labels), labels


def test_network_days_to_see_them_start_no_form(chat_as) -> None:
    coordinator = chat_as(COORDINATOR)
    replies = coordinator.say("nätverksdagar")
    assert isinstance(replies[0], CardReply) and replies[0].title.startswith("Nätverksdagar")
    assert [b.label for b in buttons_of(replies)] == ["Lägg till nätverksdag", "Ta bort nätverksdag"]
    nothing = text_of(coordinator.say("12 mars"))  # not taken as a new day's date
    assert "Lagt till" not in nothing and coordinator.outbox() == []


def test_confirm_all_confirms_all_after_one_question(chat_as, clock: Clock) -> None:
    clock.now = dtm.datetime(2027, 5, 10, 8, 0, tzinfo=dtm.UTC)  # the choice for 2027/28 is open
    for email, team in (("alva.jonsson@example.org", "Stråk"), ("rut.dahlberg@example.org", "Dans")):
        teacher = chat_as(email)
        teacher.say(f"jag vill välja {team}")
        teacher.say("ja")
    manager = chat_as(MANAGER)
    (question,) = manager.say("bekräfta alla")
    assert isinstance(question, ChoicesReply) and question.text == "Bekräfta alla 2 val som inte är bekräftade?"
    manager.press("Ja")
    with Session(manager.db) as s:
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2027/28")).one()
        for email in ("alva.jonsson@example.org", "rut.dahlberg@example.org"):
            person = s.exec(select(Person).where(Person.email == email)).one()
            member = s.exec(
                select(Membership).where(Membership.person_id == person.id, Membership.school_year_id == year.id)
            ).one()
            assert member.confirmed_at is not None


def test_a_refusal_is_not_asked_about(chat_as) -> None:
    replies = chat_as("alva.jonsson@example.org").say("lägg till nätverksdag 12 mars")
    assert isinstance(replies[0], TextReply) and not any(b.label == "Ja" for b in buttons_of(replies))
