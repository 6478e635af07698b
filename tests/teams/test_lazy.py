"""A server that does not serve Teams loads botbuilder only when a Teams message is due."""

from __future__ import annotations

import subprocess
import sys

from bot.teams.lazy import LazyTeamsSender
from storage.outbox import Delivery


class Recorder:
    channel = "teams"

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, delivery: Delivery) -> None:
        self.sent.append(delivery.id)


async def test_the_real_sender_is_made_at_the_first_teams_message_and_kept() -> None:
    made: list[Recorder] = []

    def make() -> Recorder:
        made.append(Recorder())
        return made[-1]

    lazy = LazyTeamsSender(make)
    assert made == []
    for message_id in (1, 2):
        await lazy.send(Delivery(message_id, "teams", "reply", {}, 1, None))
    assert len(made) == 1 and made[0].sent == [1, 2]


def test_the_server_module_and_the_slack_side_load_no_botbuilder_and_parse_no_sql_stack() -> None:
    probe = (
        "import sys, bot.server, bot.slack.app, bot.teams.lazy, bot.cli;"
        "print(sorted(m for m in ('botbuilder', 'openai') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
    parse = "import sys, bot.cli; bot.cli.main(['parse', 'hjälp']); print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", parse], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"
