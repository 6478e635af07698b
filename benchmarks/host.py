"""How long suggesting a host school takes for the largest team of a synthetic nation.

    .venv/bin/python benchmarks/host.py            # a SQLite file in a temporary folder

The nation is `benchmarks/sweep.py`'s (21 regions, 300 schools, 12,000 people, 12 teams a region),
with the schools spread over Sweden's latitudes and longitudes (the generator puts them all on one
spot). For the largest team it times what the leader's preview does, estimates only (no OSRM):

* `suggest`: `domain.travel.suggest_hosts` for the team's members over the region's schools;
* `preview`: reading the team's members and the region's schools from the database, the travel check
  of one place and the suggestion (what one preview costs on top of the rest of the dialog);
* the baseline: one great-circle distance for every pair of the region's schools, computed naively
  in the same run. The ratio says how many such naive passes a suggestion costs.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sweep import build  # noqa: E402

from domain import travel  # noqa: E402
from domain.meetings import team_members  # noqa: E402
from storage import schoolyear  # noqa: E402
from storage.db import open_database, session_scope  # noqa: E402
from storage.models import Membership, Region, School, Team  # noqa: E402
from storage.settings import RegionSettings  # noqa: E402

REPEAT = 200


def spread_schools(engine: sa.Engine) -> None:
    """Put each region's schools around a centre of its own, within Sweden (about 55-68 N, 12-23 E)."""
    rng = random.Random(9)
    with session_scope(engine) as s:
        for region in s.exec(select(Region)).all():
            lat, lon = rng.uniform(56, 67), rng.uniform(12.5, 22)
            for school in s.exec(select(School).where(School.region_id == region.id)).all():
                school.latitude = round(lat + rng.uniform(-1.2, 1.2), 4)
                school.longitude = round(lon + rng.uniform(-2.0, 2.0), 4)


def timed(work: Callable[[], object]) -> float:
    """The median seconds of `REPEAT` runs."""
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="amneslag-host-"))
    engine = open_database(f"sqlite:///{folder / 'nation.db'}")
    started = time.perf_counter()
    build(engine, 21, 300, 12_000)
    spread_schools(engine)
    print(f"nation: 21 regions, 300 schools, 12,000 people, built in {time.perf_counter() - started:.1f} s")
    settings = RegionSettings()
    with Session(engine) as s:
        year = schoolyear.get_or_create(s, "2026/27")
        team_id, size = s.exec(
            select(Membership.team_id, func.count())
            .where(Membership.school_year_id == year.id)
            .group_by(col(Membership.team_id))
            .order_by(func.count().desc(), col(Membership.team_id))
        ).first()  # type: ignore[misc]
        team = s.get(Team, team_id)
        assert team is not None and year.id is not None
        people = team_members(s, team_id, year.id)
        schools = travel.region_schools(s, team.region_id)
        points = [p for school in schools if (p := travel.located(school)) is not None]
        member_schools = len({p.school_id for p in people})
        print(
            f"largest team: {team.name} of region {team.region_id}, {len(people)} members and leaders "
            f"from {member_schools} schools; {len(schools)} candidate host schools"
        )

        def naive() -> None:
            for a in points:
                for b in points:
                    travel.great_circle_km(a, b)

        def suggest() -> None:
            travel.suggest_hosts(people, schools, settings)

        def preview() -> None:
            with Session(engine) as fresh:
                members = team_members(fresh, team_id, year.id or 0)
                region_schools = travel.region_schools(fresh, team.region_id)
                travel.check(members, region_schools, region_schools[0], settings)
                travel.suggest_hosts(members, region_schools, settings)

        baseline = timed(naive)
        suggested = timed(suggest)
        previewed = timed(preview)
        best = travel.suggest_hosts(people, schools, settings)[0]
    print(f"suggested host: {best.school}, longest round trip {best.longest_km:.0f} km")
    print()
    print(f"{'what (median of ' + str(REPEAT) + ')':34} {'ms':>8} {'× baseline':>11}")
    print(f"{'baseline: naive all-pairs distances':34} {baseline * 1000:8.3f} {1:11.1f}")
    print(f"{'suggest a host':34} {suggested * 1000:8.3f} {suggested / baseline:11.1f}")
    print(f"{'preview: read team + check + suggest':34} {previewed * 1000:8.3f} {previewed / baseline:11.1f}")
    print(
        f"\nbaseline = {len(points)}² = {len(points) ** 2} great-circle distances between the region's schools, "
        "computed one by one in the same run"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
