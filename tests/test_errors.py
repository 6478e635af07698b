"""One root for our errors: every exception class in our packages derives from `AmneslagError`.

So a caller can tell our errors (each with a message meant for a person) from a library's or a bug,
and the command line's one-line error handler sees them all.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import tomllib
from pathlib import Path

from storage.errors import AmneslagError

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES = [pattern.rstrip("*") for pattern in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]
SKIPPED = ("storage.migrations",)  # Alembic's env.py runs migrations when imported; revisions define no classes


def _modules() -> list[str]:
    names: list[str] = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, prefix=f"{package}."):
            if not info.name.startswith(SKIPPED):
                names.append(info.name)
    return names


def _exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for name in _modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == name:
                found[f"{name}.{value.__qualname__}"] = value
    return found


def test_every_exception_of_ours_derives_from_amneslag_error() -> None:
    strays = sorted(name for name, cls in _exception_classes().items() if not issubclass(cls, AmneslagError))
    assert strays == []


def test_the_walk_finds_the_errors_in_every_room() -> None:
    found = _exception_classes()
    assert {"bot", "dialogs", "domain", "manifest", "scheduler", "storage"} <= set(PACKAGES)
    assert {"storage.errors.AmneslagError", "bot.osrm.OsrmError", "bot.outbox.DeliveryError"} <= set(found)
    assert {"dialogs.engine.Refused", "dialogs.engine.Answered", "domain.privacy.PrivacyError"} <= set(found)
    assert {name.split(".")[0] for name in found} >= {"bot", "dialogs", "domain", "storage"}
