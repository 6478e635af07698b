"""The console channel: neutral replies as plain text with numbered choices, read line by line.

Buttons are numbered across a turn's replies in the order shown; the engine accepts the number or the
button's words as an answer. Piped input gets no prompt, one reply block per line, and ends at EOF. A file
(the year report) is saved in the chat's directory and shown as its path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path

from dialogs.engine import Dialogs
from dialogs.types import CardReply, ChoicesReply, FileReply, FormReply, Incoming, Reply, TextReply


def save_files(replies: list[Reply], directory: Path) -> dict[int, Path]:
    """Write each file of the replies into `directory` (an earlier file of the same name is replaced); where
    each went, by the reply's position."""
    saved: dict[int, Path] = {}
    for index, reply in enumerate(replies):
        if isinstance(reply, FileReply):
            path = directory / Path(reply.filename).name  # never outside the directory
            path.write_text(reply.content, encoding="utf-8")
            saved[index] = path.resolve()
    return saved


def render(replies: list[Reply], saved: dict[int, Path] | None = None) -> str:
    """Plain text of the replies; buttons numbered 1, 2, … across all of them; a file as where it was saved."""
    lines: list[str] = []
    number = 0

    def buttons(labels: Iterable[str]) -> None:
        nonlocal number
        for label in labels:
            number += 1
            lines.append(f"  {number}. {label}")

    for index, reply in enumerate(replies):
        if isinstance(reply, TextReply):
            lines.append(reply.text)
        elif isinstance(reply, FileReply):
            where = (saved or {}).get(index)
            lines.append(f"[{reply.description}: {where if where is not None else reply.filename}]")
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
    files: Path | None = None,
) -> int:
    """Answer each line until `read_line` gives None (end of input); returns the number of turns.

    Files the bot gives are saved in `files` (default: the working directory).

    One event loop serves the whole chat, for the language model's client when one is configured.
    """
    turns = 0
    loop = asyncio.new_event_loop()
    try:
        while (line := read_line()) is not None:
            incoming = Incoming(person_id=person_id, channel="console", conversation_id=conversation_id, text=line)
            replies = loop.run_until_complete(dialogs.respond(incoming))
            write(render(replies, save_files(replies, files or Path.cwd())) + "\n\n")
            turns += 1
    finally:
        loop.close()
    return turns
