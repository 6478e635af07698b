"""Domain rules of a team's meetings: scheduling, changes, notices, notes and the framework review.

A leader's draft is checked here, not in the dialogs, so every channel and the command line get the
same answers. Every change is audited with the fields before and after it.
"""

from __future__ import annotations

import datetime as dtm
import enum
from dataclasses import dataclass
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from domain import groups
from storage import schoolyear
from storage.audit import record, snapshot
from storage.models import (
    Absence,
    Attendance,
    GroupKind,
    Leadership,
    Meeting,
    MeetingKind,
    NetworkDay,
    Note,
    Person,
    Region,
    School,
    SchoolYear,
    Team,
)

NOTES_MAX_CHARACTERS = 10_000  # a Teams message holds about 28 KB; longer notes belong in a linked document
LINK_MAX_CHARACTERS = 500
PLACE_MAX_CHARACTERS = 200
_MEETING_FIELDS = ("starts_at", "ends_at", "kind", "place", "host_school_id", "link", "sequence")


class DraftProblem(enum.StrEnum):
    """Why a meeting draft cannot be saved."""

    IN_PAST = "in_past"
    END_BEFORE_START = "end_before_start"
    OTHER_YEAR = "other_year"
    BAD_LINK = "bad_link"
    NO_PLACE = "no_place"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class MeetingDraft:
    """What a leader has said about a meeting so far, as plain values (it travels in buttons)."""

    team_id: int
    year: str
    day: dtm.date
    start: dtm.time
    end: dtm.time
    kind: str
    place: str | None = None
    host_school_id: int | None = None
    link: str | None = None


def is_web_link(text: str) -> bool:
    """An http(s) address with a host: the only links the bot passes on."""
    parsed = urlparse(text.strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in text.strip()


def instants(draft: MeetingDraft, zone: ZoneInfo) -> tuple[dtm.datetime, dtm.datetime]:
    return (
        dtm.datetime.combine(draft.day, draft.start, tzinfo=zone),
        dtm.datetime.combine(draft.day, draft.end, tzinfo=zone),
    )


def check_draft(draft: MeetingDraft, region: Region, now: dtm.datetime) -> DraftProblem | None:
    """The first problem of a complete draft, or None when it can be saved."""
    starts, ends = instants(draft, ZoneInfo(region.timezone))
    if starts <= now:
        return DraftProblem.IN_PAST
    if ends <= starts:
        return DraftProblem.END_BEFORE_START
    if schoolyear.label_for(draft.day) != draft.year:
        return DraftProblem.OTHER_YEAR
    if draft.kind == MeetingKind.DIGITAL.value:
        if not draft.link or not is_web_link(draft.link):
            return DraftProblem.BAD_LINK
        if len(draft.link) > LINK_MAX_CHARACTERS:
            return DraftProblem.TOO_LONG
    elif not draft.place and draft.host_school_id is None:
        return DraftProblem.NO_PLACE
    elif draft.place and len(draft.place) > PLACE_MAX_CHARACTERS:
        return DraftProblem.TOO_LONG
    return None


def network_day_on(session: Session, region_id: int, day: dtm.date) -> NetworkDay | None:
    return session.exec(select(NetworkDay).where(NetworkDay.region_id == region_id, NetworkDay.date == day)).first()


def network_days(session: Session, region_id: int, year: SchoolYear, after: dtm.date | None = None) -> list[NetworkDay]:
    query = select(NetworkDay).where(
        NetworkDay.region_id == region_id, NetworkDay.date >= year.starts_on, NetworkDay.date <= year.ends_on
    )
    if after is not None:
        query = query.where(NetworkDay.date >= after)
    return list(session.exec(query.order_by(col(NetworkDay.date))).all())


def _mark_first_of_year(session: Session, team_id: int, year_id: int) -> None:
    """The earliest meeting of the team's year that is not cancelled is its first; no other is. Only a subject
    team's first meeting is marked: it is where the team reviews the framework document (no other group does)."""
    team = session.get(Team, team_id)
    subject_team = team is not None and team.kind == GroupKind.SUBJECT_TEAM.value
    meetings = session.exec(
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.school_year_id == year_id, col(Meeting.cancelled_at).is_(None))
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    ).all()
    for index, meeting in enumerate(meetings):
        meeting.first_of_year = subject_team and index == 0


def _apply(session: Session, meeting: Meeting, draft: MeetingDraft, region: Region) -> None:
    assert region.id is not None
    meeting.starts_at, meeting.ends_at = instants(draft, ZoneInfo(region.timezone))
    meeting.kind = draft.kind
    physical = draft.kind == MeetingKind.PHYSICAL.value
    host = session.get(School, draft.host_school_id) if physical and draft.host_school_id else None
    meeting.host_school_id = host.id if host is not None and host.region_id == region.id else None
    meeting.place = (draft.place or (host.name if host else None)) if physical else None
    meeting.link = draft.link if not physical else None
    day = network_day_on(session, region.id, draft.day)
    meeting.network_day_id = day.id if day else None


def schedule(session: Session, *, draft: MeetingDraft, region: Region, actor: Person, now: dtm.datetime) -> Meeting:
    """Save a checked draft as a new meeting; the first of the team's school year is marked."""
    year = schoolyear.get_or_create(session, draft.year)
    assert year.id is not None
    meeting = Meeting(
        team_id=draft.team_id,
        school_year_id=year.id,
        starts_at=now,
        ends_at=now,
        kind=draft.kind,
        created_by_id=actor.id,
        created_at=now,
    )
    _apply(session, meeting, draft, region)
    session.add(meeting)
    session.flush()
    _mark_first_of_year(session, draft.team_id, year.id)
    session.flush()
    record(
        session,
        action="meeting.scheduled",
        entity="meeting",
        entity_id=meeting.id,
        actor_id=actor.id,
        before=None,
        after=snapshot(meeting, *_MEETING_FIELDS, "first_of_year"),
    )
    return meeting


def change(
    session: Session, *, meeting: Meeting, draft: MeetingDraft, region: Region, actor: Person, now: dtm.datetime
) -> Meeting:
    """Change a meeting to a checked draft; its sequence grows so calendars replace the event."""
    before = snapshot(meeting, *_MEETING_FIELDS)
    _apply(session, meeting, draft, region)
    meeting.sequence += 1
    session.flush()
    _mark_first_of_year(session, meeting.team_id, meeting.school_year_id)
    session.flush()
    record(
        session,
        action="meeting.changed",
        entity="meeting",
        entity_id=meeting.id,
        actor_id=actor.id,
        before=before,
        after=snapshot(meeting, *_MEETING_FIELDS),
    )
    return meeting


def cancel(session: Session, *, meeting: Meeting, actor: Person, now: dtm.datetime) -> Meeting:
    before = snapshot(meeting, "cancelled_at", "sequence")
    meeting.cancelled_at = now
    meeting.sequence += 1
    session.flush()
    _mark_first_of_year(session, meeting.team_id, meeting.school_year_id)
    meeting.first_of_year = False
    record(
        session,
        action="meeting.cancelled",
        entity="meeting",
        entity_id=meeting.id,
        actor_id=actor.id,
        before=before,
        after=snapshot(meeting, "cancelled_at", "sequence"),
    )
    return meeting


def _stamp_once(session: Session, meeting: Meeting, field: str, action: str, actor: Person, now: dtm.datetime) -> bool:
    """Set a meeting's once-only instant (notice sent, notes distributed, review confirmed) and audit it.

    False, and nothing changed, when it was set already: what it stands for never happens twice. The
    instant is set by one compare-and-set (`UPDATE … WHERE … IS NULL`), so of two turns at once (a
    double click) exactly one sets it, whichever commits first; the other waits for its row and gets False.
    """
    stamped = session.execute(
        sa.update(Meeting)
        .where(col(Meeting.id) == meeting.id, col(getattr(Meeting, field)).is_(None))
        .values({field: now})
        .execution_options(synchronize_session=False)
    )
    if stamped.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result has a rowcount
        session.refresh(meeting, [field])
        return False
    set_committed_value(meeting, field, now)
    record(
        session,
        action=action,
        entity="meeting",
        entity_id=meeting.id,
        actor_id=actor.id,
        before={field: None},
        after=snapshot(meeting, field),
    )
    return True


def mark_notice_sent(session: Session, *, meeting: Meeting, actor: Person, now: dtm.datetime) -> bool:
    """Record that the notice went out; False when it had already gone out (nothing is sent twice)."""
    return _stamp_once(session, meeting, "notice_sent_at", "meeting.notice_sent", actor, now)


def note_of(session: Session, meeting_id: int) -> Note | None:
    return session.exec(select(Note).where(Note.meeting_id == meeting_id)).first()


def save_notes(
    session: Session, *, meeting: Meeting, body: str, link: str | None, actor: Person, now: dtm.datetime
) -> Note:
    """Save (or replace) the notes of a meeting that are not yet distributed: a draft is never lost."""
    assert meeting.id is not None and meeting.notes_distributed_at is None
    note = note_of(session, meeting.id)
    before = snapshot(note, "body", "link") if note else None
    if note is None:
        note = Note(meeting_id=meeting.id, author_id=actor.id, body=body, link=link, created_at=now, updated_at=now)
        session.add(note)
    else:
        note.body, note.link, note.author_id, note.updated_at = body, link, actor.id, now
    session.flush()
    record(
        session,
        action="notes.saved",
        entity="note",
        entity_id=note.id,
        actor_id=actor.id,
        details={"meeting": meeting.id, "characters": len(body)},
        before={"characters": len(before["body"]), "link": before["link"]} if before else None,
        after={"characters": len(body), "link": link},
    )
    return note


def mark_notes_distributed(session: Session, *, meeting: Meeting, actor: Person, now: dtm.datetime) -> bool:
    """Record that the notes went out; False when they already had (the same notes are never sent twice)."""
    return _stamp_once(session, meeting, "notes_distributed_at", "notes.distributed", actor, now)


def confirm_room(session: Session, *, meeting: Meeting, actor: Person, now: dtm.datetime) -> bool:
    """Record that the host school has arranged the room; False when already confirmed."""
    return _stamp_once(session, meeting, "room_confirmed_at", "meeting.room_confirmed", actor, now)


def confirm_framework_review(session: Session, *, meeting: Meeting, actor: Person, now: dtm.datetime) -> bool:
    """Record that the framework document was reviewed at the meeting; False when already confirmed."""
    return _stamp_once(session, meeting, "framework_reviewed_at", "meeting.framework_reviewed", actor, now)


def team_members(session: Session, team_id: int, year_id: int) -> list[Person]:
    """The group's members and leaders of the year, each once, by name (`domain.groups.members`)."""
    team = session.get(Team, team_id)
    return groups.members(session, team, year_id) if team is not None else []


def came_after_all() -> sa.Exists:
    """The condition "this absence's person attended its meeting after all", as the leader confirmed it."""
    return (
        select(Attendance.id)
        .where(
            Attendance.meeting_id == Absence.meeting_id,
            Attendance.person_id == Absence.person_id,
            col(Attendance.attended),
        )
        .exists()
    )


def absentees(session: Session, meeting_id: int) -> list[Person]:
    """Who has reported absence from the meeting and not taken it back, unless the leader has confirmed that
    they attended after all (the confirmed attendance overrides the report)."""
    return list(
        session.exec(
            select(Person)
            .join(Absence, col(Absence.person_id) == Person.id)
            .where(Absence.meeting_id == meeting_id, col(Absence.withdrawn_at).is_(None), ~came_after_all())
            .order_by(col(Person.name))
        ).all()
    )


def teams_led(session: Session, person_id: int, year_id: int) -> list[Team]:
    return list(
        session.exec(
            select(Team)
            .join(Leadership, col(Leadership.team_id) == Team.id)
            .where(Leadership.person_id == person_id, Leadership.school_year_id == year_id)
            .order_by(col(Team.position), col(Team.name))
        ).all()
    )


def teams_led_in(session: Session, person_id: int, labels: list[str]) -> list[tuple[Team, SchoolYear]]:
    """The teams `person_id` leads in the school years labelled `labels`, earliest year first."""
    rows = session.exec(
        select(Team, SchoolYear)
        .join(Leadership, col(Leadership.team_id) == Team.id)
        .join(SchoolYear, col(SchoolYear.id) == Leadership.school_year_id)
        .where(Leadership.person_id == person_id, col(SchoolYear.label).in_(labels))
        .order_by(col(SchoolYear.starts_on), col(Team.position), col(Team.name))
    ).all()
    return [(team, year) for team, year in rows]


def is_leader(session: Session, person_id: int, team_id: int, year_id: int) -> bool:
    return (
        session.exec(
            select(Leadership.id).where(
                Leadership.person_id == person_id,
                Leadership.team_id == team_id,
                Leadership.school_year_id == year_id,
            )
        ).first()
        is not None
    )


def team_meetings(session: Session, team_id: int, year_id: int) -> list[Meeting]:
    """The team's meetings of the year that are not cancelled, in time order."""
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.school_year_id == year_id, col(Meeting.cancelled_at).is_(None))
            .order_by(col(Meeting.starts_at))
        ).all()
    )
