"""The sweep: what is due at instant T, turned into outbox messages exactly once.

One transaction looks up which of the due keys are in `sent_reminder` already, writes the outbox messages of
the others and then those keys, each with its message (INSERT … ON CONFLICT DO NOTHING). On PostgreSQL a
sweep first takes an advisory lock (`pg_try_advisory_xact_lock`, held until its transaction ends): with
several instances one sweeps at a time, and a sweep that finds the lock taken does nothing
(`SweepReport.skipped`; the next run catches up). Were two to overlap anyway (two processes on one SQLite
file), each reminder would still go out once: the second one's insert of the keys waits for the first and
writes fewer than it meant to, so it rolls back, messages included, and sweeps again, finding them sent.
Regions outside working time at T get nothing now; their reminders are still due at the next
working moment, which is how downtime is caught up.
"""

from __future__ import annotations

import dataclasses
import datetime as dtm
import logging
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from dialogs.i18n import Translator
from dialogs.notify import channel_of, fallback_text
from dialogs.reminders import reminder_replies
from dialogs.types import Reply, dump_replies
from domain.reminders import SweepProblem
from domain.teams import deciding_label
from scheduler.data import Someone, World, load
from scheduler.rules import RULES, Due, Problem, Today
from scheduler.working import is_working_moment, local_today
from storage import schoolyear
from storage.db import execute_many
from storage.models import OutboxMessage, Region, SentReminder, SweepRun, table_of, utcnow
from storage.outbox import enqueue_many
from storage.settings import RegionSettings

_LOGGER = logging.getLogger(__name__)
_ATTEMPTS = (
    3  # sweeps in a row that may find another sweep sending the same keys (SQLite; PostgreSQL's lock prevents it)
)
_LOOKUP = 5000  # subjects per statement that looks up which keys were sent (well below both databases' limits)
SWEEP_LOCK_KEY = 0x616D7377  # PostgreSQL advisory lock of the sweep: the same for every instance


@dataclass(frozen=True)
class Planned:
    """A reminder of this sweep, as `amneslag remind` prints it."""

    rule: str
    email: str
    subject: str
    occurrence: str
    channel: str


@dataclass
class SweepReport:
    instant: dtm.datetime
    dry_run: bool
    reminders: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: bool = False  # another instance was sweeping (PostgreSQL): nothing was done


def report_to_json(report: SweepReport) -> dict[str, Any]:
    """A report as JSON (a sweep in a process of its own hands it back so)."""
    return {
        "instant": report.instant.isoformat(),
        "dry_run": report.dry_run,
        "skipped": report.skipped,
        "reminders": [dataclasses.asdict(planned) for planned in report.reminders],
        "problems": [problem.as_dict() for problem in report.problems],
    }


def report_from_json(data: dict[str, Any]) -> SweepReport:
    return SweepReport(
        instant=dtm.datetime.fromisoformat(data["instant"]),
        dry_run=bool(data["dry_run"]),
        skipped=bool(data["skipped"]),
        reminders=[Planned(**planned) for planned in data["reminders"]],
        problems=[Problem(**problem) for problem in data["problems"]],
    )


def due_at(world: World, instant: dtm.datetime) -> tuple[list[Due], list[Problem]]:
    """Every reminder due at `instant` in the regions that are in working time then, and the problems met."""
    found: dict[tuple[str, str, str], Due] = {}
    problems: list[Problem] = []
    for region in world.regions:
        assert region.id is not None
        zone = ZoneInfo(region.timezone)
        settings = world.settings[region.id]
        if not is_working_moment(instant, zone, settings):
            continue
        day = local_today(instant, zone)
        current = world.year(schoolyear.label_for(day))
        coming = world.year(schoolyear.following(schoolyear.label_for(day)))
        deciding = world.year(deciding_label(day, settings))
        if current is None or coming is None or deciding is None:
            continue
        today = Today(world, region, settings, zone, instant, day, current, coming, deciding)
        decided_by_managers = settings.duties.meeting_days_decided_by == "manager_network"
        if decided_by_managers and not any(
            d.region_id == region.id and current.starts_on <= d.date <= current.ends_on for d in world.network_days
        ):
            today.problem(SweepProblem.NO_NETWORK_DAYS, current.label)
        for rule in RULES:
            try:
                for due in rule(today):
                    found.setdefault((due.rule, due.subject, due.occurrence), due)
            except Exception:  # one broken rule must not stop the others, nor the other regions
                _LOGGER.exception("reminder rule %s failed for region %s", rule.__name__, region.key)
                today.problem(SweepProblem.RULE_FAILED, rule.__name__)
        for due in found.values():
            person = world.people.get(due.recipient_id)
            if person is not None and person.region_id == region.id and not _reachable(world, due.recipient_id):
                today.problem(SweepProblem.UNREACHABLE, person.email)
        problems += today.problems
    return list(found.values()), problems


def _locked(session: Session) -> bool:
    """Take the sweep's advisory lock for the session's transaction (PostgreSQL); False when another holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite serves one instance
    return bool(session.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SWEEP_LOCK_KEY}).scalar())


def _working(region: Region, instant: dtm.datetime) -> bool:
    return is_working_moment(instant, ZoneInfo(region.timezone), RegionSettings.model_validate(region.settings))


def _reachable(world: World, person_id: int) -> bool:
    return person_id in world.reachable


def _insert(session: Session, table: sa.Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _write(session: Session, world: World, fresh: list[Due], instant: dtm.datetime) -> list[Planned] | None:
    """Write the messages of the keys not sent before, then the keys, each with its message; the reminders
    written, or None when another sweep sent one of the keys meanwhile (the caller rolls back and sweeps again).

    Set-based: one insert of the outbox messages (one per person and rule: a leader of two teams gets one), one
    read of their ids, one insert of the keys with theirs (`INSERT … ON CONFLICT DO NOTHING`, so a key another
    sweep took meanwhile is not written twice, and the count of rows written says so).
    """
    groups: dict[tuple[int, str], list[Due]] = {}
    for due in fresh:
        groups.setdefault((due.recipient_id, due.rule), []).append(due)
    texts = _Texts(world)
    rows = [
        {
            "channel": _plan(world, group[0]).channel,
            "kind": f"reminder.{rule}",
            "payload": texts.payload(world.people[recipient_id], group),
            "recipient_id": recipient_id,
        }
        for (recipient_id, rule), group in groups.items()
    ]
    outbox = table_of(OutboxMessage)
    connection = session.connection()
    before = connection.execute(sa.select(sa.func.coalesce(sa.func.max(outbox.c.id), 0))).scalar_one()
    created = utcnow()
    enqueue_many(session, rows, created)
    message_of = {  # this sweep's messages: after `before`, of its instant, reminders (chat replies are not)
        (recipient_id, kind): message_id
        for message_id, recipient_id, kind in connection.execute(
            sa.select(outbox.c.id, outbox.c.recipient_id, outbox.c.kind).where(
                outbox.c.id > before, outbox.c.created_at == created, outbox.c.kind.startswith("reminder.")
            )
        )
    }
    keys = [
        {
            "rule": str(d.rule),
            "subject": d.subject,
            "occurrence": d.occurrence,
            "recipient_id": d.recipient_id,
            "outbox_message_id": message_of[(d.recipient_id, f"reminder.{d.rule}")],
            "sent_at": instant,
        }
        for d in fresh
    ]
    table = table_of(SentReminder)
    statement = _insert(session, table).on_conflict_do_nothing(index_elements=["rule", "subject", "occurrence"])
    if execute_many(connection, statement, keys) != len(keys):
        return None
    return [_plan(world, due) for group in groups.values() for due in group]


def _sent(session: Session, dues: list[Due]) -> set[tuple[str, str, str]]:
    """The keys of `dues` already in `sent_reminder`: one query per rule and occurrence among them (and per
    `_LOOKUP` of their subjects), which looks up those keys in the unique index, not every key of the rule."""
    table = table_of(SentReminder)
    subjects: dict[tuple[str, str], list[str]] = {}
    for due in dues:
        subjects.setdefault((str(due.rule), due.occurrence), []).append(due.subject)
    found: set[tuple[str, str, str]] = set()
    postgres = session.get_bind().dialect.name == "postgresql"
    for (rule, occurrence), these in sorted(subjects.items()):
        for start in range(0, len(these), _LOOKUP):
            chunk = these[start : start + _LOOKUP]
            of_key = sa.and_(table.c.rule == rule, table.c.occurrence == occurrence)
            if postgres:  # the subjects as one array joined to the table: a hash join, whatever the statistics say
                keys = sa.func.unnest(sa.bindparam("subjects", chunk, type_=postgresql.ARRAY(sa.String)))
                wanted = keys.table_valued("subject").render_derived(name="wanted")
                query = sa.select(table.c.subject).select_from(
                    wanted.join(table, sa.and_(of_key, table.c.subject == wanted.c.subject))
                )
            else:
                query = sa.select(table.c.subject).where(of_key, table.c.subject.in_(chunk))
            found.update((rule, subject, occurrence) for subject in session.connection().execute(query).scalars())
    return found


class _Texts:
    """A reminder's replies, made once per language, region (its time zone and words), rule and context in a sweep:
    in May thousands of teachers get the same few texts, and the same payload object, which the outbox insert
    serialises once."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._zones = {r.id: r.timezone for r in world.regions}
        self._translators: dict[tuple[str, str], Translator] = {}
        self._made: dict[tuple[str, int, str, str], tuple[list[Reply], list[dict[str, Any]]]] = {}
        self._payloads: dict[tuple[str, int, str, str], dict[str, Any]] = {}

    def _key(self, person: Someone, due: Due) -> tuple[str, int, str, str]:
        return (person.language, person.region_id, due.rule, repr(sorted(due.context.items())))

    def of(self, person: Someone, due: Due) -> tuple[list[Reply], list[dict[str, Any]]]:
        """The due's replies, and the same as JSON for the outbox."""
        key = self._key(person, due)
        if key not in self._made:
            zone = self._zones[person.region_id]
            tr = self._translators.setdefault((person.language, zone), Translator(person.language, zone))
            replies = reminder_replies(tr, self._world.settings[person.region_id].words, due.rule, due.context)
            self._made[key] = (replies, dump_replies(replies))
        return self._made[key]

    def payload(self, person: Someone, group: list[Due]) -> dict[str, Any]:
        """The outbox payload of one person's reminders of one rule: their replies one after the other."""
        if len(group) == 1 and (key := self._key(person, group[0])) in self._payloads:
            return self._payloads[key]
        made = [self.of(person, due) for due in group]
        replies = [reply for these, _ in made for reply in these]
        payload = {"replies": [d for _, dumped in made for d in dumped], "text": fallback_text(replies)}
        if len(group) == 1:
            self._payloads[self._key(person, group[0])] = payload
        return payload


def _plan(world: World, due: Due) -> Planned:
    person = world.people[due.recipient_id]
    return Planned(
        rule=due.rule,
        email=person.email,
        subject=due.subject,
        occurrence=due.occurrence,
        channel=channel_of(person, due.recipient_id in world.reachable and not person.slack_user_id),
    )


def sweep(engine: sa.Engine, instant: dtm.datetime, *, dry_run: bool = False) -> SweepReport:
    """One sweep as of `instant`. With `dry_run`, what it would send, and nothing written."""
    for _ in range(_ATTEMPTS - 1):
        report = _sweep_once(engine, instant, dry_run)
        if report is not None:
            return report
        _LOGGER.info("sweep as of %s: another sweep sent some of its reminders meanwhile; sweeping again", instant)
    report = _sweep_once(engine, instant, dry_run)
    if report is None:
        raise RuntimeError(f"sweep as of {instant.isoformat()}: other sweeps kept sending the same reminders")
    return report


def _sweep_once(engine: sa.Engine, instant: dtm.datetime, dry_run: bool) -> SweepReport | None:
    """A sweep, or None (and nothing written) when another one sent some of the same keys meanwhile."""
    report = SweepReport(instant=instant, dry_run=dry_run)
    with Session(engine, expire_on_commit=False) as session:
        if not dry_run and not _locked(session):
            _LOGGER.info("sweep as of %s: another instance is sweeping; left to it", instant.isoformat())
            report.skipped = True
            return report
        regions = list(session.exec(select(Region).order_by(col(Region.key))).all())
        if not any(_working(region, instant) for region in regions):
            if not dry_run:
                session.add(SweepRun(as_of=instant, reminders=0, problems=[]))
                session.commit()
            return report  # nights, weekends and holidays cost one query
        world = load(session, instant, regions)
        dues, report.problems = due_at(world, instant)
        dues = [d for d in dues if d.recipient_id in world.people]
        taken = _sent(session, dues)
        fresh = [d for d in dues if (d.rule, d.subject, d.occurrence) not in taken]
        if dry_run:
            report.reminders = [_plan(world, d) for d in fresh]
            session.rollback()
            return report
        written = _write(session, world, fresh, instant) if fresh else []
        if written is None:
            session.rollback()
            return None
        report.reminders = written
        session.add(SweepRun(as_of=instant, reminders=len(written), problems=[p.as_dict() for p in report.problems]))
        session.commit()
    if report.reminders or report.problems:
        _LOGGER.info(
            "sweep as of %s: %d reminders, %d problems",
            instant.isoformat(),
            len(report.reminders),
            len(report.problems),
        )
    return report
