"""The sweep: catch-up after downtime, exactly once (also in parallel on PostgreSQL), summer time, dry runs,
bad data, the `remind` command and the APScheduler wiring."""

from __future__ import annotations

import datetime as dtm
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from bot.cli import main
from dialogs.types import buttons_of, load_replies
from domain.status import build_status
from domain.teams import current_year
from scheduler.sweep import sweep
from scheduler.timing import JOB_ID, run_sweep, start_scheduler
from storage.db import session_scope
from storage.models import Meeting, OutboxMessage, Person, Region, SentReminder, SweepRun
from storage.seed import seed_region
from tests.scheduler.conftest import ZONE, Cycle, email


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dtm.datetime:
    return dtm.datetime(year, month, day, hour, minute, tzinfo=ZONE)


def _people(cycle: Cycle) -> list[Person]:
    with Session(cycle.engine) as s:
        return list(s.exec(select(Person)).all())


def _count(db: sa.Engine, model: type) -> int:
    with Session(db) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_after_downtime_only_the_latest_stage_comes_and_nothing_after_its_point(cycle: Cycle) -> None:
    # down from August until Tuesday 8 September: the 21- and 14-day notices were missed
    report = sweep(cycle.engine, _at(2026, 9, 8, 10))
    assert sorted((p.rule, p.email, p.occurrence) for p in report.reminders) == [
        ("framework_before", email("dan"), "before"),
        ("framework_before", email("stina"), "before"),
        ("manager_report", email("mona"), "2026-09-07"),  # Tove's and Ulf's choices: weekly, the latest week
        ("notice", email("dan"), "d-7"),
        ("notice", email("stina"), "d-7"),
        ("notice_escalation", email("kim"), "copy"),
    ]
    # down again until after the meeting: no "send the notice" any more, but the notes are due
    report = sweep(cycle.engine, _at(2026, 9, 15, 9))
    assert {p.rule for p in report.reminders} == {"framework_confirm", "notes", "manager_report", "attendance"}
    assert sweep(cycle.engine, _at(2026, 9, 15, 9)).reminders == []  # the same instant again: nothing twice


def test_each_reminder_carries_the_button_that_does_it(cycle: Cycle) -> None:
    sweep(cycle.engine, _at(2026, 9, 8, 10))
    sweep(cycle.engine, _at(2026, 9, 15, 9))
    with Session(cycle.engine) as s:
        messages = {m.kind: m for m in s.exec(select(OutboxMessage)).all()}
    labels = {kind: [b.label for b in buttons_of(load_replies(m.payload["replies"]))] for kind, m in messages.items()}
    assert labels["reminder.notice"] == ["Skicka kallelse nu"]
    assert labels["reminder.notes"] == ["Logga anteckningar"]
    assert labels["reminder.framework_confirm"] == ["Bekräfta genomgång"]
    escalation = messages["reminder.notice_escalation"].payload["text"]
    assert "Dans" in escalation and "Stråk" in escalation  # the coordinator is told who is late
    assert messages["reminder.notice"].channel == "slack"


def test_outside_working_time_nothing_goes_out_and_it_comes_on_the_next_working_morning(cycle: Cycle) -> None:
    # the 21-day notice is due on Thursday 20 August: not before 08.00, not from 17.00, not on Saturday
    for instant in (_at(2026, 8, 20, 7, 59), _at(2026, 8, 20, 17, 0), _at(2026, 8, 22, 10)):
        assert sweep(cycle.engine, instant).reminders == [], instant
    assert _count(cycle.engine, SentReminder) == 0
    caught_up = sweep(cycle.engine, _at(2026, 8, 21, 16, 59)).reminders  # Friday afternoon: catch-up
    assert sorted(p.rule for p in caught_up) == ["manager_report", "notice", "notice"]  # Mona's from Monday too


@pytest.mark.parametrize(
    ("start", "end", "meeting_day"),
    [
        (_at(2027, 3, 27, 0), _at(2027, 3, 31, 0), dtm.date(2027, 4, 13)),  # summer time starts Sunday 28 March
        (_at(2026, 10, 24, 0), _at(2026, 10, 28, 0), dtm.date(2026, 11, 10)),  # and ends Sunday 25 October
    ],
)
def test_summer_time_neither_skips_nor_doubles_a_reminder(
    cycle: Cycle, start: dtm.datetime, end: dtm.datetime, meeting_day: dtm.date
) -> None:
    with session_scope(cycle.engine) as s:
        first = s.exec(select(Meeting)).first()
        assert first is not None
        starts = dtm.datetime.combine(meeting_day, dtm.time(9), tzinfo=ZONE)
        meeting = Meeting(
            team_id=cycle.teams["Dans"],
            school_year_id=first.school_year_id,
            starts_at=starts,
            ends_at=starts + dtm.timedelta(hours=3),
            kind="digital",
            link="https://example.org/x",
        )
        s.add(meeting)
        s.flush()
        subject = f"meeting{meeting.id}/"
    sweep(cycle.engine, start - dtm.timedelta(days=2, hours=-9))  # Thursday 09.00: the 21-day stage goes out
    sent: list[tuple[dtm.datetime, str]] = []
    instant = start.astimezone(dtm.UTC)
    while instant < end:  # every 15 minutes in UTC, straight through the change of the clocks
        sent += [
            (instant, p.occurrence) for p in sweep(cycle.engine, instant).reminders if p.subject.startswith(subject)
        ]
        instant += dtm.timedelta(minutes=15)
    assert len(sent) == 1, sent
    (when, occurrence) = sent[0]
    assert occurrence == "d-14" and when.astimezone(ZONE).time() == dtm.time(8, 0)


def test_dry_run_writes_nothing(cycle: Cycle) -> None:
    report = sweep(cycle.engine, _at(2026, 8, 20, 9), dry_run=True)
    assert len(report.reminders) == 3  # two notices, and Mona's weekly reminder of the choices not confirmed
    assert (
        _count(cycle.engine, SentReminder),
        _count(cycle.engine, OutboxMessage),
        _count(cycle.engine, SweepRun),
    ) == (
        0,
        0,
        0,
    )
    assert len(sweep(cycle.engine, _at(2026, 8, 20, 9)).reminders) == 3
    assert sweep(cycle.engine, _at(2026, 8, 20, 9), dry_run=True).reminders == []


def test_two_sweeps_at_the_same_moment_send_each_reminder_once(cycle: Cycle, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has a single writer; concurrent sweeps are PostgreSQL's case")
    instant = _at(2027, 5, 3, 9)  # team choice, the yearly check and more: a dozen reminders
    barrier = threading.Barrier(2)
    reports = []
    failures: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            reports.append(sweep(cycle.engine, instant))
        except BaseException as exc:  # a sweep that fails under concurrency fails the test
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and len(reports) == 2
    sent = sum(len(r.reminders) for r in reports)
    assert sent == _count(cycle.engine, SentReminder) >= 10
    with Session(cycle.engine) as s:
        linked = s.exec(select(SentReminder.outbox_message_id)).all()
    assert None not in linked
    assert _count(cycle.engine, OutboxMessage) == len(set(linked))  # escalations share one message


def test_only_one_instance_sweeps_at_a_time_on_postgresql(cycle: Cycle, database_url: str) -> None:
    """While another instance holds the sweep's advisory lock, a sweep does nothing; once it is free, it sweeps."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one instance")
    from scheduler.sweep import SWEEP_LOCK_KEY

    instant = _at(2027, 5, 3, 9)
    with cycle.engine.connect() as other:  # the other instance, mid-sweep
        other.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": SWEEP_LOCK_KEY})
        held = sweep(cycle.engine, instant)
        assert held.skipped and held.reminders == []
        assert (_count(cycle.engine, SentReminder), _count(cycle.engine, SweepRun)) == (0, 0)
        other.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": SWEEP_LOCK_KEY})
        other.commit()
    free = sweep(cycle.engine, instant)
    assert not free.skipped and len(free.reminders) == _count(cycle.engine, SentReminder) >= 10


def test_bad_data_is_reported_not_raised(cycle: Cycle, engine: sa.Engine) -> None:
    _join(cycle, "vera", "Film")  # a team with a member and no leader
    with session_scope(engine) as s:
        seed_region(s, "vastmanland")  # no people, no network days
        leader = s.exec(select(Person).where(Person.email == email("dan"))).one()
        leader.slack_user_id = None  # a leader the bot cannot reach
    report = sweep(engine, _at(2026, 8, 20, 9))
    problems = {(p.region, p.problem, p.detail) for p in report.problems}
    assert ("vasterbotten", "unreachable", email("dan")) in problems
    assert ("vastmanland", "no_network_days", "2026/27") not in problems  # its meeting days are not the managers'
    assert ("vastmanland", "no_coordinator", "Västmanland") not in problems  # nothing was due there
    assert any(p[1] == "team_without_leader" for p in problems)
    assert len(report.reminders) == 3  # dan's reminder is still written: the log channel keeps it
    with Session(engine) as s:
        region = s.get(Region, cycle.region_id)
        assert region is not None
        status = build_status(s, region, current_year(s, region, _at(2026, 8, 20, 9))).model_dump(mode="json")
    assert {"problem": "unreachable", "detail": email("dan")} in status["reminder_problems"]
    for far in (dtm.datetime(1990, 3, 1, 9, tzinfo=ZONE), dtm.datetime(2200, 3, 3, 9, tzinfo=ZONE)):
        assert sweep(engine, far).reminders == []


def test_remind_command(cycle: Cycle, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _join(cycle, "vera", "Film")  # a team with a member and no leader
    assert main(["remind", "--at", "2026-08-20T09:00+02:00", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    umea = next(p.school_id for p in _people(cycle) if p.email == email("mona"))
    assert sorted(out.splitlines()) == [
        f"manager_report  {email('mona')}  2026/27:school{umea}/p{cycle.people['mona']}  2026-08-17",
        f"notice  {email('dan')}  team{cycle.teams['Dans']}:2026-09-10/p{cycle.people['dan']}  d-21",
        f"notice  {email('stina')}  team{cycle.teams['Stråk']}:2026-09-10/p{cycle.people['stina']}  d-21",
    ]
    assert "3 påminnelser skulle skickas" in err and "ämneslag utan ledare" in err
    assert _count(cycle.engine, SentReminder) == 0
    assert main(["remind", "--at", "2026-08-20T09:00"]) == 0  # local time without an offset
    assert "3 påminnelser skickade" in capsys.readouterr().err
    assert _count(cycle.engine, SentReminder) == 3
    with pytest.raises(SystemExit):
        main(["remind", "--at", "igår"])
    assert "ogiltig tidpunkt" in capsys.readouterr().err


async def test_the_scheduler_sweeps_on_start_coalesced_one_at_a_time(cycle: Cycle) -> None:
    instant = _at(2026, 8, 20, 9)
    scheduler = start_scheduler(cycle.engine, 15, clock=lambda: instant)
    try:
        job = scheduler.get_job(JOB_ID)
        assert job is not None and job.coalesce is True and job.max_instances == 1
        assert job.trigger.interval == dtm.timedelta(minutes=15)
        assert job.next_run_time == instant
    finally:
        scheduler.shutdown(wait=False)
    report = await run_sweep(cycle.engine, clock=lambda: instant)
    assert report is not None and len(report.reminders) == 3


async def test_a_sweep_in_a_process_of_its_own_writes_what_a_sweep_in_the_server_would(
    cycle: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve` sweeps in a separate process, off the interpreter that answers people: same reminders, same rows."""
    from bot.sweep_process import COMMAND

    monkeypatch.setattr("scheduler.timing.sweep", None)  # not in this process
    instant = _at(2026, 8, 20, 9)
    report = await run_sweep(cycle.engine, clock=lambda: instant, elsewhere=COMMAND)
    assert report is not None and len(report.reminders) == 3 and not report.skipped
    assert _count(cycle.engine, SentReminder) == 3 and _count(cycle.engine, SweepRun) == 1


def test_the_coordinator_sees_in_chat_what_the_sweep_could_not_do(cycle: Cycle) -> None:
    from dialogs.app import build_dialogs
    from dialogs.types import CardReply, Incoming

    instant = _at(2026, 8, 20, 9)
    _join(cycle, "vera", "Film")
    _join(cycle, "mona", "Sång")
    sweep(cycle.engine, instant)  # Film and Sång have a member and no leader (ten teams have nobody)
    dialogs = build_dialogs(cycle.engine, clock=lambda: instant)
    (card,) = dialogs.handle(
        Incoming(person_id=cycle.people["kim"], channel="console", conversation_id="c", text="status")
    )
    assert isinstance(card, CardReply)
    assert dict(card.facts)["Påminnelser som inte kan skickas"] == "ämneslag utan ledare: 2"


def test_the_revision_reminder_has_a_button_that_ends_it(cycle: Cycle) -> None:
    from dialogs.app import build_dialogs
    from dialogs.types import ChoicesReply, Incoming, TextReply

    instant = _at(2027, 5, 3, 9)
    assert any(p.rule == "framework_revision" for p in sweep(cycle.engine, instant).reminders)
    with Session(cycle.engine) as s:
        message = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder.framework_revision")).one()
    (button,) = buttons_of(load_replies(message.payload["replies"]))
    assert button.label == "Revisionen är klar"
    dialogs = build_dialogs(cycle.engine, clock=lambda: instant)

    def press(who: str, button: Any = button) -> str:
        (reply,) = dialogs.handle(
            Incoming(
                person_id=cycle.people[who],
                channel="console",
                conversation_id="c",
                action=button.action,
                values=button.values,
            )
        )
        assert isinstance(reply, TextReply | ChoicesReply)
        return reply.text

    def say(text: str) -> list[Any]:
        incoming = Incoming(person_id=cycle.people["kim"], channel="console", conversation_id="c", text=text)
        return dialogs.handle(incoming)

    assert "samordnare" in press("dan")  # a teacher cannot mark it
    with Session(cycle.engine) as s:
        assert s.get(Region, cycle.region_id).framework_version == "2024-2025"
    assert press("kim").startswith("Vilken version av")  # the new version and its link, then everybody is told
    say("2026-2027")
    (preview,) = say("ingen")
    assert press("kim", buttons_of([preview])[0]).startswith("Noterat: ramarna är reviderade för läsåret 2027/28.")
    with Session(cycle.engine) as s:
        region = s.get(Region, cycle.region_id)
        assert region is not None and region.framework_version == "2026-2027"
        assert region.settings["framework_revised_for"] == "2027/28"
    assert sweep(cycle.engine, instant, dry_run=True).reminders == []


def _join(cycle: Cycle, short: str, team: str) -> None:
    from storage import schoolyear
    from storage.models import Membership

    with session_scope(cycle.engine) as s:
        year = schoolyear.get_or_create(s, "2026/27")
        chosen = _at(2026, 4, 20, 9)  # and confirmed, so that no manager is reminded of it
        s.add(
            Membership(
                person_id=cycle.people[short],
                school_year_id=year.id or 0,
                team_id=cycle.teams[team],
                chosen_at=chosen,
                confirmed_at=chosen,
            )
        )


def test_the_notice_escalation_names_the_leaders_and_leaves_out_empty_teams(cycle: Cycle) -> None:
    """Issue 17, B10: ten of the twelve teams have nobody in 2026/27; Film has a member and no leader."""
    _join(cycle, "vera", "Film")
    report = sweep(cycle.engine, _at(2026, 9, 3, 9))  # 7 days before the network day of 10 September
    assert {(r.rule, r.email) for r in report.reminders if r.rule == "notice_escalation"} == {
        ("notice_escalation", email("kim"))
    }
    with Session(cycle.engine) as s:
        (message,) = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder.notice_escalation")).all()
    assert message.payload["text"] == (
        "För kännedom: de här ämneslagen har inte skickat kallelsen till torsdag 10 september: "
        "Dans (ledare: Dan), Film (ingen ledare) och Stråk (ledare: Stina)."
    )
    problems = {(p.problem, p.detail) for p in report.problems}
    assert ("team_without_leader", "Film") in problems
    assert ("team_without_leader", "Slagverk") not in problems  # nobody there: nothing to plan, no problem


def test_a_manager_who_reported_with_choices_unconfirmed_is_reminded_until_they_are_confirmed(cycle: Cycle) -> None:
    """Tove's and Ulf's choices (Umeå) are not confirmed; Mona reports anyway on 20 May 2026."""
    from storage import schoolyear
    from storage.models import Membership, MembershipReport

    with session_scope(cycle.engine) as s:
        umea = s.get(Person, cycle.people["mona"])
        year = schoolyear.get_or_create(s, "2026/27")
        assert umea is not None and umea.school_id is not None and year.id is not None
        s.add(MembershipReport(school_id=umea.school_id, school_year_id=year.id, reported_at=_at(2026, 5, 20, 9)))

    def manager_report(instant: dtm.datetime) -> list[tuple[str, str]]:
        report = sweep(cycle.engine, instant)
        return [(r.email, r.occurrence) for r in report.reminders if r.rule == "manager_report"]

    assert manager_report(_at(2026, 5, 25, 9)) == [(email("mona"), "2026-05-25"), (email("lars"), "2026-05-25")]
    with Session(cycle.engine) as s:
        message = s.exec(
            select(OutboxMessage).where(
                OutboxMessage.kind == "reminder.manager_report", OutboxMessage.recipient_id == cycle.people["mona"]
            )
        ).one()
    assert message.payload["text"] == (
        "Er skola har rapporterat sina ämneslag för 2026/27, men 2 val är inte bekräftade än. Bekräfta dem gärna."
    )
    assert manager_report(_at(2026, 6, 8, 9)) == [(email("mona"), "2026-06-08")]  # after the deadline: weekly
    assert manager_report(_at(2026, 10, 5, 9)) == [(email("mona"), "2026-10-05")]  # and into the school year
    with session_scope(cycle.engine) as s:
        for member in s.exec(select(Membership)).all():
            member.confirmed_at = member.confirmed_at or _at(2026, 10, 6, 9)
    assert manager_report(_at(2026, 10, 12, 9)) == []


def test_after_the_deadline_a_school_neither_reported_nor_confirmed_is_told_both(cycle: Cycle) -> None:
    report = sweep(cycle.engine, _at(2026, 6, 8, 9))
    managers = [(r.rule, r.email) for r in report.reminders if r.rule == "manager_report"]
    assert managers == [("manager_report", email("mona"))]  # Lars's school has no choice left to confirm
    with Session(cycle.engine) as s:
        message = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder.manager_report")).one()
    assert message.payload["text"] == (
        "Sista dagen, måndag 1 juni, har passerat: er skolas ämneslag för 2026/27 är inte rapporterade, och 2 val "
        "är inte bekräftade. Bekräfta dem gärna och rapportera ämneslagen till samordnaren."
    )
    assert [b.label for b in buttons_of(load_replies(message.payload["replies"]))] == [
        "Min personal",
        "Rapportera ämneslag",
    ]


def test_the_managers_reminder_after_the_deadline_follows_the_regions_cadence(cycle: Cycle) -> None:
    """`manager_confirm_repeat_days` set to 14: after the 1 June deadline, every other week."""
    from storage.framework import change_setting
    from storage.models import Region

    with session_scope(cycle.engine) as s:
        region = s.exec(select(Region)).first()
        assert region is not None
        change_setting(s, region, "manager_confirm_repeat_days", "14")

    def managers(instant: dtm.datetime) -> list[str]:
        return [r.occurrence for r in sweep(cycle.engine, instant).reminders if r.rule == "manager_report"]

    assert managers(_at(2026, 6, 8, 9)) == []  # a week after the deadline: not yet
    assert managers(_at(2026, 6, 15, 9)) == ["2026-06-15"]
