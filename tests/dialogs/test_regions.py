"""The dialogs offer only what the region's framework has: no team choice, report or framework review in Sjuhärad."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dialogs.types import buttons_of
from storage.db import session_scope
from storage.roster import import_roster
from storage.seed import seed_region
from tests.dialogs.conftest import text_of

SJUHARAD = (
    "name,email,school,roles\n"
    "Sara Chef,sara.sj@example.org,Borås,manager\n"
    "Gustav Gitarr,gustav.sj@example.org,Borås,teacher\n"
)


def _sjuharad(demo: sa.Engine) -> None:
    with session_scope(demo) as s:
        import_roster(s, seed_region(s, "sjuharad").region, SJUHARAD)


def test_a_sjuharad_teacher_is_not_offered_a_yearly_team_choice(demo: sa.Engine, chat_as: Any) -> None:
    _sjuharad(demo)
    gustav = chat_as("gustav.sj@example.org")
    menu = gustav.say("hjälp")
    assert "Välj ämneslag" not in [b.label for b in buttons_of(menu)]
    answer = text_of(gustav.say("välj ämneslag"))
    assert "I Sjuhärad väljer man inte grupp för ett läsår" in answer and "Gitarrnätverket" not in answer


def test_a_sjuharad_manager_is_not_asked_to_report(demo: sa.Engine, chat_as: Any) -> None:
    _sjuharad(demo)
    assert "I Sjuhärad rapporterar cheferna inte" in text_of(chat_as("sara.sj@example.org").say("rapportera ämneslag"))


def test_vasterbotten_still_has_its_choice(chat_as: Any) -> None:
    menu = chat_as("alva.jonsson@example.org").say("hjälp")
    assert "Välj ämneslag" in [b.label for b in buttons_of(menu)]
