"""The migrations produce exactly the schema of the models, and SQLite runs with WAL and foreign keys."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from storage.db import alembic_config, open_database


def test_migrated_schema_matches_the_models(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_sqlite_uses_wal_and_foreign_keys(tmp_path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL: no sync at every commit
    engine.dispose()


def test_the_head_read_from_the_file_names_is_alembics_head() -> None:
    """Opening a database at the head skips Alembic; it knows the head from the migrations' file names."""
    from storage.db import head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_opening_twice_is_harmless(database_url: str, engine: sa.Engine) -> None:
    again = open_database(database_url)
    with again.connect() as connection:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head
    again.dispose()


def test_regions_seeded_with_the_old_road_factor_get_the_new_default(tmp_path) -> None:
    from alembic import command

    from storage.db import create_db_engine

    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
        for key, factor in (("old", 1.3), ("chosen", 1.5)):
            connection.execute(
                sa.text(
                    "INSERT INTO region (key, name, timezone, language, settings) "
                    "VALUES (:key, :key, 'Europe/Stockholm', 'sv', :settings)"
                ),
                {"key": key, "settings": f'{{"road_factor": {factor}, "travel_goal_km_round_trip": 400.0}}'},
            )
        command.upgrade(alembic_config(connection), "head")
        rows: dict[str, str] = dict(connection.execute(sa.text("SELECT key, settings FROM region")).all())
    engine.dispose()
    assert json.loads(rows["old"])["road_factor"] == 1.25
    assert json.loads(rows["chosen"])["road_factor"] == 1.5


def test_vasterbottens_art_team_gets_the_documents_name(tmp_path) -> None:
    """Migration 0010 renames "Bild/form/skapande" to "Bild, form och skapande" in Västerbotten only,
    keeping the team's id (its memberships and meetings), and back again."""
    from alembic import command

    from storage.db import create_db_engine

    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0009")
        for key in ("vasterbotten", "other"):
            connection.execute(
                sa.text(
                    "INSERT INTO region (key, name, timezone, language, settings) "
                    "VALUES (:key, :key, 'Europe/Stockholm', 'sv', '{}')"
                ),
                {"key": key},
            )
        ids: dict[str, int] = dict(connection.execute(sa.text("SELECT key, id FROM region")).all())
        for key in ("vasterbotten", "other"):
            connection.execute(
                sa.text(
                    "INSERT INTO team (region_id, name, kind, position, active) "
                    "VALUES (:region, 'Bild/form/skapande', 'subject_team', 0, true)"
                ),
                {"region": ids[key]},
            )
        before = connection.execute(
            sa.text("SELECT id FROM team WHERE region_id = :r"), {"r": ids["vasterbotten"]}
        ).scalar_one()
        command.upgrade(alembic_config(connection), "head")
        rows = connection.execute(sa.text("SELECT region_id, id, name FROM team ORDER BY region_id")).all()
        command.downgrade(alembic_config(connection), "0009")
        back = connection.execute(sa.text("SELECT name FROM team ORDER BY region_id")).scalars().all()
    engine.dispose()
    named = {region_id: (team_id, name) for region_id, team_id, name in rows}
    assert named[ids["vasterbotten"]] == (before, "Bild, form och skapande")
    assert named[ids["other"]][1] == "Bild/form/skapande"
    assert back == ["Bild/form/skapande", "Bild/form/skapande"]


def test_vastmanlands_groups_get_their_article(tmp_path) -> None:
    """Migration 0011 gives a shipped region's words the gender of its group word ("en grupp" in Västmanland),
    leaves other regions to the default, and takes it away again."""
    from alembic import command

    from storage.db import create_db_engine

    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    words = json.dumps({"words": {"group": "grupp", "groups": "grupper", "leader": "sammankallande"}})
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0010")
        for key in ("vastmanland", "other"):
            connection.execute(
                sa.text(
                    "INSERT INTO region (key, name, timezone, language, settings) "
                    "VALUES (:key, :key, 'Europe/Stockholm', 'sv', :settings)"
                ),
                {"key": key, "settings": words},
            )
        command.upgrade(alembic_config(connection), "head")
        after: dict[str, str] = dict(connection.execute(sa.text("SELECT key, settings FROM region")).all())
        command.downgrade(alembic_config(connection), "0010")
        back: dict[str, str] = dict(connection.execute(sa.text("SELECT key, settings FROM region")).all())
    engine.dispose()
    assert json.loads(after["vastmanland"])["words"]["article"] == "en"
    assert "article" not in json.loads(after["other"])["words"]
    assert "article" not in json.loads(back["vastmanland"])["words"]


def test_shipped_regions_get_the_definite_forms_of_their_words(tmp_path) -> None:
    """Migration 0019 gives a shipped region's words their definite forms ("gruppen", "grupperna", "de
    sammankallande" in Västmanland), leaves other regions to the defaults, and takes them away again."""
    from alembic import command

    from storage.db import create_db_engine

    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    words = json.dumps({"words": {"group": "grupp", "groups": "grupper", "leader": "sammankallande", "article": "en"}})
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0018")
        for key in ("vastmanland", "other"):
            connection.execute(
                sa.text(
                    "INSERT INTO region (key, name, timezone, language, settings) "
                    "VALUES (:key, :key, 'Europe/Stockholm', 'sv', :settings)"
                ),
                {"key": key, "settings": words},
            )
        command.upgrade(alembic_config(connection), "head")
        after: dict[str, str] = dict(connection.execute(sa.text("SELECT key, settings FROM region")).all())
        command.downgrade(alembic_config(connection), "0018")
        back: dict[str, str] = dict(connection.execute(sa.text("SELECT key, settings FROM region")).all())
    engine.dispose()
    forms = json.loads(after["vastmanland"])["words"]
    assert (forms["group_definite"], forms["groups_definite"], forms["leaders_definite"]) == (
        "gruppen",
        "grupperna",
        "de sammankallande",
    )
    assert "group_definite" not in json.loads(after["other"])["words"]
    assert json.loads(back["vastmanland"]) == json.loads(words)
