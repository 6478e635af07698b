"""Named questions the dialogs ask of the data, so that no dialog writes SQL.

Each answers one question about one region, in a stated order.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import Iterable

from sqlmodel import Session, col, select

from storage.models import (
    ConversationAddress,
    DialogState,
    Meeting,
    MeetingKind,
    NetworkDay,
    Note,
    Person,
    PersonRole,
    Region,
    School,
    SchoolYear,
    Team,
)


def region_people(session: Session, region: Region) -> list[Person]:
    """Everyone in the region's roster, by name."""
    return list(session.exec(select(Person).where(Person.region_id == region.id).order_by(col(Person.name))).all())


def people_with_role(session: Session, region: Region, role: str, *, besides: Person | None = None) -> list[Person]:
    """The region's people who hold `role`, by name (without `besides`)."""
    query = (
        select(Person)
        .join(PersonRole, col(PersonRole.person_id) == Person.id)
        .where(Person.region_id == region.id, PersonRole.role == role)
        .order_by(col(Person.name))
    )
    if besides is not None:
        query = query.where(Person.id != besides.id)
    return list(session.exec(query).all())


def people_by_email(session: Session, emails: Iterable[str]) -> list[Person]:
    return list(session.exec(select(Person).where(col(Person.email).in_(list(emails)))).all())


def school_names(session: Session, region: Region) -> dict[int | None, str]:
    """The names of the region's schools by id."""
    schools = session.exec(select(School).where(School.region_id == region.id)).all()
    return {s.id: s.name for s in schools}


def region_meetings(
    session: Session, region: Region, *, year: SchoolYear | None = None, ending_after: dtm.datetime | None = None
) -> list[tuple[Meeting, Team]]:
    """The region's meetings that are not cancelled, by start: of one school year, or still to end."""
    query = (
        select(Meeting, Team)
        .join(Team, col(Team.id) == Meeting.team_id)
        .where(Team.region_id == region.id, col(Meeting.cancelled_at).is_(None))
        .order_by(col(Meeting.starts_at))
    )
    if year is not None:
        query = query.where(Meeting.school_year_id == year.id)
    if ending_after is not None:
        query = query.where(Meeting.ends_at > ending_after)
    return [(m, t) for m, t in session.exec(query).all()]


def held_meetings(session: Session, team: Team, year: SchoolYear, now: dtm.datetime) -> list[Meeting]:
    """The team's meetings of the school year that have started by `now` and were not cancelled."""
    return list(
        session.exec(
            select(Meeting).where(
                Meeting.team_id == team.id,
                Meeting.school_year_id == year.id,
                col(Meeting.cancelled_at).is_(None),
                Meeting.starts_at <= now,
            )
        ).all()
    )


def year_meetings(session: Session, team: Team, year: SchoolYear) -> list[Meeting]:
    """Every meeting of the team in the school year, cancelled ones too."""
    return list(
        session.exec(select(Meeting).where(Meeting.team_id == team.id, Meeting.school_year_id == year.id)).all()
    )


def physical_meetings(session: Session, region: Region, year: SchoolYear) -> list[tuple[Meeting, Team]]:
    """The region's physical meetings of the school year, cancelled ones too."""
    return [
        (m, t)
        for m, t in session.exec(
            select(Meeting, Team)
            .join(Team, col(Team.id) == Meeting.team_id)
            .where(Team.region_id == region.id, Meeting.school_year_id == year.id)
            .where(Meeting.kind == MeetingKind.PHYSICAL.value)
        ).all()
    ]


def network_days_from(session: Session, region: Region, first: dtm.date, *, inclusive: bool = True) -> list[NetworkDay]:
    """The region's network days from `first` on (after it, when not `inclusive`), by date."""
    after = NetworkDay.date >= first if inclusive else NetworkDay.date > first
    return list(
        session.exec(
            select(NetworkDay).where(NetworkDay.region_id == region.id, after).order_by(col(NetworkDay.date))
        ).all()
    )


def distributed_notes_since(session: Session, region: Region, start: dtm.datetime) -> list[tuple[Meeting, Note, Team]]:
    """The distributed notes of the region's meetings from `start` on, by team and date."""
    return [
        (m, n, t)
        for m, n, t in session.exec(
            select(Meeting, Note, Team)
            .join(Note, col(Note.meeting_id) == Meeting.id)
            .join(Team, col(Team.id) == Meeting.team_id)
            .where(
                Team.region_id == region.id,
                col(Meeting.notes_distributed_at).is_not(None),
                Meeting.starts_at >= start,
            )
            .order_by(col(Team.name), col(Meeting.starts_at))
        ).all()
    ]


def dialog_state(session: Session, person_id: int, conversation_key: str) -> DialogState | None:
    """The step a person's conversation waits at, if any."""
    return session.exec(
        select(DialogState).where(DialogState.person_id == person_id, DialogState.conversation_key == conversation_key)
    ).first()


def has_teams_chat(session: Session, person: Person) -> bool:
    """Whether a Teams conversation with the person is stored (so the bot can write first)."""
    found = session.exec(
        select(ConversationAddress.id).where(
            ConversationAddress.person_id == person.id, ConversationAddress.platform == "teams"
        )
    ).first()
    return found is not None
