"""AMNESLAG_NOW: one instant every command takes as now, so a school year can be played in the console."""

from __future__ import annotations

import datetime as dtm
import io
import json

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from bot.cli import main
from bot.config import Settings
from bot.outbox import LogSender, OutboxWorker
from bot.server import CLOCK, create_app
from scheduler.timing import JOB_ID, start_scheduler


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _settings(monkeypatch: pytest.MonkeyPatch, now: str | None) -> Settings:
    if now is None:
        monkeypatch.delenv("AMNESLAG_NOW", raising=False)
    else:
        monkeypatch.setenv("AMNESLAG_NOW", now)
    return Settings(_env_file=None)


def test_the_setting_is_an_instant_and_local_time_without_an_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = _settings(monkeypatch, "2027-05-03T08:00:00+02:00")
    assert fixed.clock()() == dtm.datetime(2027, 5, 3, 6, 0, tzinfo=dtm.UTC)
    assert fixed.clock()() == fixed.clock()()  # it stands still
    local = _settings(monkeypatch, "2027-01-15T08:00")
    assert local.clock()() == dtm.datetime(2027, 1, 15, 7, 0, tzinfo=dtm.UTC)
    real = _settings(monkeypatch, None).clock()()
    assert abs(real - dtm.datetime.now(dtm.UTC)) < dtm.timedelta(minutes=1)
    with pytest.raises(ValidationError):
        _settings(monkeypatch, "i morgon")


def test_parse_takes_today_from_it(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("AMNESLAG_NOW", "2027-05-10T10:00:00+02:00")
    code, out, _ = run(capsys, "parse", "jag", "kan", "inte", "komma", "imorgon")
    assert code == 0 and json.loads(out)["slots"] == {"date": "2027-05-11"}


@pytest.mark.usefixtures("demo")
def test_status_remind_and_chat_take_it_as_now(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("AMNESLAG_NOW", "2027-02-15T10:00:00+01:00")  # a Monday in the demo's school year 2026/27
    code, out, _ = run(capsys, "status", "--format", "json")
    assert code == 0 and json.loads(out)["school_year"] == "2026/27"

    code, out, err = run(capsys, "remind", "--dry-run")
    assert code == 0 and "per 2027-02-15T10:00:00+01:00" in err

    env.setattr("sys.stdin", io.StringIO("när är nästa träff?\n"))
    assert main(["chat", "--as", "alva.jonsson@example.org"]) == 0
    out = capsys.readouterr().out
    assert "torsdag 8 april" in out and "11 februari" not in out  # February's meeting is over by then

    assert run(capsys, "gdpr", "hold", "add", "meeting", "1", "--reason", "arkivbeslut", "--by", "Kalle")[0] == 0
    code, out, _ = run(capsys, "gdpr", "hold", "list")
    assert code == 0 and "2027-02-15T09:00:00+00:00" in out  # placed at the clock's instant


def test_a_bad_instant_is_one_line(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("AMNESLAG_NOW", "snart")
    code, _, err = run(capsys, "status")
    assert code == 1 and err.startswith("amneslag: felaktig inställning: AMNESLAG_NOW") and err.count("\n") == 1


async def test_serve_sweeps_as_of_the_clock_but_on_real_time(engine: sa.Engine) -> None:
    """In `serve` the scheduler runs on real time (a clock standing in 2027 must not wait for 2027)."""
    standing = dtm.datetime(2027, 5, 3, 6, 0, tzinfo=dtm.UTC)
    first = dtm.datetime(2099, 1, 1, tzinfo=dtm.UTC)  # so that nothing actually runs while the test looks
    worker = OutboxWorker(engine, [LogSender()], poll_seconds=3600)
    app = create_app(engine, worker, sweep_minutes=15, clock=lambda: standing)
    assert app[CLOCK]() == standing
    scheduler = start_scheduler(engine, 15, clock=app[CLOCK], first_run=first)
    try:
        job = scheduler.get_job(JOB_ID)
        assert job is not None and job.next_run_time == first and job.args[1]() == standing
    finally:
        scheduler.shutdown(wait=False)
