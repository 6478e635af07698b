"""The outbox's Teams sender for a server that does not serve Teams: botbuilder is loaded at the first Teams message.

Messages to Teams can wait in the outbox of an instance that does not serve `/api/messages` (a reminder to
someone whose Teams chat was stored earlier). They are sent as before; only the SDK, its import time and its
memory, wait until there is one to send.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from storage.outbox import Delivery

if TYPE_CHECKING:
    from bot.outbox import Sender


class LazyTeamsSender:
    """Builds the real sender (`make`) when the first Teams message is due, then hands every message to it."""

    channel = "teams"

    def __init__(self, make: Callable[[], Sender]):
        self._make = make
        self._sender: Sender | None = None

    async def send(self, delivery: Delivery) -> None:
        if self._sender is None:
            self._sender = self._make()
        await self._sender.send(delivery)
