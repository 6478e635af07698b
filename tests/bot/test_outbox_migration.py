"""Migration 0007 gives the rows already in the outbox their conversation, as enqueueing them now would."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from storage.db import alembic_config, create_db_engine
from storage.models import outbox_conversation

ROWS: list[tuple[str, int | None, dict[str, Any]]] = [
    ("slack", 1, {"slack_channel": "D0ALVA"}),  # a reply in the person's direct chat
    ("slack", None, {"slack_channel": "D0STRANGER"}),  # a reply to someone not in the roster
    ("slack", 1, {"slack_channel": "C0KANAL"}),  # a reply in a channel
    ("slack", 1, {"replies": []}),  # a notice: the person's direct chat
    ("teams", 1, {"teams_reference": {"conversation": {"id": "a:1xyz", "conversationType": "personal"}}}),
    ("teams", 1, {"teams_reference": {"conversation": {"id": "19:abc@thread.v2", "conversationType": "groupChat"}}}),
    ("teams", 1, {}),
    ("log", 1, {"text": "x"}),
    ("log", None, {}),
    ("slack", 1, {"slack_channel": "C" + "x" * 300}),  # longer than the column: hashed
]


@contextmanager
def _at_0006(database_url: str) -> Iterator[sa.Connection]:
    """A connection to an empty schema migrated to 0006: a new SQLite file, or a new PostgreSQL schema."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///").replace(".db", f"-{uuid.uuid4().hex[:8]}.db")
        engine = create_db_engine(f"sqlite:///{path}")
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0006")
            yield connection
        engine.dispose()
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
            connection.exec_driver_sql(f"SET LOCAL search_path TO {schema}")
            command.upgrade(alembic_config(connection), "0006")
            yield connection
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


def test_existing_rows_get_their_conversation_and_the_migration_goes_down_again(database_url: str) -> None:
    with _at_0006(database_url) as connection:
        connection.execute(
            sa.text(
                "INSERT INTO region (key, name, timezone, language, settings) "
                "VALUES ('r', 'R', 'Europe/Stockholm', 'sv', '{}')"
            )
        )
        region_id = connection.execute(sa.text("SELECT id FROM region")).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO person (email, name, region_id, language, created_at) "
                "VALUES ('a@example.org', 'A', :region, 'sv', '2026-01-01 00:00:00')"
            ),
            {"region": region_id},
        )
        person_id = connection.execute(sa.text("SELECT id FROM person")).scalar_one()
        rows = [(channel, person_id if rid else None, payload) for channel, rid, payload in ROWS]
        for channel, recipient_id, payload in rows:
            connection.execute(
                sa.text(
                    "INSERT INTO outbox_message (channel, recipient_id, kind, payload, status, attempts, "
                    "not_before, created_at) VALUES (:channel, :recipient, 'k', :payload, 'pending', 0, "
                    "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"channel": channel, "recipient": recipient_id, "payload": json.dumps(payload)},
            )
        command.upgrade(alembic_config(connection), "0007")
        stored = connection.execute(
            sa.text("SELECT conversation, claim, claimed_at FROM outbox_message ORDER BY id")
        ).all()
        assert [row[0] for row in stored] == [outbox_conversation(c, p, r) for c, r, p in rows]
        assert {(row[1], row[2]) for row in stored} == {(0, None)}
        assert stored[0][0] == stored[3][0] == f"slack:person:{person_id}"  # one key for the direct chat
        with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():  # still refuses a bad status
            connection.execute(sa.text("UPDATE outbox_message SET status = 'lost'"))
        command.downgrade(alembic_config(connection), "0006")
        columns = {c["name"] for c in sa.inspect(connection).get_columns("outbox_message")}
        assert not columns & {"conversation", "claim", "claimed_at"}
