"""Configuration from the environment (and an optional `.env` file), validated at start-up.

The variable names are part of the public contract (DESIGN.md): most are the platforms' own names
without a prefix; our own settings carry the prefix `AMNESLAG_`.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import Callable
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from domain.periods import RetentionSettings
from storage.text import utcnow

SERVICE_HOSTS = (  # where the Bot Framework's channels send from: the public, GCC, GCC High and DoD clouds
    "smba.trafficmanager.net",
    "*.botframework.com",
    "*.teams.microsoft.com",
    "*.botframework.us",
    "*.teams.microsoft.us",
)

DEFAULT_DATABASE_URL = "sqlite:///amneslag.db"


class Settings(RetentionSettings):
    """Every setting of the bot. Secrets are `SecretStr`, so they never show in logs or reprs.

    The retention periods (`AMNESLAG_RETAIN_*`) are inherited from `domain.retention.RetentionSettings`.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")

    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")

    microsoft_app_id: str | None = Field(None, validation_alias="MICROSOFT_APP_ID")
    microsoft_app_password: SecretStr | None = Field(None, validation_alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str | None = Field(None, validation_alias="MICROSOFT_APP_TENANT_ID")
    teams_service_hosts: str = Field(
        ",".join(SERVICE_HOSTS), validation_alias="AMNESLAG_TEAMS_SERVICE_HOSTS"
    )  # with MICROSOFT_APP_ID: the hosts an activity's serviceUrl may name (`*.domain` for any name under it)
    # Proactive installation through Microsoft Graph (optional): the app is installed for a roster person without a
    # chat, so the bot can write first. Needs TeamsAppInstallation.ReadWriteSelfForUser.All with admin consent.
    teams_install: bool = Field(False, validation_alias="AMNESLAG_TEAMS_INSTALL")
    teams_app_catalog_id: str | None = Field(None, validation_alias="AMNESLAG_TEAMS_APP_CATALOG_ID")
    graph_url: str = Field("https://graph.microsoft.com/v1.0", validation_alias="AMNESLAG_GRAPH_URL")
    login_url: str = Field("https://login.microsoftonline.com", validation_alias="AMNESLAG_LOGIN_URL")
    teams_service_url: str | None = Field(
        None, validation_alias="AMNESLAG_TEAMS_SERVICE_URL"
    )  # the Bot Connector URL for chats opened by installing; default: the last stored chat's, else Microsoft's

    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    openai_model: str | None = Field(None, validation_alias="OPENAI_MODEL")
    openai_allowed_hosts: str | None = Field(None, validation_alias="OPENAI_ALLOWED_HOSTS")
    llm_timeout_seconds: float = Field(8.0, gt=0, validation_alias="AMNESLAG_LLM_TIMEOUT_SECONDS")
    llm_retries: int = Field(2, ge=0, le=5, validation_alias="AMNESLAG_LLM_RETRIES")

    osrm_url: str | None = Field(None, validation_alias="OSRM_URL")

    # E-mail, for people the chats cannot reach: on when SMTP_HOST is set.
    smtp_host: str | None = Field(None, validation_alias="SMTP_HOST")
    smtp_port: int = Field(587, ge=1, le=65535, validation_alias="SMTP_PORT")
    smtp_username: str | None = Field(None, validation_alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(None, validation_alias="SMTP_PASSWORD")
    smtp_from: str = Field("Ämneslagsboten <noreply@localhost>", validation_alias="SMTP_FROM")
    smtp_starttls: bool = Field(True, validation_alias="SMTP_STARTTLS")  # upgrade a plain connection (port 587)
    smtp_tls: bool = Field(False, validation_alias="SMTP_TLS")  # TLS from the first byte (port 465); then no STARTTLS
    smtp_timeout_seconds: float = Field(30.0, gt=0, validation_alias="AMNESLAG_SMTP_TIMEOUT_SECONDS")

    timezone: str = Field("Europe/Stockholm", validation_alias="AMNESLAG_TIMEZONE")
    language: str = Field("sv", validation_alias="AMNESLAG_LANGUAGE")
    now: dtm.datetime | None = Field(
        None, validation_alias="AMNESLAG_NOW"
    )  # demos and tests: the instant every command takes as now (it stands still); without an offset, local time

    dialog_idle_minutes: int = Field(30, ge=1, validation_alias="AMNESLAG_DIALOG_IDLE_MINUTES")
    outbox_max_attempts: int = Field(8, ge=1, validation_alias="AMNESLAG_OUTBOX_MAX_ATTEMPTS")
    outbox_poll_seconds: float = Field(2.0, gt=0, validation_alias="AMNESLAG_OUTBOX_POLL_SECONDS")
    # A claimed message's lease, renewed every third of it while its worker sends: how long a crashed
    # instance's messages wait before another instance takes them over.
    outbox_lease_seconds: float = Field(120.0, ge=3, validation_alias="AMNESLAG_OUTBOX_LEASE_SECONDS")
    outbox_batch_size: int = Field(10, ge=1, le=500, validation_alias="AMNESLAG_OUTBOX_BATCH_SIZE")
    sweep_minutes: float = Field(15.0, gt=0, validation_alias="AMNESLAG_SWEEP_MINUTES")
    inbox_lease_seconds: float = Field(60.0, gt=0, validation_alias="AMNESLAG_INBOX_LEASE_SECONDS")

    def clock(self) -> Callable[[], dtm.datetime]:
        """What every command takes as now: `AMNESLAG_NOW` when it is set (a fixed instant), else the real time.

        Only the bot's own time follows it (dialogs, reminders, status, retention); delivering messages keeps
        real time, since it happens in the real world.
        """
        fixed = self.now
        if fixed is None:
            return utcnow
        return lambda: fixed

    def service_hosts(self) -> tuple[str, ...]:
        """`AMNESLAG_TEAMS_SERVICE_HOSTS` as a tuple of lower-case host patterns."""
        return tuple(h.strip().lower() for h in self.teams_service_hosts.split(",") if h.strip())

    @property
    def email_configured(self) -> bool:
        """Whether the e-mail channel is on (SMTP_HOST is set)."""
        return bool(self.smtp_host)

    @field_validator("smtp_from")
    @classmethod
    def _sender_address(cls, value: str) -> str:
        from email.headerregistry import Address
        from email.utils import parseaddr

        name, address = parseaddr(value)
        if "@" not in address:
            raise ValueError(
                f"SMTP_FROM ska vara en e-postadress, gärna med namn "
                f"(Ämneslagsboten <noreply@region.se>), inte {value!r}"
            )
        Address(display_name=name, addr_spec=address)  # raises on what a header cannot carry
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"okänd tidszon {value!r} (exempel: Europe/Stockholm)") from exc
        return value

    @model_validator(mode="after")
    def _now_is_an_instant(self) -> Settings:
        if self.now is not None and self.now.tzinfo is None:
            self.now = self.now.replace(tzinfo=ZoneInfo(self.timezone))
        return self

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("sv", "en"):
            raise ValueError("AMNESLAG_LANGUAGE ska vara sv eller en")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
