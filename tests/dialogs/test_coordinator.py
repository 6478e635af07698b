"""The coordinator's dialogs end to end, and the status in chat, text, JSON and CSV agreeing with the data."""

from __future__ import annotations

import csv
import datetime as dtm
import io
import json
import re

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.cli import main
from dialogs.types import Button, CardReply, ChoicesReply, TextReply, buttons_of
from domain.status import build_status
from domain.teams import current_year
from storage.db import session_scope
from storage.models import (
    AuditLog,
    Leadership,
    Meeting,
    Membership,
    NetworkDay,
    OutboxMessage,
    Person,
    PersonRole,
    Region,
    SchoolYear,
    Team,
)
from tests.dialogs.conftest import TEACHER, Chat, Clock

COORDINATOR = "kalle.forsberg@example.org"


@pytest.fixture
def coordinator(chat_as) -> Chat:
    return chat_as(COORDINATOR)


def _status(db: sa.Engine, now: dtm.datetime) -> dict:
    with Session(db) as s:
        region = s.exec(select(Region)).one()
        return build_status(s, region, current_year(s, region, now)).model_dump(mode="json")


def _a_lived_year(chat_as, clock: Clock) -> None:
    """Absences, a notice, notes and a cancelled meeting, done through the chat as people would."""
    chat_as("alva.jonsson@example.org").say_yes("jag kan inte komma 11/2")
    chat_as("rut.dahlberg@example.org").say_yes("jag kan inte komma 11/2")
    leader = chat_as("jonas.sundqvist@example.org")
    leader.say("skicka kallelse 11/2")
    leader.press("Skicka kallelse nu")
    clock.now = dtm.datetime(2027, 2, 12, 9, 0, tzinfo=dtm.UTC)
    leader.say("logga anteckningar")
    leader.say("Vi pratade om vårens konserter.")
    leader.say("ingen länk")
    leader.press("Skicka anteckningarna")


def test_status_in_chat_text_json_and_csv_agree(
    coordinator: Chat, chat_as, clock: Clock, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _a_lived_year(chat_as, clock)
    status = _status(coordinator.db, clock.now)
    bild = next(t for t in status["teams"] if t["name"] == "Bild, form och skapande")
    february = bild["meetings"][1]
    assert (february["notice_sent"], february["notes_distributed"]) == (True, True)
    assert february["absent"] == ["alva.jonsson@example.org"]  # Rut is in another team

    (card,) = coordinator.say("status")
    assert isinstance(card, CardReply) and "2026/27" in card.title
    chat_rows = dict(card.facts)
    assert list(chat_rows) == [t["name"] for t in status["teams"]]

    assert main(["status", "--format", "csv", "--year", "2026/27"]) == 0
    csv_rows = {row["team"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert main(["status", "--format", "json", "--year", "2026/27"]) == 0
    assert json.loads(capsys.readouterr().out) == status
    assert main(["status", "--format", "text", "--year", "2026/27"]) == 0
    text = capsys.readouterr().out

    for team in status["teams"]:
        meetings = team["meetings"]
        notices = sum(m["notice_sent"] for m in meetings)
        notes = sum(m["notes_distributed"] for m in meetings)
        confirmed = sum(m["confirmed"] for m in team["members"])
        numbers = [int(n) for n in re.findall(r"\d+", chat_rows[team["name"]])]
        # leaders, confirmed/members, planned (goal low-high), physical, notices/planned, notes/planned
        assert numbers == [
            len(team["leaders"]),
            confirmed,
            len(team["members"]),
            len(meetings),
            2,
            3,
            team["goals"]["physical_meetings"],
            notices,
            len(meetings),
            notes,
            len(meetings),
        ], team["name"]
        row = csv_rows[team["name"]]
        assert (int(row["notices_sent"]), int(row["notes_distributed"]), int(row["members"])) == (
            notices,
            notes,
            len(team["members"]),
        )
        line = next(line for line in text.splitlines() if line.startswith(team["name"]))
        assert f"{notices}/{len(meetings)}" in line and f"{confirmed}/{len(team['members'])}" in line
        trips = [m["longest_round_trip_km"] for m in meetings if m["longest_round_trip_km"] is not None]
        assert row["longest_round_trip_km"] == (str(max(trips)) if trips else "")
        mil = f"{max(trips) / 10:.1f}".removesuffix(".0").replace(".", ",")
        assert (f"{mil}\u00a0mil" in line) if trips else line.rstrip().endswith("–")
    assert csv_rows["Bild, form och skapande"]["notes_distributed"] == "2"


def test_status_of_one_team_and_absences_of_a_meeting(coordinator: Chat, chat_as, clock: Clock) -> None:
    _a_lived_year(chat_as, clock)
    (card,) = coordinator.say("status bild")
    assert isinstance(card, CardReply) and card.title.startswith("Bild, form och skapande")
    facts = dict(card.facts)
    assert facts["Ledare"] == "Jonas Sundqvist och Petter Backman"
    assert len(card.buttons) == 3  # absences of each meeting
    (absent,) = coordinator.click(card.buttons[1])
    assert isinstance(absent, CardReply) and [name for name, _ in absent.facts] == ["Alva Jonsson"]

    (day,) = coordinator.say("frånvaro 11/2")  # every team meeting that day
    assert isinstance(day, CardReply)
    rows = dict(day.facts)
    assert rows["Bild, form och skapande"] == "Alva Jonsson"
    assert "Rut Dahlberg" in rows.values()


def test_people_without_a_team_and_schools_not_reported(coordinator: Chat) -> None:
    (card,) = coordinator.say("vilka saknar ämneslag?")
    assert isinstance(card, CardReply)
    names = [n for value in dict(card.facts).values() for n in value.split(", ")]
    assert len(names) == 4  # the demo's teachers without a team
    schools = coordinator.click(Button(label="x", action="status.not_reported", values={}))
    assert isinstance(schools[0], CardReply) and len(schools[0].facts) == 13


def test_add_and_remove_a_network_day(coordinator: Chat, demo: sa.Engine) -> None:
    replies = coordinator.say("lägg till en nätverksdag")
    assert isinstance(replies[0], CardReply) and len(replies[0].facts) == 3
    past, again = coordinator.say("2026-11-01")  # the reason, then the question again
    assert isinstance(past, TextReply) and "framåt i tiden" in past.text
    assert isinstance(again, ChoicesReply) and again.text.startswith("Ange datumet")  # with a date picker
    assert [f.kind for f in again.fields] == ["date"] and again.buttons == []
    (kind,) = coordinator.say("18 mars")
    assert isinstance(kind, ChoicesReply) and len(kind.buttons) == 3
    replies = coordinator.click(kind.buttons[0])
    with Session(demo) as s:
        day = s.exec(select(NetworkDay).where(NetworkDay.date == dtm.date(2027, 3, 18))).one()
        assert day.kind == "physical"
    told = [m for m in coordinator.outbox() if m.kind == "network_day_added"]
    assert len(told) == 22  # every leader of 2026/27, once each
    coordinator.click(kind.buttons[0])  # twice: no second day, nobody told twice
    assert len([m for m in coordinator.outbox() if m.kind == "network_day_added"]) == 22

    (question,) = coordinator.say("ta bort nätverksdagen 11 februari")
    assert isinstance(question, ChoicesReply)
    february = next(b for b in question.buttons if "februari" in b.label)
    coordinator.click(february)
    with Session(demo) as s:
        assert s.exec(select(NetworkDay).where(NetworkDay.date == dtm.date(2027, 2, 11))).first() is None
        kept = s.exec(select(Meeting).where(col(Meeting.starts_at) >= dtm.datetime(2027, 2, 11, tzinfo=dtm.UTC))).all()
        assert len([m for m in kept if m.starts_at.date() == dtm.date(2027, 2, 11)]) == 12  # meetings stay
        entry = s.exec(select(AuditLog).where(AuditLog.action == "network_day.removed")).one()
        assert entry.details["before"]["date"] == "2027-02-11" and entry.details["after"] is None
    assert len([m for m in coordinator.outbox() if m.kind == "network_day_removed"]) == 22
    (gone,) = coordinator.click(february)
    assert isinstance(gone, TextReply)


def _leaders(db: sa.Engine, team: str) -> list[str]:
    with Session(db) as s:
        team_row = s.exec(select(Team).where(Team.name == team)).one()
        rows = s.exec(select(Leadership).where(Leadership.team_id == team_row.id).order_by(col(Leadership.slot))).all()
        return [s.get(Person, r.person_id).email for r in rows]


def test_appoint_a_second_leader_and_replace_when_there_are_two(coordinator: Chat, demo: sa.Engine) -> None:
    assert len(_leaders(demo, "Film")) == 1
    (question,) = coordinator.say("utse ny ledare för film")
    assert isinstance(question, ChoicesReply)
    (confirm,) = coordinator.say("Alva Jonsson")
    assert isinstance(confirm, ChoicesReply) and len(confirm.buttons) == 1
    coordinator.click(confirm.buttons[0])
    assert _leaders(demo, "Film")[1] == "alva.jonsson@example.org"
    assert [m.kind for m in coordinator.outbox()] == ["leader_appointed"]

    # a third leader: the bot asks whom the new one replaces
    coordinator.say("utse ny ledare för film")
    (replace,) = coordinator.say("rut.dahlberg@example.org")
    assert isinstance(replace, ChoicesReply) and len(replace.buttons) == 2
    (confirm,) = coordinator.click(replace.buttons[1])
    assert isinstance(confirm, ChoicesReply) and "i stället för" in confirm.text
    coordinator.click(confirm.buttons[0])
    assert _leaders(demo, "Film")[1] == "rut.dahlberg@example.org" and len(_leaders(demo, "Film")) == 2
    assert sorted(m.kind for m in coordinator.outbox()) == ["leader_appointed", "leader_appointed", "leader_replaced"]
    with Session(demo) as s:
        entry = s.exec(select(AuditLog).where(AuditLog.action == "leader.replaced")).one()
    assert len(entry.details["before"]["leaders"]) == 2 and len(entry.details["after"]["leaders"]) == 2
    assert entry.details["before"] != entry.details["after"]

    forged = Button(label="x", action="leader.appoint", values={**replace.buttons[0].values})
    forged.values.pop("replacing_id")
    (refused,) = coordinator.click(forged)  # no free slot, nobody to replace: a clear answer, no third leader
    assert len(_leaders(demo, "Film")) == 2
    assert isinstance(refused, TextReply)


def test_coordinator_help(coordinator: Chat) -> None:
    labels = [b.label for b in buttons_of(coordinator.say("hjälp"))]
    assert "Status" in labels and "Utse ledare" in labels
    assert "Mitt ämneslag" not in labels  # a coordinator without a teacher role
    outbox: list[OutboxMessage] = coordinator.outbox()
    assert outbox == []


def test_audit_command_shows_who_what_before_and_after(
    coordinator: Chat, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (kind,) = coordinator.say("ny nätverksdag 18/3")
    coordinator.click(kind.buttons[1])
    assert main(["audit", "--since", "2000-01-01"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if "network_day.added" in line]
    assert COORDINATOR in line
    details = json.loads(line.split("  ", 4)[4])
    assert details == {"before": None, "after": {"date": "2027-03-18", "kind": "digital"}}
    assert main(["audit", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""


def test_whom_a_new_leader_replaces_can_be_written(coordinator: Chat, demo: sa.Engine) -> None:
    coordinator.say("utse ny ledare för film")
    coordinator.say("Alva Jonsson")
    coordinator.press("Ja, utse")
    coordinator.say("utse ny ledare för film")
    (replace,) = coordinator.say("rut.dahlberg@example.org")
    assert isinstance(replace, ChoicesReply)
    wrong, again = coordinator.say("Zlatan")  # nobody of the two: said, and asked again
    assert isinstance(wrong, TextReply) and again == replace
    (confirm,) = coordinator.say("alva")
    assert isinstance(confirm, ChoicesReply) and "i stället för Alva Jonsson" in confirm.text
    coordinator.press("Ja, utse")
    assert "rut.dahlberg@example.org" in _leaders(demo, "Film") and "alva.jonsson@example.org" not in _leaders(
        demo, "Film"
    )


def _year(s: Session, label: str) -> SchoolYear:
    return s.exec(select(SchoolYear).where(SchoolYear.label == label)).one()


def _team_choice_reminded(db: sa.Engine, instant: dtm.datetime) -> set[str]:
    from scheduler.sweep import sweep

    return {r.email for r in sweep(db, instant, dry_run=True).reminders if r.rule == "team_choice"}


def test_a_leader_appointed_without_a_team_becomes_a_member_and_is_not_nagged(
    coordinator: Chat, demo: sa.Engine, clock: Clock
) -> None:
    """Issue 17, B7: Märta Sandström has no team; in May the coordinator appoints her for the coming year."""
    marta = "marta.sandstrom@example.org"
    clock.now = dtm.datetime(2027, 5, 20, 8, 0, tzinfo=dtm.UTC)
    coordinator.say("utse ny ledare för film")
    (preview,) = coordinator.say("Märta Sandström")
    assert preview.text == (
        "Utse Märta Sandström till ledare för Film läsåret 2027/28? Märta Sandström har inget ämneslag läsåret "
        "2027/28 och blir därför också medlem i Film."
    )
    (done,) = coordinator.press("Ja, utse")
    assert done.text == (
        "Klart: Märta Sandström är ledare för Film läsåret 2027/28. Märta Sandström är nu också medlem i Film "
        "(ännu inte bekräftat av chefen)."
    )
    with Session(demo) as s:
        person = s.exec(select(Person).where(Person.email == marta)).one()
        member = s.exec(
            select(Membership).where(
                Membership.person_id == person.id, Membership.school_year_id == _year(s, "2027/28").id
            )
        ).one()
        assert s.get(Team, member.team_id).name == "Film" and member.confirmed_at is None
        entry = s.exec(select(AuditLog).where(AuditLog.action == "membership.by_leadership")).one()
        assert entry.details["after"]["team_id"] == member.team_id
        status = build_status(s, s.exec(select(Region)).one(), _year(s, "2027/28")).model_dump(mode="json")
    assert marta not in status["people_without_team"]
    film = next(t for t in status["teams"] if t["name"] == "Film")
    assert marta in film["leaders"] and marta in [m["email"] for m in film["members"]]
    monday = dtm.datetime(2027, 5, 24, 7, 0, tzinfo=dtm.UTC)  # the team choice's reminder of week 3
    reminded = _team_choice_reminded(demo, monday)
    assert reminded and marta not in reminded


def test_a_leader_without_a_membership_counts_as_in_the_team(demo: sa.Engine, chat_as) -> None:
    """A leadership from before the rule above (no membership): still in the team, never nagged to choose one."""
    gustav = "gustav.agren@example.org"  # no team in the demo
    with session_scope(demo) as s:
        person = s.exec(select(Person).where(Person.email == gustav)).one()
        film = s.exec(select(Team).where(Team.name == "Film")).one()
        s.add(
            Leadership(
                team_id=film.id or 0, school_year_id=_year(s, "2026/27").id or 0, person_id=person.id or 0, slot=2
            )
        )
        s.add(SchoolYear(label="2027/28", starts_on=dtm.date(2027, 7, 1), ends_on=dtm.date(2028, 6, 30)))
        s.flush()
        s.add(
            Leadership(
                team_id=film.id or 0, school_year_id=_year(s, "2027/28").id or 0, person_id=person.id or 0, slot=1
            )
        )
    with Session(demo) as s:
        status = build_status(s, s.exec(select(Region)).one(), _year(s, "2026/27")).model_dump(mode="json")
    assert gustav not in status["people_without_team"]
    reminded = _team_choice_reminded(demo, dtm.datetime(2027, 5, 24, 7, 0, tzinfo=dtm.UTC))
    assert reminded and gustav not in reminded
    (card,) = chat_as("sara.stromberg@example.org").say("min personal")  # his manager, Nordmaling
    assert dict(card.facts)["Gustav Ågren"] == "Film (ledare)"
    assert not any(b.values.get("person_id") == person.id for b in card.buttons)
    (without,) = chat_as(COORDINATOR).say("vilka saknar ämneslag?")  # on 23 November 2026
    assert "Gustav Ågren" not in str(without.facts)


def test_the_coordinator_sees_the_regions_framework_read_only(coordinator: Chat, chat_as, demo: sa.Engine) -> None:
    """The framework in force, in plain Swedish: the document, the duties that apply, the dates, the goals
    (travel in mil) and the region's words; changing it is `amneslag region set`, not the chat."""
    replies = coordinator.say("visa regionens inställningar")
    (card,) = [r for r in replies if isinstance(r, CardReply)]
    assert card.title == "Ramverket för Västerbotten"
    facts = dict(card.facts)
    assert facts["Dokument"] == "Ramar för de regionala ämneslagen, version 2024-2025"
    assert facts["Val av ämneslag"] == "lärarna väljer ämneslag för nästa läsår, från 1 maj"
    assert facts["Chefernas rapport"] == "cheferna rapporterar sin personals ämneslag senast 1 juni"
    assert facts["Genomgång av ramarna"] == "varje ämneslag går igenom dokumentet vid läsårets första träff"
    assert facts["Träffar"] == "2–3 per läsår, minst 1 fysisk"
    assert facts["Mål för resor"] == "ingen ska behöva resa mer än 40\u00a0mil tur och retur"
    assert facts["Träffdagar"] == "beslutas av chefs- och ledarnätverket"
    assert facts["Ord"] == "ämneslag (flera: ämneslag), ledare: ämneslagsledare"
    assert "amneslag region set vasterbotten" in (card.text or "")  # Kalle is the administrator too
    with session_scope(demo) as s:  # a coordinator who is not is told whom to ask, not a command to type
        region = s.exec(select(Region)).one()
        other = Person(email="eva.samordnare@example.org", name="Eva Samordnare", region_id=region.id or 0)
        s.add(other)
        s.flush()
        s.add(PersonRole(person_id=other.id or 0, role="coordinator"))
    (told,) = [r for r in chat_as("eva.samordnare@example.org").say("ramverk") if isinstance(r, CardReply)]
    assert told.text == ("Här kan du bara läsa. Vill du ändra en inställning, fråga administratören, Kalle Forsberg.")
    # read only, but for recording the yearly revision (the new version and its link, `dialogs.revision`)
    assert [b.label for b in buttons_of(replies)] == ["Registrera ny version"]
    assert coordinator.outbox() == []
    for typed in ("ramverk", "ramverket", "inställningar", "framework settings"):
        assert any(isinstance(r, CardReply) and r.title.startswith("Ramverket") for r in coordinator.say(typed)), typed

    with session_scope(demo) as s:
        from storage.framework import change_setting

        region = s.exec(select(Region)).one()
        change_setting(s, region, "duties.team_choice", "false")
        change_setting(s, region, "travel_goal_km_round_trip", "350")
    facts = dict(next(r for r in coordinator.say("ramverk") if isinstance(r, CardReply)).facts)
    assert "Val av ämneslag" not in facts and "val av ämneslag" in facts["Gäller inte"]
    assert facts["Mål för resor"] == "ingen ska behöva resa mer än 35\u00a0mil tur och retur"

    (refused,) = chat_as(TEACHER).say("ramverk")
    assert isinstance(refused, TextReply) and "samordnare" in refused.text


def test_the_coordinators_help_offers_the_framework(coordinator: Chat) -> None:
    assert "Regionens ramverk" in [b.label for b in buttons_of(coordinator.say("hjälp"))]


def test_the_people_the_bot_cannot_reach_are_named_from_the_status_with_what_to_do(coordinator: Chat) -> None:
    """Issue 19: "otherwise a clear list for the coordinator": a button on the status, names, addresses, steps."""
    (card,) = coordinator.say("status")
    (button,) = [b for b in buttons_of([card]) if b.label.startswith("Nås inte (")]
    count = int(button.label.removeprefix("Nås inte (").rstrip(")"))
    assert count > 0  # the demo roster: most have never written to the bot
    (listed,) = coordinator.click(button)
    assert isinstance(listed, CardReply)
    assert listed.title == f"Personer jag inte når ({count})"
    with Session(coordinator.db) as s:
        names = {p.email: p.name for p in s.exec(select(Person)).all()}
    assert len(listed.facts) == count and all(names[email] == name for name, email in listed.facts)
    lines = (listed.text or "").split("\n")
    assert lines[0].endswith("så de missar kallelser och påminnelser. Det här hjälper:")
    assert lines[1] == (
        "- be dem öppna appen och skriva hej till mig en gång (i Teams: Appar, sök efter Ämneslagsboten, Lägg till; "
        "i Slack: Ämneslagsboten under Appar);"
    )
    assert "be administratören rätta den i personlistan" in lines[3]
