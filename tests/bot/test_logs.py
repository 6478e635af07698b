"""The log redaction of `amneslag`: no e-mail address reaches the log output, even inside a traceback."""

from __future__ import annotations

import io
import logging

from bot.logs import REDACTED, RedactEmails, install, redact


def test_redact() -> None:
    assert redact("Key (email)=(Alva.Jonsson@example.org) exists; bo@x.se.") == (
        f"Key (email)=({REDACTED}) exists; {REDACTED}."
    )
    assert redact("person 17, outbox 412 at 2026-11-23T09:00") == "person 17, outbox 412 at 2026-11-23T09:00"


def test_the_filter_redacts_message_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        install(logger)
        install(logger)  # once is enough
        assert sum(isinstance(f, RedactEmails) for f in handler.filters) == 1
        logger.warning("could not reach %s", "alva.jonsson@example.org")
        try:
            raise ValueError("duplicate alva.jonsson@example.org")
        except ValueError:
            logger.exception("insert failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    output = stream.getvalue()
    assert "alva.jonsson" not in output
    assert f"could not reach {REDACTED}" in output and f"ValueError: duplicate {REDACTED}" in output
