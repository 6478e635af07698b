"""What a person does to finish each task in Slack and in Teams: clicks, picks and typed fields.

    .venv/bin/python benchmarks/clicks.py

It runs the flow tests (tests/slack/test_flows.py, tests/teams/test_flows.py: signed Slack requests against a
fake Slack Web API, Bot Framework activities against a fake Bot Connector, on SQLite), which count as they
press (tests/clicks.py), and prints their counts. Every task starts at the bot's menu. A click is a button
pressed (a modal's or a card's submit too); a pick is a choice in a date or time picker, a list or a tick box
changed; a typed field is a message written or a text field filled. Mistakes the tests make on purpose (a
past date, an end before the start, a total that is not a number) are not counted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.clicks import TALLIES, TASKS  # noqa: E402


def main() -> int:
    flows = [str(ROOT / "tests" / platform / "test_flows.py") for platform in ("slack", "teams")]
    code = pytest.main(["-q", "-p", "no:cacheprovider", "-k", "not postgresql", "--rootdir", str(ROOT), *flows])
    if code != 0:
        print("the flow tests failed: no figures", file=sys.stderr)
        return int(code)
    print(f"\n{'task':40} {'platform':9} {'clicks':>6} {'picks':>6} {'typed':>6}")
    for task in TASKS:
        for platform in ("slack", "teams"):
            clicks, picks, typed = TALLIES[(platform, task)]
            print(f"{task:40} {platform:9} {clicks:6} {picks:6} {typed:6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
