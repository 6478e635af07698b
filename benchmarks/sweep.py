"""How a reminder sweep scales: one region against a synthetic nation, timed and with SQL statements counted.

    .venv/bin/python benchmarks/sweep.py            # SQLite files in a temporary folder
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python benchmarks/sweep.py   # an EMPTY PostgreSQL database

The nation is 21 regions, 300 schools, 12,000 people (a coordinator per region, a manager per school,
the rest teachers), 12 teams per region with two leaders each and three meetings a team. The one
region is the same generator with one region's share. Each data set is swept at three instants:
24 November (the notes and reviews of September, caught up), 21 January (the notices of the February network day) and
3 May (every teacher's team choice, the yearly check, notes). A sweep's statements must not grow
with the data: the ratio column shows how they compare.
"""

from __future__ import annotations

import datetime as dtm
import os
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler.sweep import sweep  # noqa: E402
from storage.db import open_database  # noqa: E402
from tests.network import spread  # noqa: E402

ZONE = ZoneInfo("Europe/Stockholm")
TEAMS = (
    "Bild",
    "Dans",
    "Bleckblås",
    "Drama",
    "Film",
    "Gitarr",
    "Flera",
    "Piano",
    "Slagverk",
    "Stråk",
    "Sång",
    "Träblås",
)
INSTANTS = {
    "24 Nov (catch-up)": dtm.datetime(2026, 11, 24, 10, tzinfo=ZONE),
    "notices (21 Jan)": dtm.datetime(2027, 1, 21, 9, tzinfo=ZONE),
    "team choice (3 May)": dtm.datetime(2027, 5, 3, 9, tzinfo=ZONE),
}


def build(engine: sa.Engine, regions: int, schools: int, people: int) -> None:
    """The synthetic data set: `schools` and `people` spread evenly over `regions`, with twelve teams each."""
    spread(engine, regions, schools, people, TEAMS)


def measure(engine: sa.Engine, instant: dtm.datetime) -> tuple[float, int, int]:
    """Seconds, SQL statements and reminders of one sweep."""
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        report = sweep(engine, instant)
        seconds = time.perf_counter() - started
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return seconds, statements, len(report.reminders)


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix="amneslag-bench-"))
    results = {}
    for name, (regions, schools, people) in {"one region": (1, 14, 571), "nation": (21, 300, 12_000)}.items():
        engine = open_database(url if url else f"sqlite:///{folder / (name.replace(' ', '_') + '.db')}")
        if url:
            with engine.begin() as connection:  # the PostgreSQL database is reused: empty it first
                for table in (
                    "sent_reminder",
                    "outbox_message",
                    "sweep_run",
                    "meeting",
                    "leadership",
                    "membership",
                    "person_role",
                    "person",
                    "network_day",
                    "team",
                    "school",
                    "region",
                    "school_year",
                ):
                    connection.exec_driver_sql(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        started = time.perf_counter()
        build(engine, regions, schools, people)
        print(
            f"{name}: {regions} regions, {schools} schools, {people} people, "
            f"built in {time.perf_counter() - started:.1f} s"
        )
        results[name] = {label: measure(engine, instant) for label, instant in INSTANTS.items()}
        results[name]["again (3 May)"] = measure(engine, INSTANTS["team choice (3 May)"])
        engine.dispose()
    print()
    print(
        f"{'sweep':22} {'region s':>9} {'nation s':>9} {'region SQL':>11} {'nation SQL':>11} "
        f"{'SQL ratio':>10} {'reminders':>18}"
    )
    for label in results["one region"]:
        rs, rq, rn = results["one region"][label]
        ns, nq, nn = results["nation"][label]
        print(f"{label:22} {rs:9.3f} {ns:9.3f} {rq:11d} {nq:11d} {nq / rq:10.2f} {rn:>8d} / {nn:<8d}")


if __name__ == "__main__":
    main()
