"""The suite-wide log check (tests/conftest.py) sees what it should: roster e-mails and names at INFO or above."""

from __future__ import annotations

import logging
import sys

from tests.conftest import ROSTER_IDENTITIES, _PersonalDataInLogs


def _check(level: int, message: str, *args: object) -> list[str]:
    """What the check finds in one record logged at `level`."""
    handler = _PersonalDataInLogs()
    logger = logging.getLogger("tests.log_check")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        logger.log(level, message, *args)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return handler.offending


def test_the_roster_is_known() -> None:
    assert "alva.jonsson@example.org" in ROSTER_IDENTITIES and "alva jonsson" in ROSTER_IDENTITIES
    assert len(ROSTER_IDENTITIES) >= 140


def test_emails_and_names_at_info_or_above_are_caught() -> None:
    assert _check(logging.INFO, "sent to %s", "Alva.Jonsson@example.org")
    assert _check(logging.WARNING, "could not reach Alva Jonsson")
    assert _check(logging.ERROR, "boom") == []


def test_an_exception_text_is_checked_too() -> None:
    handler = _PersonalDataInLogs()
    try:
        raise ValueError("duplicate key alva.jonsson@example.org")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, "f", 1, "failed", (), sys.exc_info())
    handler.emit(record)
    assert handler.offending


def test_ids_and_debug_records_pass() -> None:
    assert _check(logging.INFO, "outbox %s: %s to person %s", 12, "notice", 7) == []
    assert _check(logging.DEBUG, "alva.jonsson@example.org") == []
