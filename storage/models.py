"""The tables of the domain in DESIGN.md.

Rules that must never be broken are constraints in the database itself, so that no code path (two
instances, a race, a hand-written SQL statement) can break them:

* one membership per person and school year (`uq_membership_person_year`);
* at most two leaders per team and school year (`slot` is 1 or 2 and unique per team and year);
* one sent reminder per (rule, subject, occurrence);
* one inbox event per source and id.

All instants are stored in UTC and read back timezone-aware (`UTCDateTime`).
"""

from __future__ import annotations

import datetime as dtm
import enum
import hashlib
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from storage.kinds import HOLDABLE as HOLDABLE  # re-exported: they were defined here first (see storage.kinds)
from storage.kinds import GroupKind as GroupKind
from storage.kinds import OutboxStatus as OutboxStatus
from storage.text import utcnow as utcnow  # re-exported: it was defined here first (see storage.text)

# Named constraints, so that later migrations (SQLite rebuilds tables to alter them) can refer to them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def table_of(model: type[SQLModel]) -> sa.Table:
    """A table model's Core table (its `__table__`, which SQLModel does not declare to the type checker)."""
    table: sa.Table = sa.inspect(model).local_table
    return table


class UTCDateTime(sa.types.TypeDecorator[dtm.datetime]):
    """A timestamp that is stored as UTC and always read back timezone-aware.

    SQLite keeps no time zone, PostgreSQL keeps one; this type makes both behave the same and
    refuses naive datetimes, which are always a bug here.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dtm.datetime | None, dialect: sa.Dialect) -> dtm.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware instants only")
        value = value.astimezone(dtm.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dtm.datetime | None, dialect: sa.Dialect) -> dtm.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dtm.UTC)
        return value.astimezone(dtm.UTC)


def _ts(nullable: bool = True, **kwargs: Any) -> Any:
    """A UTC timestamp field."""
    return Field(sa_type=UTCDateTime, nullable=nullable, **kwargs)


class Role(enum.StrEnum):
    """What a person may do. A team leader is not a role but a yearly `Leadership`."""

    TEACHER = "teacher"
    MANAGER = "manager"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


TEACHER_GROUPS = (GroupKind.SUBJECT_TEAM.value, GroupKind.TEACHER_NETWORK.value)
"""The groups teachers belong to and meet in: subject teams (Västerbotten) and teacher networks (Sjuhärad)."""


class MeetingKind(enum.StrEnum):
    PHYSICAL = "physical"
    DIGITAL = "digital"


def _enum_check(column: str, values: type[enum.StrEnum], name: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name)


class Region(SQLModel, table=True):
    """A regional network of arts schools. `settings` holds `storage.settings.RegionSettings`."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=40)
    name: str = Field(max_length=120)
    timezone: str = Field(default="Europe/Stockholm", max_length=60)
    language: str = Field(default="sv", max_length=5)
    framework_title: str | None = Field(default=None, max_length=200)
    framework_version: str | None = Field(default=None, max_length=40)
    framework_url: str | None = Field(default=None, max_length=500)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Counts the changes to the region's teams and schools (see `bump_catalog_versions`): caches of their names
    # compare it with the region row they read anyway, so an instance learns of another's change at once.
    catalog_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class School(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("region_id", "name", name="uq_school_region_name"),)

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    name: str = Field(max_length=120)
    municipality: str = Field(max_length=80)
    latitude: float
    longitude: float


class Person(SQLModel, table=True):
    """Someone the bot knows. The e-mail address (stored in lower case) is the identity key."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254)
    name: str = Field(max_length=120)
    region_id: int = Field(foreign_key="region.id", index=True)
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    language: str = Field(default="sv", max_length=5)
    slack_user_id: str | None = Field(default=None, unique=True, max_length=30)
    teams_user_id: str | None = Field(default=None, unique=True, max_length=60)
    weekly_digest: bool = Field(default=False)  # the coordinator's Monday summary of the week, asked for in the chat
    created_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)


class PersonRole(SQLModel, table=True):
    __tablename__ = "person_role"
    __table_args__ = (_enum_check("role", Role, "role"),)

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(primary_key=True, max_length=20, index=True)


class ConversationAddress(SQLModel, table=True):
    """A stored conversation reference, so the bot can write to a person on its own initiative."""

    __tablename__ = "conversation_address"
    __table_args__ = (sa.UniqueConstraint("person_id", "platform", name="uq_address_person_platform"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    platform: str = Field(max_length=20)
    reference: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)


class SchoolYear(SQLModel, table=True):
    """A läsår, 1 July to 30 June, labelled like `2025/26`."""

    __tablename__ = "school_year"
    __table_args__ = (sa.CheckConstraint("ends_on > starts_on", name="order"),)

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(unique=True, max_length=7)
    starts_on: dtm.date
    ends_on: dtm.date


class Team(SQLModel, table=True):
    """A subject team (ämneslag), or another group with the same meeting machinery."""

    __table_args__ = (
        sa.UniqueConstraint("region_id", "name", name="uq_team_region_name"),
        _enum_check("kind", GroupKind, "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    name: str = Field(max_length=80)
    kind: str = Field(default=GroupKind.SUBJECT_TEAM.value, max_length=30)
    position: int = Field(default=0)
    active: bool = Field(default=True)


class Membership(SQLModel, table=True):
    """A teacher's subject team for one school year, chosen and later confirmed by the manager."""

    __table_args__ = (
        sa.UniqueConstraint("person_id", "school_year_id", name="uq_membership_person_year"),
        sa.Index("ix_membership_year_team", "school_year_id", "team_id"),
        sa.Index(  # the choices not yet confirmed: the sweep's managers' reminder (migration 0018)
            "ix_membership_unconfirmed",
            "school_year_id",
            sqlite_where=sa.text("confirmed_at IS NULL"),
            postgresql_where=sa.text("confirmed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    school_year_id: int = Field(foreign_key="school_year.id")
    team_id: int = Field(foreign_key="team.id")
    chosen_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)
    chosen_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    confirmed_at: dtm.datetime | None = _ts()
    confirmed_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class Leadership(SQLModel, table=True):
    """A team leader for one school year. `slot` 1 or 2: the database allows no third leader."""

    __table_args__ = (
        sa.UniqueConstraint("team_id", "school_year_id", "slot", name="uq_leadership_team_year_slot"),
        sa.UniqueConstraint("team_id", "school_year_id", "person_id", name="uq_leadership_team_year_person"),
        sa.CheckConstraint("slot IN (1, 2)", name="slot"),
        sa.Index("ix_leadership_year_person", "school_year_id", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    school_year_id: int = Field(foreign_key="school_year.id")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    slot: int
    appointed_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)
    appointed_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class MembershipReport(SQLModel, table=True):
    """A manager's report of the school's memberships for a school year (deadline 1 June)."""

    __tablename__ = "membership_report"
    __table_args__ = (sa.UniqueConstraint("school_id", "school_year_id", name="uq_report_school_year"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id")
    school_year_id: int = Field(foreign_key="school_year.id")
    reported_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)
    reported_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class NetworkDay(SQLModel, table=True):
    """A date the manager network decided for subject-team meetings."""

    __tablename__ = "network_day"
    __table_args__ = (
        sa.UniqueConstraint("region_id", "date", name="uq_network_day_region_date"),
        sa.CheckConstraint("kind IS NULL OR kind IN ('physical', 'digital')", name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id")
    date: dtm.date = Field(index=True)
    kind: str | None = Field(default=None, max_length=10)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)


class Meeting(SQLModel, table=True):
    """A meeting of a team: physical (place, host school) or digital (link)."""

    __table_args__ = (
        _enum_check("kind", MeetingKind, "kind"),
        sa.CheckConstraint("ends_at > starts_at", name="order"),
        sa.Index("ix_meeting_team_year", "team_id", "school_year_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    school_year_id: int = Field(foreign_key="school_year.id")
    network_day_id: int | None = Field(default=None, foreign_key="network_day.id", ondelete="SET NULL")
    starts_at: dtm.datetime = _ts(nullable=False, index=True)
    ends_at: dtm.datetime = _ts(nullable=False)
    kind: str = Field(max_length=10)
    place: str | None = Field(default=None, max_length=200)
    host_school_id: int | None = Field(default=None, foreign_key="school.id")
    link: str | None = Field(default=None, max_length=500)
    first_of_year: bool = Field(default=False)
    notice_sent_at: dtm.datetime | None = _ts()
    notes_distributed_at: dtm.datetime | None = _ts()
    framework_reviewed_at: dtm.datetime | None = _ts()
    room_confirmed_at: dtm.datetime | None = _ts()  # the host school's manager has arranged the room
    cancelled_at: dtm.datetime | None = _ts()
    sequence: int = Field(default=0)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)


class AgendaItem(SQLModel, table=True):
    """Something to take up at a group's next meeting: a member's suggestion, or the coordinator's question to
    every team (000: the coordinator "bidrar med frågor till deras dagordning"). It waits for the group's next
    notice, which carries it (`meeting_id`, set when that notice is sent)."""

    __tablename__ = "agenda_item"
    __table_args__ = (sa.Index("ix_agenda_item_team_year", "team_id", "school_year_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    school_year_id: int = Field(foreign_key="school_year.id")
    author_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    text: str = Field(sa_type=sa.Text)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", ondelete="SET NULL")
    created_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)


class Absence(SQLModel, table=True):
    """A reported absence. No reason is asked for or stored (it is often health data)."""

    __table_args__ = (sa.UniqueConstraint("person_id", "meeting_id", name="uq_absence_person_meeting"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    reported_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)
    withdrawn_at: dtm.datetime | None = _ts()


class Note(SQLModel, table=True):
    """The notes of a meeting (one text per meeting, edited until distributed)."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    body: str = Field(sa_type=sa.Text)
    link: str | None = Field(default=None, max_length=500)
    created_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)
    updated_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)


CONVERSATION_MAX = 255


def outbox_conversation(channel: str, payload: dict[str, Any], recipient_id: int | None) -> str:
    """The key of the conversation a message goes to; the outbox keeps each conversation's messages in order.

    Slack: the payload's `slack_channel` (a reply goes where it was asked), else the recipient's direct chat
    with the bot, `slack:person:<id>`. Teams: the conversation of the payload's reference, else the recipient's
    stored chat, `teams:person:<id>`. Any other channel ("log"): `<channel>:person:<id>`. A person's direct chat
    has one key however a message names it: a Slack channel id starting with D (Slack's direct messages) and a
    Teams reference of conversation type "personal" are, with a recipient, that person's direct chat, so a reply
    there and a notice to the same person are kept in order too. A key longer than the column is hashed.
    """
    key = f"{channel}:nobody" if recipient_id is None else f"{channel}:person:{recipient_id}"
    if channel == "slack" and payload.get("slack_channel"):
        target = str(payload["slack_channel"])
        if not (target.startswith("D") and recipient_id is not None):
            key = f"slack:channel:{target}"
    elif channel == "teams" and isinstance(payload.get("teams_reference"), dict):
        conversation = payload["teams_reference"].get("conversation") or {}
        personal = conversation.get("conversationType") == "personal"
        if conversation.get("id") and not (personal and recipient_id is not None):
            key = f"teams:conversation:{conversation['id']}"
    if len(key) > CONVERSATION_MAX:
        key = f"{channel}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def _conversation_default(context: Any) -> str:
    """`conversation` when a row is inserted without one (as a test or a hand-made row may be)."""
    row = context.get_current_parameters()
    return outbox_conversation(row["channel"], row.get("payload") or {}, row.get("recipient_id"))


class OutboxMessage(SQLModel, table=True):
    """A message the bot sends on its own, written in the transaction of the change that caused it.

    `channel` names the sender ("log", "slack", "teams"); `payload` is the neutral message, and what a
    sender got done of it (the parts already posted). `conversation` (see `outbox_conversation`) is where
    it goes: a row is delivered only after every earlier row (smaller id) of its conversation, and
    `ix_outbox_conversation` finds those. The worker claims a row by moving it to `sending` with a lease
    (`locked_until`, renewed while the worker sends), so a crashed worker's rows are picked up again when
    the lease runs out. `claim` counts the claims: the claiming worker writes its renewals, progress and
    outcome only while the row still carries its number. `claimed_at` is when the attempt whose outcome
    is not yet recorded began (kept when a lapsed lease is claimed again): a sender that can look at what
    it posted looks from there. `attempts` counts the attempts that count towards giving up (an attempt
    turned away with a retry-after, as a rate limit, is given back).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        _enum_check("status", OutboxStatus, "status"),
        sa.Index("ix_outbox_due", "status", "not_before"),
        sa.Index("ix_outbox_conversation", "conversation", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    recipient_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    conversation: str = Field(
        default=None, max_length=CONVERSATION_MAX, nullable=False, sa_column_kwargs={"default": _conversation_default}
    )
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=10)
    attempts: int = Field(default=0)
    claim: int = Field(default=0)
    not_before: dtm.datetime = _ts(nullable=False, default_factory=utcnow)
    locked_until: dtm.datetime | None = _ts()
    claimed_at: dtm.datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)
    delivered_at: dtm.datetime | None = _ts()


class SentReminder(SQLModel, table=True):
    """Proof that a reminder went out, so that it never goes out twice."""

    __tablename__ = "sent_reminder"
    __table_args__ = (
        sa.UniqueConstraint("rule", "subject", "occurrence", name="uq_sent_reminder_rule_subject_occurrence"),
        sa.Index("ix_sent_reminder_rule_occurrence", "rule", "occurrence"),  # what a sweep's keys were sent
    )

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(max_length=60)
    subject: str = Field(max_length=120)
    occurrence: str = Field(max_length=60)
    recipient_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_message.id", ondelete="SET NULL")
    sent_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)


class SweepRun(SQLModel, table=True):
    """One reminder sweep: as of which instant, when it ran, how many reminders it wrote."""

    __tablename__ = "sweep_run"

    id: int | None = Field(default=None, primary_key=True)
    as_of: dtm.datetime = _ts(nullable=False)
    finished_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow, index=True)
    reminders: int = Field(default=0)
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class InboxStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class InboxEvent(SQLModel, table=True):
    """An inbound event (a Slack event or interaction, a Teams activity), stored before it is acknowledged.

    `payload` is the request as the platform sent it while the event waits; it is cleared when the event
    is done, and the row stays only so that a retry or a redelivery of the same id causes nothing twice.
    The instance that stored or claimed a pending event holds it until `locked_until`; after that (the
    instance died) another may process it. Done rows are deleted after a few days (see `storage.inbound`).
    """

    __tablename__ = "inbox_event"
    __table_args__ = (
        sa.UniqueConstraint("source", "inbound_id", name="uq_inbox_event_source_id"),
        _enum_check("status", InboxStatus, "status"),
        sa.Index("ix_inbox_event_due", "status", "locked_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=20)
    inbound_id: str = Field(max_length=200)
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default=InboxStatus.PENDING.value, max_length=10)
    attempts: int = Field(default=0)
    received_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow, index=True)
    locked_until: dtm.datetime | None = _ts()
    processed_at: dtm.datetime | None = _ts()


class AuditLog(SQLModel, table=True):
    """Who changed what, when. `actor_id` is empty for the system (imports, sweeps)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dtm.datetime = _ts(nullable=False, default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DialogState(SQLModel, table=True):
    """Where a person's conversation stands: the step that waits for an answer, its data, the buttons shown.

    One row per person and conversation; it survives a restart, and is dropped when idle too long.
    """

    __tablename__ = "dialog_state"
    __table_args__ = (sa.UniqueConstraint("person_id", "conversation_key", name="uq_dialog_state_person_conversation"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    conversation_key: str = Field(max_length=300)
    step: str | None = Field(default=None, max_length=60)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    choices: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow, index=True)


class ArchiveHold(SQLModel, table=True):
    """Records a municipality must keep under its archive decision: retention and erasure leave them alone.

    `entity` names what is held and `entity_id` its row: a `person` (everything about them; erasing
    them is refused while held), a `meeting` (its absences, notes and their audit entries), or one
    `absence`, `note`, `outbox_message` or `audit_log` row. A lifted hold stays as history.
    `retained` names the erased people whose held records were kept (name, e-mail, pseudonym), so a
    held record keeps its meaning after the person row is gone.
    """

    __tablename__ = "archive_hold"
    __table_args__ = (
        sa.CheckConstraint(f"entity IN ({', '.join(repr(h) for h in HOLDABLE)})", name="entity"),
        sa.Index("ix_archive_hold_entity", "entity", "entity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=30)
    entity_id: int
    reason: str = Field(sa_type=sa.Text)
    placed_by: str = Field(max_length=254)
    placed_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)
    lifted_at: dtm.datetime | None = _ts()
    lifted_by: str | None = Field(default=None, max_length=254)
    retained: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class AnonymousMembershipCount(SQLModel, table=True):
    """What is left of erased people's memberships and leaderships: counts per school year, team and school."""

    __tablename__ = "anonymous_membership_count"
    __table_args__ = (
        sa.UniqueConstraint("school_year_id", "team_id", "school_id", name="uq_anonymous_membership_year_team_school"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_year_id: int = Field(foreign_key="school_year.id")
    team_id: int = Field(foreign_key="team.id")
    school_id: int | None = Field(default=None, foreign_key="school.id")
    members: int = Field(default=0)
    confirmed_members: int = Field(default=0)
    leaders: int = Field(default=0)


class Attendance(SQLModel, table=True):
    """Whether one member came to a meeting, as the team's leader confirmed it afterwards.

    One row per person the leader was asked about; `school_id` is the person's school when it was
    confirmed, so the invoice goes to the school they came from even if they move later.
    """

    __table_args__ = (sa.UniqueConstraint("meeting_id", "person_id", name="uq_attendance_meeting_person"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    school_id: int | None = Field(default=None, foreign_key="school.id")
    attended: bool
    confirmed_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)
    confirmed_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class MeetingCost(SQLModel, table=True):
    """The total cost of a physical meeting and how it was divided: entered once; only the host school can take it
    back (`domain.logistics.reopen_cost`, audited) to enter it again.

    `shares` is the split as it was sent: `[{"school_id", "school", "host", "participants", "share_kr"}]`
    (no personal data; who attended is in `attendance`).
    """

    __tablename__ = "meeting_cost"
    __table_args__ = (sa.CheckConstraint("total_kr > 0", name="total_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True, ondelete="CASCADE")
    host_school_id: int = Field(foreign_key="school.id")
    total_kr: int
    participants: int
    shares: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    entered_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    entered_at: dtm.datetime = _ts(nullable=False, default_factory=utcnow)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def bump_catalog_versions(session: sa.orm.Session, _context: Any, _instances: Any) -> None:
    """A flush that adds, changes or deletes a team or a school counts a change of its region's catalog."""
    regions = {
        item.region_id
        for item in (*session.new, *session.dirty, *session.deleted)
        if isinstance(item, Team | School) and item.region_id is not None
    }
    if not regions:
        return
    with session.no_autoflush:
        for region_id in regions:
            region = session.get(Region, region_id)
            if region is not None:
                region.catalog_version = (region.catalog_version or 0) + 1
