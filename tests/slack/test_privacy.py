"""Privacy through Slack: "vad vet du om mig?" as Block Kit, and an erased person is a stranger again."""

from __future__ import annotations

import json

from domain.privacy import erase_person
from storage.db import session_scope
from tests.dialogs.conftest import NOW
from tests.slack.conftest import Slack


async def test_what_do_you_know_about_me_and_erasure(slack: Slack) -> None:
    await slack.dm("U0ALVA", "Vad vet du om mig?")
    (posted,) = await slack.api.wait_for("chat.postMessage")
    blocks = json.dumps(posted["blocks"], ensure_ascii=False)
    assert "Det här vet jag om dig" in blocks and "alva.jonsson@example.org" in blocks
    assert "Så länge sparar jag det" in blocks and "Begär radering" in blocks

    with session_scope(slack.db) as s:
        erase_person(s, "alva.jonsson@example.org", now=NOW)
    await slack.dm("U0ALVA", "Vad vet du om mig?", event_id="Ev0002")
    posted = (await slack.api.wait_for("chat.postMessage", 2))[-1]
    text = json.dumps(posted["blocks"], ensure_ascii=False)
    assert "Jag känner inte igen dig" in text and "alva" not in text.lower()
