"""The retention periods as settings, apart from `domain.retention` so that reading the configuration loads no
SQL stack (every command reads it, `amneslag parse` too). `domain.retention` re-exports both."""

from __future__ import annotations

from typing import Protocol

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RetentionSettings(BaseSettings):
    """The retention periods, from the environment (`bot.config.Settings` includes them)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    retain_absences_months: int = Field(13, ge=1, validation_alias="AMNESLAG_RETAIN_ABSENCES_MONTHS")
    retain_outbox_days: int = Field(90, ge=1, validation_alias="AMNESLAG_RETAIN_OUTBOX_DAYS")
    retain_dialog_days: int = Field(30, ge=1, validation_alias="AMNESLAG_RETAIN_DIALOG_DAYS")
    retain_audit_years: int = Field(3, ge=1, validation_alias="AMNESLAG_RETAIN_AUDIT_YEARS")


class RetentionPeriods(Protocol):
    """Anything with the four periods: `RetentionSettings`, `bot.config.Settings`, or a test's stand-in."""

    @property
    def retain_absences_months(self) -> int: ...
    @property
    def retain_outbox_days(self) -> int: ...
    @property
    def retain_dialog_days(self) -> int: ...
    @property
    def retain_audit_years(self) -> int: ...
