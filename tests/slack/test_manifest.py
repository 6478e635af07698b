"""The Slack app manifest: valid against Slack's official schema, minimal scopes, our URL filled in."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from bot.cli import main

# A copy of ../shared/schemas/slack-manifest (slackapi/manifest-schema, MIT), so a clean checkout can validate.
SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "slack-manifest"
REMOTE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


def _validator() -> jsonschema.Draft7Validator:
    """Slack's schema with its remote references answered from the local copies."""
    registry: Registry = Registry()
    for name in ("manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json"):
        registry = registry.with_resource(
            REMOTE + name, Resource.from_contents(json.loads((SCHEMAS / name).read_text()))
        )
    schema = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    return jsonschema.Draft7Validator(schema, registry=registry)


def _manifest(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["manifest", "slack", *args]) == 0
    return yaml.safe_load(capsys.readouterr().out)


def test_the_validator_itself_tells_valid_from_invalid() -> None:
    validator = _validator()
    assert list(validator.iter_errors(json.loads((SCHEMAS / "v1.manifest.valid.json").read_text()))) == []
    assert list(validator.iter_errors(json.loads((SCHEMAS / "v1.manifest.invalid.json").read_text()))) != []


def test_manifest_is_valid_minimal_and_points_at_our_url(capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://amneslag.umea.se/slack/events"
    manifest = _manifest(capsys, "--url", url)
    assert list(_validator().iter_errors(manifest)) == []
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read",
        "chat:write",
        "commands",
        "files:write",
        "im:history",
        "im:write",
        "users:read",
        "users:read.email",
    ]
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == url
    assert settings["interactivity"] == {"is_enabled": True, "request_url": url}
    assert sorted(settings["event_subscriptions"]["bot_events"]) == ["app_home_opened", "app_mention", "message.im"]
    (command,) = manifest["features"]["slash_commands"]
    assert (command["command"], command["url"]) == ("/amneslag", url)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_manifest_refuses_a_url_that_is_not_https(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "slack", "--url", "http://amneslag.umea.se/slack/events"]) == 1
    assert "https" in capsys.readouterr().err
