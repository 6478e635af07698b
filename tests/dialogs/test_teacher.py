"""The teacher's dialogs end to end through the engine, asserting on the database and the outbox."""

from __future__ import annotations

import datetime as dtm

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dialogs.access import anyone
from dialogs.app import build_dialogs
from dialogs.engine import Route
from dialogs.types import Button, CardReply, ChoicesReply, buttons_of
from storage.db import session_scope
from storage.models import (
    Absence,
    AuditLog,
    DialogState,
    Leadership,
    Meeting,
    Membership,
    Person,
    PersonRole,
    SchoolYear,
    Team,
)
from tests.dialogs.conftest import Chat, Clock, text_of

LEADERS_OF_BILD = {"jonas.sundqvist@example.org", "petter.backman@example.org"}


def _recipients(chat: Chat, kind: str) -> set[str]:
    with Session(chat.db) as s:
        ids = [m.recipient_id for m in chat.outbox() if m.kind == kind]
        return {s.get(Person, i).email for i in ids}


def _manager_of_umea(chat: Chat) -> str:
    with Session(chat.db) as s:
        alva = s.get(Person, chat.person_id)
        managers = s.exec(select(Person).where(Person.school_id == alva.school_id, Person.id != alva.id)).all()
        from storage.directory import roles_of

        (manager,) = [m for m in managers if "manager" in roles_of(s, m.id)]  # type: ignore[arg-type]
        return manager.email


def _absence(chat: Chat) -> list[Absence]:
    with Session(chat.db) as s:
        return list(s.exec(select(Absence).where(Absence.person_id == chat.person_id)).all())


def test_help_is_swedish_with_buttons(teacher: Chat) -> None:
    replies = teacher.say("Hjälp!")
    assert replies[0].text.startswith("Hej Alva! Det här kan jag hjälpa dig med")
    assert [b.label for b in buttons_of(replies)] == [
        "Mitt ämneslag",
        "Kommande träffar",
        "Anmäl frånvaro",
        "Ta tillbaka frånvaro",
        "Senaste anteckningarna",
        "Välj ämneslag",
    ]


def test_help_in_english_for_an_english_speaker(chat_as, demo: sa.Engine) -> None:
    with Session(demo) as s:
        person = s.exec(select(Person).where(Person.language == "en")).first()
    assert person is not None
    replies = chat_as(person.email).say("help")
    assert "This is what I can help you with" in replies[0].text
    assert "My team" in [b.label for b in buttons_of(replies)]


def test_a_stranger_is_told_politely_and_learns_nothing(chat_as) -> None:
    stranger = chat_as("someone@elsewhere.example")
    for text in ("hej", "mitt ämneslag", "status", "vilka saknar ämneslag?"):
        (reply,) = stranger.say(text)
        assert reply.text.startswith("Hej! Jag känner inte igen dig än")
        assert "kulturskolesamordnare" in reply.text
    assert stranger.outbox() == []


def test_my_team(teacher: Chat) -> None:
    (card,) = teacher.say("vilket ämneslag är jag med i?")
    assert isinstance(card, CardReply) and card.title == "Bild, form och skapande"
    facts = dict(card.facts)
    assert facts["Läsår"] == "2026/27"
    assert facts["Ledare"] == "Jonas Sundqvist och Petter Backman"
    assert facts["Medlemmar"] == "5"
    assert "torsdag 11 februari kl. 09.00, digital träff" in (card.text or "")


def test_upcoming_meetings_and_latest_notes(teacher: Chat) -> None:
    (card,) = teacher.say("när är nästa träff?")
    assert isinstance(card, CardReply)
    assert [label for label, _ in card.facts] == ["torsdag 11 februari", "torsdag 8 april"]
    (notes,) = teacher.say("visa senaste anteckningarna")
    assert isinstance(notes, CardReply)
    assert notes.title == "Anteckningar från Bild, form och skapande, torsdag 10 september"
    assert "ramarna" in (notes.text or "")


def test_choose_a_team_for_next_year_by_buttons_and_words(teacher: Chat, demo: sa.Engine) -> None:
    manager = _manager_of_umea(teacher)
    _in_slack(demo, manager)
    (question,) = teacher.say("jag vill välja ämneslag")
    assert isinstance(question, ChoicesReply) and "läsåret 2027/28" in question.text
    assert len(question.buttons) == 12
    (confirm,) = teacher.say("stråk")  # the button's words
    assert confirm.text == "Vill du vara med i Stråk läsåret 2027/28?"
    (done,) = teacher.say("ja")
    assert done.text.startswith("Klart: du är med i Stråk läsåret 2027/28.")
    assert "obekräftat" in (done.text or "")

    with Session(teacher.db) as s:
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2027/28")).one()
        membership = s.exec(
            select(Membership).where(Membership.person_id == teacher.person_id, Membership.school_year_id == year.id)
        ).one()
        assert s.get(Team, membership.team_id).name == "Stråk"
        assert membership.confirmed_at is None
    (message,) = [m for m in teacher.outbox() if m.kind == "team_choice"]
    assert _recipients(teacher, "team_choice") == {manager}
    assert message.payload["text"] == (
        'Alva Jonsson (Kulturskolan i Umeå) har valt Stråk läsåret 2027/28. Bekräfta valet under "Min personal".'
    )

    (card,) = teacher.say("mitt ämneslag")
    assert dict(card.facts)["Nästa läsår"] == "Stråk (inte bekräftat än)"

    teacher.say("byt till dans")
    (done,) = teacher.press("Ja")
    assert "Dans" in (done.text or "")
    teacher.say("byt till dans")
    (again,) = teacher.press("Ja")
    assert again.text == "Du är redan med i Dans läsåret 2027/28."
    with Session(teacher.db) as s:
        actions = s.exec(
            select(AuditLog.action).where(AuditLog.actor_id == teacher.person_id).order_by(col(AuditLog.id))
        ).all()
    assert actions == ["membership.chosen", "membership.switched"]  # in order (PostgreSQL returns any order)
    assert len([m for m in teacher.outbox() if m.kind == "team_choice"]) == 2


def test_the_current_year_cannot_be_switched(teacher: Chat, demo: sa.Engine) -> None:
    with Session(demo) as s:
        dans = s.exec(select(Team).where(Team.name == "Dans")).one()
    old_button = Button(label="Ja", action="choose_team.confirm", values={"team_id": dans.id, "year": "2026/27"})
    (reply,) = teacher.click(old_button)
    assert "har redan börjat" in (reply.text or "")
    assert [m for m in teacher.outbox() if m.kind == "team_choice"] == []


def _in_slack(demo: sa.Engine, *emails: str) -> None:
    """These people talk to the bot in Slack (the demo's people have no chat with it: the log reaches nobody)."""
    with session_scope(demo) as s:
        for n, email in enumerate(emails):
            person = s.exec(select(Person).where(Person.email == email)).one()
            person.slack_user_id = f"UDEMO{n:04d}"


def test_report_absence_by_date(teacher: Chat, demo: sa.Engine) -> None:
    manager = _manager_of_umea(teacher)
    _in_slack(demo, *LEADERS_OF_BILD, manager)
    (reply,) = teacher.say_yes("jag kan inte komma 11/2")
    assert reply.text == (
        "Klart: din frånvaro från träffen i Bild, form och skapande torsdag 11 februari kl. 09.00 är anmäld. "
        "Dina ämneslagsledare (Jonas Sundqvist och Petter Backman) och din chef (Pontus Rönnlund) har fått veta det. "
        "Du behöver inte ange något skäl."
    )
    (absence,) = _absence(teacher)
    assert absence.withdrawn_at is None
    assert not hasattr(absence, "reason")
    assert _recipients(teacher, "absence_reported") == LEADERS_OF_BILD | {manager}
    note = next(m for m in teacher.outbox() if m.kind == "absence_reported")
    assert note.payload["text"] == (
        "Alva Jonsson har anmält frånvaro från träffen i Bild, form och skapande torsdag 11 februari kl. 09.00."
    )

    (again,) = teacher.say("anmäl frånvaro 11 februari")
    assert again.text == "Du har redan anmält frånvaro från träffen torsdag 11 februari kl. 09.00."
    assert len(teacher.outbox()) == 3 and len(_absence(teacher)) == 1


def test_at_a_school_without_a_manager_the_teacher_is_told_who_was_told(teacher: Chat, demo: sa.Engine) -> None:
    """Issue 17, B4: only what is true, naming who was told; the manager is the teacher's own to tell."""
    with Session(demo) as s:
        manager = s.exec(select(Person).where(Person.email == _manager_of_umea(teacher))).one()
        for role in s.exec(select(PersonRole).where(PersonRole.person_id == manager.id)).all():
            s.delete(role)
        s.commit()
    _in_slack(demo, *LEADERS_OF_BILD)
    (reply,) = teacher.say_yes("jag kan inte komma 11/2")
    assert reply.text == (
        "Klart: din frånvaro från träffen i Bild, form och skapande torsdag 11 februari kl. 09.00 är anmäld. "
        "Dina ämneslagsledare (Jonas Sundqvist och Petter Backman) har fått veta det. Din skola har ingen chef hos "
        "boten, så berätta det själv för din chef. Du behöver inte ange något skäl."
    )
    assert "chef har fått veta" not in reply.text
    assert _recipients(teacher, "absence_reported") == LEADERS_OF_BILD
    (withdrawn,) = teacher.say_yes("ta tillbaka frånvaron 11/2")
    assert withdrawn.text.endswith(
        "Välkommen! Dina ämneslagsledare (Jonas Sundqvist och Petter Backman) har fått veta det. Din skola har ingen "
        "chef hos boten, så berätta det själv för din chef."
    )


def test_without_leaders_and_manager_nobody_is_said_to_be_told(teacher: Chat, demo: sa.Engine) -> None:
    with Session(demo) as s:
        manager = s.exec(select(Person).where(Person.email == _manager_of_umea(teacher))).one()
        for row in [
            *s.exec(select(PersonRole).where(PersonRole.person_id == manager.id)).all(),
            *s.exec(select(Leadership)).all(),
        ]:
            s.delete(row)
        s.commit()
    (reply,) = teacher.say_yes("jag kan inte komma 11/2")
    assert reply.text.endswith(
        "är anmäld. Ingen kunde få veta det. Ditt ämneslag har ingen ledare det här läsåret. Din skola har ingen "
        "chef hos boten, så berätta det själv för din chef. Du behöver inte ange något skäl."
    )
    assert _recipients(teacher, "absence_reported") == set()


def test_report_absence_by_button_and_by_typed_date(teacher: Chat) -> None:
    (question,) = teacher.say("anmäl frånvaro")
    assert [b.label for b in question.buttons] == ["torsdag 11 februari kl. 09.00", "torsdag 8 april kl. 09.00"]
    (done,) = teacher.say("2")
    assert "8 april" in (done.text or "")
    teacher.say("anmäl frånvaro")
    (done,) = teacher.say("11/2")
    assert "11 februari" in (done.text or "")
    assert len(_absence(teacher)) == 2


def test_a_date_without_a_meeting_offers_the_meetings(teacher: Chat) -> None:
    (reply,) = teacher.say("kan inte delta 3/3")
    assert isinstance(reply, ChoicesReply)
    assert reply.text.startswith("Bild, form och skapande har ingen träff onsdag 3 mars.")
    assert _absence(teacher) == []


def test_withdraw_absence(teacher: Chat) -> None:
    teacher.say_yes("jag kan inte komma 8/4")
    (question,) = teacher.say("jag vill ta tillbaka min frånvaro")
    assert [b.label for b in question.buttons] == ["torsdag 8 april kl. 09.00"]
    (done,) = teacher.say("1")
    assert done.text.startswith("Klart: din frånvaro från träffen i Bild, form och skapande torsdag 8 april")
    (absence,) = _absence(teacher)
    assert absence.withdrawn_at is not None
    assert len(_recipients(teacher, "absence_withdrawn")) == 3
    (nothing,) = teacher.say("ta tillbaka frånvaro")
    assert nothing.text == "Du har ingen anmäld frånvaro att ta tillbaka."
    teacher.say_yes("jag kan inte komma 8/4")  # reported again after withdrawing: the same row, active again
    (again,) = _absence(teacher)
    assert again.withdrawn_at is None


def test_a_dialog_survives_a_restart(teacher: Chat, demo: sa.Engine, clock: Clock) -> None:
    teacher.say("anmäl frånvaro")
    teacher.dialogs = build_dialogs(demo, clock=clock)  # a new process: nothing kept in memory
    (done,) = teacher.say("1")
    assert "11 februari" in (done.text or "")


def test_an_idle_dialog_expires(teacher: Chat, clock: Clock) -> None:
    teacher.say("anmäl frånvaro")
    clock.now += dtm.timedelta(minutes=31)
    replies = teacher.say("1")
    assert replies[0].text == "Den listan gäller inte längre. Det här kan jag hjälpa dig med nu:"
    assert _absence(teacher) == []


@pytest.mark.parametrize("word", ["avbryt", "Avbryt!", "cancel"])
def test_cancel_works_at_every_step(teacher: Chat, word: str) -> None:
    for start in ("anmäl frånvaro", "välj ämneslag", "byt till stråk", "ta tillbaka frånvaro"):
        teacher.say(start)
        (reply,) = teacher.say(word)
        assert reply.text == 'Okej, avbrutet. Skriv "hjälp" när du behöver mig.'
        with Session(teacher.db) as s:
            assert s.exec(select(DialogState)).all() == []
    assert _absence(teacher) == [] and teacher.outbox() == []


def test_old_buttons_still_work_or_say_they_expired(teacher: Chat, demo: sa.Engine, clock: Clock) -> None:
    (question,) = teacher.say("anmäl frånvaro")
    february = question.buttons[0]
    teacher.say("mitt ämneslag")  # the conversation moves on
    (done,) = teacher.click(february)  # the old button still works
    assert "11 februari" in (done.text or "")

    with Session(demo) as s:
        september = s.exec(select(Meeting).where(col(Meeting.first_of_year)).limit(1)).one()
    (expired,) = teacher.click(Button(label="x", action="absence.report", values={"meeting_id": september.id}))
    assert expired.text == "Den träffen går inte längre att anmäla frånvaro till."
    replies = teacher.click(Button(label="x", action="no.such.action", values={}))
    assert replies[0].text == "Den knappen har gått ut. Det här kan jag hjälpa dig med nu:"
    (old_year,) = teacher.click(
        Button(label="Ja", action="choose_team.confirm", values={"team_id": 1, "year": "2024/25"})
    )
    assert "gått ut" in (old_year.text or "")


def test_a_teacher_cannot_report_absence_for_another_team(teacher: Chat, demo: sa.Engine) -> None:
    with Session(demo) as s:
        other = s.exec(
            select(Meeting)
            .join(Team)
            .where(Team.name == "Dans", Meeting.starts_at > dtm.datetime(2027, 1, 1, tzinfo=dtm.UTC))
        ).first()
    (reply,) = teacher.click(Button(label="x", action="absence.report", values={"meeting_id": other.id}))
    assert reply.text == "Du kan bara anmäla frånvaro från träffar i ditt ämneslag."
    assert _absence(teacher) == []
    with Session(demo) as s:
        refused = s.exec(select(AuditLog).where(AuditLog.action == "refused")).one()
    assert (refused.entity, refused.details["reason"]) == ("absence.report", "not_in_team")


BAD_INPUT = [
    "",
    "   ",
    "x" * 10_000,
    "🙂🎻🥁",
    "<script>alert('hej')</script>",
    "*fetstil* _kursiv_ ~struken~ `kod`",
    "<@U012AB3CD> hej",
    "'; DROP TABLE person; --",
    "kan inte komma 31/2",
    "frånvaro 2025-13-40",
    "\x00\x1b[31m",
]


@pytest.mark.parametrize("text", BAD_INPUT, ids=lambda t: repr(t[:20]))
def test_bad_input_gets_a_helpful_answer_and_never_a_crash(
    teacher: Chat, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    replies = teacher.say(text)
    rendered = text_of(replies)
    assert rendered and "Traceback" not in rendered and "gick fel hos mig" not in rendered
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    with Session(teacher.db) as s:
        assert s.exec(select(Person)).first() is not None  # the SQL was only text


def test_an_unknown_text_is_logged_for_the_operator(teacher: Chat, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="dialogs.engine")
    teacher.say("asdfgh")
    assert any("not understood" in r.getMessage() for r in caplog.records)
    assert not any("asdfgh" in r.getMessage() for r in caplog.records)  # what people write stays out of logs


def test_a_failing_dialog_is_answered_politely_and_rolled_back(teacher: Chat, caplog: pytest.LogCaptureFixture) -> None:
    teacher.say("anmäl frånvaro")

    def broken(turn, slots, _):
        turn.session.add(DialogState(person_id=turn.person.id, conversation_key="half-written"))
        raise RuntimeError("bug")

    teacher.dialogs.router.intents["my_team"] = Route("my_team", anyone, broken)
    (reply,) = teacher.say("mitt ämneslag")
    assert reply.text.startswith("Förlåt, något gick fel hos mig.")
    assert any(r.levelname == "ERROR" for r in caplog.records)
    with Session(teacher.db) as s:
        assert s.exec(select(DialogState)).all() == []  # nothing half-written, and the stuck dialog cleared


def test_absence_and_choice_are_audited_with_before_and_after(teacher: Chat) -> None:
    teacher.say_yes("jag kan inte komma 11/2")
    teacher.say_yes("jag kan komma ändå 11/2")
    teacher.say("jag vill välja stråk")
    teacher.say("ja")
    with Session(teacher.db) as s:
        rows = {e.action: e.details for e in s.exec(select(AuditLog).where(AuditLog.actor_id == teacher.person_id))}
    assert rows["absence.reported"]["before"] is None
    assert rows["absence.reported"]["after"]["withdrawn_at"] is None
    assert rows["absence.withdrawn"]["before"]["withdrawn_at"] is None
    assert rows["absence.withdrawn"]["after"]["withdrawn_at"] is not None
    assert set(rows["absence.withdrawn"]["after"]) == {"reported_at", "withdrawn_at"}  # never a reason
    assert rows["membership.chosen"]["before"] is None and rows["membership.chosen"]["after"]["confirmed_at"] is None


def test_after_the_years_last_meeting_the_teacher_is_told_the_meetings_are_over(teacher: Chat, clock: Clock) -> None:
    """Not "no meetings are planned yet" in May, when the team has met three times."""
    clock.now = dtm.datetime(2027, 5, 10, 8, 0, tzinfo=dtm.UTC)
    over = "Läsårets träffar i Bild, form och skapande är slut: 3 träffar, den sista torsdag 8 april."
    (card,) = teacher.say("mitt ämneslag")
    assert isinstance(card, CardReply) and card.text == over
    (reply,) = teacher.say("när är nästa träff?")
    assert reply.text == over
    (absence,) = teacher.say("anmäl frånvaro")
    assert absence.text == over


def test_while_the_team_may_still_meet_this_year_its_meetings_are_not_said_to_be_over(
    teacher: Chat, demo: sa.Engine, clock: Clock
) -> None:
    """Two meetings held and the April network day ahead (the goal is 2–3): nothing is over in March."""
    with Session(demo) as s:
        bild = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        latest = select(Meeting).where(Meeting.team_id == bild.id).order_by(col(Meeting.starts_at).desc())
        april = s.exec(latest).first()
        assert april is not None and april.starts_at.month == 4
        s.delete(april)
        s.commit()
    clock.now = dtm.datetime(2027, 3, 1, 8, 0, tzinfo=dtm.UTC)
    (reply,) = teacher.say("när är nästa träff?")
    assert reply.text == "Bild, form och skapande har inga kommande träffar än."
    clock.now = dtm.datetime(2027, 5, 10, 8, 0, tzinfo=dtm.UTC)  # the year's last network day has passed
    (reply,) = teacher.say("när är nästa träff?")
    assert reply.text == "Läsårets träffar i Bild, form och skapande är slut: 2 träffar, den sista torsdag 11 februari."


def test_before_any_meeting_is_planned_the_teacher_is_told_so(teacher: Chat, demo: sa.Engine) -> None:
    with Session(demo) as s:
        for meeting in s.exec(select(Meeting)).all():
            s.delete(meeting)
        s.commit()
    (card,) = teacher.say("mitt ämneslag")
    assert card.text == "Inga träffar är planerade än."


def test_a_leader_the_bot_cannot_reach_is_named_not_said_to_be_told(teacher: Chat, demo: sa.Engine) -> None:
    """Issue 19: the log reaches nobody. Petter has no chat with the bot, so Alva is told to tell him herself."""
    manager = _manager_of_umea(teacher)
    _in_slack(demo, "jonas.sundqvist@example.org", manager)
    (reply,) = teacher.say_yes("jag kan inte komma 11/2")
    assert reply.text == (
        "Klart: din frånvaro från träffen i Bild, form och skapande torsdag 11 februari kl. 09.00 är anmäld. "
        "Din ämneslagsledare (Jonas Sundqvist) och din chef (Pontus Rönnlund) har fått veta det. Petter Backman "
        "nås inte av boten (ingen chatt med den): berätta det själv för hen. Du behöver inte ange något skäl."
    )


def test_with_e_mail_a_leader_without_chat_gets_the_absence_by_e_mail(demo: sa.Engine, clock) -> None:
    """With SMTP configured (`reach` "email"), those without a chat are told by e-mail, and the reply says so."""
    from dialogs.app import build_dialogs
    from tests.dialogs.conftest import Chat

    with Session(demo) as s:
        alva = s.exec(select(Person).where(Person.email == "alva.jonsson@example.org")).one()
    teacher = Chat(build_dialogs(demo, clock=clock, reach="email"), demo, alva.id, "test")
    _in_slack(demo, "jonas.sundqvist@example.org", _manager_of_umea(teacher))
    (reply,) = teacher.say_yes("jag kan inte komma 11/2")
    told = "Dina ämneslagsledare (Jonas Sundqvist och Petter Backman) och din chef (Pontus Rönnlund) har fått veta det."
    assert told in (reply.text or "") and "Petter Backman får det med e-post." in (reply.text or "")


def test_with_teams_installation_a_leader_without_chat_is_said_to_get_the_app(demo: sa.Engine, clock) -> None:
    """With Graph installation on (`reach` "teams"), the reply says the bot adds the app for them, and what then."""
    from dialogs.app import build_dialogs
    from tests.dialogs.conftest import Chat

    with Session(demo) as s:
        alva = s.exec(select(Person).where(Person.email == "alva.jonsson@example.org")).one()
    teacher = Chat(build_dialogs(demo, clock=clock, reach="teams"), demo, alva.id, "test")
    _in_slack(demo, "jonas.sundqvist@example.org", _manager_of_umea(teacher))
    (reply,) = teacher.say_yes("jag kan inte komma 11/2")
    assert (
        "Petter Backman har ingen chatt med boten än: jag lägger till appen åt hen i Teams; går inte det når det "
        "inte fram." in (reply.text or "")
    )
