"""The dialogs offer only what the region's framework has: no team choice, report or framework review in Sjuhärad."""

from __future__ import annotations

import datetime as dtm
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dialogs.types import buttons_of
from domain.coordination import appoint_leader
from domain.status import build_status
from storage.db import session_scope
from storage.directory import region_schools as region_schools_of
from storage.models import Meeting, Membership, OutboxMessage, Person, Region, SchoolYear, Team
from storage.roster import import_roster
from storage.seed import seed_region
from tests.dialogs.conftest import NOW, text_of

VASTMANLAND = (  # Vera talks to the bot in Slack, so she can be told
    "name,email,school,roles,slack_user_id\n"
    "Vera Samordnare,vera.vm@example.org,,coordinator,UVERA01\n"
    "Maja Chef,maja.vm@example.org,Köping,manager,\n"
    "Tor Lärare,tor.vm@example.org,Köping,teacher,\n"
)
SJUHARAD = (
    "name,email,school,roles\n"
    "Sara Chef,sara.sj@example.org,Borås,manager\n"
    "Gustav Gitarr,gustav.sj@example.org,Borås,teacher\n"
)


def _sjuharad(demo: sa.Engine) -> None:
    with session_scope(demo) as s:
        import_roster(s, seed_region(s, "sjuharad").region, SJUHARAD)


def test_a_sjuharad_teacher_joins_a_network_and_may_lead_it(demo: sa.Engine, chat_as: Any) -> None:
    """Sjuhärad's networks are the teachers' own: joined at once without a manager, and led by a member."""
    _sjuharad(demo)
    gustav = chat_as("gustav.sj@example.org")
    menu = gustav.say("hjälp")
    labels = [b.label for b in buttons_of(menu)]
    assert "Välj ämneslag" not in labels and "Mitt nätverk" in labels and "Gå med i ett nätverk" in labels
    choices = gustav.say("välj ämneslag")
    assert "Vilket nätverk vill du gå med i läsåret 2026/27?" in text_of(choices)
    assert [b.label for b in buttons_of(choices)] == ["Gitarrnätverket"]
    gustav.click(buttons_of(choices)[0])
    joined = gustav.click(buttons_of(gustav.last)[0])  # "Ja"
    assert "Klart: du är med i Gitarrnätverket läsåret 2026/27." in text_of(joined)
    assert "Gitarrnätverket har ingen nätverksledare än. Vill du bli nätverksledare?" in text_of(joined)
    with Session(demo) as s:  # no manager confirms a network: the place is the teacher's own at once
        member = s.exec(
            select(Membership)
            .join(Person, col(Membership.person_id) == Person.id)
            .where(Person.email == "gustav.sj@example.org")
        ).one()
        assert member.confirmed_at is not None
        assert s.exec(select(OutboxMessage).where(OutboxMessage.kind == "team_choice")).first() is None
    led = gustav.click(next(b for b in buttons_of(joined) if b.label == "Bli nätverksledare"))
    assert "Klart: du leder Gitarrnätverket läsåret 2026/27." in text_of(led)
    card = text_of(gustav.say("mitt nätverk"))
    assert "Gitarrnätverket" in card and "Gustav Gitarr" in card and "bekräftad av din chef" not in card
    assert "Som nätverksledare:" in text_of(gustav.say("hjälp"))


def test_in_vasterbotten_nobody_leads_a_team_by_pressing_a_button(demo: sa.Engine, chat_as: Any) -> None:
    alva = chat_as("alva.jonsson@example.org")
    card = alva.say("mitt ämneslag")
    assert "Bli ämneslagsledare" not in [b.label for b in buttons_of(card)]


def test_vastmanland_people_meet_in_the_groups_of_their_role(demo: sa.Engine, chat_as: Any) -> None:
    """No choice in Västmanland: the managers are in the county meeting, the teachers at the study day; the
    coordinator leads both and plans their meetings, and those in them are told and may report absence."""
    with session_scope(demo) as s:
        region = seed_region(s, "vastmanland").region
        import_roster(s, region, VASTMANLAND)
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2026/27")).one()
        vera = s.exec(select(Person).where(Person.email == "vera.vm@example.org")).one()
        for team in s.exec(select(Team).where(Team.region_id == region.id)).all():
            appoint_leader(s, team=team, year=year, person=vera, replacing=None, actor=vera, now=NOW)
            if team.name == "Länsmöte för kulturskoleledare":
                county = team
        assert county.id is not None and year.id is not None
        s.add(
            Meeting(
                team_id=county.id,
                school_year_id=year.id,
                starts_at=dtm.datetime(2026, 12, 9, 9, tzinfo=dtm.UTC),
                ends_at=dtm.datetime(2026, 12, 9, 12, tzinfo=dtm.UTC),
                kind="physical",
                place="Köpings kulturskola",
            )
        )
        assert not s.exec(select(Membership).where(Membership.team_id == county.id)).all()  # by role, not chosen
    tor = chat_as("tor.vm@example.org")
    answer = text_of(tor.say("välj ämneslag"))
    assert "I Västmanland väljer man inte någon grupp. Genom din roll är du med i: Länsstudiedagen." in answer
    maja = chat_as("maja.vm@example.org")
    assert "Länsmöte för kulturskoleledare" in text_of(maja.say("kommande träffar"))
    assert "Anmäla frånvaro från Länsmöte för kulturskoleledare" in text_of(maja.say("jag kan inte komma 9 december"))
    reported = text_of(maja.say("ja"))
    assert "Klart: din frånvaro från träffen i Länsmöte för kulturskoleledare onsdag 9 december" in reported
    assert "Din sammankallande (Vera Samordnare) har fått veta det. Du behöver inte" in reported
    with Session(demo) as s:
        told = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "absence_reported")).all()
        vera_id = s.exec(select(Person.id).where(Person.email == "vera.vm@example.org")).one()
        assert [m.recipient_id for m in told] == [vera_id]
    assert "Länsmöte för kulturskoleledare" not in text_of(tor.say("kommande träffar"))


def test_a_sjuharad_manager_is_not_asked_to_report(demo: sa.Engine, chat_as: Any) -> None:
    _sjuharad(demo)
    assert "I Sjuhärad rapporterar cheferna inte" in text_of(chat_as("sara.sj@example.org").say("rapportera ämneslag"))


def test_vasterbotten_still_has_its_choice(chat_as: Any) -> None:
    menu = chat_as("alva.jonsson@example.org").say("hjälp")
    assert "Välj ämneslag" in [b.label for b in buttons_of(menu)]


def test_the_status_claims_no_travel_goal_where_the_framework_sets_none(demo: sa.Engine) -> None:
    """Sjuhärad has no travel goal: a network's physical meeting has its longest trip, and no goal met or missed."""
    _sjuharad(demo)
    with session_scope(demo) as s:
        region = seed_region(s, "sjuharad").region
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2026/27")).one()
        network = s.exec(select(Team).where(Team.region_id == region.id, Team.name == "Gitarrnätverket")).one()
        gustav = s.exec(select(Person).where(Person.email == "gustav.sj@example.org")).one()
        assert network.id is not None and year.id is not None and gustav.id is not None
        s.add(Membership(person_id=gustav.id, school_year_id=year.id, team_id=network.id))
        s.add(
            Meeting(
                team_id=network.id,
                school_year_id=year.id,
                starts_at=dtm.datetime(2027, 2, 4, 9, tzinfo=dtm.UTC),
                ends_at=dtm.datetime(2027, 2, 4, 12, tzinfo=dtm.UTC),
                kind="physical",
                place="Kulturskolan i Ulricehamn",
            )
        )
    with Session(demo) as s:
        region = s.exec(select(Region).where(Region.key == "sjuharad")).one()
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2026/27")).one()
        meeting = build_status(s, region, year).model_dump()["teams"][0]["meetings"][0]
    assert meeting["longest_round_trip_km"] is not None
    assert meeting["travel_goal_met"] is None and meeting["travel_over_goal"] == []


def test_the_county_meeting_rotates_its_host_school(demo: sa.Engine, chat_as: Any) -> None:
    """Västmanland's county meeting moves between the schools (003: "på olika orter i länet"): the school that
    has hosted it least recently is offered first."""
    from dialogs.types import buttons_of

    with session_scope(demo) as s:
        region = seed_region(s, "vastmanland").region
        import_roster(s, region, VASTMANLAND)
        year = s.exec(select(SchoolYear).where(SchoolYear.label == "2026/27")).one()
        vera = s.exec(select(Person).where(Person.email == "vera.vm@example.org")).one()
        county = s.exec(select(Team).where(Team.name == "Länsmöte för kulturskoleledare")).one()
        appoint_leader(s, team=county, year=year, person=vera, replacing=None, actor=vera, now=NOW)
        schools = {school.municipality: school.id for school in region_schools_of(s, region)}
        assert county.id is not None and year.id is not None
        for month, town in ((9, "Arboga"), (10, "Fagersta")):
            s.add(
                Meeting(
                    team_id=county.id,
                    school_year_id=year.id,
                    starts_at=dtm.datetime(2026, month, 16, 8, tzinfo=dtm.UTC),
                    ends_at=dtm.datetime(2026, month, 16, 11, tzinfo=dtm.UTC),
                    kind="physical",
                    host_school_id=schools[town],
                )
            )
    vera_chat = chat_as("vera.vm@example.org")
    asked = vera_chat.say("planera en fysisk träff 16 december")
    assert text_of(asked).startswith("Det är Hallstahammars kulturskolas tur att vara värd")
    assert buttons_of(asked)[0].label == "Hallstahammars kulturskola"
