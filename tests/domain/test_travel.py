"""Travel distances with Västerbotten's real geography, the 40 mil goal and the suggested hosts.

The seeded schools sit at the municipality centres (DESIGN.md). Round trips are estimated as twice the
great-circle distance times the road factor 1.25 unless road distances are known (tests/bot/test_osrm.py).
"""

from __future__ import annotations

import pytest

from domain import travel
from storage.models import Person, School
from storage.settings import RegionSettings
from tests.geography import people_in, school_in

SETTINGS = RegionSettings()


def test_great_circle_and_the_estimate() -> None:
    umea, sorsele = (63.83, 20.26), (65.53, 17.53)
    assert travel.great_circle_km(umea, sorsele) == pytest.approx(229.3, abs=0.5)
    assert travel.estimated_round_trip_km(umea, sorsele, 1.25) == pytest.approx(573, abs=1)
    assert travel.great_circle_km(umea, umea) == 0


def test_the_defaults_are_the_frameworks() -> None:
    assert SETTINGS.travel_goal_km_round_trip == 400
    assert SETTINGS.road_factor == 1.25


def test_a_team_over_skelleftea_umea_and_lycksele_meets_in_skelleftea(vasterbotten) -> None:
    s, region, schools = vasterbotten
    people = people_in(s, region, "Skellefteå", "Umeå", "Lycksele", "Umeå")
    hosts = travel.suggest_hosts(people, schools, SETTINGS)
    assert [h.school for h in hosts] == ["Skellefteå Kulturskola", "Vännäs Musikskola", "Robertsfors Musikskola"]
    assert hosts[0].longest_km == pytest.approx(274, abs=1)
    check = travel.check(people, schools, school_in(s, "Skellefteå"), SETTINGS)
    assert check.goal_holds is True and check.over_goal == []
    assert check.longest is not None and check.longest.school == "Lycksele Musikskola"


def test_a_member_in_sorsele_moves_the_best_host_to_lycksele_and_breaks_the_goal_in_umea(vasterbotten) -> None:
    s, region, schools = vasterbotten
    people = people_in(s, region, "Skellefteå", "Umeå", "Lycksele", "Sorsele")
    hosts = travel.suggest_hosts(people, schools, SETTINGS)
    assert hosts[0].school == "Lycksele Musikskola"
    assert hosts[0].longest_km == pytest.approx(291, abs=1)
    in_umea = travel.check(people, schools, school_in(s, "Umeå"), SETTINGS)
    assert in_umea.goal_holds is False
    assert in_umea.schools_over_goal == ["Sorsele Kulturskola"]
    assert in_umea.longest is not None and in_umea.longest.km == pytest.approx(573, abs=1)
    in_sorsele = travel.check(people, schools, school_in(s, "Sorsele"), SETTINGS)
    assert in_sorsele.schools_over_goal == ["Kulturskolan i Umeå", "Skellefteå Kulturskola"]


def test_ties_go_to_the_smaller_total_then_the_name() -> None:
    a = School(id=1, region_id=1, name="B-skolan", municipality="B", latitude=64.0, longitude=20.0)
    b = School(id=2, region_id=1, name="A-skolan", municipality="A", latitude=64.0, longitude=20.0)
    c = School(id=3, region_id=1, name="C-skolan", municipality="C", latitude=64.5, longitude=20.0)
    people = [Person(id=1, email="x@example.org", name="X", region_id=1, school_id=3)]
    hosts = travel.suggest_hosts(people, [a, b, c], SETTINGS)
    assert [h.school for h in hosts] == ["C-skolan", "A-skolan", "B-skolan"]
    people.append(Person(id=2, email="y@example.org", name="Y", region_id=1, school_id=1))
    people.append(Person(id=3, email="z@example.org", name="Z", region_id=1, school_id=1))
    # A and B are both 0 km from two people: equal longest and total, so the name decides
    hosts = travel.suggest_hosts(people, [a, b, c], SETTINGS)
    assert [h.school for h in hosts][:2] == ["A-skolan", "B-skolan"]


def test_a_school_without_coordinates_and_a_person_without_aschool_in(vasterbotten) -> None:
    s, region, schools = vasterbotten
    nowhere = School(region_id=region.id or 0, name="Skolan utan karta", municipality="Okänd", latitude=0, longitude=0)
    s.add(nowhere)
    s.flush()
    schools = travel.region_schools(s, region.id or 0)
    assert travel.located(nowhere) is None
    people = people_in(s, region, "Umeå", "Lycksele")
    lost = Person(email="lost@example.org", name="Utan Skola", region_id=region.id or 0, school_id=nowhere.id)
    homeless = Person(email="home@example.org", name="Ingen Skola", region_id=region.id or 0)
    s.add_all([lost, homeless])
    s.flush()
    check = travel.check([*people, lost, homeless], schools, school_in(s, "Umeå"), SETTINGS)
    assert {t.name for t in check.unknown} == {"Utan Skola", "Ingen Skola"}
    assert check.goal_holds is True  # decided by the trips that can be known
    hosts = travel.suggest_hosts([*people, lost, homeless], schools, SETTINGS, limit=20)
    assert "Skolan utan karta" not in [h.school for h in hosts]
    assert travel.check([lost], schools, nowhere, SETTINGS).goal_holds is None
    assert travel.suggest_hosts([lost, homeless], schools, SETTINGS) == []


def test_a_place_is_found_by_school_or_municipality(vasterbotten) -> None:
    s, _, schools = vasterbotten
    assert travel.place_school(schools, None, "Lycksele").name == "Lycksele Musikskola"
    assert travel.place_school(schools, None, "Folkets hus, Lycksele").name == "Lycksele Musikskola"
    assert travel.place_school(schools, None, "Kulturhuset") is None
    assert travel.place_school(schools, None, None) is None
    umea = school_in(s, "Umeå")
    assert travel.place_school(schools, umea.id, "Folkets hus, Lycksele") is umea
