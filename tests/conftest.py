"""Fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL is found at `AMNESLAG_TEST_POSTGRES_URL` (default: the local server with trust auth);
a throw-away database is created for the run and dropped afterwards. When it cannot be reached the
PostgreSQL half is skipped, unless `AMNESLAG_TEST_REQUIRE_POSTGRES=1` (as in CI), which fails instead.
"""

from __future__ import annotations

import csv
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from bot.config import get_settings
from domain import travel
from storage.db import open_database, session_scope
from storage.demo import load_demo
from storage.models import Region, School
from storage.seed import seed_region

PG_ADMIN_URL = os.environ.get("AMNESLAG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("AMNESLAG_TEST_REQUIRE_POSTGRES") == "1"


def _postgres_database() -> Iterator[str]:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"amneslag_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc.orig}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _roster_identities() -> tuple[str, ...]:
    """Every e-mail address and full name of the demo roster (storage/data), in lower case."""
    path = Path(__file__).resolve().parent.parent / "storage/data/demo_vasterbotten_people.csv"
    with path.open(encoding="utf-8") as roster:
        rows = list(csv.DictReader(roster))
    return tuple(sorted({row["email"].lower() for row in rows} | {row["name"].lower() for row in rows}))


ROSTER_IDENTITIES = _roster_identities()


class _PersonalDataInLogs(logging.Handler):
    """Collects log records at INFO or above that name a person of the demo roster."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.offending: list[str] = []
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is not our concern here
            text = str(record.msg)
        if record.exc_info:
            text += "\n" + self._formatter.formatException(record.exc_info)
        lowered = text.lower()
        found = [identity for identity in ROSTER_IDENTITIES if identity in lowered]
        if found:
            self.offending.append(f"{record.levelname} {record.name}: {found}: {text[:300]}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "logs_personal_data: the test logs a roster e-mail or name on purpose (skips the log check)"
    )


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test: no log record at INFO or above names a person of the demo roster (e-mail or full name).

    The root logger is lowered to INFO for the test so that INFO records are seen at all.
    """
    if request.node.get_closest_marker("logs_personal_data"):
        yield
        return
    root = logging.getLogger()
    handler = _PersonalDataInLogs()
    level = root.level
    root.addHandler(handler)
    if level > logging.INFO:
        root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    if handler.offending:
        pytest.fail("personal data in the logs:\n" + "\n".join(handler.offending), pytrace=False)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a fresh database of each kind, shared by the tests of the run."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'amneslag.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[sa.Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: sa.Engine) -> None:
    """Every table empty and, on PostgreSQL, every sequence back at its start, as after TRUNCATE … RESTART IDENTITY.

    DELETE rather than TRUNCATE: on the few rows a test leaves, TRUNCATE of all tables takes ~200 ms (it makes
    new files for each table), DELETE and restarting the used sequences a few milliseconds.
    """
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as connection:
        for table in reversed(tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            used = connection.exec_driver_sql(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
                "WHERE schemaname = 'public' AND last_value IS NOT NULL"
            ).scalars()
            for sequence in list(used):
                connection.exec_driver_sql(f"ALTER SEQUENCE {sequence} RESTART")


DEMO_YEAR = "2026/27"
_TEMPLATE_SCHEMA = "demo_template"


class DemoTemplate:
    """The demo region (`load_demo(s, "2026/27")` on an emptied database), loaded once per database and copied
    back for each test that wants it: the same rows, byte for byte, and on PostgreSQL the same sequence
    positions, so every test starts from the state a fresh load leaves, ids included.

    Loading takes 1.5–3.6 s, copying a few milliseconds. The demo does not depend on a test's clock: its
    meetings follow the school year. Only the stamps of when it was loaded (memberships chosen and confirmed,
    the notes, the audit entry, people's `created_at`) come from the real clock; they are now the instant the
    first demo test of the session loaded it rather than the test's own start, minutes apart, and no test
    compares them with the real clock. tests/storage/test_demo.py checks a copy against a fresh load.

    On PostgreSQL the rows are kept in a schema of their own in the test database and copied with
    INSERT … SELECT; on SQLite they are kept in memory as SQLite stores them and inserted again.
    """

    def __init__(self, engine: sa.Engine) -> None:
        _empty_all_tables(engine)
        with session_scope(engine) as s:
            load_demo(s, DEMO_YEAR)
        self.dialect = engine.dialect.name
        self.rows: dict[str, list[tuple[object, ...]]] = {}
        self.sequences: list[tuple[str, int]] = []
        with engine.begin() as connection:
            tables = [
                t.name
                for t in SQLModel.metadata.sorted_tables
                if connection.exec_driver_sql(f'SELECT 1 FROM "{t.name}" LIMIT 1').first() is not None
            ]
            if self.dialect == "postgresql":
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {_TEMPLATE_SCHEMA} CASCADE")
                connection.exec_driver_sql(f"CREATE SCHEMA {_TEMPLATE_SCHEMA}")
                for name in tables:
                    connection.exec_driver_sql(f'CREATE TABLE {_TEMPLATE_SCHEMA}."{name}" AS TABLE public."{name}"')
                self.rows = {name: [] for name in tables}
                self.sequences = sequence_positions(connection)
            else:
                self.rows = {
                    name: [tuple(row) for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"').all()]
                    for name in tables
                }
        _empty_all_tables(engine)

    def restore(self, engine: sa.Engine) -> sa.Engine:
        """Copy the demo into `engine`'s database, which must be empty (as the `engine` fixture leaves it)."""
        with engine.begin() as connection:
            for name, rows in self.rows.items():
                if self.dialect == "postgresql":
                    connection.exec_driver_sql(f'INSERT INTO "{name}" SELECT * FROM {_TEMPLATE_SCHEMA}."{name}"')
                else:
                    marks = ", ".join("?" * len(rows[0]))
                    connection.exec_driver_sql(f'INSERT INTO "{name}" VALUES ({marks})', rows)
            for sequence, position in self.sequences:
                connection.execute(
                    sa.text("SELECT setval(:sequence, :position)"), {"sequence": sequence, "position": position}
                )
        return engine


def sequence_positions(connection: sa.Connection) -> list[tuple[str, int]]:
    """The public schema's sequences that have handed out a value, and the last value each handed out."""
    names = connection.exec_driver_sql(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
        "WHERE schemaname = 'public' ORDER BY sequencename"
    ).scalars()
    positions = []
    for name in names:
        last_value, is_called = connection.exec_driver_sql(f"SELECT last_value, is_called FROM {name}").one()
        if is_called:
            positions.append((name, last_value))
    return positions


@pytest.fixture(scope="session")
def demo_template(migrated_engine: sa.Engine) -> DemoTemplate:
    return DemoTemplate(migrated_engine)


@pytest.fixture
def engine(migrated_engine: sa.Engine) -> sa.Engine:
    """The migrated engine, emptied before the test."""
    _empty_all_tables(migrated_engine)
    return migrated_engine


@pytest.fixture
def demo(engine: sa.Engine, demo_template: DemoTemplate) -> sa.Engine:
    """The emptied engine with the demo region of 2026/27, as loading it leaves a fresh database."""
    return demo_template.restore(engine)


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def region(engine: sa.Engine):
    """Västerbotten, seeded."""
    with session_scope(engine) as s:
        return seed_region(s, "vasterbotten").region


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, engine: sa.Engine, tmp_path: os.PathLike[str]
) -> Iterator[pytest.MonkeyPatch]:
    """The process environment pointed at the test database, with settings re-read."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("AMNESLAG_NOW", raising=False)  # a developer's demo clock must not move the tests' time
    monkeypatch.chdir(tmp_path)  # no stray .env of the developer's
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture
def vasterbotten(engine: sa.Engine) -> Iterator[tuple[Session, Region, list[School]]]:
    """Västerbotten seeded, in an open session: the session, the region and its schools."""
    with session_scope(engine) as s:
        region = seed_region(s, "vasterbotten").region
        yield s, region, travel.region_schools(s, region.id or 0)
