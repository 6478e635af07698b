"""What a person does to finish a task in a chat, counted as the flow tests drive it.

A click is a button pressed (a modal's submit or a card's button too); a pick is a choice in a picker or a
list (a date, a time, a select, a tick box changed); a typed field is a message written or a text field
filled. The flow tests of Slack (tests/slack/test_flows.py) and Teams (tests/teams/test_flows.py) count
into `TALLIES`; benchmarks/clicks.py runs them and prints the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

TASKS = ("report absence", "schedule a meeting and send the notice", "log notes", "attendance", "cost")


@dataclass
class Tally:
    clicks: int = 0
    picks: int = 0
    typed: int = 0

    def __iter__(self) -> Iterator[int]:
        return iter((self.clicks, self.picks, self.typed))


TALLIES: dict[tuple[str, str], Tally] = {}


def tally(platform: str, task: str) -> Tally:
    """A fresh count for `task` in `platform` ("slack" or "teams"), kept in `TALLIES`."""
    assert task in TASKS, task
    TALLIES[(platform, task)] = Tally()
    return TALLIES[(platform, task)]
