"""Text and time helpers with no database behind them, so that `amneslag parse` loads no SQL stack.

`storage.directory` and `storage.models` re-export them where they always were.
"""

from __future__ import annotations

import datetime as dtm
import re
import unicodedata


def fold(text: str) -> str:
    """Lower case without diacritics and surplus spaces: "  Umeå " and "UMEA" both give "umea"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # an e-mail address anywhere in a text


def normalize_email(email: str) -> str:
    """E-mail addresses are the identity key and compared without regard to case."""
    return email.strip().lower()


def utcnow() -> dtm.datetime:
    """The current instant, timezone-aware in UTC."""
    return dtm.datetime.now(dtm.UTC)
