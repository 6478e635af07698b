"""A person's data out (export) or gone (erasure), and archive holds that keep records a municipality must keep.

Erasure (`erase_person`) does this to each table:

* person: deleted, so the e-mail address and platform ids no longer match anyone: an erased person
  who writes again is a stranger. If a held absence still points at the row, the row stays, with
  name and e-mail replaced by the pseudonym and no school, platform ids or roles.
* person_role, conversation_address, dialog_state: the person's rows are deleted.
* absence: the person's absences are deleted, except held ones.
* membership, leadership: deleted; each is added to `anonymous_membership_count` (school year, team,
  school: members, confirmed members, leaders), so the statistics keep their numbers.
* outbox_message: every message to the person is deleted, pending or delivered (a delivered one is
  a copy of what is already in their chat), except held ones; messages to others that their action
  caused lose the reference to them.
* note: notes they wrote lose the author, and their name and e-mail in the text become the
  pseudonym (held notes are left as they are).
* audit_log: entries they made lose the actor and carry the pseudonym as `erased_actor`; their name
  and e-mail anywhere in an entry's details (before/after included) become the pseudonym, except in
  held entries.
* every other text or JSON column of every table: their name and e-mail become the pseudonym (a
  colleague's unfinished dialog, a sweep's problem list, who placed a hold).
* archive_hold: a hold that kept something of theirs records who they were in `retained`.

The pseudonym is random (`person-` and ten hex digits), the same in every table for one erasure, and
cannot be recomputed from the e-mail address. Erasing a person under a `person` hold is refused.
Export and erasure are both written to the audit log; the erasure's entry names only the pseudonym.
"""

from __future__ import annotations

import datetime as dtm
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from storage.audit import record
from storage.directory import normalize_email, person_by_email
from storage.errors import AmneslagError
from storage.models import (
    HOLDABLE,
    Absence,
    AgendaItem,
    AnonymousMembershipCount,
    ArchiveHold,
    Attendance,
    AuditLog,
    ConversationAddress,
    DialogState,
    Leadership,
    Meeting,
    Membership,
    MembershipReport,
    NetworkDay,
    Note,
    OutboxMessage,
    Person,
    PersonRole,
    Region,
    School,
    SchoolYear,
    Team,
    utcnow,
)

EXPORT_FORMAT = "amneslag-gdpr-export/1"
ERASED_DOMAIN = "erased.invalid"


class PrivacyProblem(StrEnum):
    """Why an export, erasure or hold cannot be done as asked (worded in `dialogs.reports`)."""

    UNKNOWN_KIND = "unknown_kind"  # details: kind
    NO_REASON = "no_reason"
    NO_PLACER = "no_placer"
    NO_SUCH_RECORD = "no_such_record"  # details: kind, id
    NO_ACTIVE_HOLD = "no_active_hold"  # details: hold
    NO_LIFTER = "no_lifter"
    NO_SUCH_PERSON = "no_such_person"  # details: email
    PERSON_HELD = "person_held"  # details: hold, reason


class PrivacyError(AmneslagError):
    """An export, erasure or hold that cannot be done as asked: `problem` and its `details`."""

    def __init__(self, problem: PrivacyProblem, **details: Any):
        super().__init__(f"{problem.value}: {details}")
        self.problem, self.details = problem, details


def _iso(value: dtm.datetime | dtm.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dtm.datetime):
        value = value.astimezone(dtm.UTC)
    return value.isoformat()


# --- archive holds -------------------------------------------------------------------------------


@dataclass
class Holds:
    """The active archive holds, for asking whether a row is held."""

    ids: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Holds:
        holds = cls({name: set() for name in HOLDABLE})
        for entity, entity_id in session.exec(
            select(ArchiveHold.entity, ArchiveHold.entity_id).where(col(ArchiveHold.lifted_at).is_(None))
        ).all():
            holds.ids.setdefault(entity, set()).add(entity_id)
        return holds

    def has(self, entity: str, entity_id: int | None) -> bool:
        return entity_id is not None and entity_id in self.ids.get(entity, ())

    def absence(self, absence_id: int | None, person_id: int | None, meeting_id: int | None) -> bool:
        return self.has("absence", absence_id) or self.has("meeting", meeting_id) or self.has("person", person_id)

    def note(self, note_id: int | None, meeting_id: int | None, author_id: int | None) -> bool:
        return self.has("note", note_id) or self.has("meeting", meeting_id) or self.has("person", author_id)

    def outbox(self, message_id: int | None, recipient_id: int | None) -> bool:
        return self.has("outbox_message", message_id) or self.has("person", recipient_id)

    def audit(self, entry_id: int | None, actor_id: int | None, entity: str, entity_id: int | None) -> bool:
        """An entry is held by itself, by its actor, or by the held row it is about."""
        return (
            self.has("audit_log", entry_id)
            or self.has("person", actor_id)
            or (entity in HOLDABLE and entity != "audit_log" and self.has(entity, entity_id))
        )


_HOLD_MODELS: dict[str, type[SQLModel]] = {
    "person": Person,
    "meeting": Meeting,
    "absence": Absence,
    "note": Note,
    "outbox_message": OutboxMessage,
    "audit_log": AuditLog,
}


def place_hold(
    session: Session, *, entity: str, entity_id: int, reason: str, by: str, now: dtm.datetime | None = None
) -> ArchiveHold:
    """Hold a row (or a person, or a meeting with its absences and notes) from retention and erasure."""
    if entity not in HOLDABLE:
        raise PrivacyError(PrivacyProblem.UNKNOWN_KIND, kind=entity)
    if not reason.strip():
        raise PrivacyError(PrivacyProblem.NO_REASON)
    if not by.strip():
        raise PrivacyError(PrivacyProblem.NO_PLACER)
    if session.get(_HOLD_MODELS[entity], entity_id) is None:
        raise PrivacyError(PrivacyProblem.NO_SUCH_RECORD, kind=entity, id=entity_id)
    hold = ArchiveHold(
        entity=entity, entity_id=entity_id, reason=reason.strip(), placed_by=by.strip(), placed_at=now or utcnow()
    )
    session.add(hold)
    session.flush()
    record(
        session,
        action="hold.placed",
        entity="archive_hold",
        entity_id=hold.id,
        details={"entity": entity, "entity_id": entity_id, "reason": hold.reason, "by": hold.placed_by},
    )
    return hold


def lift_hold(session: Session, hold_id: int, *, by: str, now: dtm.datetime | None = None) -> ArchiveHold:
    """End a hold; the held rows are then subject to retention again. The hold stays as history."""
    hold = session.get(ArchiveHold, hold_id)
    if hold is None or hold.lifted_at is not None:
        raise PrivacyError(PrivacyProblem.NO_ACTIVE_HOLD, hold=hold_id)
    if not by.strip():
        raise PrivacyError(PrivacyProblem.NO_LIFTER)
    hold.lifted_at, hold.lifted_by = now or utcnow(), by.strip()
    record(
        session,
        action="hold.lifted",
        entity="archive_hold",
        entity_id=hold.id,
        details={"entity": hold.entity, "entity_id": hold.entity_id, "by": hold.lifted_by},
    )
    return hold


def list_holds(session: Session, *, include_lifted: bool = False) -> list[ArchiveHold]:
    query = select(ArchiveHold).order_by(col(ArchiveHold.id))
    if not include_lifted:
        query = query.where(col(ArchiveHold.lifted_at).is_(None))
    return list(session.exec(query).all())


# --- what the bot holds about a person -----------------------------------------------------------


def _person_or_error(session: Session, email: str) -> Person:
    person = person_by_email(session, email)
    if person is None or person.id is None:
        raise PrivacyError(PrivacyProblem.NO_SUCH_PERSON, email=normalize_email(email))
    return person


def _name_of(session: Session, person_id: int | None) -> str | None:
    other = session.get(Person, person_id) if person_id is not None else None
    return other.name if other else None


def _team_and_year(session: Session, team_id: int, year_id: int) -> tuple[str, str]:
    team, year = session.get(Team, team_id), session.get(SchoolYear, year_id)
    return (team.name if team else "?"), (year.label if year else "?")


def _meeting_facts(session: Session, meeting_id: int) -> dict[str, Any]:
    meeting = session.get(Meeting, meeting_id)
    team = session.get(Team, meeting.team_id) if meeting else None
    return {
        "meeting_id": meeting_id,
        "team": team.name if team else None,
        "meeting_starts_at": _iso(meeting.starts_at) if meeting else None,
    }


def _audit_about(
    session: Session, person_id: int, absence_ids: set[int], membership_ids: set[int]
) -> list[dict[str, Any]]:
    found = []
    for entry in session.exec(select(AuditLog).order_by(col(AuditLog.at), col(AuditLog.id))).all():
        about = (
            (entry.entity == "person" and entry.entity_id == person_id)
            or (entry.entity == "absence" and entry.entity_id in absence_ids)
            or (entry.entity == "membership" and entry.entity_id in membership_ids)
            or entry.details.get("person") == person_id
        )
        if entry.actor_id == person_id or about:
            found.append(
                {
                    "id": entry.id,
                    "at": _iso(entry.at),
                    "role": "actor" if entry.actor_id == person_id else "subject",
                    "action": entry.action,
                    "entity": entry.entity,
                    "entity_id": entry.entity_id,
                    "details": entry.details,
                }
            )
    return found


def collect(session: Session, person: Person) -> dict[str, Any]:
    """Everything the bot holds about `person`, as JSON-ready data (no audit entry: see `export_person`)."""
    pid = person.id
    assert pid is not None
    region = session.get(Region, person.region_id)
    school = session.get(School, person.school_id) if person.school_id else None
    memberships = session.exec(select(Membership).where(Membership.person_id == pid).order_by(col(Membership.id))).all()
    leaderships = session.exec(select(Leadership).where(Leadership.person_id == pid).order_by(col(Leadership.id))).all()
    absences = session.exec(select(Absence).where(Absence.person_id == pid).order_by(col(Absence.id))).all()
    notes = session.exec(select(Note).where(Note.author_id == pid).order_by(col(Note.id))).all()
    messages = session.exec(
        select(OutboxMessage).where(OutboxMessage.recipient_id == pid).order_by(col(OutboxMessage.id))
    ).all()
    addresses = session.exec(select(ConversationAddress).where(ConversationAddress.person_id == pid)).all()
    states = session.exec(select(DialogState).where(DialogState.person_id == pid)).all()
    held = [
        {"id": h.id, "entity": h.entity, "entity_id": h.entity_id, "reason": h.reason, "placed_at": _iso(h.placed_at)}
        for h in list_holds(session)
        if (h.entity == "person" and h.entity_id == pid)
        or (h.entity == "absence" and h.entity_id in {a.id for a in absences})
        or (h.entity == "note" and h.entity_id in {n.id for n in notes})
        or (h.entity == "outbox_message" and h.entity_id in {m.id for m in messages})
        or (h.entity == "meeting" and h.entity_id in {a.meeting_id for a in absences} | {n.meeting_id for n in notes})
    ]

    def membership_row(m: Membership) -> dict[str, Any]:
        team, year = _team_and_year(session, m.team_id, m.school_year_id)
        return {
            "school_year": year,
            "team": team,
            "chosen_at": _iso(m.chosen_at),
            "chosen_by": _name_of(session, m.chosen_by_id),
            "confirmed_at": _iso(m.confirmed_at),
            "confirmed_by": _name_of(session, m.confirmed_by_id),
        }

    def leadership_row(lead: Leadership) -> dict[str, Any]:
        team, year = _team_and_year(session, lead.team_id, lead.school_year_id)
        return {"school_year": year, "team": team, "slot": lead.slot, "appointed_at": _iso(lead.appointed_at)}

    return {
        "person": {
            "id": pid,
            "name": person.name,
            "email": person.email,
            "region": region.name if region else None,
            "school": school.name if school else None,
            "language": person.language,
            "slack_user_id": person.slack_user_id,
            "teams_user_id": person.teams_user_id,
            "created_at": _iso(person.created_at),
        },
        "roles": sorted(session.exec(select(PersonRole.role).where(PersonRole.person_id == pid)).all()),
        "memberships": [membership_row(m) for m in memberships],
        "leaderships": [leadership_row(lead) for lead in leaderships],
        "absences": [
            {
                "id": a.id,
                **_meeting_facts(session, a.meeting_id),
                "reported_at": _iso(a.reported_at),
                "withdrawn_at": _iso(a.withdrawn_at),
            }
            for a in absences
        ],
        "attendance": [
            {
                "id": a.id,
                **_meeting_facts(session, a.meeting_id),
                "attended": a.attended,
                "confirmed_at": _iso(a.confirmed_at),
            }
            for a in session.exec(
                select(Attendance).where(Attendance.person_id == pid).order_by(col(Attendance.id))
            ).all()
        ],
        "notes_written": [
            {
                "id": n.id,
                **_meeting_facts(session, n.meeting_id),
                "body": n.body,
                "link": n.link,
                "created_at": _iso(n.created_at),
                "updated_at": _iso(n.updated_at),
            }
            for n in notes
        ],
        "agenda_items": [
            {
                "id": item.id,
                "team": _team_and_year(session, item.team_id, item.school_year_id)[0],
                "school_year": _team_and_year(session, item.team_id, item.school_year_id)[1],
                "text": item.text,
                "created_at": _iso(item.created_at),
                **(_meeting_facts(session, item.meeting_id) if item.meeting_id else {}),
            }
            for item in session.exec(
                select(AgendaItem).where(AgendaItem.author_id == pid).order_by(col(AgendaItem.id))
            ).all()
        ],
        "messages": [
            {
                "id": m.id,
                "channel": m.channel,
                "kind": m.kind,
                "status": m.status,
                "created_at": _iso(m.created_at),
                "delivered_at": _iso(m.delivered_at),
                "text": m.payload.get("text"),
                "last_error": m.last_error,
            }
            for m in messages
        ],
        "conversation_references": [
            {"platform": a.platform, "reference": a.reference, "updated_at": _iso(a.updated_at)} for a in addresses
        ],
        "dialog_state": [
            {
                "conversation": s.conversation_key,
                "step": s.step,
                "data": s.data,
                "buttons": s.choices,
                "updated_at": _iso(s.updated_at),
            }
            for s in states
        ],
        "audit_log": _audit_about(session, pid, {a.id for a in absences if a.id}, {m.id for m in memberships if m.id}),
        "records_created": {
            "meetings": len(session.exec(select(Meeting.id).where(Meeting.created_by_id == pid)).all()),
            "network_days": len(session.exec(select(NetworkDay.id).where(NetworkDay.created_by_id == pid)).all()),
            "membership_reports": len(
                session.exec(select(MembershipReport.id).where(MembershipReport.reported_by_id == pid)).all()
            ),
        },
        "archive_holds": held,
    }


def export_person(session: Session, email: str, *, now: dtm.datetime | None = None) -> dict[str, Any]:
    """All data about the person with `email`, as JSON-ready data; the export is audit-logged."""
    person = _person_or_error(session, email)
    data = {"format": EXPORT_FORMAT, "exported_at": _iso(now or utcnow()), **collect(session, person)}
    record(session, action="gdpr.exported", entity="person", entity_id=person.id)
    return data


# --- erasure -------------------------------------------------------------------------------------


@dataclass
class ErasureReport:
    pseudonym: str
    removed: dict[str, int] = field(default_factory=dict)
    pseudonymised: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    person_row: str = "deleted"  # or "anonymised", when held records still point at it


def new_pseudonym() -> str:
    """A random pseudonym: the same everywhere for one erasure, and not derivable from the e-mail."""
    return f"person-{secrets.token_hex(5)}"


def identity_replacer(email: str, name: str, pseudonym: str) -> Callable[[str], str]:
    """A function replacing the e-mail address and the full name (any case, whole words) by `pseudonym`."""
    patterns = [rf"(?<![\w.+-]){re.escape(email)}(?![\w-]|\.\w)"]
    if len(name.strip()) >= 2:
        words = r"\s+".join(re.escape(word) for word in name.split())
        patterns.append(rf"(?<!\w){words}(?!\w)")
    pattern = re.compile("|".join(patterns), re.IGNORECASE)
    return lambda text: pattern.sub(pseudonym, text)


def _replace_in(value: Any, replace: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_replace_in(v, replace) for v in value]
    if isinstance(value, dict):
        return {replace(k) if isinstance(k, str) else k: _replace_in(v, replace) for k, v in value.items()}
    return value


# Columns that must keep what they hold: the retained identities of held records.
_NOT_SCRUBBED = {("archive_hold", "retained")}


def scrub(session: Session, replace: Callable[[str], str], skip: dict[str, set[int]]) -> dict[str, int]:
    """Apply `replace` to every text and JSON column of every table but `person`; rows in `skip` stay.

    Returns the number of changed rows per table.
    """
    session.flush()
    changed: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "person" or "id" not in table.c:
            continue
        columns = [
            c
            for c in table.columns
            if isinstance(c.type, sa.String | sa.JSON) and (table.name, c.name) not in _NOT_SCRUBBED
        ]
        if not columns:
            continue
        kept = skip.get(table.name, set())
        for row in session.execute(sa.select(table.c.id, *columns)).all():
            if row.id in kept:
                continue
            updates = {}
            for column in columns:
                old = row._mapping[column.name]
                new = _replace_in(old, replace)
                if new != old:
                    updates[column.name] = new
            if updates:
                session.execute(table.update().where(table.c.id == row.id).values(**updates))
                changed[table.name] = changed.get(table.name, 0) + 1
    return changed


def _count_memberships(session: Session, person: Person) -> tuple[int, int]:
    """Turn the person's memberships and leaderships into anonymous counts; delete them."""
    counts: dict[tuple[int, int], list[int]] = {}
    memberships = session.exec(select(Membership).where(Membership.person_id == person.id)).all()
    leaderships = session.exec(select(Leadership).where(Leadership.person_id == person.id)).all()
    for m in memberships:
        tally = counts.setdefault((m.school_year_id, m.team_id), [0, 0, 0])
        tally[0] += 1
        tally[1] += m.confirmed_at is not None
    for lead in leaderships:
        counts.setdefault((lead.school_year_id, lead.team_id), [0, 0, 0])[2] += 1
    for (year_id, team_id), (members, confirmed, leads) in counts.items():
        row = session.exec(
            select(AnonymousMembershipCount).where(
                AnonymousMembershipCount.school_year_id == year_id,
                AnonymousMembershipCount.team_id == team_id,
                AnonymousMembershipCount.school_id == person.school_id
                if person.school_id is not None
                else col(AnonymousMembershipCount.school_id).is_(None),
            )
        ).first()
        if row is None:
            row = AnonymousMembershipCount(school_year_id=year_id, team_id=team_id, school_id=person.school_id)
            session.add(row)
        row.members += members
        row.confirmed_members += confirmed
        row.leaders += leads
    for item in [*memberships, *leaderships]:
        session.delete(item)
    return len(memberships), len(leaderships)


def erase_person(session: Session, email: str, *, now: dtm.datetime) -> ErasureReport:
    """Remove the person with `email` (see the module's table); audit-logged under the pseudonym only."""
    person = _person_or_error(session, email)
    pid = person.id
    assert pid is not None
    holds = Holds.load(session)
    for hold in list_holds(session):
        if hold.entity == "person" and hold.entity_id == pid:
            raise PrivacyError(PrivacyProblem.PERSON_HELD, hold=hold.id, reason=hold.reason)
    report = ErasureReport(pseudonym=new_pseudonym())
    identity = {"name": person.name, "email": person.email, "pseudonym": report.pseudonym, "erased_at": _iso(now)}
    replace = identity_replacer(person.email, person.name, report.pseudonym)
    kept: dict[str, set[int]] = {"absence": set(), "note": set(), "outbox_message": set(), "audit_log": set()}
    holding: set[int] = set()  # the holds that kept something of this person

    def held_by(*pairs: tuple[str, int | None]) -> None:
        for hold in list_holds(session):
            if (hold.entity, hold.entity_id) in pairs:
                holding.add(hold.id or 0)

    absences = session.exec(select(Absence).where(Absence.person_id == pid)).all()
    for absence in absences:
        if holds.absence(absence.id, pid, absence.meeting_id):
            kept["absence"].add(absence.id or 0)
            held_by(("absence", absence.id), ("meeting", absence.meeting_id))
        else:
            session.delete(absence)
    report.removed["absence"] = len(absences) - len(kept["absence"])

    for model in (DialogState, ConversationAddress, PersonRole):
        rows = session.exec(select(model).where(model.person_id == pid)).all()
        for row in rows:
            session.delete(row)
        report.removed[model.__tablename__] = len(rows)
    report.removed["membership"], report.removed["leadership"] = _count_memberships(session, person)

    messages = session.exec(select(OutboxMessage).where(OutboxMessage.recipient_id == pid)).all()
    for message in messages:
        if holds.outbox(message.id, pid):
            kept["outbox_message"].add(message.id or 0)
            held_by(("outbox_message", message.id))
        else:
            session.delete(message)
    report.removed["outbox_message"] = len(messages) - len(kept["outbox_message"])
    for message in session.exec(select(OutboxMessage).where(col(OutboxMessage.recipient_id) != pid)).all():
        if message.payload.get("origin") == pid:
            message.payload = {k: v for k, v in message.payload.items() if k != "origin"}

    for note in session.exec(select(Note)).all():
        if holds.note(note.id, note.meeting_id, note.author_id):
            kept["note"].add(note.id or 0)
            if note.author_id == pid or replace(note.body) != note.body:
                held_by(("note", note.id), ("meeting", note.meeting_id))
        elif note.author_id == pid:
            note.author_id = None
            report.pseudonymised["note"] = report.pseudonymised.get("note", 0) + 1

    for item in session.exec(select(AgendaItem).where(AgendaItem.author_id == pid)).all():
        item.author_id = None  # the item stays on its meeting's agenda, without its author
        report.pseudonymised["agenda_item"] = report.pseudonymised.get("agenda_item", 0) + 1

    for entry in session.exec(select(AuditLog)).all():
        if holds.audit(entry.id, entry.actor_id, entry.entity, entry.entity_id):
            kept["audit_log"].add(entry.id or 0)
            if entry.actor_id == pid or replace(str(entry.details)) != str(entry.details):
                held_by(("audit_log", entry.id), (entry.entity, entry.entity_id))
        elif entry.actor_id == pid:
            entry.actor_id = None
            entry.details = {**entry.details, "erased_actor": report.pseudonym}

    for table, count in scrub(session, replace, kept).items():
        report.pseudonymised[table] = max(report.pseudonymised.get(table, 0), count)
    report.held = {table: len(ids) for table, ids in kept.items() if ids}

    if kept["absence"]:
        # Held absences still point at the row: it stays, but says nothing about who it was.
        person.name, person.email = report.pseudonym, f"{report.pseudonym}@{ERASED_DOMAIN}"
        person.school_id = person.slack_user_id = person.teams_user_id = None
        report.person_row = "anonymised"
    for hold_id in sorted(holding):
        holding_row = session.get(ArchiveHold, hold_id)
        if holding_row is not None:
            holding_row.retained = [*holding_row.retained, identity]
    session.flush()
    if report.person_row == "deleted":
        session.delete(person)
    record(
        session,
        action="gdpr.erased",
        entity="person",
        entity_id=pid,
        details={
            "pseudonym": report.pseudonym,
            "removed": report.removed,
            "held": report.held,
            "person_row": report.person_row,
            "at": _iso(now),
        },
    )
    session.flush()
    session.expire_all()
    return report
