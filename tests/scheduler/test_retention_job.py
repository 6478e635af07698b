"""The daily retention job: registered next to the sweep, run off the event loop, never fatal."""

from __future__ import annotations

import datetime as dtm

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.config import Settings
from domain.retention import RetentionSettings
from scheduler.timing import JOB_ID, RETENTION_HOURS, RETENTION_JOB_ID, run_retention, start_scheduler
from storage.db import session_scope
from storage.models import DialogState, Person

NOW = dtm.datetime(2026, 11, 23, 9, 0, tzinfo=dtm.UTC)
FAR = dtm.datetime(2099, 1, 1, tzinfo=dtm.UTC)  # so that nothing actually runs while the test looks


async def test_the_scheduler_runs_retention_daily(engine: sa.Engine) -> None:
    scheduler = start_scheduler(engine, 15, clock=lambda: FAR, retention=RetentionSettings.model_construct())
    try:
        job = scheduler.get_job(RETENTION_JOB_ID)
        assert job is not None and job.next_run_time == FAR
        assert job.trigger.interval == dtm.timedelta(hours=RETENTION_HOURS)
        assert scheduler.get_job(JOB_ID) is not None
    finally:
        scheduler.shutdown(wait=False)
    without = start_scheduler(engine, 15, clock=lambda: FAR)
    try:
        assert without.get_job(RETENTION_JOB_ID) is None
    finally:
        without.shutdown(wait=False)


async def test_a_retention_run_deletes_and_a_failure_is_only_logged(region, engine: sa.Engine, caplog) -> None:
    with session_scope(engine) as s:
        person = Person(email="x@example.org", name="X", region_id=region.id)
        s.add(person)
        s.flush()
        s.add(DialogState(person_id=person.id or 0, conversation_key="k", updated_at=NOW - dtm.timedelta(days=31)))
    report = await run_retention(engine, RetentionSettings.model_construct(), clock=lambda: NOW)
    assert report is not None and report.deleted["dialog_state"] == 1
    with Session(engine) as s:
        assert s.exec(select(DialogState)).all() == []
    assert (
        await run_retention(engine, RetentionSettings.model_construct(), clock=lambda: NOW.replace(tzinfo=None)) is None
    )
    assert "retention failed" in caplog.text


def test_the_periods_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMNESLAG_RETAIN_ABSENCES_MONTHS", "24")
    monkeypatch.setenv("AMNESLAG_RETAIN_OUTBOX_DAYS", "30")
    monkeypatch.setenv("AMNESLAG_RETAIN_DIALOG_DAYS", "7")
    monkeypatch.setenv("AMNESLAG_RETAIN_AUDIT_YEARS", "5")
    settings = Settings()
    assert (
        settings.retain_absences_months,
        settings.retain_outbox_days,
        settings.retain_dialog_days,
        settings.retain_audit_years,
    ) == (24, 30, 7, 5)
    monkeypatch.setenv("AMNESLAG_RETAIN_AUDIT_YEARS", "0")
    with pytest.raises(ValueError):
        Settings()
