"""Logging that keeps personal data out: e-mail addresses are redacted from every record written.

The code logs ids, never names, e-mail addresses or message text (the test suite checks that). This
filter is the safety net for text the code does not control: an exception's message, such as
PostgreSQL's "Key (email)=(…) already exists", or a library's warning.
"""

from __future__ import annotations

import logging

from storage.text import EMAIL_IN_TEXT

REDACTED = "<e-post>"


def redact(text: str) -> str:
    """`text` with every e-mail address replaced by a placeholder."""
    return EMAIL_IN_TEXT.sub(REDACTED, text)


class RedactEmails(logging.Filter):
    """A handler filter: formats the record's message and traceback once, with e-mail addresses redacted."""

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as usual
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Add the redacting filter to every handler of `logger` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactEmails) for f in handler.filters):
            handler.addFilter(RedactEmails())
