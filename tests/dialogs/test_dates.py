"""A day and month without a year (issue 17, B2): forward for what is being planned, the current school year
for what has happened."""

from __future__ import annotations

import datetime as dtm
import json

import pytest

from bot.cli import main
from dialogs.nlu import parse
from tests.dialogs.conftest import Clock

MAY = dtm.date(2027, 5, 10)  # late in the school year 2026/27
TEAMS = ["Piano/keyboard", "Stråk"]


@pytest.mark.parametrize(
    ("text", "intent", "date"),
    [
        ("lägg till nätverksdag 16 september", "add_network_day", "2027-09-16"),
        ("ta bort nätverksdagen 16/9", "remove_network_day", "2027-09-16"),
        ("boka träff 16 september", "schedule_meeting", "2027-09-16"),
        ("flytta träffen 2/5", "change_meeting", "2028-05-02"),
        ("ställ in träffen 16/9", "cancel_meeting", "2027-09-16"),
        ("skicka kallelse till träffen 16/9", "send_notice", "2027-09-16"),
        ("jag kan inte komma 16/9", "report_absence", "2027-09-16"),
        ("anmäl frånvaro 10 maj", "report_absence", "2027-05-10"),  # today is still ahead
        # what has happened: the current school year
        ("närvaro för träffen 10/9", "confirm_attendance", "2026-09-10"),
        ("kostnaden för träffen 10 september blev 500 kr", "enter_cost", "2026-09-10"),
        ("logga anteckningar från träffen 10/9", "log_notes", "2026-09-10"),
        ("ta tillbaka frånvaron 10/9", "withdraw_absence", "2026-09-10"),
        ("frånvaro 10/9", "absences", "2026-09-10"),
        ("sammanfatta alla anteckningar sedan 1 september", "notes_digest", "2026-09-01"),
    ],
)
def test_forward_for_plans_and_this_school_year_for_what_happened(text: str, intent: str, date: str) -> None:
    parsed = parse(text, today=MAY, teams=TEAMS)
    assert (parsed.intent, parsed.slots.get("date")) == (intent, date)


def test_a_year_written_out_is_kept() -> None:
    assert parse("lägg till nätverksdag 16 september 2026", today=MAY, teams=TEAMS).slots["date"] == "2026-09-16"
    assert parse("lägg till nätverksdag 2026-09-16", today=MAY, teams=TEAMS).slots["date"] == "2026-09-16"


def test_the_parse_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "lägg till nätverksdag 16 september", "--today", MAY.isoformat()]) == 0
    assert json.loads(capsys.readouterr().out)["slots"] == {"date": "2027-09-16"}


def test_the_coordinator_adds_next_autumns_network_day_in_may(chat_as, clock: Clock) -> None:
    clock.now = dtm.datetime(2027, 5, 10, 8, 0, tzinfo=dtm.UTC)
    coordinator = chat_as("kalle.forsberg@example.org")
    (question,) = coordinator.say("lägg till nätverksdag 16 september")
    assert "framåt i tiden" not in question.text
    assert question.text.endswith("Är torsdag 16 september tänkt för fysiska eller digitala träffar?")
    coordinator.say("lägg till nätverksdag")
    (again,) = coordinator.say("17 september")  # the form's own question parses forward too
    assert again.text.endswith("Är fredag 17 september tänkt för fysiska eller digitala träffar?")


def test_a_teacher_answers_which_meeting_with_a_day_and_month(teacher) -> None:
    teacher.say("anmäl frånvaro")  # on 23 November 2026: September's meeting is over
    (reply,) = teacher.say("10/9")
    assert reply.text.startswith("Bild, form och skapande har ingen träff fredag 10 september.")  # of 2027
