"""Errors that reach a person: each carries one clear line saying what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.roster import RowProblem


class AmneslagError(Exception):
    """The root of our errors. `str(error)` is the message for the person who caused it."""


class ConfigurationError(AmneslagError):
    """A setting is malformed (for example `DATABASE_URL`)."""


class DatabaseUnavailable(AmneslagError):
    """The database cannot be reached or opened."""


class UnknownRegion(AmneslagError):
    """A region key that is not one of the seeded regions."""


class RosterRejected(AmneslagError):
    """A roster file that cannot be imported as it is; `problems` lists the bad rows, if any."""

    def __init__(self, message: str, problems: Sequence[RowProblem] = ()):
        super().__init__(message)
        self.problems = list(problems)
