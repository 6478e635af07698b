"""Looking up regions, schools and people the way people write them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.errors import UnknownRegion
from storage.models import Person, PersonRole, Region, School
from storage.text import EMAIL_IN_TEXT as EMAIL_IN_TEXT  # re-exported: they were here first (see storage.text)
from storage.text import fold as fold
from storage.text import normalize_email as normalize_email


def get_region(session: Session, key: str) -> Region:
    """The region with `key` (case- and diacritic-insensitive), or `UnknownRegion`."""
    wanted = fold(key)
    for region in session.exec(select(Region)).all():
        if wanted in (region.key, fold(region.name)):
            return region
    known = ", ".join(r.key for r in session.exec(select(Region).order_by(Region.key)).all())
    if known:
        raise UnknownRegion(f"Regionen {key!r} finns inte i databasen. Kända regioner: {known}.")
    raise UnknownRegion(
        f"Regionen {key!r} finns inte: databasen har inga regioner. Kör först: amneslag seed vasterbotten"
    )


def only_region(session: Session) -> Region:
    """The one region of a database that serves one region; `UnknownRegion` if there are none or several."""
    regions = session.exec(select(Region).order_by(Region.key)).all()
    if len(regions) == 1:
        return regions[0]
    if not regions:
        raise UnknownRegion("Databasen har ingen region än. Kör först: amneslag seed vasterbotten")
    keys = ", ".join(r.key for r in regions)
    raise UnknownRegion(f"Databasen har flera regioner ({keys}): ange vilken med --region.")


def find_school(schools: list[School], text: str) -> School | None:
    """The school named by `text`: its name or its municipality, case- and diacritic-insensitively."""
    wanted = fold(text)
    if not wanted:
        return None
    for school in schools:
        if wanted in (fold(school.name), fold(school.municipality)):
            return school
    return None


def region_schools(session: Session, region: Region) -> list[School]:
    """The schools of a region, in the order they were added."""
    return list(session.exec(select(School).where(School.region_id == region.id).order_by(col(School.id))).all())


def person_by_email(session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(Person.email == normalize_email(email))).first()


def roles_of(session: Session, person_id: int) -> set[str]:
    return set(session.exec(select(PersonRole.role).where(PersonRole.person_id == person_id)).all())


def remember_slack_id(session: Session, person_id: int, user_id: str) -> bool:
    """Store `user_id` as the person's Slack id (found by their e-mail), unless they already have one or another
    person holds it (each id belongs to one person). True if it was stored."""
    person = session.get(Person, person_id)
    if person is None or person.slack_user_id:
        return False
    if session.exec(select(Person.id).where(Person.slack_user_id == user_id)).first() is not None:
        return False
    person.slack_user_id = user_id
    session.add(person)
    return True


def without_slack_id(session: Session, region: Region) -> list[tuple[int, str]]:
    """(id, e-mail) of the region's people with an e-mail address and no Slack id, to look up in the workspace."""
    rows = session.exec(
        select(Person.id, Person.email)
        .where(Person.region_id == region.id, col(Person.slack_user_id).is_(None), Person.email != "")
        .order_by(col(Person.id))
    ).all()
    return [(person_id, email) for person_id, email in rows if person_id is not None and email]
