"""The authorization matrix of the chat dialogs: every role tries every guarded action, end to end.

Each action is done the way a person (or a malicious client) can do it: by typing a request, or by
forging the button's action with values that point at Bild, form och skapande or a teacher in Umeå. A
refused attempt must answer in one short sentence, write one "refused" audit row for the person, and
change nothing else; an allowed attempt must not be refused (and, where it changes data, change it).

The rows are checked against the guards the dialogs declare (`dialogs.access`): every kind of guard of
every registered route is tried by at least one row, and a role the matrix allows holds one of the roles
the row's guard lets through. A new guard, or a route whose guard changed, fails here until the matrix
says who may use it.
"""

from __future__ import annotations

import datetime as dtm
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from dialogs.app import build_dialogs
from dialogs.engine import Route
from dialogs.types import Button, CardReply, FileReply, Reply, TextReply, buttons_of
from storage.db import session_scope
from storage.directory import person_by_email, roles_of
from storage.models import (
    Absence,
    Attendance,
    AuditLog,
    Leadership,
    Meeting,
    MeetingCost,
    Membership,
    MembershipReport,
    NetworkDay,
    Note,
    OutboxMessage,
    Person,
    PersonRole,
    Region,
    SchoolYear,
    Team,
)
from storage.seed import seed_region
from tests.dialogs.conftest import TEACHER, Chat

# The matrix ------------------------------------------------------------------------------------
#
# ok      allowed: no "refused" audit row (and the change is made where there is one to make)
# no      refused: one sentence, one "refused" audit row by the person, nothing else changed
# region  refused as above, with the reason "other_region" (the coordinator of another region)

MATRIX = """
action             teacher  bild_leader  other_leader  umea_manager  other_manager  coordinator  vm_coordinator
schedule_meeting   no       ok           no            no            no             no           no
send_notice        no       ok           no            no            no             no           no
cancel_meeting     no       ok           no            no            no             no           no
log_notes_typed    no       ok           ok            no            no             no           no
submit_notes       no       ok           no            no            no             no           no
confirm_framework  no       ok           no            no            no             no           no
report_absence     ok       ok           no            no            no             no           no
see_absences       no       ok           ok            ok            ok             ok           ok
list_staff         no       no           no            ok            ok             no           no
confirm_membership no       no           no            ok            no             no           no
assign_team        no       no           no            ok            no             no           no
report_memberships no       no           no            ok            ok             no           no
status             no       no           no            no            no             ok           ok
year_report        no       no           no            no            no             ok           ok
add_network_day    no       no           no            no            no             ok           ok
remove_network_day no       no           no            no            no             ok           region
appoint_leader     no       no           no            no            no             ok           region
confirm_attendance no       ok           no            no            no             no           region
enter_cost         no       ok           no            no            ok             no           region
enter_cost_typed   no       ok           ok            ok            ok             no           no
see_invoice        no       ok           no            no            ok             ok           region
summarise_notes    no       ok           no            no            no             no           no
notes_digest       no       no           no            no            no             ok           ok
model_answer       no       no           no            no            no             ok           ok
team_status        no       no           no            no            no             ok           region
reporting_typed    no       no           no            ok            ok             ok           ok
region_framework   no       no           no            no            no             ok           ok
lead_group         no       no           no            no            no             no           region
host_room          no       no           no            no            ok             no           region
agenda_item        ok       ok           no            no            no             no           region
move_teacher       no       no           no            ok            no             ok           region
"""

_ROWS = [line.split() for line in MATRIX.strip().splitlines()]
ROLES = _ROWS[0][1:]
OUTCOMES = {row[0]: dict(zip(ROLES, row[1:], strict=True)) for row in _ROWS[1:]}

YEAR = "2026/27"
BILD = "Bild, form och skapande"
BILD_LEADER = "jonas.sundqvist@example.org"
OTHER_MANAGER = "linnea.wallin@example.org"  # Bjurholm
COORDINATOR = "kalle.forsberg@example.org"
VM_COORDINATOR = "samordnare@vastmanland.example.org"
NEW_NETWORK_DAY = dtm.date(2027, 3, 18)


# The world of a test ---------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """The ids the forged buttons point at, and who plays each role."""

    emails: dict[str, str]
    region_of: dict[str, int]  # role -> region id
    school_of: dict[str, int | None]  # role -> school id
    bild_id: int
    year_id: int
    alva_id: int
    jonas_id: int
    alva_membership_id: int
    september_id: int  # Bild's first meeting: held, notes distributed, framework reviewed
    february_id: int  # Bild's digital meeting: upcoming, no notice sent
    february_day_id: int  # Västerbotten's network day in February 2027


def _only(rows: Sequence[Any]) -> Any:
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture
def world(demo: sa.Engine) -> World:
    with session_scope(demo) as s:
        vastmanland = seed_region(s, "vastmanland").region
        assert vastmanland.id is not None
        vm_coordinator = Person(email=VM_COORDINATOR, name="Vera Västmanland", region_id=vastmanland.id)
        s.add(vm_coordinator)
        s.flush()
        assert vm_coordinator.id is not None
        s.add(PersonRole(person_id=vm_coordinator.id, role="coordinator"))

    with Session(demo) as s:
        alva = person_by_email(s, TEACHER)
        jonas = person_by_email(s, BILD_LEADER)
        assert alva is not None and alva.id is not None and jonas is not None and jonas.id is not None
        year = s.exec(select(SchoolYear).where(SchoolYear.label == YEAR)).one()
        bild = s.exec(select(Team).where(Team.name == BILD, Team.region_id == alva.region_id)).one()
        assert year.id is not None and bild.id is not None

        managers = s.exec(
            select(Person).join(PersonRole, col(PersonRole.person_id) == Person.id).where(PersonRole.role == "manager")
        ).all()
        umea_manager = _only([m for m in managers if m.school_id == alva.school_id])
        other_manager = person_by_email(s, OTHER_MANAGER)
        assert other_manager is not None and other_manager.school_id not in (None, alva.school_id)

        # A leader of another team who holds no other role than teacher.
        other_leaders = s.exec(
            select(Person)
            .join(Leadership, col(Leadership.person_id) == Person.id)
            .where(Leadership.school_year_id == year.id, Leadership.team_id != bild.id)
            .order_by(col(Person.email))
        ).all()
        bild_leaders = set(
            s.exec(
                select(Leadership.person_id).where(Leadership.team_id == bild.id, Leadership.school_year_id == year.id)
            ).all()
        )
        other_leader = next(
            p for p in other_leaders if p.id not in bild_leaders and roles_of(s, p.id or 0) <= {"teacher"}
        )

        bild_meetings = s.exec(
            select(Meeting)
            .where(Meeting.team_id == bild.id, Meeting.school_year_id == year.id)
            .order_by(col(Meeting.starts_at))
        ).all()
        september = _only([m for m in bild_meetings if m.first_of_year])
        february = _only([m for m in bild_meetings if m.starts_at.month == 2])
        assert september.notes_distributed_at is not None and september.framework_reviewed_at is not None
        assert february.notice_sent_at is None and february.cancelled_at is None
        february_day = _only(
            s.exec(
                select(NetworkDay).where(
                    NetworkDay.region_id == alva.region_id, NetworkDay.id == february.network_day_id
                )
            ).all()
        )
        membership = s.exec(
            select(Membership).where(Membership.person_id == alva.id, Membership.school_year_id == year.id)
        ).one()
        assert membership.id is not None

        people = {
            "teacher": alva,
            "bild_leader": jonas,
            "other_leader": other_leader,
            "umea_manager": umea_manager,
            "other_manager": other_manager,
            "coordinator": person_by_email(s, COORDINATOR),
            "vm_coordinator": person_by_email(s, VM_COORDINATOR),
        }
        assert all(p is not None for p in people.values())
        assert roles_of(s, alva.id) == {"teacher"} and alva.id not in bild_leaders
        assert jonas.id in bild_leaders
        assert people["vm_coordinator"].region_id == vastmanland.id != alva.region_id
        assert "coordinator" in roles_of(s, people["coordinator"].id)
        return World(
            emails={role: p.email for role, p in people.items()},
            region_of={role: p.region_id for role, p in people.items()},
            school_of={role: p.school_id for role, p in people.items()},
            bild_id=bild.id,
            year_id=year.id,
            alva_id=alva.id,
            jonas_id=jonas.id,
            alva_membership_id=membership.id,
            september_id=september.id,
            february_id=february.id,
            february_day_id=february_day.id,
        )


# The actions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """How a row's action is tried, and the route (intent or button action) it reaches."""

    route: str
    run: Callable[[Chat, World], list[Reply]]


def _forge(action: str, values: Callable[[World], dict[str, Any]]) -> Attempt:
    """Press a button nobody showed: the action with values chosen by the client."""

    def run(chat: Chat, world: World) -> list[Reply]:
        return chat.click(Button(label="x", action=action, values=values(world)))

    return Attempt(action, run)


def _type(text: str, intent: str) -> Attempt:
    def run(chat: Chat, world: World) -> list[Reply]:
        return chat.say(text)

    return Attempt(intent, run)


ACTIONS: dict[str, Attempt] = {
    "schedule_meeting": _forge(
        "schedule.save",
        lambda w: {
            "team_id": w.bild_id,
            "year": YEAR,
            "day": "2027-03-11",
            "start": "13:00",
            "end": "16:00",
            "kind": "digital",
            "link": "https://example.org/x",
        },
    ),
    "send_notice": _forge("notice.send", lambda w: {"meeting_id": w.february_id}),
    "cancel_meeting": _forge("meeting.cancel.confirm", lambda w: {"meeting_id": w.february_id}),
    "log_notes_typed": _type("logga anteckningar", "log_notes"),
    "submit_notes": _forge(
        "notes.submit", lambda w: {"meeting_id": w.september_id, "body": "Vi målade tillsammans.", "link": ""}
    ),
    "confirm_framework": _forge("framework.confirm", lambda w: {"meeting_id": w.september_id}),
    "report_absence": _forge("absence.report", lambda w: {"meeting_id": w.february_id}),
    "see_absences": _type("vilka är frånvarande?", "absences"),
    "list_staff": _type("min personal", "list_staff"),
    "confirm_membership": _forge("staff.confirm", lambda w: {"membership_id": w.alva_membership_id}),
    "assign_team": _forge("staff.assign.team", lambda w: {"person_id": w.alva_id, "year": YEAR, "team_id": w.bild_id}),
    "report_memberships": _forge("staff.report", lambda w: {"year": YEAR, "previous": None}),
    "status": _type("status", "status"),
    "year_report": _type("årsrapport", "year_report"),
    "add_network_day": _forge("network_day.add", lambda w: {"date": NEW_NETWORK_DAY.isoformat(), "kind": "physical"}),
    "remove_network_day": _forge("network_day.remove", lambda w: {"day_id": w.february_day_id}),
    "appoint_leader": _forge(
        "leader.appoint",
        lambda w: {"team_id": w.bild_id, "year": YEAR, "person_id": w.alva_id, "replacing_id": w.jonas_id},
    ),
    # September's meeting was held at Bjurholm's school, so its manager (other_manager) is the host's.
    "confirm_attendance": _forge(
        "attendance.save", lambda w: {"meeting_id": w.september_id, "attended": str(w.alva_id)}
    ),
    "enter_cost": _forge("cost.confirm", lambda w: {"meeting_id": w.september_id, "total": 9000, "attendance": "x"}),
    "enter_cost_typed": _type("kostnaden för träffen blev 9000 kr", "enter_cost"),
    "see_invoice": _forge("cost.show", lambda w: {"meeting_id": w.september_id}),
    "summarise_notes": _forge("notes.summarise", lambda w: {"meeting_id": w.september_id}),
    "notes_digest": _type("sammanfatta alla anteckningar sedan 1 september", "notes_digest"),
    "model_answer": _forge("assist.answer", lambda w: {"result": "Alla lag har haft en fysisk träff.", "used": []}),
    "team_status": _forge("status.team", lambda w: {"team_id": w.bild_id}),
    "reporting_typed": _type("rapportera ämneslagen till samordnaren", "report_memberships"),
    "region_framework": _type("ramverk", "region_framework"),
    # Västerbotten's coordinator appoints the leaders: nobody leads a team by pressing a button there.
    "lead_group": _forge("group.lead", lambda w: {"team_id": w.bild_id}),
    # September's meeting was at Bjurholm's school: only its manager (other_manager) confirms the room.
    "host_room": _forge("host.room", lambda w: {"meeting_id": w.september_id}),
    "agenda_item": _forge("agenda.save", lambda w: {"team_id": w.bild_id, "text": "Vårkonserten"}),
    # Alva's manager (Umeå) or the coordinator moves her mid-year (to the team she is in: nothing changes)
    "move_teacher": _forge("move.save", lambda w: {"person_id": w.alva_id, "team_id": w.bild_id, "year": YEAR}),
}
assert set(ACTIONS) == set(OUTCOMES)

# The roles each column holds, in the words of the guards' `who`.
HOLDS = {
    "teacher": {"anyone", "teacher"},
    "bild_leader": {"anyone", "teacher", "leader"},
    "other_leader": {"anyone", "teacher", "leader"},
    "umea_manager": {"anyone", "manager"},
    "other_manager": {"anyone", "manager"},
    "coordinator": {"anyone", "coordinator"},
    "vm_coordinator": {"anyone", "coordinator"},
}


def _routes() -> dict[str, Route[Any]]:
    router = build_dialogs(sa.create_engine("sqlite://")).router
    return {**router.intents, **router.actions}


def _kind(route: Route[Any]) -> str:
    return route.guard.name.split(":")[0]


def test_every_kind_of_guard_is_tried_by_the_matrix() -> None:
    routes = _routes()
    declared = {_kind(r) for r in routes.values()} - {"anyone"}
    tried = {_kind(routes[attempt.route]) for attempt in ACTIONS.values()}
    assert declared - tried == set(), "guards no row of the matrix tries"


@pytest.mark.parametrize("row", sorted(OUTCOMES))
def test_the_matrix_agrees_with_the_guards(row: str) -> None:
    guard = _routes()[ACTIONS[row].route].guard
    allowed = {role for role, outcome in OUTCOMES[row].items() if outcome == "ok"}
    assert all(HOLDS[role] & guard.who for role in allowed), (guard.name, sorted(guard.who))
    assert guard.who != {"anyone"}, f"{row} is tried as a guarded action, but its route takes anyone"


# What an allowed action does -------------------------------------------------------------------


def _meeting(s: Session, world: World, meeting_id: int) -> Meeting:
    meeting = s.get(Meeting, meeting_id)
    assert meeting is not None
    return meeting


def _scheduled(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    meetings = s.exec(select(Meeting).where(Meeting.team_id == world.bild_id)).all()
    assert [m for m in meetings if m.starts_at.date() == dtm.date(2027, 3, 11)], "the meeting was not saved"


def _notice_sent(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    assert _meeting(s, world, world.february_id).notice_sent_at is not None
    assert s.exec(select(OutboxMessage).where(OutboxMessage.kind == "meeting_notice")).all()


def _cancelled(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    assert _meeting(s, world, world.february_id).cancelled_at is not None
    assert s.exec(select(OutboxMessage).where(OutboxMessage.kind == "meeting_cancelled")).all()


def _a_card(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    assert any(isinstance(r, CardReply) for r in replies), replies


def _reported(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    reports = s.exec(select(MembershipReport).where(MembershipReport.school_id == world.school_of[role])).all()
    assert len(reports) == 1


def _status_of_own_region(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    region = s.get(Region, world.region_of[role])
    assert region is not None
    cards = [r for r in replies if isinstance(r, CardReply)]
    assert cards and region.name in cards[0].title, (region.name, replies)


def _report_of_own_region(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    region = s.get(Region, world.region_of[role])
    assert region is not None
    files = [r for r in replies if isinstance(r, FileReply)]
    assert len(files) == 1 and f"<title>Årsrapport {region.name}, läsåret {YEAR}</title>" in files[0].content


def _day_added_to_own_region(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    day = s.exec(select(NetworkDay).where(NetworkDay.date == NEW_NETWORK_DAY)).one()
    assert day.region_id == world.region_of[role]


def _day_removed(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    assert s.get(NetworkDay, world.february_day_id) is None
    assert _meeting(s, world, world.february_id).cancelled_at is None  # the meeting is kept


def _appointed(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    leading = set(
        s.exec(
            select(Leadership.person_id).where(
                Leadership.team_id == world.bild_id, Leadership.school_year_id == world.year_id
            )
        ).all()
    )
    assert world.alva_id in leading and world.jonas_id not in leading


def _attendance_saved(s: Session, world: World, role: str, replies: list[Reply]) -> None:
    rows = s.exec(select(Attendance).where(Attendance.meeting_id == world.september_id)).all()
    assert {r.person_id for r in rows if r.attended} == {world.alva_id}


EFFECTS: dict[str, Callable[[Session, World, str, list[Reply]], None]] = {
    "confirm_attendance": _attendance_saved,
    "schedule_meeting": _scheduled,
    "send_notice": _notice_sent,
    "cancel_meeting": _cancelled,
    "list_staff": _a_card,
    "report_memberships": _reported,
    "status": _status_of_own_region,
    "year_report": _report_of_own_region,
    "region_framework": _status_of_own_region,  # the card of the asker's own region
    "add_network_day": _day_added_to_own_region,
    "remove_network_day": _day_removed,
    "appoint_leader": _appointed,
}


# Snapshots -------------------------------------------------------------------------------------

GUARDED: list[type[SQLModel]] = [
    OutboxMessage,
    Attendance,
    MeetingCost,
    Meeting,
    Membership,
    Leadership,
    NetworkDay,
    MembershipReport,
    Note,
    Absence,
    PersonRole,
]


def _dumps(s: Session, model: type[SQLModel], *where: Any) -> list[dict[str, Any]]:
    rows = s.exec(select(model).where(*where)).all()
    return sorted((row.model_dump() for row in rows), key=repr)


def _snapshot(db: sa.Engine) -> dict[str, list[dict[str, Any]]]:
    """Everything an action could change, except the "refused" audit rows."""
    with Session(db) as s:
        found = {model.__name__: _dumps(s, model) for model in GUARDED}
        found["AuditLog"] = _dumps(s, AuditLog, AuditLog.action != "refused")
        return found


def _refusals(db: sa.Engine) -> list[AuditLog]:
    with Session(db) as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == "refused").order_by(col(AuditLog.id))).all())


_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-ZÅÄÖ\"'”]")


def _assert_one_short_sentence(replies: list[Reply]) -> None:
    assert len(replies) == 1, replies
    (reply,) = replies
    assert isinstance(reply, TextReply), reply
    assert buttons_of(replies) == []
    text = reply.text.strip()
    assert text and "\n" not in text and len(text) <= 200, text
    assert text[-1] in ".!?" and not _SENTENCE_BREAK.search(text), text


# The test --------------------------------------------------------------------------------------

CELLS = [
    pytest.param(action, role, outcome, id=f"{action}-{role}")
    for action, row in OUTCOMES.items()
    for role, outcome in row.items()
]


@pytest.mark.parametrize(("action", "role", "outcome"), CELLS)
def test_authorization(
    action: str,
    role: str,
    outcome: str,
    world: World,
    chat_as,
    demo: sa.Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chat = chat_as(world.emails[role])
    assert chat.person_id is not None
    assert _refusals(demo) == []
    before = _snapshot(demo)

    with caplog.at_level(logging.INFO, logger="dialogs.engine"):
        replies = ACTIONS[action].run(chat, world)

    engine_log = [r for r in caplog.records if r.name == "dialogs.engine"]
    assert not [r for r in engine_log if r.levelno >= logging.ERROR], "the dialog failed"
    assert not [r for r in engine_log if r.getMessage().startswith(("unknown or expired action", "not understood"))]
    assert not [r for r in engine_log if "is not available in the chat" in r.getMessage()]

    refusals = _refusals(demo)
    if outcome == "ok":
        assert refusals == [], [r.details for r in refusals]
        effect = EFFECTS.get(action)
        if effect is not None:
            with Session(demo) as s:
                effect(s, world, role, replies)
        return

    _assert_one_short_sentence(replies)
    refusal = _only(refusals)
    assert refusal.actor_id == chat.person_id
    assert refusal.entity and isinstance(refusal.details.get("reason"), str) and refusal.details["reason"]
    if outcome == "region":
        assert refusal.details["reason"] == "other_region", refusal.details
    else:
        assert outcome == "no"
    assert _snapshot(demo) == before
