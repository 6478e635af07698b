"""The Teams app package: `manifest/teams/` zipped, with the bot's Microsoft App ID filled in.

The committed manifest carries a placeholder GUID as the app's `id`, the bot's `botId` and the
`webApplicationInfo` id; the package gets the real app id in all three. The zip holds the manifest,
its translations and the two icons at its root, with fixed timestamps, so the same app id always
gives the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from storage.errors import AmneslagError

PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold


def _source(name: str) -> bytes:
    return resources.files("manifest").joinpath(f"teams/{name}").read_bytes()


def manifest_template() -> dict[str, Any]:
    """The committed manifest, with the placeholder ids."""
    template: dict[str, Any] = json.loads(_source("manifest.json"))
    return template


def package_files(manifest: dict[str, Any]) -> list[str]:
    """The files the manifest names besides itself: its translations, then its icons."""
    languages = manifest.get("localizationInfo", {}).get("additionalLanguages", [])
    return [language["file"] for language in languages] + [manifest["icons"]["color"], manifest["icons"]["outline"]]


def check_app_id(app_id: str) -> str:
    """The app id, trimmed, if it is a real GUID; otherwise an error saying what is wrong."""
    value = app_id.strip()
    if not _GUID.fullmatch(value):
        raise AmneslagError(
            f"Teams-appens id {app_id!r} är inte ett GUID. Ange botens Microsoft App ID (MICROSOFT_APP_ID eller "
            "--app-id), till exempel 1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d, från Azure Bot-resursen eller "
            "Teams Developer Portal."
        )
    if value == PLACEHOLDER_ID:
        raise AmneslagError(
            "Teams-appens id är platshållaren med bara nollor. Ange botens riktiga Microsoft App ID "
            "(MICROSOFT_APP_ID eller --app-id)."
        )
    return value


def build_package(app_id: str, out: Path) -> None:
    """Write the Teams app package for `app_id` (the bot's Microsoft App ID, a GUID) to `out`."""
    app_id = check_app_id(app_id)
    manifest = manifest_template()
    manifest["id"] = app_id
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    # The Entra app behind the Teams app: Graph's TeamsAppInstallation.ReadWriteSelfForUser.All lets the bot install
    # only the app that names its own app id here (`bot.teams.graph`).
    manifest["webApplicationInfo"] = {"id": app_id}
    entries = [("manifest.json", (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode())]
    entries += [(name, _source(name)) for name in package_files(manifest)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            archive.writestr(info, data)
    try:
        out.write_bytes(buffer.getvalue())
    except OSError as exc:
        raise AmneslagError(f"Kan inte skriva Teams-paketet till {out}: {exc.strerror or exc}.") from exc
