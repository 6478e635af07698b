"""The year report in the chat: the coordinator asks for the "årsrapport" and gets the HTML page as a file."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from bot.console import render, run_chat
from dialogs.engine import Dialogs
from dialogs.types import FileReply, Reply, TextReply, attachments_of, buttons_of, dump_replies, load_replies
from storage.directory import person_by_email

COORDINATOR = "kalle.forsberg@example.org"
FILENAME = "arsrapport-vasterbotten-2026-27.html"


def test_the_coordinator_gets_the_year_report_saved_by_the_console(
    dialogs: Dialogs, demo: sa.Engine, tmp_path: Path
) -> None:
    with Session(demo) as s:
        kalle = person_by_email(s, COORDINATOR)
    assert kalle is not None
    lines = iter(["Kan jag få årsrapporten?"])
    written: list[str] = []
    assert run_chat(dialogs, kalle.id, lambda: next(lines, None), written.append, files=tmp_path) == 1
    saved = tmp_path / FILENAME
    html = saved.read_text(encoding="utf-8")
    assert "<title>Årsrapport Västerbotten, läsåret 2026/27</title>" in html and html.count("<svg") == 5
    assert "varav 12 hållna hittills" in html  # 23 November 2026: September's network day is held
    (answer,) = written
    assert answer.startswith("Årsrapporten för Västerbotten 2026/27: en webbsida med diagram och karta.")
    assert f"[Årsrapport Västerbotten 2026/27: {saved.resolve()}]" in answer


def test_the_report_is_in_the_coordinators_help(chat_as) -> None:
    replies = chat_as(COORDINATOR).say("hjälp")
    (button,) = [b for b in buttons_of(replies) if b.label == "Årsrapport"]
    replies = chat_as(COORDINATOR).click(button)
    assert isinstance(replies[0], TextReply) and isinstance(replies[1], FileReply)


def test_a_file_travels_through_the_outbox_as_an_attachment() -> None:
    file = FileReply(filename="a.html", media_type="text/html; charset=utf-8", description="A", content="<p>å</p>")
    replies: list[Reply] = [TextReply(text="Här"), file]
    assert load_replies(dump_replies(replies)) == replies
    rest, files = attachments_of(replies)
    assert rest == [TextReply(text="Här")]
    assert files == [{"filename": "a.html", "description": "A", "media_type": file.media_type, "content": "<p>å</p>"}]
    assert render(replies) == "Här\n[A: a.html]"  # not saved: its name
    assert buttons_of([file]) == []  # a file has no buttons


def test_the_status_is_exported_as_a_csv_file_from_the_status_card(chat_as) -> None:
    """The status card's "Som CSV-fil": the same rows as `amneslag status --format csv`, as a file in the chat."""
    import csv
    import io

    kalle = chat_as(COORDINATOR)
    (button,) = [b for b in buttons_of(kalle.say("status")) if b.label == "Som CSV-fil"]
    lead, file = kalle.click(button)
    assert isinstance(lead, TextReply) and lead.text == "Läget i Västerbotten läsåret 2026/27, en rad per ämneslag:"
    assert isinstance(file, FileReply) and file.filename == "status-vasterbotten-2026-27.csv"
    assert file.media_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(file.content)))
    assert len(rows) == 12 and {r["region"] for r in rows} == {"Västerbotten"}
    assert "Bild, form och skapande" in {r["team"] for r in rows}


def test_the_status_of_another_school_year_is_asked_by_writing_it(chat_as, demo: sa.Engine) -> None:
    from dialogs.types import CardReply
    from storage import schoolyear
    from storage.db import session_scope

    with session_scope(demo) as s:
        schoolyear.get_or_create(s, "2025/26")  # last year, as the bot would have it
    kalle = chat_as(COORDINATOR)
    (card, *_) = [r for r in kalle.say("status 2025/26") if isinstance(r, CardReply)]
    assert card.title == "Status Västerbotten, läsåret 2025/26"
    assert kalle.say("status 2031/32")[0] == TextReply(text="Jag har inget om läsåret 2031/32.")
