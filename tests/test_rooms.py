"""The four rooms stay clean: the platforms' SDKs are imported only by their own adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SDKS = {"slack_bolt", "slack_sdk", "botbuilder", "botframework", "msrest", "aiohttp", "openai", "aiosmtplib"}
HOME = {  # which package may import which SDK
    "slack_bolt": "bot/slack/",
    "slack_sdk": "bot/slack/",
    "botbuilder": "bot/teams/",
    "botframework": "bot/teams/",
    "msrest": "bot/teams/",
    "openai": "bot/llm.py",
    "aiosmtplib": "bot/email/",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(
    "path", _sources("dialogs", "domain", "storage", "scheduler"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_the_inner_rooms_import_no_platform_sdk(path: Path) -> None:
    assert _imports(path) & PLATFORM_SDKS == set()


@pytest.mark.parametrize("path", _sources("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_sdk_is_imported_only_by_its_own_adapter(path: Path) -> None:
    relative = path.relative_to(ROOT).as_posix()
    for sdk in _imports(path) & set(HOME):
        assert relative.startswith(HOME[sdk]), f"{relative} imports {sdk}"


def test_the_check_sees_imports() -> None:
    assert {"botbuilder", "msrest", "jwt"} <= _imports(ROOT / "bot/teams/app.py")
