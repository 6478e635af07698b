"""What the sender of a message is told when it cannot be delivered: true to the channel that failed."""

from __future__ import annotations

import pytest

from dialogs.i18n import Translator
from dialogs.notify import undeliverable_text
from storage.models import OutboxMessage, Person

ANN = Person(id=7, email="ann.ek@example.org", name="Ann Ek", region_id=1)


@pytest.mark.parametrize(
    ("channel", "refused", "said"),
    [
        (
            "slack",
            True,
            "Jag kunde inte leverera kallelsen till Ann Ek i Slack: Slack låter mig inte skriva till hen (hen har "
            "kanske aldrig öppnat en chatt med mig, eller så är kontot avslutat).",
        ),
        (
            "teams",
            False,
            "Jag kunde inte leverera kallelsen till Ann Ek i Teams: Teams tog inte emot det, fast jag försökte flera "
            "gånger. Berätta det själv för hen; en administratör kan skicka det igen senare.",
        ),
        ("email", True, "Jag kunde inte leverera kallelsen till Ann Ek: e-postadressen ann.ek@example.org gick inte"),
        ("email", False, "Jag kunde inte skicka kallelsen till Ann Ek med e-post: e-postservern tog inte emot det"),
    ],
)
def test_the_sentence_names_the_channel_that_failed(channel: str, refused: bool, said: str) -> None:
    message = OutboxMessage(channel=channel, kind="meeting_notice", payload={}, recipient_id=7)
    text = undeliverable_text(Translator("sv"), message, ANN, refused)
    assert text.startswith(said)
    assert "Teams eller Slack" not in text  # never both chats named for the one that failed
