"""the gender of each region's word for its groups ("ett nätverk", "en grupp"), so sentences agree with it

Menus and sentences now use the region's words ("Mitt nätverk", "någon grupp"). A region seeded from a
shipped framework file gets the file's `article`; any other region keeps the default ("ett", as in
"ett ämneslag").

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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
        if key in shipped and isinstance(words, dict) and "article" not in words:
            settings["words"] = {**words, "article": shipped[key].words.article}
            _save(region_id, settings)


def downgrade() -> None:
    for region_id, _, settings in _regions():
        words = settings.get("words")
        if isinstance(words, dict) and "article" in words:
            settings["words"] = {k: v for k, v in words.items() if k != "article"}
            _save(region_id, settings)
