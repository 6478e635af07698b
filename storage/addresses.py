"""Where the bot can write to a person on its own initiative: stored Teams conversation references.

A Teams reference is the Bot Framework's serialized `ConversationReference` of the person's 1:1 chat
with the bot (service URL, conversation id, the bot's and the person's ids). It is written when the
person writes to the bot or installs it, or when the bot opens the chat itself after being added to a team.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, desc, select

from storage.directory import person_by_email
from storage.models import ConversationAddress, Person, utcnow

TEAMS = "teams"


def save_address(session: Session, person_id: int, platform: str, reference: dict[str, Any]) -> None:
    """Store (or replace) the person's conversation reference on `platform`."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    statement = insert(ConversationAddress).values(
        person_id=person_id, platform=platform, reference=reference, updated_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["person_id", "platform"], set_={"reference": reference, "updated_at": now}
        )
    )


def address_of(session: Session, person_id: int, platform: str) -> dict[str, Any] | None:
    return session.exec(
        select(col(ConversationAddress.reference)).where(
            ConversationAddress.person_id == person_id, ConversationAddress.platform == platform
        )
    ).first()


def latest_service_url(session: Session) -> str | None:
    """The Bot Connector service URL of the Teams chat stored last (the tenant's region), if any."""
    references = session.exec(
        select(col(ConversationAddress.reference))
        .where(ConversationAddress.platform == TEAMS)
        .order_by(desc(col(ConversationAddress.updated_at)))
        .limit(1)
    ).all()
    url = references[0].get("serviceUrl") if references else None
    return url if isinstance(url, str) and url else None


def person_by_teams_id(session: Session, aad_object_id: str) -> Person | None:
    return session.exec(select(Person).where(Person.teams_user_id == aad_object_id.lower())).first()


def link_teams(session: Session, email: str, aad_object_id: str) -> Person | None:
    """The roster person with `email`, now tied to the Teams (AAD) id; None if unknown or tied to another id.

    An e-mail alone never names a person: without the AAD object id (which Bot Framework's token vouches
    for) anyone who can reach the endpoint could claim any address.
    """
    person = person_by_email(session, email)
    aad = aad_object_id.strip().lower()
    if person is None or not aad:
        return None
    if person.teams_user_id and person.teams_user_id != aad:
        return None
    person.teams_user_id = aad
    return person
