"""Export and erasure of a person, archive holds, and retention as of an explicit instant."""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from bot.logs import redact
from dialogs.i18n import Translator
from dialogs.reports import privacy_problem
from domain.privacy import (
    PrivacyError,
    PrivacyProblem,
    erase_person,
    export_person,
    identity_replacer,
    lift_hold,
    place_hold,
)
from domain.retention import RetentionSettings, apply_retention, months_before
from storage.addresses import save_address
from storage.audit import record, snapshot
from storage.db import session_scope
from storage.directory import person_by_email
from storage.models import (
    Absence,
    AnonymousMembershipCount,
    ArchiveHold,
    Attendance,
    AuditLog,
    ConversationAddress,
    DialogState,
    Leadership,
    Meeting,
    Membership,
    Note,
    OutboxMessage,
    OutboxStatus,
    Person,
    SweepRun,
    Team,
)

NOW = dtm.datetime(2026, 11, 23, 9, 0, tzinfo=dtm.UTC)
EMAIL = "jonas.sundqvist@example.org"  # demo teacher in Sorsele, leader of Bild, form och skapande
NAME = "Jonas Sundqvist"


@dataclass
class Seeded:
    person_id: int
    colleague_id: int
    absence_id: int
    note_id: int
    meeting_ids: list[int]
    delivered_id: int
    pending_id: int


def _seed(engine: sa.Engine) -> Seeded:
    """Jonas of the demo region (the test's `demo`) with data of every kind; his name also shows up in colleagues'."""
    with session_scope(engine) as s:
        jonas = person_by_email(s, EMAIL)
        colleague = person_by_email(s, "petter.backman@example.org")
        assert jonas and colleague and jonas.id and colleague.id
        jonas.slack_user_id, jonas.teams_user_id = "U0JONAS", "aad-jonas"
        team = s.exec(select(Team).where(Team.name == "Bild, form och skapande")).one()
        meetings = s.exec(select(Meeting).where(Meeting.team_id == team.id).order_by(col(Meeting.starts_at))).all()
        assert meetings[0].id and meetings[1].id and meetings[2].id
        absence = Absence(person_id=jonas.id, meeting_id=meetings[1].id, reported_at=NOW)
        s.add(absence)
        s.flush()
        record(s, action="absence.reported", entity="absence", entity_id=absence.id, actor_id=jonas.id)
        before = snapshot(jonas, "name", "email")
        record(s, action="person.updated", entity="person", entity_id=jonas.id, before=before, after=before)
        note = s.exec(select(Note).where(Note.meeting_id == meetings[0].id)).first()
        if note is None:
            note = Note(meeting_id=meetings[0].id, body="", created_at=NOW, updated_at=NOW)
            s.add(note)
        note.author_id = jonas.id
        note.body = f"Närvarande: {NAME} (sammankallande), Petter Backman. Frågor till {EMAIL.upper()}."
        other_note = s.exec(select(Note).where(Note.meeting_id == meetings[2].id)).first()
        if other_note is None:
            other_note = Note(meeting_id=meetings[2].id, body="", created_at=NOW, updated_at=NOW)
            s.add(other_note)
        other_note.author_id, other_note.body = colleague.id, f"{NAME} visade bildspel."
        delivered = OutboxMessage(
            channel="slack",
            recipient_id=jonas.id,
            kind="notice",
            payload={"text": f"Hej {NAME}! Kallelse till träffen."},
            status=OutboxStatus.DELIVERED.value,
            delivered_at=NOW,
            created_at=NOW,
        )
        pending = OutboxMessage(
            channel="slack", recipient_id=jonas.id, kind="reminder", payload={"text": "Påminnelse"}, created_at=NOW
        )
        to_colleague = OutboxMessage(
            channel="log",
            recipient_id=colleague.id,
            kind="absence",
            payload={"text": f"{NAME} kan inte komma.", "origin": jonas.id},
            created_at=NOW,
        )
        s.add_all([delivered, pending, to_colleague])
        s.add(DialogState(person_id=jonas.id, conversation_key="slack:D1", step="x", data={"a": 1}, updated_at=NOW))
        s.add(
            DialogState(
                person_id=colleague.id,
                conversation_key="slack:D2",
                choices=[{"label": NAME, "action": "pick", "values": {"email": EMAIL}}],
                updated_at=NOW,
            )
        )
        s.add(SweepRun(as_of=NOW, problems=[{"problem": "unreachable", "detail": f"{NAME} <{EMAIL}>"}]))
        s.add(Attendance(meeting_id=meetings[0].id, person_id=jonas.id, school_id=jonas.school_id, attended=True))
        s.flush()
        save_address(s, jonas.id, "teams", {"user": {"id": "29:1", "name": NAME}, "conversation": {"id": "a:1"}})
        return Seeded(
            person_id=jonas.id,
            colleague_id=colleague.id,
            absence_id=absence.id or 0,
            note_id=note.id or 0,
            meeting_ids=[m.id or 0 for m in meetings],
            delivered_id=delivered.id or 0,
            pending_id=pending.id or 0,
        )


def _everything(engine: sa.Engine) -> dict[str, list[str]]:
    """Every row of every table, as text."""
    with engine.connect() as connection:
        return {
            table.name: [str(tuple(row)) for row in connection.execute(sa.select(table)).all()]
            for table in SQLModel.metadata.sorted_tables
        }


def _mentions(engine: sa.Engine, *needles: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for table, rows in _everything(engine).items():
        hits = sum(1 for row in rows if any(n.lower() in row.lower() for n in needles))
        if hits:
            found[table] = hits
    return found


@pytest.mark.usefixtures("demo")
def test_export_contains_every_kind_of_data(engine: sa.Engine) -> None:
    seeded = _seed(engine)
    with session_scope(engine) as s:
        data = export_person(s, EMAIL.upper(), now=NOW)
    assert data["format"] == "amneslag-gdpr-export/1"
    person = data["person"]
    assert (person["id"], person["name"], person["email"], person["region"]) == (
        seeded.person_id,
        NAME,
        EMAIL,
        "Västerbotten",
    )
    assert (person["slack_user_id"], person["teams_user_id"], person["language"]) == ("U0JONAS", "aad-jonas", "sv")
    assert person["school"] and person["created_at"]
    assert data["roles"] == ["teacher"]
    assert [(m["school_year"], m["team"]) for m in data["memberships"]] == [("2026/27", "Bild, form och skapande")]
    assert [(lead["school_year"], lead["team"]) for lead in data["leaderships"]] == [
        ("2026/27", "Bild, form och skapande")
    ]
    assert [a["id"] for a in data["absences"]] == [seeded.absence_id]
    assert data["absences"][0]["team"] == "Bild, form och skapande"
    assert [(a["team"], a["attended"]) for a in data["attendance"]] == [("Bild, form och skapande", True)]
    assert [n["id"] for n in data["notes_written"]] == [seeded.note_id]
    assert NAME in data["notes_written"][0]["body"]
    assert {m["id"] for m in data["messages"]} == {seeded.delivered_id, seeded.pending_id}
    assert any(m["text"].startswith("Hej Jonas") for m in data["messages"])
    assert data["conversation_references"][0]["platform"] == "teams"
    assert data["dialog_state"][0]["conversation"] == "slack:D1"
    actions = {(e["role"], e["action"]) for e in data["audit_log"]}
    assert {("actor", "absence.reported"), ("subject", "person.updated")} <= actions
    assert set(data["records_created"]) == {"meetings", "network_days", "membership_reports"}
    with Session(engine) as s:
        (entry,) = s.exec(select(AuditLog).where(AuditLog.action == "gdpr.exported")).all()
        assert entry.entity_id == seeded.person_id and EMAIL not in str(entry.details)


def test_export_of_an_unknown_address(engine: sa.Engine) -> None:
    with session_scope(engine) as s, pytest.raises(PrivacyError) as raised:
        export_person(s, "nobody@example.org")
    assert (
        raised.value.problem == PrivacyProblem.NO_SUCH_PERSON and raised.value.details["email"] == "nobody@example.org"
    )
    assert privacy_problem(Translator("sv"), raised.value) == (
        "Ingen person med e-postadressen nobody@example.org finns hos boten."
    )


@pytest.mark.usefixtures("demo")
def test_erasure_leaves_neither_name_nor_email_anywhere(engine: sa.Engine) -> None:
    seeded = _seed(engine)
    assert set(_mentions(engine, EMAIL, NAME)) >= {
        "person",
        "note",
        "outbox_message",
        "dialog_state",
        "audit_log",
        "sweep_run",
        "conversation_address",
    }
    with Session(engine) as s:
        members_before = s.exec(select(sa.func.count()).select_from(Membership)).one()
    with session_scope(engine) as s:
        report = erase_person(s, EMAIL, now=NOW)
    assert _mentions(engine, EMAIL, NAME) == {}
    assert report.person_row == "deleted" and report.held == {}
    assert report.removed["absence"] == 1 and report.removed["outbox_message"] == 2
    assert report.removed["membership"] == 1 and report.removed["leadership"] == 1
    pseudonym = report.pseudonym
    assert pseudonym.startswith("person-") and len(pseudonym) == 17
    with Session(engine) as s:
        assert s.get(Person, seeded.person_id) is None
        assert s.exec(select(Person).where(Person.slack_user_id == "U0JONAS")).first() is None
        assert s.exec(select(ConversationAddress)).all() == []
        assert s.exec(select(Absence).where(Absence.id == seeded.absence_id)).first() is None
        assert s.get(OutboxMessage, seeded.pending_id) is None and s.get(OutboxMessage, seeded.delivered_id) is None
        note = s.get(Note, seeded.note_id)
        assert note is not None and note.author_id is None
        assert note.body == f"Närvarande: {pseudonym} (sammankallande), Petter Backman. Frågor till {pseudonym}."
        (to_colleague,) = s.exec(select(OutboxMessage).where(OutboxMessage.recipient_id == seeded.colleague_id)).all()
        assert to_colleague.payload == {"text": f"{pseudonym} kan inte komma."}
        reported = s.exec(select(AuditLog).where(AuditLog.action == "absence.reported")).one()
        assert reported.actor_id is None and reported.details["erased_actor"] == pseudonym
        updated = s.exec(select(AuditLog).where(AuditLog.action == "person.updated")).one()
        assert updated.details["before"] == {"name": pseudonym, "email": pseudonym}
        erased = s.exec(select(AuditLog).where(AuditLog.action == "gdpr.erased")).one()
        assert erased.details["pseudonym"] == pseudonym and erased.entity_id == seeded.person_id
        (count,) = s.exec(select(AnonymousMembershipCount)).all()
        assert (count.members, count.confirmed_members, count.leaders) == (1, 1, 1)
        assert s.exec(select(sa.func.count()).select_from(Membership)).one() == members_before - 1
        assert s.exec(select(Leadership).where(Leadership.person_id == seeded.person_id)).all() == []
    with session_scope(engine) as s, pytest.raises(PrivacyError, match="no_such_person"):
        erase_person(s, EMAIL, now=NOW)


@pytest.mark.usefixtures("demo")
def test_held_records_survive_erasure_and_say_whose_they_were(engine: sa.Engine) -> None:
    seeded = _seed(engine)
    with session_scope(engine) as s:
        absence_hold = place_hold(
            s, entity="absence", entity_id=seeded.absence_id, reason="KS 2026/123", by="Arkivarien", now=NOW
        )
        place_hold(s, entity="outbox_message", entity_id=seeded.delivered_id, reason="KS 2026/123", by="Arkivarien")
    with session_scope(engine) as s:
        report = erase_person(s, EMAIL, now=NOW)
    assert report.person_row == "anonymised"
    assert report.held == {"absence": 1, "outbox_message": 1, "audit_log": 1}
    assert _mentions(engine, EMAIL, NAME) == {"archive_hold": 2, "outbox_message": 1}
    with Session(engine) as s:
        held = s.get(ArchiveHold, absence_hold.id)
        assert held is not None and held.retained[0]["email"] == EMAIL and held.retained[0]["name"] == NAME
        assert held.retained[0]["pseudonym"] == report.pseudonym
        assert s.get(Absence, seeded.absence_id) is not None
        row = s.get(Person, seeded.person_id)
        assert row is not None and row.name == report.pseudonym and row.email.endswith("@erased.invalid")
        assert (row.slack_user_id, row.teams_user_id, row.school_id) == (None, None, None)
        assert person_by_email(s, EMAIL) is None
        assert s.get(OutboxMessage, seeded.delivered_id) is not None
        assert s.get(OutboxMessage, seeded.pending_id) is None
        entries = s.exec(select(AuditLog).where(col(AuditLog.action).like("hold.%"))).all()
        assert [e.action for e in entries] == ["hold.placed", "hold.placed"]


@pytest.mark.usefixtures("demo")
def test_a_person_under_a_hold_is_not_erased(engine: sa.Engine) -> None:
    seeded = _seed(engine)
    with session_scope(engine) as s:
        hold = place_hold(s, entity="person", entity_id=seeded.person_id, reason="tvist", by="Jurist")
    with session_scope(engine) as s, pytest.raises(PrivacyError) as raised:
        erase_person(s, EMAIL, now=NOW)
    assert raised.value.problem == PrivacyProblem.PERSON_HELD and raised.value.details["hold"] == hold.id
    with session_scope(engine) as s:
        lift_hold(s, hold.id or 0, by="Jurist")
        assert erase_person(s, EMAIL, now=NOW).person_row == "deleted"


@pytest.mark.usefixtures("demo")
def test_holds_are_checked(engine: sa.Engine) -> None:
    _seed(engine)
    with session_scope(engine) as s:
        with pytest.raises(PrivacyError, match="unknown_kind"):
            place_hold(s, entity="school", entity_id=1, reason="x", by="y")
        with pytest.raises(PrivacyError) as no_record:
            place_hold(s, entity="absence", entity_id=999999, reason="x", by="y")
        assert privacy_problem(Translator("sv"), no_record.value) == "Det finns ingen frånvaro med id 999999."
        with pytest.raises(PrivacyError, match="no_reason"):
            place_hold(s, entity="meeting", entity_id=1, reason=" ", by="y")
        with pytest.raises(PrivacyError, match="no_placer"):
            place_hold(s, entity="meeting", entity_id=1, reason="x", by=" ")
        with pytest.raises(PrivacyError, match="no_active_hold"):
            lift_hold(s, 42, by="y")


def test_every_privacy_problem_is_worded() -> None:
    for problem in PrivacyProblem:
        error = PrivacyError(problem, kind="absence", id=1, hold=2, reason="tvist", email="x@example.org")
        for language in ("sv", "en"):
            text = privacy_problem(Translator(language), error)
            assert text != str(error) and "{" not in text, (problem, language)


def test_the_replacer_takes_whole_words_in_any_case() -> None:
    replace = identity_replacer("bo.ek@example.org", "Bo Ek", "P")
    assert replace("Bo Ek, BO EK, bo  ek och Bo.Ek@Example.org.") == "P, P, P och P."
    assert replace("Borås, Bo Eklund, xbo.ek@example.org, bo.ek@example.org.se") == (
        "Borås, Bo Eklund, xbo.ek@example.org, bo.ek@example.org.se"
    )


# --- retention -------------------------------------------------------------------------------------

POLICY = RetentionSettings.model_construct()  # the defaults: 13 months, 90 days, 30 days, 3 years
DAY = dtm.timedelta(days=1)


def test_the_default_periods() -> None:
    assert (
        POLICY.retain_absences_months,
        POLICY.retain_outbox_days,
        POLICY.retain_dialog_days,
        POLICY.retain_audit_years,
    ) == (13, 90, 30, 3)


def test_months_before_is_calendar_months() -> None:
    assert months_before(dtm.datetime(2027, 3, 31, 12, tzinfo=dtm.UTC), 13) == dtm.datetime(
        2026, 2, 28, 12, tzinfo=dtm.UTC
    )
    assert months_before(dtm.datetime(2027, 1, 15, tzinfo=dtm.UTC), 36) == dtm.datetime(2024, 1, 15, tzinfo=dtm.UTC)


def _retention_rows(engine: sa.Engine) -> dict[str, dict[str, int]]:
    """Two of each kind, one a day inside its period and one a day past it, as of NOW."""
    seeded = _seed(engine)
    ids: dict[str, dict[str, int]] = {}
    with session_scope(engine) as s:
        for table in (AuditLog, OutboxMessage, DialogState, Absence):
            s.execute(sa.delete(table))
        meetings = [s.get(Meeting, mid) for mid in seeded.meeting_ids[:2]]
        assert meetings[0] and meetings[1]
        cut = months_before(NOW, 13)
        meetings[0].starts_at, meetings[0].ends_at = cut - DAY, cut - DAY + dtm.timedelta(hours=2)
        meetings[1].starts_at, meetings[1].ends_at = cut + DAY, cut + DAY + dtm.timedelta(hours=2)
        pid = seeded.person_id
        rows: dict[str, tuple[Absence | OutboxMessage | DialogState | AuditLog, ...]] = {
            "absence": (
                Absence(person_id=pid, meeting_id=meetings[0].id or 0, reported_at=NOW),
                Absence(person_id=pid, meeting_id=meetings[1].id or 0, reported_at=NOW),
            ),
            "outbox_message": tuple(
                OutboxMessage(
                    channel="log",
                    recipient_id=pid,
                    kind="x",
                    payload={},
                    status="delivered",
                    delivered_at=NOW - dtm.timedelta(days=90) + offset,
                )
                for offset in (-DAY, DAY)
            ),
            "dialog_state": tuple(
                DialogState(person_id=pid, conversation_key=f"k{n}", updated_at=NOW - dtm.timedelta(days=30) + offset)
                for n, offset in enumerate((-DAY, DAY))
            ),
            "audit_log": tuple(
                AuditLog(
                    at=months_before(NOW, 36) + offset, action="x", entity="meeting", entity_id=seeded.meeting_ids[2]
                )
                for offset in (-DAY, DAY)
            ),
        }
        pending = OutboxMessage(
            channel="log", recipient_id=pid, kind="x", payload={}, created_at=NOW - dtm.timedelta(days=400)
        )
        s.add(pending)
        for pair in rows.values():
            s.add_all(pair)
        s.flush()
        for kind, (expired, current) in rows.items():
            ids[kind] = {"expired": expired.id or 0, "current": current.id or 0}
        ids["pending"] = {"current": pending.id or 0}
    return ids


_MODELS: dict[str, type[SQLModel]] = {
    "absence": Absence,
    "outbox_message": OutboxMessage,
    "dialog_state": DialogState,
    "audit_log": AuditLog,
}


def _alive(engine: sa.Engine, ids: dict[str, dict[str, int]]) -> dict[str, set[str]]:
    with Session(engine) as s:
        return {
            kind: {which for which, row_id in pair.items() if s.get(_MODELS.get(kind, OutboxMessage), row_id)}
            for kind, pair in ids.items()
        }


@pytest.mark.usefixtures("demo")
def test_retention_deletes_exactly_what_has_expired(engine: sa.Engine) -> None:
    ids = _retention_rows(engine)
    report = apply_retention(engine, NOW, POLICY)
    assert report.deleted == {"absence": 1, "outbox_message": 1, "dialog_state": 1, "audit_log": 1}
    assert _alive(engine, ids) == {
        "absence": {"current"},
        "outbox_message": {"current"},
        "dialog_state": {"current"},
        "audit_log": {"current"},
        "pending": {"current"},
    }
    with Session(engine) as s:
        (entry,) = s.exec(select(AuditLog).where(AuditLog.action == "retention.applied")).all()
        assert entry.details["deleted"] == report.deleted
    assert apply_retention(engine, NOW, POLICY).total == 0  # nothing more, and no new entry
    two_days_later = apply_retention(engine, NOW + 2 * DAY, POLICY)
    assert two_days_later.deleted == {"absence": 1, "outbox_message": 1, "dialog_state": 1, "audit_log": 1}


@pytest.mark.usefixtures("demo")
def test_retention_follows_the_settings(engine: sa.Engine) -> None:
    ids = _retention_rows(engine)
    longer = RetentionSettings.model_construct(
        retain_absences_months=14, retain_outbox_days=92, retain_dialog_days=32, retain_audit_years=4
    )
    assert apply_retention(engine, NOW, longer).total == 0
    assert all(alive == set(pair) for alive, pair in zip(_alive(engine, ids).values(), ids.values(), strict=True))


@pytest.mark.usefixtures("demo")
def test_holds_stop_retention_until_lifted(engine: sa.Engine) -> None:
    ids = _retention_rows(engine)
    with Session(engine) as s:
        absence = s.get(Absence, ids["absence"]["expired"])
        assert absence is not None
        meeting_id = absence.meeting_id
        audited = s.get(AuditLog, ids["audit_log"]["expired"])
        assert audited is not None and audited.entity_id is not None
    with session_scope(engine) as s:
        holds = [
            place_hold(s, entity="meeting", entity_id=meeting_id, reason="faktura", by="Ekonomi"),
            place_hold(s, entity="outbox_message", entity_id=ids["outbox_message"]["expired"], reason="r", by="A"),
            place_hold(s, entity="meeting", entity_id=audited.entity_id, reason="r", by="A"),
        ]
    report = apply_retention(engine, NOW, POLICY)
    assert report.deleted == {"absence": 0, "outbox_message": 0, "dialog_state": 1, "audit_log": 0}
    assert report.held == {"absence": 1, "outbox_message": 1, "audit_log": 1}
    assert _alive(engine, ids)["absence"] == {"expired", "current"}
    with session_scope(engine) as s:
        for hold in holds:
            lift_hold(s, hold.id or 0, by="Arkivarien")
    assert apply_retention(engine, NOW, POLICY).deleted == {
        "absence": 1,
        "outbox_message": 1,
        "dialog_state": 0,
        "audit_log": 1,
    }


@pytest.mark.usefixtures("demo")
def test_retention_in_the_callers_session(engine: sa.Engine) -> None:
    ids = _retention_rows(engine)
    with Session(engine) as s:
        apply_retention(s, NOW, POLICY)
        s.rollback()
    assert _alive(engine, ids)["absence"] == {"expired", "current"}
    with pytest.raises(ValueError, match="naive"):
        apply_retention(engine, NOW.replace(tzinfo=None), POLICY)


def test_a_database_error_does_not_carry_personal_data(engine: sa.Engine, region) -> None:
    with session_scope(engine) as s:
        s.add(Person(email="ann.ek@example.org", name="Ann Ek", region_id=region.id))
    with pytest.raises(sa.exc.IntegrityError) as caught, session_scope(engine) as s:
        s.add(Person(email="ann.ek@example.org", name="Ann Ek", region_id=region.id))
    text = str(caught.value)
    assert "Ann Ek" not in text and "SQL parameters hidden" in text
    # PostgreSQL names the duplicate key itself; the log redaction of `amneslag` removes it
    assert "ann.ek@example.org" not in redact(text)
    if engine.dialect.name == "sqlite":
        assert "ann.ek@example.org" not in text
