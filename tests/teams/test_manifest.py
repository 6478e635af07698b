"""The Teams app package: a manifest valid against Microsoft's schema, its translation, its icons, the zip."""

from __future__ import annotations

import copy
import datetime as dtm
import filecmp
import json
import re
import struct
import tomllib
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.cli import main
from bot.config import get_settings
from dialogs import nlu
from manifest.teams import PLACEHOLDER_ID
from storage.framework import framework

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "manifest" / "teams"
VERSION = "v1.17"
# A copy of ../shared/schemas/teams-manifest/v1.17 (npm @microsoft/app-manifest), so a clean checkout can validate.
SCHEMAS = ROOT / "tests" / "data" / "teams-manifest" / VERSION
SHARED = ROOT.parent / "shared" / "schemas" / "teams-manifest" / VERSION
APP_ID = "1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d"
FILES = ["manifest.json", "en.json", "color.png", "outline.png"]

# What each command title must mean to the bot, in Swedish and in the English translation.
INTENTS = {
    "hjälp": "help",
    "anmäl frånvaro": "report_absence",
    "mitt ämneslag": "my_team",
    "boka träff": "schedule_meeting",
    "anteckningar": "latest_notes",
    "status": "status",
    "help": "help",
    "report absence": "report_absence",
    "my team": "my_team",
    "book a meeting": "schedule_meeting",
    "notes": "latest_notes",
}


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _validator(name: str) -> jsonschema.Draft7Validator:
    """The schemas declare draft-04 but use `const`, which a draft-04 validator silently ignores."""
    schema = _json(SCHEMAS / name)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(manifest: Any) -> list[str]:
    validator = _validator("MicrosoftTeams.schema.json")
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]


def _localization_errors(strings: Any) -> list[str]:
    validator = _validator("MicrosoftTeams.Localization.schema.json")
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(strings)]


def _manifest() -> dict[str, Any]:
    return _json(PACKAGE / "manifest.json")


def _commands(manifest: dict[str, Any]) -> list[dict[str, str]]:
    return [command for bot in manifest["bots"] for lst in bot["commandLists"] for command in lst["commands"]]


def _png(data: bytes) -> tuple[int, int, str, list[tuple[int, ...]]]:
    """Width, height, mode ("RGB" or "RGBA") and pixels of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, b""
    chunks: dict[bytes, bytes] = {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc
        if kind == b"IDAT":
            idat += body
        chunks.setdefault(kind, body)
        position += 12 + length
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, interlace) == (8, 0)
    channels = {2: 3, 6: 4}[color_type]
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(line)
        previous = line
    pixels = [tuple(row[x * channels : (x + 1) * channels]) for row in rows for x in range(width)]
    return width, height, "RGB" if channels == 3 else "RGBA", pixels


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """Settings re-read from an environment without a Microsoft App ID (and no stray .env)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/schemas is not there (a clean checkout)")
def test_the_vendored_schemas_are_the_shared_ones() -> None:
    names = ["MicrosoftTeams.Localization.schema.json", "MicrosoftTeams.schema.json"]
    assert sorted(path.name for path in SCHEMAS.iterdir()) == names
    assert all(filecmp.cmp(SCHEMAS / name, SHARED / name, shallow=False) for name in names)


def test_manifest_is_valid_and_says_what_we_mean() -> None:
    manifest = _manifest()
    assert _errors(manifest) == []
    version = manifest["manifestVersion"]
    assert f"v{version}" == VERSION
    assert manifest["$schema"] == (
        f"https://developer.microsoft.com/en-us/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
    )
    # The schema does not check the app's version; Teams wants x.y.z. We keep it at the project's version.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["version"] == project["version"]
    assert manifest["name"] == {"short": "Ämneslagsboten", "full": "Ämneslagsboten – regionala ämneslag i kulturskolan"}
    assert manifest["id"] == PLACEHOLDER_ID
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "sv",
        "additionalLanguages": [{"languageTag": "en", "file": "en.json"}],
    }
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest.get("validDomains", []) == []
    assert manifest["webApplicationInfo"] == {"id": PLACEHOLDER_ID}  # the Entra app: Graph installs the app by it
    (bot,) = manifest["bots"]
    assert bot["botId"] == PLACEHOLDER_ID
    assert bot["scopes"] == ["personal", "team"]
    assert (bot["supportsFiles"], bot["isNotificationOnly"]) == (True, False)  # calendar invites need files
    assert [lst["scopes"] for lst in bot["commandLists"]] == [["personal"], ["team"]]
    personal, team = ([c["title"] for c in lst["commands"]] for lst in bot["commandLists"])
    assert personal == ["hjälp", "anmäl frånvaro", "mitt ämneslag", "boka träff", "anteckningar", "status"]
    assert team == ["hjälp", "boka träff", "anteckningar"]
    assert bot["commandLists"][0]["commands"][0]["description"] == "Vad kan boten göra?"
    for url in manifest["developer"].values():
        assert not url.startswith("http") or url.startswith("https://")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda m: m.pop("developer"), ""),
        (lambda m: m["developer"].pop("privacyUrl"), "developer"),
        (lambda m: m["bots"][0]["commandLists"][0]["commands"][0].update(title="x" * 33), "bots/0/commandLists/0"),
        (lambda m: m["bots"][0]["commandLists"][0]["commands"][1].update(description="x" * 129), "bots/0"),
        (lambda m: m.update(manifestVersion="1.99"), "manifestVersion"),  # a `const`: only draft 6+ checks it
        (lambda m: m.update(id="not-a-guid"), "id"),
        (lambda m: m["bots"][0].update(botId="0000"), "bots/0/botId"),
        (lambda m: m.update(accentColor="blue"), "accentColor"),
        (lambda m: m["bots"][0]["scopes"].append("channel"), "bots/0/scopes"),
        (lambda m: m["localizationInfo"]["additionalLanguages"][0].update(languageTag="en_GB!"), "localizationInfo"),
    ],
)
def test_validation_fails_for_a_broken_manifest(change: Any, where: str) -> None:
    manifest = copy.deepcopy(_manifest())
    change(manifest)
    errors = _errors(manifest)
    assert errors != []
    assert any(error.startswith(where) for error in errors), errors


def test_english_translation_is_valid_and_translates_every_command() -> None:
    manifest, strings = _manifest(), _json(PACKAGE / "en.json")
    assert _localization_errors(strings) == []
    assert strings["$schema"] == (
        f"https://developer.microsoft.com/en-us/json-schemas/teams/{VERSION}/MicrosoftTeams.Localization.schema.json"
    )
    wanted = {"name.short", "name.full", "description.short", "description.full"}
    for bot_index, bot in enumerate(manifest["bots"]):
        for list_index, lst in enumerate(bot["commandLists"]):
            for command_index in range(len(lst["commands"])):
                prefix = f"bots[{bot_index}].commandLists[{list_index}].commands[{command_index}]"
                wanted |= {f"{prefix}.title", f"{prefix}.description"}
    assert set(strings) - {"$schema"} == wanted  # every command translated, no key for a command that is not there
    same = {key for key in wanted if strings[key] == _lookup(manifest, key)}
    assert same == {"name.short", "bots[0].commandLists[0].commands[5].title"}  # the name, and "status"


def _lookup(manifest: dict[str, Any], key: str) -> Any:
    """The manifest's value at a localization key such as `bots[0].commandLists[1].commands[2].title`."""
    value: Any = manifest
    for part in key.split("."):
        name, *indexes = re.findall(r"[^\[\]]+", part)
        value = value[name]
        for index in indexes:
            value = value[int(index)]
    return value


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.pop("name.full"),
        lambda s: s.update({"bots[0].commandLists[0].commands[0].title": "x" * 33}),
        lambda s: s.update({"bots[0].commandLists[0].commands[0].tittle": "help"}),
    ],
)
def test_validation_fails_for_a_broken_translation(change: Any) -> None:
    strings = copy.deepcopy(_json(PACKAGE / "en.json"))
    change(strings)
    assert _localization_errors(strings) != []


def test_icons_have_the_sizes_teams_wants() -> None:
    width, height, _, _ = _png((PACKAGE / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    width, height, mode, pixels = _png((PACKAGE / "outline.png").read_bytes())
    assert (width, height, mode) == (32, 32, "RGBA")
    assert all(alpha == 0 or (r, g, b) == (255, 255, 255) for r, g, b, alpha in pixels)  # white on transparent
    assert any(alpha == 0 for *_, alpha in pixels)
    assert sum(alpha == 255 for *_, alpha in pixels) > 64  # there is a mark, not just transparency


def test_every_command_title_is_understood_by_the_bot() -> None:
    spec = framework("vasterbotten")
    teams = [g.name for g in spec.groups if g.kind == "subject_team"]
    places = [s.municipality for s in spec.schools]
    strings = _json(PACKAGE / "en.json")
    titles = {c["title"] for c in _commands(_manifest())}
    titles |= {value for key, value in strings.items() if key.endswith(".title")}
    assert titles == set(INTENTS)
    for title in titles:
        parsed = nlu.parse(title, today=dtm.date(2026, 9, 1), teams=teams, places=places)
        assert parsed.intent == INTENTS[title], title


def test_the_package_has_the_four_files_with_the_app_id(
    app_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app_env.setenv("MICROSOFT_APP_ID", APP_ID)
    out = tmp_path / "app.zip"
    assert main(["manifest", "teams", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == FILES
        assert archive.testzip() is None
        manifest = json.loads(archive.read("manifest.json"))
        for name in FILES[1:]:
            assert archive.read(name) == (PACKAGE / name).read_bytes()
    assert _errors(manifest) == []
    assert manifest["id"] == manifest["bots"][0]["botId"] == manifest["webApplicationInfo"]["id"] == APP_ID
    assert PLACEHOLDER_ID not in json.dumps(manifest)
    ids = ("id", "bots", "webApplicationInfo")
    assert {k: v for k, v in manifest.items() if k not in ids} == {k: v for k, v in _manifest().items() if k not in ids}

    # Deterministic: the same app id gives the same bytes.
    again = tmp_path / "again.zip"
    assert main(["manifest", "teams", "--out", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()


def test_app_id_on_the_command_line_wins(app_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app_env.setenv("MICROSOFT_APP_ID", APP_ID)
    other = "ABCDEF01-2345-4678-9abc-def012345678"
    out = tmp_path / "app.zip"
    assert main(["manifest", "teams", "--app-id", other, "--out", str(out)]) == 0
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["id"] == manifest["bots"][0]["botId"] == other


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "MICROSOFT_APP_ID"),
        (["--app-id", "my-bot"], "inte ett GUID"),
        (["--app-id", "1b2c3d4e5f604a1b8c2d3e4f5a6b7c8d"], "inte ett GUID"),
        (["--app-id", "1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d-extra"], "inte ett GUID"),
        (["--app-id", PLACEHOLDER_ID], "platshållaren"),
    ],
)
def test_a_missing_or_invalid_app_id_is_a_clear_error(
    app_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "app.zip"
    assert main(["manifest", "teams", *args, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("amneslag: ") and message in err
    assert err.count("\n") == 1
    assert not out.exists()


def test_a_missing_out_is_a_clear_error(app_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "teams", "--app-id", APP_ID]) == 1
    assert "--out" in capsys.readouterr().err


def test_an_unwritable_out_is_a_clear_error(
    app_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["manifest", "teams", "--app-id", APP_ID, "--out", str(tmp_path / "missing" / "app.zip")]) == 1
    assert "Kan inte skriva Teams-paketet" in capsys.readouterr().err
