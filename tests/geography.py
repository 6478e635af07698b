"""The seeded Västerbotten for travel tests: its schools at the municipality centres, and people placed there."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Person, Region, School


def school_in(session: Session, municipality: str) -> School:
    school = session.exec(select(School).where(School.municipality == municipality)).one()
    return school


def people_in(session: Session, region: Region, *municipalities: str) -> list[Person]:
    people = []
    for n, municipality in enumerate(municipalities):
        person = Person(
            email=f"p{n}@example.org",
            name=f"Person {n} {municipality}",
            region_id=region.id or 0,
            school_id=school_in(session, municipality).id,
        )
        session.add(person)
        people.append(person)
    session.flush()
    return people
