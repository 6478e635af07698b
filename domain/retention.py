"""How long personal data is kept, and the function that deletes what has expired.

`apply_retention(engine_or_session, now, settings)` is a plain function of an instant: it deletes
exactly what has expired as of `now`, and nothing an archive hold covers. The scheduler runs it daily
(`scheduler.timing`); tests and operators can run it for any instant.

| data | kept | counted from |
|---|---|---|
| absences | `AMNESLAG_RETAIN_ABSENCES_MONTHS` (13) months | the meeting's start |
| sent or failed outbox messages | `AMNESLAG_RETAIN_OUTBOX_DAYS` (90) days | delivery (failed: creation) |
| dialog state (an unfinished conversation) | `AMNESLAG_RETAIN_DIALOG_DAYS` (30) days | its last change |
| audit log | `AMNESLAG_RETAIN_AUDIT_YEARS` (3) years | the entry |

An item expires when the instant it is counted from lies strictly before `now` minus the period
(months and years are calendar months and years), so an item exactly at the boundary is kept one
more run. Pending messages are never deleted here: they have not been sent yet.
"""

from __future__ import annotations

import calendar
import datetime as dtm
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from domain.periods import RetentionPeriods as RetentionPeriods  # re-exported: defined here first
from domain.periods import RetentionSettings as RetentionSettings
from domain.privacy import Holds
from storage.audit import record
from storage.db import session_scope
from storage.models import Absence, AuditLog, DialogState, Meeting, OutboxMessage, OutboxStatus, table_of

_LOGGER = logging.getLogger(__name__)


def months_before(instant: dtm.datetime, months: int) -> dtm.datetime:
    """The same moment `months` calendar months earlier (the 31st becomes the month's last day)."""
    index = instant.year * 12 + instant.month - 1 - months
    year, month = divmod(index, 12)
    day = min(instant.day, calendar.monthrange(year, month + 1)[1])
    return instant.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class Cutoffs:
    """Everything counted from before these instants has expired."""

    absences: dtm.datetime
    outbox: dtm.datetime
    dialog: dtm.datetime
    audit: dtm.datetime

    @classmethod
    def of(cls, now: dtm.datetime, settings: RetentionPeriods) -> Cutoffs:
        if now.tzinfo is None:
            raise ValueError("naive datetime: retention needs a timezone-aware instant")
        now = now.astimezone(dtm.UTC)
        return cls(
            absences=months_before(now, settings.retain_absences_months),
            outbox=now - dtm.timedelta(days=settings.retain_outbox_days),
            dialog=now - dtm.timedelta(days=settings.retain_dialog_days),
            audit=months_before(now, 12 * settings.retain_audit_years),
        )


@dataclass
class RetentionReport:
    """How many rows of each kind were deleted, and how many expired ones a hold kept."""

    deleted: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def _delete(session: Session, model: type[SQLModel], ids: Sequence[int | None]) -> int:
    table = table_of(model)
    for start in range(0, len(ids), 500):
        session.execute(sa.delete(table).where(table.c.id.in_(ids[start : start + 500])))
    return len(ids)


def _apply(session: Session, now: dtm.datetime, settings: RetentionPeriods) -> RetentionReport:
    cut = Cutoffs.of(now, settings)
    holds = Holds.load(session)
    report = RetentionReport()

    expired_absences = session.exec(
        select(col(Absence.id), col(Absence.person_id), col(Absence.meeting_id))
        .join(Meeting, col(Meeting.id) == col(Absence.meeting_id))
        .where(col(Meeting.starts_at) < cut.absences)
    ).all()
    kept = [a for a in expired_absences if holds.absence(*a)]
    report.held["absence"] = len(kept)
    report.deleted["absence"] = _delete(session, Absence, [a[0] for a in expired_absences if not holds.absence(*a)])

    finished = sa.or_(
        sa.and_(
            col(OutboxMessage.status) == OutboxStatus.DELIVERED.value, col(OutboxMessage.delivered_at) < cut.outbox
        ),
        sa.and_(
            col(OutboxMessage.status).in_((OutboxStatus.FAILED.value, OutboxStatus.UNREACHED.value)),
            col(OutboxMessage.created_at) < cut.outbox,
        ),
    )
    expired_messages = session.exec(
        select(col(OutboxMessage.id), col(OutboxMessage.recipient_id)).where(finished)
    ).all()
    report.held["outbox_message"] = sum(holds.outbox(*m) for m in expired_messages)
    report.deleted["outbox_message"] = _delete(
        session, OutboxMessage, [m[0] for m in expired_messages if not holds.outbox(*m)]
    )

    stale = session.exec(select(col(DialogState.id)).where(col(DialogState.updated_at) < cut.dialog)).all()
    report.deleted["dialog_state"] = _delete(session, DialogState, list(stale))

    old_entries = session.exec(
        select(col(AuditLog.id), col(AuditLog.actor_id), col(AuditLog.entity), col(AuditLog.entity_id)).where(
            col(AuditLog.at) < cut.audit
        )
    ).all()
    report.held["audit_log"] = sum(holds.audit(*e) for e in old_entries)
    report.deleted["audit_log"] = _delete(session, AuditLog, [e[0] for e in old_entries if not holds.audit(*e)])

    if report.total:
        record(
            session,
            action="retention.applied",
            entity="retention",
            details={"as_of": now.astimezone(dtm.UTC).isoformat(), "deleted": report.deleted, "held": report.held},
        )
    return report


def apply_retention(
    engine_or_session: sa.Engine | Session, now: dtm.datetime, settings: RetentionPeriods
) -> RetentionReport:
    """Delete what has expired as of `now` (see the module's table), except what an archive hold covers.

    With an engine this is one transaction of its own; with a session it runs in the caller's.
    """
    if isinstance(engine_or_session, Session):
        report = _apply(engine_or_session, now, settings)
        engine_or_session.flush()
    else:
        with session_scope(engine_or_session) as session:
            report = _apply(session, now, settings)
    if report.total or any(report.held.values()):
        _LOGGER.info("retention as of %s: deleted %s, held %s", now.isoformat(), report.deleted, report.held)
    return report
