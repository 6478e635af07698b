"""Agenda items: what a member, or the coordinator for every team, wants taken up at a group's next meeting.

An item waits for the group's next notice: the leader sees the waiting items in the notice's preview, and the
notice carries them (each item then names its meeting). Nothing is ever sent twice: an item belongs to one
notice.
"""

from __future__ import annotations

import datetime as dtm

from sqlmodel import Session, col, select

from storage.audit import record
from storage.models import AgendaItem, Meeting, Person, SchoolYear, Team

ITEM_MAX_CHARACTERS = 500


def add(session: Session, *, team: Team, year: SchoolYear, author: Person, text: str, now: dtm.datetime) -> AgendaItem:
    """Put `text` on the group's next meeting, audited (the text itself is not copied into the audit log)."""
    assert team.id is not None and year.id is not None
    item = AgendaItem(team_id=team.id, school_year_id=year.id, author_id=author.id, text=text, created_at=now)
    session.add(item)
    session.flush()
    record(session, action="agenda.added", entity="agenda_item", entity_id=item.id, actor_id=author.id)
    return item


def waiting(session: Session, team_id: int, year_id: int) -> list[AgendaItem]:
    """The group's items that no notice has carried yet, oldest first."""
    return list(
        session.exec(
            select(AgendaItem)
            .where(
                AgendaItem.team_id == team_id,
                AgendaItem.school_year_id == year_id,
                col(AgendaItem.meeting_id).is_(None),
            )
            .order_by(col(AgendaItem.created_at), col(AgendaItem.id))
        ).all()
    )


def carried_by(session: Session, meeting_id: int) -> list[AgendaItem]:
    """The items a meeting's notice carried."""
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    return list(session.exec(query.order_by(col(AgendaItem.created_at), col(AgendaItem.id))).all())


def attach(session: Session, meeting: Meeting) -> list[AgendaItem]:
    """The group's waiting items go with this meeting's notice; the items."""
    items = waiting(session, meeting.team_id, meeting.school_year_id)
    for item in items:
        item.meeting_id = meeting.id
        session.add(item)
    session.flush()
    return items
