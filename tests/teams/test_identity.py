"""Who writes: the roster person whose address is the e-mail or the UPN that the Bot Connector's member lookup gives."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from storage.models import ConversationAddress, Person
from tests.teams.conftest import MEMBERS, OTHER, SOFIA, Teams, card_of, texts_of


async def test_an_alias_e_mail_with_the_roster_address_as_upn_is_recognised(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(MEMBERS, SOFIA.id, SOFIA)
    await teams.say(SOFIA, "hjälp")
    ((_, reply),) = await teams.connector.wait_for(1)
    assert texts_of(card_of(reply))[0].startswith("Hej Sofia!")
    assert teams.connector.lookups == [SOFIA.id]
    with Session(teams.db) as s:
        sofia = s.exec(select(Person).where(Person.email == "sofia.dahlberg@example.org")).one()
        assert sofia.teams_user_id == SOFIA.aad  # tied to her AAD object id, as anyone else
        assert s.exec(select(ConversationAddress).where(ConversationAddress.person_id == sofia.id)).one()


async def test_neither_the_e_mail_nor_the_upn_in_the_roster_names_nobody(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(MEMBERS, OTHER.id, OTHER)
    await teams.say(OTHER, "hjälp")
    ((_, reply),) = await teams.connector.wait_for(1)
    assert texts_of(card_of(reply))[0].startswith("Hej! Jag känner inte igen dig")
    with Session(teams.db) as s:
        assert s.exec(select(ConversationAddress)).all() == []
        assert s.exec(select(Person).where(Person.teams_user_id == OTHER.aad)).all() == []


async def test_a_upn_without_an_aad_object_id_names_nobody(teams: Teams, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(MEMBERS, SOFIA.id, SOFIA)
    activity = teams.activity(SOFIA, text="hjälp")
    del activity["from"]["aadObjectId"]
    await teams.post(activity)
    ((_, reply),) = await teams.connector.wait_for(1)
    assert texts_of(card_of(reply))[0].startswith("Hej! Jag känner inte igen dig")
    assert teams.connector.lookups == []  # not even looked up
    with Session(teams.db) as s:
        assert s.exec(select(Person).where(Person.email == "sofia.dahlberg@example.org")).one().teams_user_id is None
