"""The server refuses to start with Slack half configured, and says what is missing."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.config import get_settings


def _serve(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, **variables: str) -> str:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        env.delenv(name, raising=False)
    for name, value in variables.items():
        env.setenv(name, value)
    get_settings.cache_clear()
    assert main(["serve", "--port", "1", *args]) == 1
    return capsys.readouterr().err


def test_slack_without_a_signing_secret_does_not_start(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _serve(env, capsys, SLACK_BOT_TOKEN="xoxb-1")
    assert "SLACK_SIGNING_SECRET" in err and "xoxb-1" not in err


def test_socket_mode_needs_an_app_token(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert "SLACK_APP_TOKEN" in _serve(env, capsys, "--slack-socket-mode", SLACK_BOT_TOKEN="xoxb-1")
    assert "SLACK_BOT_TOKEN" in _serve(env, capsys, "--slack-socket-mode", SLACK_APP_TOKEN="xapp-1")
