"""Helpers every role's dialogs share: how a meeting is named, shortened button labels, role checks."""

from __future__ import annotations

import datetime as dtm
from typing import Any

from sqlmodel import Session

from dialogs.engine import Turn
from dialogs.types import Reply, TextReply
from domain.meetings import network_days, team_meetings
from domain.teams import current_year
from storage import schoolyear
from storage.models import AgendaItem, Meeting, MeetingKind, Person, School, SchoolYear, Team

BUTTON_TEXT_LIMIT = 75  # Slack's limit for a button's text; the strictest of our channels


def short(text: str) -> str:
    return text if len(text) <= BUTTON_TEXT_LIMIT else text[: BUTTON_TEXT_LIMIT - 1] + "…"


def meeting_place(turn: Turn, meeting: Meeting) -> str:
    if meeting.kind == MeetingKind.DIGITAL.value:
        return meeting.link or turn.tr._("link to come")
    host = turn.session.get(School, meeting.host_school_id) if meeting.host_school_id else None
    return meeting.place or (host.name if host else turn.tr._("place to come"))


def meeting_kind(turn: Turn, meeting: Meeting) -> str:
    return turn.tr._("physical meeting") if meeting.kind == MeetingKind.PHYSICAL.value else turn.tr._("digital meeting")


def meeting_line(turn: Turn, meeting: Meeting) -> str:
    """Like "torsdag 18 september kl. 09.00, fysisk träff: Lycksele"."""
    return f"{turn.tr.when(meeting.starts_at)}, {meeting_kind(turn, meeting)}: {meeting_place(turn, meeting)}"


def meetings_over(turn: Turn, team: Team, year: SchoolYear) -> str | None:
    """When a team has no meeting ahead in the school year but has met in it: that its meetings are over
    (how many, the last one); None when it has not met yet, or while it may still plan one (a network day of
    the year lies ahead and the team has met fewer times than the year's most), as in January after two."""
    assert team.id is not None and year.id is not None
    meetings = team_meetings(turn.session, team.id, year.id)
    if not meetings or meetings[-1].starts_at > turn.now:
        return None
    most = turn.settings.meetings_per_year_max
    if len(meetings) < most and network_days(turn.session, team.region_id, year, after=turn.today + dtm.timedelta(1)):
        return None
    return turn.tr.n_(
        "The meetings of {team} this school year are over: {count} meeting, the last {date}.",
        "The meetings of {team} this school year are over: {count} meetings, the last {date}.",
        len(meetings),
        team=team.name,
        date=turn.tr.date(meetings[-1].starts_at),
    )


def open_year(turn: Turn, label: Any) -> SchoolYear | None:
    """The school year of a button, if it can still be acted on (the current or the coming year)."""
    current = current_year(turn.session, turn.region, turn.now)
    if label not in (current.label, schoolyear.following(current.label)):
        return None
    return schoolyear.get_or_create(turn.session, str(label))


def expired(turn: Turn) -> list[Reply]:
    """The answer to a button whose values no longer fit the data."""
    return [TextReply(text=turn.tr._('That button has expired. Write "help" to start again.'))]


def framework_name(turn: Turn) -> str:
    """The framework document in force, as people name it: "Ramar för de regionala ämneslagen, version 2026-2027"."""
    title = turn.region.framework_title or turn.tr._("the framework document")
    version = turn.region.framework_version
    return turn.tr._("{title}, version {version}", title=title, version=version) if version else title


def agenda_lines(session: Session, items: list[AgendaItem]) -> str:
    """Agenda items, a line each, with who suggested it: "– Repertoaren till vårkonserten (Alva Jonsson)"."""
    lines = []
    for item in items:
        author = session.get(Person, item.author_id) if item.author_id else None
        lines.append(f"– {item.text}" + (f" ({author.name})" if author else ""))
    return "\n".join(lines)
