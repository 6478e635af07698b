"""The Agents Playground's own web page, in Debian's Chromium: a teacher reports absence and a leader plans a
meeting by clicking and picking, as people do in Teams. Each answer is one bubble, a pressed button changes
its card in place, and no card fails to render.

The playground (npm, `tests/teams/js`) serves its page and plays the Bot Connector; it needs no network (the
Office fonts it asks a CDN for fail here, harmlessly). Skipped where node or Chromium is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from sqlmodel import select

from bot.cli import link_playground_user
from bot.teams.playground import PLAYGROUND_USER_AAD, playground
from storage.db import session_scope
from storage.models import Person
from tests.bot.test_year_report import chromium  # noqa: F401  (the fixture)
from tests.teams.conftest import start
from tests.teams.test_playground import _free_port, _up

BOT_MESSAGES = '[aria-label="Message author"]:has-text("Test Bot")'


@pytest.fixture
async def page(demo: sa.Engine, node_tools: Path, chromium: Path, tmp_path: Path, monkeypatch) -> AsyncIterator[Any]:  # noqa: F811
    """The playground's page, its user the demo teacher (a test may give the id to someone else before loading)."""
    from playwright.async_api import async_playwright

    with session_scope(demo) as s:
        link_playground_user(s)
    monkeypatch.setenv("M365_AGENTS_PLAYGROUND_LOGFILE", str(tmp_path / "playground.log"))
    bot_port, pg_port = _free_port(), _free_port()
    command = node_tools / "node_modules" / ".bin" / "agentsplayground"
    _, _, app = await start(demo, extra=[playground(command, f"http://127.0.0.1:{bot_port}/api/messages", pg_port)])
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", bot_port).start()
    base = f"http://127.0.0.1:{pg_port}"
    try:
        await _up(f"{base}/_debug/ping")
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
            try:
                tab = await browser.new_page(viewport={"width": 1200, "height": 1400})
                tab.set_default_timeout(20_000)
                tab.base = base  # type: ignore[attr-defined]
                tab.shots = tmp_path  # type: ignore[attr-defined]
                yield tab
            finally:
                await browser.close()
    finally:
        await runner.cleanup()


async def _bubbles(page: Any) -> int:
    return int(await page.locator(BOT_MESSAGES).count())


async def _press(page: Any, title: str) -> None:
    """Press the button `title` on the newest card (a card changed in place keeps its place)."""
    await page.locator(".ac-adaptiveCard").last.get_by_role("button", name=title, exact=True).click()


async def _shows(page: Any, text: str) -> None:
    await page.locator(".ac-adaptiveCard").last.get_by_text(text).first.wait_for()


async def _write(page: Any, text: str) -> None:
    box = page.get_by_role("textbox").last  # the compose box
    await box.click()
    await page.keyboard.type(text)
    await page.keyboard.press("Enter")


async def _healthy(page: Any, name: str) -> None:
    await page.screenshot(path=str(page.shots / f"{name}.png"), full_page=True)
    assert await page.get_by_text("Unable to render card").count() == 0


async def test_a_teacher_reports_absence_by_clicking_in_the_playground(page: Any) -> None:
    await page.goto(page.base)
    await _shows(page, "Hej Alva! Det här kan jag hjälpa dig med:")  # the welcome on install
    assert await _bubbles(page) == 1
    await _press(page, "Anmäl frånvaro")
    await _shows(page, "Vilken träff missar du?")  # the form, in the menu's place
    await page.locator(".ac-adaptiveCard").last.get_by_role("combobox").click()  # Fluent's dropdown
    await page.get_by_role("option", name="torsdag 11 februari kl. 09.00").click()
    await _press(page, "Anmäl frånvaro")
    await _shows(page, "Klart: din frånvaro från träffen i Bild, form och skapande")
    assert await _bubbles(page) == 1  # two presses, no new bubble: the card changed in place
    await _healthy(page, "absence")


async def test_a_leader_plans_a_meeting_with_pickers_and_sends_the_notice_in_the_playground(
    page: Any, demo: sa.Engine
) -> None:
    with session_scope(demo) as s:
        teacher = s.exec(select(Person).where(Person.teams_user_id == PLAYGROUND_USER_AAD)).one()
        teacher.teams_user_id = None
        s.flush()
        leader = s.exec(select(Person).where(Person.email == "jonas.sundqvist@example.org")).one()
        leader.teams_user_id = PLAYGROUND_USER_AAD
    await page.goto(page.base)
    await _shows(page, "Hej Jonas!")
    await _write(page, "planera en träff")
    await _shows(page, "Ange datumet för träffen")
    assert await _bubbles(page) == 2  # the welcome, and one for the answer
    card = page.locator(".ac-adaptiveCard").last
    await card.get_by_role("combobox").fill("3/11/2027")  # Fluent's date picker takes a typed date too
    await card.get_by_role("combobox").press("Tab")
    await _press(page, "Välj datumet")
    await _shows(page, "Ska ni träffas på plats eller digitalt?")
    await _press(page, "Fysisk träff")
    await _press(page, "Lycksele Musikskola")
    await _shows(page, "Vilken tid?")
    times = page.locator(".ac-adaptiveCard").last.get_by_role("combobox")  # Fluent's time pickers
    for index, wanted in ((0, "1:00 PM"), (1, "4:00 PM")):
        await times.nth(index).click()
        await page.get_by_role("option", name=wanted, exact=True).click()
    await _press(page, "Välj tiden")
    await _shows(page, "Spara den här träffen?")
    await _press(page, "Spara träffen")
    await _shows(page, "Sparad: Bild, form och skapande träffas torsdag 11 mars kl. 13.00.")
    await _press(page, "Skicka kallelse nu")
    await _shows(page, "Skicka kallelsen för Bild, form och skapande?")
    await _press(page, "Skicka kallelse nu")
    from playwright.async_api import expect

    cards = page.locator(".ac-adaptiveCard")
    await cards.filter(has_text="Skickat: kallelsen till träffen torsdag 11 mars kl. 13.00 gick till").wait_for()
    # Jonas is a member of his own team: his notice and its invitation come as bubbles of their own, from the
    # outbox meanwhile. Four in all: the welcome, the card the eight presses and picks changed, the notice, the file.
    await cards.filter(has_text="Kallelse: Bild, form och skapande träffas torsdag 11 mars").wait_for()
    await expect(page.locator(BOT_MESSAGES)).to_have_count(4)
    await _healthy(page, "meeting")
