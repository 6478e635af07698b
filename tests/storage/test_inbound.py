"""The inbox's claims: each costs an attempt of the event claimed, so a crash costs only the event under way."""

from __future__ import annotations

import datetime as dtm

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.inbound import MAX_ATTEMPTS, claim_stale, receive
from storage.models import InboxEvent, utcnow

MINUTE = dtm.timedelta(minutes=1)


def test_a_crash_during_recovery_costs_only_the_event_under_way_an_attempt(engine: sa.Engine) -> None:
    for number in range(3):
        assert receive(engine, "slack", f"Ev{number}", {"n": number}, lease=dtm.timedelta(0)) is not None
    start = utcnow()
    for crash in range(MAX_ATTEMPTS):  # each recovery claims an event, and its process dies at once
        claim_stale(engine, now=start + 2 * crash * MINUTE, lease=MINUTE, sources={"slack"})
    with Session(engine) as s:
        events = {e.inbound_id: (e.status, e.attempts) for e in s.exec(select(InboxEvent)).all()}
    assert events["Ev0"] == ("failed", MAX_ATTEMPTS + 1)  # received, tried on 4 starts, given up on the 5th
    assert events["Ev1"] == ("pending", 1) and events["Ev2"] == ("pending", 1)  # never started: nothing lost


def test_only_the_sources_served_are_claimed(engine: sa.Engine) -> None:
    receive(engine, "teams", "a1", {"type": "message"}, lease=dtm.timedelta(0))
    assert claim_stale(engine, now=utcnow() + MINUTE, lease=MINUTE, sources={"slack"}) == []
    (claimed,) = claim_stale(engine, now=utcnow() + MINUTE, lease=MINUTE, sources={"teams"})
    assert claimed.source == "teams"
