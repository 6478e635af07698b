"""Roster import: people from a CSV file, validated row by row before anything is written.

Columns (DESIGN.md): `name,email,school,roles,slack_user_id,teams_user_id,language`. Only `name` and
`email` must be present as columns. The file may be UTF-8 with or without BOM, separated by commas or
by semicolons (Swedish Excel). Roles are separated by `;` (or `,`, `|`, `/` inside a quoted field).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from storage.audit import record
from storage.directory import find_school, fold, normalize_email
from storage.errors import RosterRejected
from storage.models import Person, PersonRole, Region, Role, School

COLUMNS = ("name", "email", "school", "roles", "slack_user_id", "teams_user_id", "language")
REQUIRED_COLUMNS = ("name", "email")
ROLE_WORDS = {
    "teacher": Role.TEACHER,
    "larare": Role.TEACHER,
    "pedagog": Role.TEACHER,
    "manager": Role.MANAGER,
    "chef": Role.MANAGER,
    "coordinator": Role.COORDINATOR,
    "samordnare": Role.COORDINATOR,
    "kulturskolesamordnare": Role.COORDINATOR,
    "admin": Role.ADMIN,
}
LANGUAGE_WORDS = {"sv": "sv", "svenska": "sv", "swedish": "sv", "en": "en", "engelska": "en", "english": "en"}
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_ROLE_SPLIT = re.compile(r"[;,|/\s]+")


@dataclass(frozen=True)
class RosterRow:
    """One validated row of the roster."""

    line: int
    name: str
    email: str
    school_id: int | None
    roles: frozenset[str]
    slack_user_id: str | None
    teams_user_id: str | None
    language: str | None


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"rad {self.line}: {self.reason}"


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Lade till {self.added}, uppdaterade {self.updated}, hoppade över {self.skipped} "
            f"(oförändrade {self.unchanged})."
        )


def decode(data: bytes, source: str = "filen") -> str:
    """The text of a roster file; `RosterRejected` with advice when it is not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterRejected(
            f"{source} är inte UTF-8-kodad (första felet på rad {line}). Spara den i Excel som "
            '"CSV UTF-8 (kommaavgränsad)" och försök igen.'
        ) from exc
    if not text.strip():
        raise RosterRejected(f"{source} är tom: den ska ha en rubrikrad med {','.join(COLUMNS)}.")
    return text


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_LENGTHS = {"name": 120, "email": 254, "school": 120, "roles": 120, "slack_user_id": 30, "teams_user_id": 60}
"""The longest value of each column: what the database holds (storage.models)."""


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows with their line numbers in the file, keyed by lower-case column name."""
    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [column.strip().lower() for column in next(reader)]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("saknar kolumnen " + ", ".join(missing))
        if unknown:
            parts.append("har okända kolumner " + ", ".join(repr(c) for c in unknown))
        raise RosterRejected(f"Rubrikraden {' och '.join(parts)}. Kolumnerna ska heta: {','.join(COLUMNS)}.")
    start = 2
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            yield line, {"__error__": f"{len(values)} fält men rubrikraden har {len(header)}"}
            continue
        yield line, {column: value.strip() for column, value in zip(header, values, strict=False)}


class _Validator:
    """Checks rows one by one, remembering what earlier rows used (duplicates within the file)."""

    def __init__(self, session: Session, region: Region):
        self.session = session
        self.region = region
        self.schools = list(session.exec(select(School).where(School.region_id == region.id)).all())
        self.emails: dict[str, int] = {}
        self.slack_ids: dict[str, int] = {}
        self.teams_ids: dict[str, int] = {}

    def check(self, line: int, raw: dict[str, str]) -> RosterRow | RowProblem:
        if "__error__" in raw:
            return RowProblem(line, raw["__error__"])
        for column, text in raw.items():
            if _CONTROL.search(text):
                return RowProblem(line, f"kolumnen {column} innehåller ett styrtecken (till exempel NUL eller tab)")
            if len(text) > MAX_LENGTHS.get(column, 254):
                return RowProblem(line, f"kolumnen {column} är längre än {MAX_LENGTHS.get(column, 254)} tecken")
        name = raw.get("name", "")
        if not name:
            return RowProblem(line, "namn saknas")
        email = self._email(raw.get("email", ""))
        if email is None:
            return RowProblem(line, f"ogiltig e-postadress {raw.get('email', '')!r}")
        if email in self.emails:
            return RowProblem(line, f"e-postadressen {email} finns redan på rad {self.emails[email]}")

        roles: set[str] = set()
        for word in _ROLE_SPLIT.split(raw.get("roles", "")):
            if not word:
                continue
            role = ROLE_WORDS.get(fold(word))
            if role is None:
                return RowProblem(line, f"okänd roll {word!r} (tillåtna: teacher, manager, coordinator, admin)")
            roles.add(role.value)
        roles = roles or {Role.TEACHER.value}

        school_text = raw.get("school", "")
        school = find_school(self.schools, school_text) if school_text else None
        if school_text and school is None:
            return RowProblem(line, f"okänd skola {school_text!r} i region {self.region.name}")
        if school is None and roles & {Role.TEACHER.value, Role.MANAGER.value}:
            return RowProblem(line, "skola saknas (lärare och chefer hör till en skola)")

        slack_id = raw.get("slack_user_id") or None
        if slack_id and not _SLACK_ID.match(slack_id):
            return RowProblem(line, f"ogiltigt Slack-id {slack_id!r} (ska se ut som U012AB3CD)")
        teams_id = raw.get("teams_user_id") or None
        if teams_id:
            try:
                teams_id = str(uuid.UUID(teams_id))
            except ValueError:
                return RowProblem(line, f"ogiltigt Teams-id {teams_id!r} (ska vara ett objekt-id, ett GUID)")
        for value, seen, label in (
            (slack_id, self.slack_ids, "Slack-id"),
            (teams_id, self.teams_ids, "Teams-id"),
        ):
            if value and value in seen:
                return RowProblem(line, f"{label} {value} finns redan på rad {seen[value]}")
        conflict = self._platform_conflict(email, slack_id, teams_id)
        if conflict:
            return RowProblem(line, conflict)

        language_text = raw.get("language", "")
        language = LANGUAGE_WORDS.get(fold(language_text)) if language_text else None
        if language_text and language is None:
            return RowProblem(line, f"okänt språk {language_text!r} (sv eller en)")

        self.emails[email] = line
        if slack_id:
            self.slack_ids[slack_id] = line
        if teams_id:
            self.teams_ids[teams_id] = line
        return RosterRow(
            line=line,
            name=name,
            email=email,
            school_id=school.id if school else None,
            roles=frozenset(roles),
            slack_user_id=slack_id,
            teams_user_id=teams_id,
            language=language,
        )

    @staticmethod
    def _email(text: str) -> str | None:
        try:
            return normalize_email(validate_email(text, check_deliverability=False).normalized)
        except EmailNotValidError:
            return None

    def _platform_conflict(self, email: str, slack_id: str | None, teams_id: str | None) -> str | None:
        for column, value, label in (
            (Person.slack_user_id, slack_id, "Slack-id"),
            (Person.teams_user_id, teams_id, "Teams-id"),
        ):
            if value:
                owner = self.session.exec(select(Person.email).where(column == value)).first()
                if owner and owner != email:
                    return f"{label} {value} tillhör redan {owner}"
        return None


def validate(session: Session, region: Region, text: str) -> tuple[list[RosterRow], list[RowProblem]]:
    """Every row checked: the good rows and the problems, each with its line number."""
    validator = _Validator(session, region)
    good: list[RosterRow] = []
    problems: list[RowProblem] = []
    for line, raw in _rows(text):
        outcome = validator.check(line, raw)
        if isinstance(outcome, RowProblem):
            problems.append(outcome)
        else:
            good.append(outcome)
    return good, problems


def _apply(session: Session, region: Region, row: RosterRow) -> str:
    """Insert or update one person; returns "added", "updated" or "unchanged"."""
    assert region.id is not None
    person = session.exec(select(Person).where(Person.email == row.email)).first()
    created = person is None
    if person is None:
        person = Person(email=row.email, name=row.name, region_id=region.id, language=row.language or region.language)
        session.add(person)
    wanted = {
        "name": row.name,
        "region_id": region.id,
        "school_id": row.school_id,
        "language": row.language or person.language,
        "slack_user_id": row.slack_user_id or person.slack_user_id,
        "teams_user_id": row.teams_user_id or person.teams_user_id,
    }
    changed = [key for key, value in wanted.items() if getattr(person, key) != value]
    for key in changed:
        setattr(person, key, wanted[key])
    session.flush()
    assert person.id is not None

    current_roles = set(session.exec(select(PersonRole.role).where(PersonRole.person_id == person.id)).all())
    if current_roles != row.roles:
        for role in current_roles - row.roles:
            session.delete(session.get(PersonRole, (person.id, role)))
        for role in row.roles - current_roles:
            session.add(PersonRole(person_id=person.id, role=role))
        changed.append("roles")

    if created:
        record(
            session,
            action="person.created",
            entity="person",
            entity_id=person.id,
            details={"source": "roster"},
        )
        return "added"
    if changed:
        record(
            session,
            action="person.updated",
            entity="person",
            entity_id=person.id,
            details={"source": "roster", "fields": sorted(changed)},
        )
        return "updated"
    return "unchanged"


def import_roster(session: Session, region: Region, text: str, *, skip_bad: bool = False) -> ImportReport:
    """Validate every row, then write all of them, or none when a row is bad and `skip_bad` is off.

    Raises `RosterRejected` carrying the report when nothing was imported because of bad rows.
    """
    good, problems = validate(session, region, text)
    report = ImportReport(problems=problems)
    if problems and not skip_bad:
        raise RosterRejected(
            f"Inget importerades: {len(problems)} rad(er) har fel. Rätta dem, eller kör med --skip-bad "
            "för att importera de korrekta raderna.",
            problems,
        )
    report.skipped = len(problems)
    for row in good:
        outcome = _apply(session, region, row)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
