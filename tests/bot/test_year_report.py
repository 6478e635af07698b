"""`amneslag report`: the year report as one self-contained HTML page, opened in headless Chromium.

The page must render with no console error and ask nothing of the network (every request that is not the file
itself is aborted and counted), each chart must be there as SVG, labelled and described in Swedish, and the
test keeps a screenshot (under pytest's temporary directory). Chromium is Debian's (`/usr/bin/chromium`,
installed by `.ci/run`, where a missing browser fails the test rather than skipping it); playwright's own browser
download is not used.
"""

from __future__ import annotations

import datetime as dtm
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.cli import main
from bot.config import get_settings
from storage import schoolyear
from storage.db import session_scope
from storage.models import Meeting, Membership, Person, School, Team
from storage.seed import seed_region

CHROMIUM = Path("/usr/bin/chromium")
END_OF_YEAR = "2027-06-15T12:00:00+02:00"  # every demo meeting of 2026/27 has been held
CHARTS = ("meetings", "kinds", "attendance", "trips", "map")


def _report(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], out: Path, *argv: str) -> str:
    env.setenv("AMNESLAG_NOW", END_OF_YEAR)
    get_settings.cache_clear()
    code = main(["report", *argv, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert str(out) in captured.out
    return out.read_text(encoding="utf-8")


@pytest.fixture
def report_file(env: pytest.MonkeyPatch, demo: sa.Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    """The demo region's year report 2026/27, made by the command line as of 15 June 2027."""
    out = tmp_path / "arsrapport.html"
    _report(env, capsys, out)
    return out


def test_the_report_is_self_contained(report_file: Path) -> None:
    html = report_file.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="sv">' in html
    assert "<title>Årsrapport Västerbotten, läsåret 2026/27</title>" in html
    # nothing is fetched: no script, no external source or link, not even a namespace URL
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"https?://", html), re.findall(r"https?://\S{0,40}", html)
    assert "@import" not in html and "url(http" not in html
    assert html.count("<svg") == len(CHARTS)
    # each chart's ids are its own, so the charts do not steal each other's glyphs and clips
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    # Swedish headings, a caption and a table of the figures for every chart
    for heading in (
        "Träffar per ämneslag mot målet",
        "Fysiska och digitala träffar",
        "Närvaro per skola",
        "Längsta resan per träff mot målet för resor",
        "Var skolorna ligger",
    ):
        assert f">{heading}</h2>" in html
    assert html.count("<figcaption") == len(CHARTS) and html.count("<table>") == len(CHARTS)
    assert "12 av 12 ämneslag når målet" in html
    assert "Ingen ska behöva resa mer än 40\u00a0mil tur och retur" in html


def test_the_year_defaults_to_the_current_one_and_a_bad_one_is_refused(
    env: pytest.MonkeyPatch, demo: sa.Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    html = _report(env, capsys, tmp_path / "a.html", "--region", "vasterbotten", "--year", "2026/27")
    assert "läsåret 2026/27" in html
    code = main(["report", "--year", "2026", "--out", str(tmp_path / "b.html")])
    assert code == 1 and "läsåret ska skrivas som 2025/26" in capsys.readouterr().err
    code = main(["report", "--out", str(tmp_path / "nowhere" / "c.html")])
    assert code == 1 and "finns inte" in capsys.readouterr().err
    assert not (tmp_path / "b.html").exists()


def test_a_region_without_goals_gets_no_goal_lines(
    env: pytest.MonkeyPatch, engine: sa.Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Sjuhärad's framework sets no meeting or travel goal: its networks' meetings and trips are shown as they
    are, measured against nothing."""
    with session_scope(engine) as s:
        region = seed_region(s, "sjuharad").region
        network = s.exec(select(Team).where(Team.region_id == region.id, Team.kind == "teacher_network")).one()
        schools = {
            school.municipality: school for school in s.exec(select(School).where(School.region_id == region.id))
        }
        year = schoolyear.get_or_create(s, "2026/27")
        teacher = Person(
            email="larare@sjuharad.example.org", name="L", region_id=region.id or 0, school_id=schools["Tranemo"].id
        )
        s.add(teacher)
        s.flush()
        assert network.id is not None and year.id is not None and teacher.id is not None
        s.add(Membership(person_id=teacher.id, school_year_id=year.id, team_id=network.id))
        starts = dtm.datetime(2026, 10, 8, 7, 0, tzinfo=dtm.UTC)
        s.add(
            Meeting(
                team_id=network.id,
                school_year_id=year.id,
                starts_at=starts,
                ends_at=starts + dtm.timedelta(hours=4),
                kind="physical",
                host_school_id=schools["Vårgårda"].id,
                place=schools["Vårgårda"].name,
            )
        )
    html = _report(env, capsys, tmp_path / "sh.html", "--region", "sjuharad", "--year", "2026/27")
    assert "Regionens ramverk sätter inget mål för antalet träffar eller för resorna." in html
    assert "Mål:" not in html and "Målet" not in html and "mot målet" not in html and "Minst 1 fysisk" not in html
    assert ">Träffar per nätverk</h2>" in html and "regionen sätter inget mål för dem" in html
    assert ">Längsta resan per träff</h2>" in html and "Regionen sätter inget mål för resorna." in html
    assert "Inom målet" not in html
    assert html.count("<svg") == 5


def test_matplotlib_is_loaded_only_by_the_report() -> None:
    """Starting the command line or the dialogs does not load Matplotlib (time and memory at start)."""
    code = "import sys, bot.cli, dialogs.app, dialogs.year_report; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium: skipped with the reason where it is not installed, but never in CI (`.ci/run` installs
    it and sets AMNESLAG_TEST_REQUIRE_CHROMIUM=1, so a missing browser fails there)."""
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("AMNESLAG_TEST_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


def test_the_report_renders_in_chromium_without_errors_or_requests(
    chromium: Path, report_file: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import Request, Route, sync_playwright

    url = report_file.as_uri()
    errors: list[str] = []
    requested: list[str] = []

    def only_the_file(route: Route) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    def seen(request: Request) -> None:
        if request.url != url:
            requested.append(request.url)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 800, "height": 1000})
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", seen)
            page.route("**/*", only_the_file)
            page.goto(url, wait_until="load")
            assert page.title() == "Årsrapport Västerbotten, läsåret 2026/27"
            for chart in CHARTS:
                svg = page.locator(f"section#{chart} figure svg")
                assert svg.count() == 1, chart
                box = svg.bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100, (chart, box)
                assert svg.get_attribute("role") == "img"
                heading = page.locator(f"#{svg.get_attribute('aria-labelledby')}")
                assert heading.inner_text().strip(), chart
                caption = page.locator(f"#{svg.get_attribute('aria-describedby')}")
                assert caption.locator("table tbody tr").count() > 0, chart
                assert svg.locator("path").count() > 10, chart  # drawn: bars, glyphs, points
            page.screenshot(path=str(tmp_path / "year-report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert sorted(set(requested)) == []
    assert (tmp_path / "year-report.png").stat().st_size > 50_000
