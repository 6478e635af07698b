""" "Vad vet du om mig?": a person sees what the bot holds about them, can ask for a copy or erasure,
and an erased person is a stranger when they write again."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from dialogs.types import CardReply, Incoming, buttons_of
from domain.privacy import erase_person
from storage.db import session_scope
from storage.directory import roles_of
from storage.models import AuditLog, OutboxMessage, Person, PersonRole
from tests.dialogs.conftest import NOW, TEACHER, Chat, text_of


def _cards(replies: list) -> dict[str, CardReply]:
    return {r.title: r for r in replies if isinstance(r, CardReply)}


def test_what_do_you_know_about_me_in_swedish(teacher: Chat) -> None:
    cards = _cards(teacher.say("Vad vet du om mig?"))
    assert list(cards) == ["Det här vet jag om dig", "Det du gjort och fått", "Så länge sparar jag det"]
    profile = dict(cards["Det här vet jag om dig"].facts)
    assert profile["Namn"] == "Alva Jonsson" and profile["E-post"] == TEACHER
    assert profile["Skola"] == "Kulturskolan i Umeå" and profile["Roller"] == "lärare"
    assert profile["Ämneslag"] == "2026/27: Bild, form och skapande (bekräftat)"
    assert "personuppgiftsansvarig" in (cards["Det här vet jag om dig"].text or "")
    kept = dict(cards["Så länge sparar jag det"].facts)
    assert kept["Frånvaro"] == "13 månader efter träffen"
    assert kept["Meddelanden jag skickat dig"] == "90 dagar efter leveransen"
    assert kept["Påbörjade samtal"] == "30 dagar"
    assert kept["Ändringsloggen"] == "3 år"
    assert [b.label for b in buttons_of(teacher.last)] == ["Begär en kopia", "Begär radering"]


def test_the_answer_shows_absences_and_messages(teacher: Chat) -> None:
    assert "är anmäld" in text_of(teacher.say_yes("jag kan inte komma 11/2"))
    activity = _cards(teacher.say("vilka uppgifter har du om mig"))["Det du gjort och fått"]
    facts = dict(activity.facts)
    assert facts["Anmäld frånvaro"] == "1 frånvaroanmälan"
    assert "torsdag 11 februari, Bild, form och skapande" in (activity.text or "")
    assert int(facts["Poster om dig i ändringsloggen"]) >= 2


def test_english_and_the_configured_periods(chat_as, demo: sa.Engine, monkeypatch) -> None:
    monkeypatch.setenv("AMNESLAG_RETAIN_ABSENCES_MONTHS", "1")
    with Session(demo) as s:
        person = s.exec(select(Person).where(Person.language == "en")).first()
    assert person is not None
    cards = _cards(chat_as(person.email).say("what do you know about me?"))
    assert "What I know about you" in cards
    assert dict(cards["How long I keep it"].facts)["Absences"] == "1 month after the meeting"


def test_asking_for_erasure_tells_the_administrator(teacher: Chat) -> None:
    with session_scope(teacher.db) as s:
        (kalle,) = s.exec(select(Person).where(Person.name == "Kalle Forsberg")).all()
        kalle.slack_user_id = "UKALLE"  # a chat: the bot can say he was told
    teacher.say("mina personuppgifter")
    replies = teacher.press("Begär radering")
    assert "Ska jag be administratören att radera dig?" in text_of(replies)
    assert teacher.outbox() == []
    assert text_of(teacher.press("Nej")).strip() == "Okej, inget skickades."
    assert teacher.outbox() == []
    teacher.say("vad vet du om mig")
    teacher.press("Begär radering")
    (reply,) = teacher.press("Ja, begär radering")
    assert reply.text == "Kalle Forsberg har fått veta det. Kommunen ska svara dig inom en månad."
    (message,) = teacher.outbox()
    assert message.kind == "gdpr_request" and message.payload["origin"] == teacher.person_id
    assert "amneslag gdpr erase alva.jonsson@example.org" in message.payload["text"]
    with Session(teacher.db) as s:
        (entry,) = s.exec(select(AuditLog).where(AuditLog.action == "gdpr.requested")).all()
        assert entry.details == {"what": "erase"} and entry.actor_id == teacher.person_id


def test_without_an_administrator_the_coordinator_is_asked_and_shown_no_command(teacher: Chat) -> None:
    """A coordinator is not technical: the request names what is asked and who carries it out, never a command
    line; and the person is told only what is true (the demo's coordinator has no chat with the bot)."""
    with session_scope(teacher.db) as s:
        for role in s.exec(select(PersonRole).where(PersonRole.role == "admin")).all():
            s.delete(role)
    teacher.say("vad vet du om mig")
    (reply,) = teacher.press("Begär en kopia")
    (message,) = teacher.outbox()
    with Session(teacher.db) as s:
        coordinator = s.get(Person, message.recipient_id)
        assert coordinator is not None and "coordinator" in roles_of(s, coordinator.id or 0)
    assert "amneslag" not in message.payload["text"]
    assert message.payload["text"].endswith("be botens administratör att utföra det.")
    assert reply.text == (
        f"{coordinator.name} nås inte av boten (ingen chatt med den): berätta det själv för hen. "
        "Kommunen ska svara dig inom en månad."
    )


def test_asking_for_a_copy(teacher: Chat) -> None:
    teacher.say("vad vet du om mig")
    teacher.press("Begär en kopia")
    (message,) = teacher.outbox()
    assert "begär en kopia av sina uppgifter" in message.payload["text"]
    assert "amneslag gdpr export alva.jonsson@example.org" in message.payload["text"]


def test_an_erased_person_who_writes_again_is_a_stranger(teacher: Chat, chat_as) -> None:
    assert "är anmäld" in text_of(teacher.say_yes("jag kan inte komma 11/2"))
    with session_scope(teacher.db) as s:
        erase_person(s, TEACHER, now=NOW)
    for chat in (teacher, chat_as(TEACHER)):  # by the old person id, and looked up by e-mail again
        (reply,) = chat.say("Vad vet du om mig?")
        assert reply.text.startswith("Hej! Jag känner inte igen dig än")
    (reply,) = teacher.dialogs.handle(Incoming(person_id=None, channel="slack", conversation_id="D1", text="hej"))
    assert reply.text.startswith("Hej! Jag känner inte igen dig än")
    with Session(teacher.db) as s:
        for message in s.exec(select(OutboxMessage)).all():
            assert "Alva Jonsson" not in str(message.payload)
