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
from storage.db import open_database, session_scope
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
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def engine(migrated_engine: sa.Engine) -> sa.Engine:
    """The migrated engine, emptied before the test."""
    _empty_all_tables(migrated_engine)
    return migrated_engine


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
    monkeypatch.chdir(tmp_path)  # no stray .env of the developer's
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
