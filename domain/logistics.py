"""After a physical meeting: who attended, and the host school's cost divided among the visiting schools.

The framework ("Ekonomi"): at a shared day one school hosts the others, invoices the visiting schools
for it, and divides the cost by the number of participants. The rule is fixed here, not by the host
(costs are decided in the manager network; the host only enters the total):

* the total, in whole kronor, is divided equally among the participants who attended, as the team's
  leader confirmed them (`Attendance`);
* each school's share is its participants' part, rounded down to whole kronor; the kronor left over
  (fewer than the number of schools) go one each to the schools with the largest remainders, ties by
  school name, so the shares always add up to the total exactly (the largest remainder method);
* a participant without a school in the roster counts towards the host school;
* the host school's own share stays with it; every other school is invoiced its share.

A cost is entered once per meeting and never replaced: entering it again changes nothing and sends
nothing. Attendance can be corrected until the cost is entered, not after.
"""

from __future__ import annotations

import datetime as dtm
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import travel
from domain.meetings import absentees, is_leader, team_members
from storage.audit import record
from storage.models import (
    Attendance,
    Meeting,
    MeetingCost,
    MeetingKind,
    Person,
    PersonRole,
    Region,
    Role,
    School,
    SchoolYear,
    Team,
)

COST_MAX_KR = 500_000  # more than any shared day of a subject team costs: surely a typing error


class CostProblem(enum.StrEnum):
    """Why a cost cannot be entered for a meeting (nothing is stored or sent then)."""

    DIGITAL = "digital"
    CANCELLED = "cancelled"
    NOT_HELD = "not_held"
    NO_HOST = "no_host"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    ZERO = "zero"
    TOO_LARGE = "too_large"
    NO_ATTENDANCE = "no_attendance"
    NOBODY_ATTENDED = "nobody_attended"
    ALREADY_ENTERED = "already_entered"


# The split ------------------------------------------------------------------------------------


def split_cost(total_kr: int, participants: Mapping[str, int]) -> dict[str, int]:
    """`total_kr` divided among schools in proportion to their participants, in whole kronor adding up to it.

    Largest remainder method: each school gets the whole kronor of its exact part; the kronor left over
    go one each to the largest remainders, ties by name. A school with no participants gets 0.
    """
    if total_kr < 0:
        raise ValueError("a cost is never negative")
    if any(n < 0 for n in participants.values()):
        raise ValueError("a negative number of participants")
    people = sum(participants.values())
    if people == 0:
        raise ValueError("nobody to divide the cost among")
    whole: dict[str, int] = {}
    remainders: dict[str, int] = {}
    for name, n in participants.items():
        whole[name], remainders[name] = divmod(total_kr * n, people)
    left = total_kr - sum(whole.values())
    for name in sorted(participants, key=lambda s: (-remainders[s], s))[:left]:
        whole[name] += 1
    return whole


_KRONOR = re.compile(r"(-\s*)?(\d{1,3}(?:[ .]\d{3})+|\d+)(?:,(\d+))?\s*(?:kr|kronor|sek|:-)?\.?", re.IGNORECASE)


def parse_kronor(text: str) -> int | None:
    """An amount in whole kronor as people write it ("12000", "12 000 kr", "-500", "12 000:-").

    None when the text is not just an amount, or when it has öre ("1200,50").
    """
    cleaned = text.replace("\u00a0", " ").replace("\u202f", " ").replace("−", "-").strip()
    m = _KRONOR.fullmatch(cleaned)
    if m is None:
        return None
    if m.group(3) and int(m.group(3)) != 0:
        return None
    value = int(re.sub(r"[ .]", "", m.group(2)))
    return -value if m.group(1) else value


def amount_problem(total_kr: int | None) -> CostProblem | None:
    if total_kr is None:
        return CostProblem.NOT_A_NUMBER
    if total_kr < 0:
        return CostProblem.NEGATIVE
    if total_kr == 0:
        return CostProblem.ZERO
    if total_kr > COST_MAX_KR:
        return CostProblem.TOO_LARGE
    return None


# Attendance -----------------------------------------------------------------------------------


def attendance_of(session: Session, meeting_id: int) -> list[Attendance]:
    return list(session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)).all())


def attendance_list(session: Session, meeting: Meeting) -> list[tuple[Person, bool]]:
    """The people to confirm, by name, each ticked as confirmed, or by default unless they reported absence."""
    assert meeting.id is not None
    people = team_members(session, meeting.team_id, meeting.school_year_id)
    confirmed = {a.person_id: a.attended for a in attendance_of(session, meeting.id)}
    if confirmed:
        extra = [session.get(Person, pid) for pid in confirmed if pid not in {p.id for p in people}]
        people = sorted([*people, *(p for p in extra if p is not None)], key=lambda p: p.name)
        return [(p, confirmed.get(p.id or 0, False)) for p in people]
    absent = {p.id for p in absentees(session, meeting.id)}
    return [(p, p.id not in absent) for p in people]


def confirm_attendance(
    session: Session, *, meeting: Meeting, attended: set[int], actor: Person, now: dtm.datetime
) -> list[Attendance]:
    """Store who attended (everyone on the list not in `attended` did not); replaces an earlier confirmation.

    The caller has checked that no cost is entered yet (the cost was divided by the attendance).
    """
    assert meeting.id is not None
    people = [p for p, _ in attendance_list(session, meeting)]
    rows = {a.person_id: a for a in attendance_of(session, meeting.id)}
    before = (
        {
            "attended": sorted(pid for pid, a in rows.items() if a.attended),
            "absent": sorted(pid for pid, a in rows.items() if not a.attended),
        }
        if rows
        else None
    )
    for person in people:
        assert person.id is not None
        row = rows.get(person.id)
        if row is None:
            row = Attendance(meeting_id=meeting.id, person_id=person.id, attended=False)
            session.add(row)
            rows[person.id] = row
        row.attended = person.id in attended
        row.school_id = person.school_id
        row.confirmed_at, row.confirmed_by_id = now, actor.id
    session.flush()
    record(
        session,
        action="attendance.confirmed",
        entity="meeting",
        entity_id=meeting.id,
        actor_id=actor.id,
        before=before,
        after={
            "attended": sorted(pid for pid, a in rows.items() if a.attended),
            "absent": sorted(pid for pid, a in rows.items() if not a.attended),
        },
    )
    return list(rows.values())


def attendance_fingerprint(session: Session, meeting_id: int) -> str:
    """A short text that changes when the confirmed attendance changes (a preview is checked against it)."""
    rows = sorted((a.person_id, a.school_id or 0, a.attended) for a in attendance_of(session, meeting_id))
    return ";".join(f"{p}:{s}" for p, s, yes in rows if yes) or "-"


# The cost -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One school's part of a meeting's cost."""

    school_id: int
    school: str
    host: bool
    people: list[Person]
    share_kr: int


def cost_of(session: Session, meeting_id: int) -> MeetingCost | None:
    return session.exec(select(MeetingCost).where(MeetingCost.meeting_id == meeting_id)).first()


def host_of(session: Session, meeting: Meeting) -> School | None:
    """The school that hosts (and invoices): the meeting's host school, or the school its place names."""
    team = session.get(Team, meeting.team_id)
    if team is None:
        return None
    return travel.place_school(travel.region_schools(session, team.region_id), meeting.host_school_id, meeting.place)


def may_enter_cost(session: Session, person: Person, roles: set[str], meeting: Meeting) -> bool:
    """The team's leader that year, or a manager of the host school."""
    assert person.id is not None
    if is_leader(session, person.id, meeting.team_id, meeting.school_year_id):
        return True
    host = host_of(session, meeting)
    return Role.MANAGER.value in roles and host is not None and person.school_id == host.id


def meeting_problem(session: Session, meeting: Meeting, now: dtm.datetime) -> CostProblem | None:
    """Whether the meeting can have a cost at all (physical, held, not cancelled, with a host school)."""
    if meeting.kind != MeetingKind.PHYSICAL.value:
        return CostProblem.DIGITAL
    if meeting.cancelled_at is not None:
        return CostProblem.CANCELLED
    if meeting.starts_at > now:
        return CostProblem.NOT_HELD
    if host_of(session, meeting) is None:
        return CostProblem.NO_HOST
    return None


def plan_split(
    session: Session, meeting: Meeting, total_kr: int | None, now: dtm.datetime
) -> list[Share] | CostProblem:
    """The shares `total_kr` would give, or why it cannot be entered."""
    assert meeting.id is not None
    problem = meeting_problem(session, meeting, now)
    if problem is None and cost_of(session, meeting.id) is not None:
        problem = CostProblem.ALREADY_ENTERED
    problem = problem or amount_problem(total_kr)
    if problem is not None:
        return problem
    assert total_kr is not None
    rows = attendance_of(session, meeting.id)
    if not rows:
        return CostProblem.NO_ATTENDANCE
    came = [a for a in rows if a.attended]
    if not came:
        return CostProblem.NOBODY_ATTENDED
    host = host_of(session, meeting)
    assert host is not None and host.id is not None
    schools = {
        s.id: s
        for s in session.exec(
            select(School).where(col(School.id).in_({a.school_id for a in came if a.school_id is not None}))
        ).all()
    }
    groups: dict[int, list[Person]] = {}
    for row in came:
        person = session.get(Person, row.person_id)
        school_id = row.school_id if row.school_id is not None and row.school_id in schools else host.id
        if person is not None:
            groups.setdefault(school_id, []).append(person)
    schools[host.id] = host
    names = {school_id: schools[school_id].name for school_id in groups}
    split = split_cost(total_kr, {names[i]: len(people) for i, people in groups.items()})
    return sorted(
        (
            Share(
                school_id=i,
                school=names[i],
                host=i == host.id,
                people=sorted(people, key=lambda p: p.name),
                share_kr=split[names[i]],
            )
            for i, people in groups.items()
        ),
        key=lambda s: s.school,
    )


def enter_cost(
    session: Session, *, meeting: Meeting, total_kr: int | None, actor: Person, now: dtm.datetime
) -> tuple[MeetingCost, list[Share]] | CostProblem:
    """Store the cost and its split, once. A second entry (even a concurrent one) is `ALREADY_ENTERED`."""
    shares = plan_split(session, meeting, total_kr, now)
    if isinstance(shares, CostProblem):
        return shares
    assert total_kr is not None and meeting.id is not None
    host = host_of(session, meeting)
    assert host is not None and host.id is not None
    cost = MeetingCost(
        meeting_id=meeting.id,
        host_school_id=host.id,
        total_kr=total_kr,
        participants=sum(len(s.people) for s in shares),
        shares=[
            {
                "school_id": s.school_id,
                "school": s.school,
                "host": s.host,
                "participants": len(s.people),
                "share_kr": s.share_kr,
            }
            for s in shares
        ],
        entered_by_id=actor.id,
        entered_at=now,
    )
    try:
        with session.begin_nested():
            session.add(cost)
            session.flush()
    except sa.exc.IntegrityError:
        return CostProblem.ALREADY_ENTERED
    record(
        session,
        action="meeting_cost.entered",
        entity="meeting",
        entity_id=meeting.id,
        actor_id=actor.id,
        before=None,
        after={"total_kr": total_kr, "host_school": host.name, "shares": cost.shares},
    )
    return cost, shares


def reopen_cost(session: Session, *, meeting: Meeting, actor: Person) -> MeetingCost | None:
    """The host school takes back an entered cost, to correct the attendance or the amount: the cost and its
    split are removed (the audit log keeps them), and a new one can be entered. None when there was none."""
    cost = cost_of(session, meeting.id or 0)
    if cost is None:
        return None
    before = {"total_kr": cost.total_kr, "shares": cost.shares, "entered_at": cost.entered_at.isoformat()}
    session.delete(cost)
    session.flush()
    record(
        session,
        action="meeting_cost.reopened",
        entity="meeting",
        entity_id=meeting.id,
        actor_id=actor.id,
        before=before,
        after=None,
    )
    return cost


def managers_of(session: Session, school_id: int) -> list[Person]:
    return list(
        session.exec(
            select(Person)
            .join(PersonRole, col(PersonRole.person_id) == Person.id)
            .where(Person.school_id == school_id, PersonRole.role == Role.MANAGER.value)
            .order_by(col(Person.name))
        ).all()
    )


# The invoice basis ----------------------------------------------------------------------------


def invoice_basis(session: Session, meeting: Meeting) -> dict[str, Any] | None:
    """The host school's invoice basis for a meeting with a cost (the JSON of `amneslag invoice`); None without."""
    assert meeting.id is not None
    cost = cost_of(session, meeting.id)
    if cost is None:
        return None
    team = session.get(Team, meeting.team_id)
    region = session.get(Region, team.region_id) if team else None
    year = session.get(SchoolYear, meeting.school_year_id)
    host = session.get(School, cost.host_school_id)
    entered_by = session.get(Person, cost.entered_by_id) if cost.entered_by_id else None
    zone = ZoneInfo(region.timezone if region else "Europe/Stockholm")
    came: dict[int, list[Person]] = {}
    for row in attendance_of(session, meeting.id):
        person = session.get(Person, row.person_id)
        if row.attended and person is not None:
            school_id = row.school_id if row.school_id is not None else cost.host_school_id
            came.setdefault(school_id, []).append(person)
    known = {int(s["school_id"]) for s in cost.shares}
    schools = []
    for share in cost.shares:
        people = sorted(came.get(int(share["school_id"]), []), key=lambda p: p.name)
        if int(share["school_id"]) == cost.host_school_id:  # people whose school is gone count to the host
            people += sorted((p for i, ps in came.items() if i not in known for p in ps), key=lambda p: p.name)
        schools.append(
            {
                "school": share["school"],
                "host": share["host"],
                "participants": share["participants"],
                "share_kr": share["share_kr"],
                "people": [{"name": p.name, "email": p.email} for p in people],
            }
        )
    return {
        "meeting_id": meeting.id,
        "region": region.name if region else None,
        "school_year": year.label if year else None,
        "team": team.name if team else None,
        "starts_at": meeting.starts_at.astimezone(zone).isoformat(),
        "place": meeting.place or (host.name if host else None),
        "host_school": host.name if host else None,
        "total_kr": cost.total_kr,
        "participants": cost.participants,
        "per_participant_kr": round(cost.total_kr / cost.participants, 2),
        "entered_by": entered_by.email if entered_by else None,
        "entered_at": cost.entered_at.astimezone(zone).isoformat(),
        "schools": schools,
        "invoiced_kr": sum(s["share_kr"] for s in schools if not s["host"]),
    }


_AMOUNT_IN_TEXT = re.compile(r"(-\s*)?\d[\d \u00a0\u202f.]*(?:,\d+)?\s*(?:kr\b|kronor\b|sek\b|:-)", re.IGNORECASE)


def kronor_in_text(text: str) -> int | None:
    """An amount written with its unit in a sentence ("kostnaden blev 12 000 kr"), or None."""
    m = _AMOUNT_IN_TEXT.search(text.replace("−", "-"))
    return parse_kronor(m.group(0)) if m else None
