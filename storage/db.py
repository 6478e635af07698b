"""Engines, sessions and migrations for SQLite (the default) and PostgreSQL.

`open_database(url)` is the one way in: it checks the URL, connects, and brings the schema up to date
with Alembic, so every command and the server start on the current schema.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from storage.errors import ConfigurationError, DatabaseUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

_LOGGER = logging.getLogger(__name__)
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same for every instance of the bot.
_MIGRATION_LOCK_KEY = 0x616D6E65


def parse_database_url(url: str) -> URL:
    """Parse and check `DATABASE_URL`; raise `ConfigurationError` with advice when it is malformed."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            f"DATABASE_URL går inte att tolka ({url!r}). Använd till exempel sqlite:///amneslag.db "
            "eller postgresql+psycopg://användare@värd:5432/databas."
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.get_driver_name() in ("psycopg2", "asyncpg", "pg8000"):
        raise ConfigurationError("DATABASE_URL: använd drivrutinen psycopg 3, alltså postgresql+psycopg://…")
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise ConfigurationError(
            f"DATABASE_URL: databasen {backend!r} stöds inte. Använd sqlite:///… eller postgresql+psycopg://…"
        )
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise ConfigurationError("DATABASE_URL: SQLite behöver en fil, till exempel sqlite:///amneslag.db")
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives the process being killed
    # (SIGKILL included), and only a power cut or an OS crash may undo the last commits before a checkpoint.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_db_engine(url: str) -> sa.Engine:
    """An engine for `url`: SQLite gets WAL (synchronous=NORMAL), foreign keys and a busy timeout on every connection.

    SQL parameters (e-mail addresses, names, message text) are hidden from error messages, so a logged
    database error never carries personal data.
    """
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database or "").expanduser().resolve().parent
        if not folder.is_dir():
            raise DatabaseUnavailable(
                f"Mappen {folder} för SQLite-databasen finns inte. Skapa den eller ändra DATABASE_URL."
            )
        engine = sa.create_engine(parsed, connect_args={"check_same_thread": False}, hide_parameters=True)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return sa.create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 5},
            hide_parameters=True,
            # A sweep's executemany INSERTs go as multi-row statements whose placeholders psycopg converts in
            # Python, at a cost that grows faster than the rows: pages of 120 rows instead of 1,000.
            insertmanyvalues_page_size=120,
        )
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConfigurationError(
            "PostgreSQL kräver paketet psycopg: installera med pip install 'amneslagsboten[postgres]'."
        ) from exc


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """Alembic's configuration, built in code so that it works from an installed wheel."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's revision: the migrations are one line, each file named by its revision (0012_…)."""
    return max(path.name.split("_", 1)[0] for path in (_MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def _at_head(engine: sa.Engine) -> bool:
    """Whether the database is at the newest revision already (one query, without loading Alembic)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.ProgrammingError:  # PostgreSQL: no such table yet
        return False
    except sa.exc.OperationalError as exc:
        if "no such table" in str(exc):  # SQLite: a new database
            return False
        raise
    return found == head_revision()


def migrate(engine: sa.Engine) -> None:
    """Bring the schema up to date. On PostgreSQL an advisory lock keeps two instances apart.

    A database at the newest revision already (every start but the first after an upgrade) is left as it is
    without loading Alembic, which costs a start about a fifth of a second.
    """
    if _at_head(engine):
        return
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        command.upgrade(alembic_config(connection), "head")


def _describe(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def open_database(url: str) -> sa.Engine:
    """Connect to `url` and migrate it; raise a clear `AmneslagError` when that is not possible."""
    engine = create_db_engine(url)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(
            f"Kan inte nå databasen {_describe(engine)}: {reason}. Kontrollera DATABASE_URL och att databasen är igång."
        ) from exc
    return engine


@contextmanager
def session_scope(engine: sa.Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def unreachable(exc: BaseException) -> bool:
    """Whether an error means the database could not be reached (rather than a fault of ours)."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError)


def execute_many(connection: sa.Connection, statement: sa.Insert, rows: list[dict[str, Any]]) -> int:
    """Run an INSERT (an ON CONFLICT clause included) for many rows, set-based and compiled once.

    SQLAlchemy's own executemany converts every value of every row through its column type (a JSON payload
    serialised anew for each row) and batches the rows into multi-row statements it compiles per batch. Here
    each distinct value (the same object given to many rows, such as one reminder's payload) is converted once,
    by the same type processors; on PostgreSQL the rows go as one array per column in a single
    `INSERT … SELECT FROM unnest(…)` (one round trip, however many rows), on SQLite, which runs in the process,
    as the driver's executemany of the compiled statement. All rows must have the same keys. Returns the number
    of rows written (fewer than given when an ON CONFLICT DO NOTHING left some out).
    """
    if not rows:
        return 0
    dialect = connection.dialect
    names = list(rows[0])
    table = statement.table
    assert isinstance(table, sa.Table)
    processors = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names}
    converted: dict[tuple[str, int], Any] = {}  # (column, id of a value) -> the driver's value

    def value(name: str, raw: Any) -> Any:
        process = processors[name]
        if process is None or raw is None:
            return raw
        key = (name, id(raw))
        if key not in converted:
            converted[key] = process(raw)
        return converted[key]

    if dialect.name == "postgresql":
        return _unnest(connection, statement, table, names, rows, value, processors)
    compiled = statement.compile(dialect=dialect, column_keys=names)
    if compiled.positional:
        order = [(name, processors[name] is not None) for name in compiled.positiontup or []]
        params: list[Any] = [tuple(value(n, row[n]) if p else row[n] for n, p in order) for row in rows]
    else:
        params = [{name: value(name, row[name]) for name in names} for row in rows]
    return connection.exec_driver_sql(str(compiled), params).rowcount


def _unnest(
    connection: sa.Connection,
    statement: sa.Insert,
    table: sa.Table,
    names: list[str],
    rows: list[dict[str, Any]],
    value: Any,
    processors: dict[str, Any],
) -> int:
    """PostgreSQL: the rows as one array per column, in one `INSERT … SELECT FROM unnest(…)`. A JSON column goes
    as its distinct values and, per row, the number of its value: the server parses each distinct value once."""
    dialect = connection.dialect
    params: dict[str, list[Any]] = {}
    selected, joins = [], []
    casts = []
    for i, name in enumerate(names):
        if isinstance(table.c[name].type, sa.JSON) and processors[name] is not None:
            processors[name] = _serialised(processors[name])
            texts = [value(name, row[name]) for row in rows]
            number: dict[Any, int] = {}
            params[f"c{i}"] = [number.setdefault(text, len(number) + 1) for text in texts]
            params[f"v{i}"] = list(number)
            casts.append(f"%(c{i})s::INTEGER[]")
            joins.append(f"JOIN unnest(%(v{i})s::JSON[]) WITH ORDINALITY AS v{i}(value, n) ON v{i}.n = r.c{i}")
            selected.append(f"v{i}.value")
        else:
            params[f"c{i}"] = [value(name, row[name]) for row in rows]
            casts.append(f"%(c{i})s::{table.c[name].type.compile(dialect=dialect)}[]")
            selected.append(f"r.c{i}")
    aliases = ", ".join(f"c{i}" for i in range(len(names)))
    source = f"SELECT {', '.join(selected)} FROM unnest({', '.join(casts)}) AS r({aliases}) {' '.join(joins)}"
    compiled = statement.from_select(names, sa.text(source).columns(*(sa.column(n) for n in names))).compile(
        dialect=dialect
    )
    return connection.exec_driver_sql(str(compiled).replace("%%", "%"), params).rowcount


def _serialised(process: Any) -> Any:
    """A JSON column's bind processor that gives the text (psycopg's `Json` wrapper keeps the object and its
    `dumps`, and serialises when the value is sent, again for each row that shares it)."""

    def text(raw: Any) -> Any:
        wrapped = process(raw)
        if not (hasattr(wrapped, "obj") and hasattr(wrapped, "dumps")):
            return wrapped
        return (wrapped.dumps or json.dumps)(wrapped.obj)  # psycopg's default is json.dumps

    return text
