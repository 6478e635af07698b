"""the definite forms of each region's words ("gruppen", "grupperna", "de sammankallande"), so sentences about
"your group" and "the groups" read in the region's words rather than Västerbotten's ("ämneslaget")

A region seeded from a shipped framework file gets the file's forms; any other region keeps the defaults
(Västerbotten's "ämneslaget", "ämneslagen", "ämneslagsledarna"), as its other words default to Västerbotten's.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("group_definite", "groups_definite", "leaders_definite")


def _regions() -> list[tuple[int, str, dict[str, object]]]:
    region = sa.table(
        "region", sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("settings", sa.JSON)
    )
    rows = op.get_bind().execute(sa.select(region.c.id, region.c.key, region.c.settings)).all()
    return [(i, k, json.loads(s) if isinstance(s, str) else dict(s or {})) for i, k, s in rows]


def _save(region_id: int, settings: dict[str, object]) -> None:
    region = sa.table("region", sa.column("id", sa.Integer), sa.column("settings", sa.JSON))
    op.get_bind().execute(region.update().where(region.c.id == region_id).values(settings=settings))


def upgrade() -> None:
    from storage.framework import frameworks  # the files as shipped with this version

    shipped = frameworks()
    for region_id, key, settings in _regions():
        words = settings.get("words")
        if key in shipped and isinstance(words, dict) and any(f not in words for f in FIELDS):
            forms = shipped[key].words
            settings["words"] = {**{f: getattr(forms, f) for f in FIELDS}, **words}
            _save(region_id, settings)


def downgrade() -> None:
    for region_id, _, settings in _regions():
        words = settings.get("words")
        if isinstance(words, dict) and any(f in words for f in FIELDS):
            settings["words"] = {k: v for k, v in words.items() if k not in FIELDS}
            _save(region_id, settings)
