"""Microsoft's Agents Playground, a local Teams-like client, started next to the bot by `serve --playground`.

The playground (npm `@microsoft/m365agentsplayground`) posts activities to our `/api/messages` without
a token and plays the Bot Connector at `http://localhost:<port>/_connector`. Its one user, "Alex
Wilber", has a fixed AAD object id; with `--demo` that id is given to the demo teacher, so the
playground chats as her.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aiohttp import web

PLAYGROUND_USER_AAD = "00000000-0000-0000-0000-0000000000020"  # the playground's user, as its activities say
PLAYGROUND_PORT = 56150
LOCAL_INSTALL = Path("tests/teams/js/node_modules/.bin/agentsplayground")  # `npm ci --prefix tests/teams/js`


def find_playground() -> Path | None:
    """The playground's command: installed in the clone (tests/teams/js), else on PATH."""
    if LOCAL_INSTALL.exists():
        return LOCAL_INSTALL.resolve()
    found = shutil.which("agentsplayground")
    return Path(found) if found else None


def playground(
    command: Path, endpoint: str, port: int = PLAYGROUND_PORT
) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp cleanup context: the playground runs, talking to `endpoint`, while the server runs."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        env = {
            **os.environ,
            "TEAMSAPPTESTER_BROWSER": os.environ.get("TEAMSAPPTESTER_BROWSER", "none"),
            "APPLICATION_INSIGHTS_NO_STATSBEAT": "true",
            "M365_AGENTS_PLAYGROUND_LOGFILE": os.environ.get(
                "M365_AGENTS_PLAYGROUND_LOGFILE", str(Path.cwd() / "devTools" / "m365agentsplayground.log")
            ),
        }
        process = await asyncio.create_subprocess_exec(
            str(command),
            "-e",
            endpoint,
            "-c",
            "msteams",
            "-p",
            str(port),
            "--disable-telemetry",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
        )
        yield
        if process.returncode is None:
            process.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), timeout=5)
            if process.returncode is None:
                process.kill()

    return run
