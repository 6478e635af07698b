"""The console channel: neutral replies as plain text with numbered choices, read line by line.

Buttons are numbered across a turn's replies in the order shown; the engine accepts the number or the
button's words as an answer. Piped input gets no prompt, one reply block per line, and ends at EOF.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from dialogs.engine import Dialogs
from dialogs.types import CardReply, ChoicesReply, FormReply, Incoming, Reply, TextReply


def render(replies: list[Reply]) -> str:
    """Plain text of the replies; buttons numbered 1, 2, … across all of them."""
    lines: list[str] = []
    number = 0

    def buttons(labels: Iterable[str]) -> None:
        nonlocal number
        for label in labels:
            number += 1
            lines.append(f"  {number}. {label}")

    for reply in replies:
        if isinstance(reply, TextReply):
            lines.append(reply.text)
        elif isinstance(reply, ChoicesReply):
            lines.append(reply.text)
            buttons(b.label for b in reply.buttons)
        elif isinstance(reply, CardReply):
            lines.append(f"== {reply.title} ==")
            width = max((len(label) for label, _ in reply.facts), default=0)
            lines.extend(f"{label.ljust(width)}  {value}" for label, value in reply.facts)
            if reply.text:
                lines.append(reply.text)
            buttons(b.label for b in reply.buttons)
        elif isinstance(reply, FormReply):
            lines.append(f"== {reply.title} ==")
            for f in reply.fields:
                lines.append(f"- {f.label}")
                if f.kind == "checks":  # the ticks as they stand; the buttons after the form change them
                    on = set((f.value or "").split(","))
                    lines.extend(f"    [{'x' if value in on else ' '}] {label}" for value, label in f.options)
    return "\n".join(lines)


def run_chat(
    dialogs: Dialogs,
    person_id: int | None,
    read_line: Callable[[], str | None],
    write: Callable[[str], None],
    conversation_id: str = "console",
) -> int:
    """Answer each line until `read_line` gives None (end of input); returns the number of turns.

    One event loop serves the whole chat, for the language model's client when one is configured.
    """
    turns = 0
    loop = asyncio.new_event_loop()
    try:
        while (line := read_line()) is not None:
            incoming = Incoming(person_id=person_id, channel="console", conversation_id=conversation_id, text=line)
            write(render(loop.run_until_complete(dialogs.respond(incoming))) + "\n\n")
            turns += 1
    finally:
        loop.close()
    return turns
