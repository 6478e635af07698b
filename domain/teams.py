"""Domain rules of teams, memberships, meetings and absences (the facts of DESIGN.md, next to the data)."""

from __future__ import annotations

import datetime as dtm
import enum

from sqlmodel import Session, col, select

from storage import schoolyear
from storage.audit import record, snapshot
from storage.models import (
    TEACHER_GROUPS,
    Absence,
    Leadership,
    Meeting,
    Membership,
    Note,
    Person,
    PersonRole,
    Region,
    Role,
    SchoolYear,
    Team,
)
from storage.settings import RegionSettings

_CHOICE_FIELDS = ("team_id", "chosen_at", "chosen_by_id", "confirmed_at", "confirmed_by_id")
_ABSENCE_FIELDS = ("reported_at", "withdrawn_at")  # no reason: none is asked for or stored


def subject_teams(session: Session, region_id: int) -> list[Team]:
    """The region's active groups of teachers: its subject teams, or its teacher networks (`TEACHER_GROUPS`)."""
    return list(
        session.exec(
            select(Team)
            .where(Team.region_id == region_id, col(Team.kind).in_(TEACHER_GROUPS), col(Team.active))
            .order_by(col(Team.position), col(Team.name))
        ).all()
    )


def current_year(session: Session, region: Region, now: dtm.datetime) -> SchoolYear:
    return schoolyear.get_or_create(session, schoolyear.label_for(schoolyear.today_in(region.timezone, now)))


def deciding_label(day: dtm.date, settings: RegionSettings) -> str:
    """The school year whose teams are being decided on `day`: the coming one from the day the team choice
    opens (the region's `team_choice_opens`, 1 May in Västerbotten) to the end of June, else the current one.

    The one rule of "the year being decided": the teacher's choice, the manager's list, confirmation and
    report, the reminders and the coordinator's status all follow it.
    """
    current = schoolyear.label_for(day)
    _, ends_on = schoolyear.bounds(current)
    opens = settings.team_choice_opens.in_year(ends_on.year)
    return schoolyear.following(current) if day >= opens else current


def year_being_decided(session: Session, region: Region, now: dtm.datetime) -> SchoolYear:
    """The `SchoolYear` of `deciding_label` for the region at `now`."""
    settings = RegionSettings.model_validate(region.settings)
    return schoolyear.get_or_create(session, deciding_label(schoolyear.today_in(region.timezone, now), settings))


def membership(session: Session, person_id: int, year_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.person_id == person_id, Membership.school_year_id == year_id)
    ).first()


def leaders(session: Session, team_id: int, year_id: int) -> list[Person]:
    return list(
        session.exec(
            select(Person)
            .join(Leadership, col(Leadership.person_id) == Person.id)
            .where(Leadership.team_id == team_id, Leadership.school_year_id == year_id)
            .order_by(col(Leadership.slot))
        ).all()
    )


def member_count(session: Session, team_id: int, year_id: int) -> int:
    return len(
        session.exec(
            select(Membership.id).where(Membership.team_id == team_id, Membership.school_year_id == year_id)
        ).all()
    )


def colleagues(session: Session, person: Person, role: Role) -> list[Person]:
    """The people of the person's school (not the person themself) who have `role`, by name."""
    if person.school_id is None:
        return []
    return list(
        session.exec(
            select(Person)
            .join(PersonRole, col(PersonRole.person_id) == Person.id)
            .where(
                Person.school_id == person.school_id,
                PersonRole.role == role.value,
                Person.id != person.id,
            )
            .order_by(col(Person.name))
        ).all()
    )


def managers_of(session: Session, person: Person) -> list[Person]:
    """The managers of the person's school (not the person themself)."""
    return colleagues(session, person, Role.MANAGER)


class ChoiceRefused(enum.StrEnum):
    """Why a team choice is not allowed."""

    YEAR_STARTED = "year_started"
    SAME_TEAM = "same_team"
    NOT_A_TEAM = "not_a_team"


def target_year_for_choice(session: Session, region: Region, person: Person, now: dtm.datetime) -> SchoolYear:
    """The year a teacher chooses for: the year being decided. Before the choice opens that is the current
    year, for a teacher who has no team in it yet (a newcomer); one who has chooses ahead, for the coming year.
    """
    deciding = year_being_decided(session, region, now)
    current = current_year(session, region, now)
    assert person.id is not None and current.id is not None
    if deciding.id != current.id or membership(session, person.id, current.id) is None:
        return deciding
    return schoolyear.get_or_create(session, schoolyear.following(current.label))


def choose_team(
    session: Session, *, person: Person, team: Team, year: SchoolYear, region: Region, now: dtm.datetime
) -> tuple[Membership | None, ChoiceRefused | None]:
    """Record a teacher's own choice: one team a year, switching only before the year starts.

    A new choice or a switch is unconfirmed until the manager confirms it. Every change is audited.
    """
    assert person.id is not None and team.id is not None and year.id is not None
    if team.region_id != region.id or team.kind not in TEACHER_GROUPS:
        return None, ChoiceRefused.NOT_A_TEAM
    existing = membership(session, person.id, year.id)
    today = schoolyear.today_in(region.timezone, now)
    if existing is not None:
        if existing.team_id == team.id:
            return existing, ChoiceRefused.SAME_TEAM
        if today >= year.starts_on:
            return existing, ChoiceRefused.YEAR_STARTED
        before = snapshot(existing, *_CHOICE_FIELDS)
        existing.team_id = team.id
        existing.chosen_at, existing.chosen_by_id = now, person.id
        existing.confirmed_at = existing.confirmed_by_id = None
        record(
            session,
            action="membership.switched",
            entity="membership",
            entity_id=existing.id,
            actor_id=person.id,
            details={"year": year.label},
            before=before,
            after=snapshot(existing, *_CHOICE_FIELDS),
        )
        return existing, None
    created = Membership(
        person_id=person.id, school_year_id=year.id, team_id=team.id, chosen_at=now, chosen_by_id=person.id
    )
    session.add(created)
    session.flush()
    record(
        session,
        action="membership.chosen",
        entity="membership",
        entity_id=created.id,
        actor_id=person.id,
        details={"year": year.label},
        before=None,
        after=snapshot(created, *_CHOICE_FIELDS),
    )
    return created, None


def upcoming_meetings(session: Session, team_id: int, now: dtm.datetime, limit: int = 10) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.ends_at > now, col(Meeting.cancelled_at).is_(None))
            .order_by(col(Meeting.starts_at))
            .limit(limit)
        ).all()
    )


def active_absence(session: Session, person_id: int, meeting_id: int) -> Absence | None:
    return session.exec(
        select(Absence).where(
            Absence.person_id == person_id,
            Absence.meeting_id == meeting_id,
            col(Absence.withdrawn_at).is_(None),
        )
    ).first()


def report_absence(session: Session, *, person: Person, meeting: Meeting, now: dtm.datetime) -> Absence | None:
    """Report the person absent from the meeting; None when it is already reported. No reason is stored."""
    assert person.id is not None and meeting.id is not None
    absence = session.exec(
        select(Absence).where(Absence.person_id == person.id, Absence.meeting_id == meeting.id)
    ).first()
    if absence is not None and absence.withdrawn_at is None:
        return None
    before = snapshot(absence, *_ABSENCE_FIELDS) if absence is not None else None
    if absence is None:
        absence = Absence(person_id=person.id, meeting_id=meeting.id, reported_at=now)
        session.add(absence)
    else:
        absence.reported_at, absence.withdrawn_at = now, None
    session.flush()
    record(
        session,
        action="absence.reported",
        entity="absence",
        entity_id=absence.id,
        actor_id=person.id,
        details={"meeting": meeting.id},
        before=before,
        after=snapshot(absence, *_ABSENCE_FIELDS),
    )
    return absence


def withdraw_absence(session: Session, *, person: Person, meeting: Meeting, now: dtm.datetime) -> Absence | None:
    """Take back an absence; None when there is none to take back."""
    assert person.id is not None and meeting.id is not None
    absence = active_absence(session, person.id, meeting.id)
    if absence is None:
        return None
    before = snapshot(absence, *_ABSENCE_FIELDS)
    absence.withdrawn_at = now
    record(
        session,
        action="absence.withdrawn",
        entity="absence",
        entity_id=absence.id,
        actor_id=person.id,
        details={"meeting": meeting.id},
        before=before,
        after=snapshot(absence, *_ABSENCE_FIELDS),
    )
    return absence


def latest_notes(session: Session, team_id: int) -> tuple[Meeting, Note] | None:
    """The most recent distributed notes of the team."""
    row = session.exec(
        select(Meeting, Note)
        .join(Note, col(Note.meeting_id) == Meeting.id)
        .where(Meeting.team_id == team_id, col(Meeting.notes_distributed_at).is_not(None))
        .order_by(col(Meeting.starts_at).desc())
    ).first()
    return (row[0], row[1]) if row else None
