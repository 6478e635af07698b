"""How fast the bot answers where people wait, against bare framework echo bots in the same run.

    .venv/bin/python benchmarks/latency.py                       # SQLite, everything
    .venv/bin/python benchmarks/latency.py --db postgresql       # a fresh database on 127.0.0.1:5432
    .venv/bin/python benchmarks/latency.py --only slack,teams    # parts: slack teams load memory start parse sql

The floors are a bare slack-bolt `AsyncApp` that echoes a direct message with `chat.postMessage`, and a
bare botbuilder `CloudAdapter` bot that echoes an activity; each runs as a process of its own, as
`amneslag serve` does. A fake Slack Web API and a fake Bot Connector on loopback (in this process) take
every reply and time it: the latency of a message is from its POST until its reply reached the fake.
Messages to the floor and to the bot alternate, so both see the same machine; the ratios are what count.

* `slack`, `teams`: a direct message "hjälp" → its reply, median and p95 of `--rounds` each;
* `load`: 20 senders at once, each sending its next message when its reply came, for `--seconds`;
  replies per second, every reply counted (one not there after 10 s is lost, and said), floor and bot alternating;
* `memory`: RSS of each process at rest after start, then every 1,000 of `--messages` sequential messages;
* `start`: from spawning the process to `/healthz` answering 200 (the bot's database migrated and loaded);
* `parse`: `amneslag parse hjälp` as a whole process against `python -c pass`;
* `sweeping`: Slack replies while the server sweeps a synthetic nation (`benchmarks/sweep.py`'s, 12,000 people,
  on 3 May, everything already sent) every 3 seconds, against the same server not sweeping: p99 and median;
* `sql`: SQL statements and commits per Slack and Teams turn, counted in this process with a SQLAlchemy
  event listener on the bot's engine (the bot built as `serve` builds it, served on loopback).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
AMNESLAG = str(Path(PYTHON).with_name("amneslag"))
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-bench-token"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:bench-bot"
SENDERS = 20
LOST_AFTER = 10.0  # a reply not there after this long counts as lost
LOG = Path(tempfile.gettempdir()) / "amneslag-latency.log"  # the servers' stderr
PG_ADMIN = os.environ.get("AMNESLAG_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

SLACK_FLOOR = """
import os
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_sdk.web.async_client import AsyncWebClient

client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
bolt = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

@bolt.event("message")
async def echo(event, client):
    await client.chat_postMessage(channel=event["channel"], text=event.get("text", ""))

async def events(request):
    return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

async def healthz(request):
    return web.json_response({"status": "ok"})

app = web.Application()
app.router.add_post("/slack/events", events)
app.router.add_get("/healthz", healthz)
web.run_app(app, host="127.0.0.1", port=int(os.environ["PORT"]), print=None)
"""

TEAMS_FLOOR = """
import os
from dataclasses import dataclass
from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

@dataclass
class Config:
    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""

adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))

class Echo(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext):
        await turn_context.send_activity(turn_context.activity.text or "")

bot = Echo()

async def messages(request):
    return await adapter.process(request, bot) or web.Response(status=201)

async def healthz(request):
    return web.json_response({"status": "ok"})

app = web.Application()
app.router.add_post("/api/messages", messages)
app.router.add_get("/healthz", healthz)
web.run_app(app, host="127.0.0.1", port=int(os.environ["PORT"]), print=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# The fake platforms ----------------------------------------------------------------------------


@dataclass
class Fakes:
    """The fake Slack Web API and Bot Connector: every reply resolves the waiter of its conversation."""

    waiting: dict[str, asyncio.Queue[float]] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)  # Slack user id -> e-mail (users.info)
    posts: int = 0
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def queue(self, conversation: str) -> asyncio.Queue[float]:
        return self.waiting.setdefault(conversation, asyncio.Queue())

    def arrived(self, conversation: str) -> None:
        self.posts += 1
        self.queue(conversation).put_nowait(time.perf_counter())

    async def slack(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.method == "POST":
            args.update(await request.post())
        if method == "chat.postMessage":
            self.arrived(str(args.get("channel")))
            return web.json_response({"ok": True, "ts": f"{time.time():.6f}", "channel": args.get("channel")})
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T0TEAM"})
        if method == "users.info":
            email = self.emails.get(str(args.get("user")))
            if email is None:
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response({"ok": True, "user": {"id": args["user"], "profile": {"email": email}}})
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "DOPENED" + str(args.get("users"))}})
        return web.json_response({"ok": True})

    async def connector(self, request: web.Request) -> web.Response:
        await request.read()
        self.arrived(request.match_info["conversation"])
        return web.json_response({"id": f"1700000{next(self._ids):06d}"}, status=201)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.slack)
        app.router.add_post("/v3/conversations/{conversation}/activities", self.connector)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.connector)
        return app


# The processes under test ------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    started_in: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def spawn(name: str, command: list[str], env: dict[str, str], http: aiohttp.ClientSession) -> Server:
    """Start a server (`{port}` in its arguments, or `PORT`) and wait until its `/healthz` answers 200."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [part.replace("{port}", str(port)) for part in command],
        env={**os.environ, **env, "PORT": str(port)},
        cwd=tempfile.gettempdir(),
        stdout=subprocess.DEVNULL,
        stderr=LOG.open("ab"),
    )
    deadline = started + 60
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                if answer.status == 200:
                    return Server(name, process, port, time.perf_counter() - started)
        await asyncio.sleep(0.005)
    process.kill()
    raise RuntimeError(f"{name} did not answer /healthz")


@contextlib.asynccontextmanager
async def serving(
    name: str, command: list[str], env: dict[str, str], http: aiohttp.ClientSession
) -> AsyncIterator[Server]:
    server = await spawn(name, command, env, http)
    try:
        yield server
    finally:
        server.stop()


def signed(body: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/json",
    }


_events = itertools.count()


def slack_dm(user: str, channel: str, text: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": f"Ev{next(_events):08d}{uuid.uuid4().hex[:6]}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0TEAM", "user_id": "U0BOT", "is_bot": True}],
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": f"{time.time():.6f}",
            },
        }
    )


def teams_activity(service_url: str, aad: str, user: str, conversation: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"{next(_events)}{uuid.uuid4().hex[:8]}",
        "timestamp": "2026-11-23T09:00:00.123Z",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": user, "name": "Bench", "aadObjectId": aad},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": conversation},
        "recipient": {"id": BOT_ID, "name": "Ämneslagsboten"},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "sv-SE",
        "text": text,
    }


@dataclass
class Person:
    slack_user: str
    slack_channel: str
    aad: str
    teams_user: str
    teams_conversation: str


@dataclass
class Bench:
    fakes: Fakes
    http: aiohttp.ClientSession
    fake_url: str
    people: list[Person]  # the bot's senders (roster people linked to Slack and Teams ids)

    async def slack_turn(self, server: Server, person: Person, text: str = "hjälp", timeout: float = 30) -> float:
        """Seconds from posting a direct message to its reply's arrival at the fake Web API."""
        queue = self.fakes.queue(person.slack_channel)
        body = slack_dm(person.slack_user, person.slack_channel, text)
        started = time.perf_counter()
        async with self.http.post(f"{server.url}/slack/events", data=body.encode(), headers=signed(body)) as answer:
            if answer.status != 200:
                raise RuntimeError(f"{server.name}: Slack event answered {answer.status}")
        arrived = await asyncio.wait_for(queue.get(), 30)
        return arrived - started

    async def teams_turn(self, server: Server, person: Person, text: str = "hjälp") -> float:
        """Seconds from posting an activity to its reply's arrival at the fake Bot Connector."""
        queue = self.fakes.queue(person.teams_conversation)
        activity = teams_activity(self.fake_url, person.aad, person.teams_user, person.teams_conversation, text)
        started = time.perf_counter()
        async with self.http.post(f"{server.url}/api/messages", json=activity) as answer:
            if answer.status >= 300:
                raise RuntimeError(f"{server.name}: activity answered {answer.status}")
        arrived = await asyncio.wait_for(queue.get(), 30)
        return arrived - started


def floor_people(prefix: str) -> list[Person]:
    return [
        Person(f"U{prefix}{i:04d}", f"D{prefix}{i:04d}", str(uuid.uuid4()), f"29:{prefix}{i}", f"a:{prefix}{i}")
        for i in range(SENDERS)
    ]


# The bot's database --------------------------------------------------------------------------------


def prepare_database(url: str) -> list[Person]:
    """Migrate, load the demo and link `SENDERS` roster people to Slack and Teams ids; those people."""
    from sqlmodel import select

    from storage import schoolyear
    from storage.db import open_database, session_scope
    from storage.demo import load_demo
    from storage.models import Person as Row

    engine = open_database(url)
    people: list[Person] = []
    with session_scope(engine) as session:
        load_demo(session, schoolyear.label_for(schoolyear.today_in("Europe/Stockholm")))
        rows = session.exec(select(Row).order_by(Row.id)).all()[:SENDERS]
        for i, row in enumerate(rows):
            aad = str(uuid.uuid5(uuid.NAMESPACE_DNS, row.email))
            row.slack_user_id = f"UAMN{i:04d}"
            row.teams_user_id = aad
            people.append(Person(row.slack_user_id, f"DAMN{i:04d}", aad, f"29:amn{i}", f"a:amn{i}"))
    engine.dispose()
    return people


_databases = itertools.count()


@contextlib.contextmanager
def database(kind: str) -> Any:
    """A fresh database URL of `kind` (a SQLite file, or a PostgreSQL database dropped afterwards)."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="amneslag-latency-"))
        yield f"sqlite:///{folder / 'bot.db'}"
        return
    import sqlalchemy as sa

    name = f"amneslag_latency_{os.getpid()}_{next(_databases)}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# The measurements --------------------------------------------------------------------------------


def row(what: str, floor: float, bot: float, unit: str, scale: float = 1.0) -> None:
    ratio = bot / floor if floor else float("nan")
    print(f"{what:44} {floor * scale:10.2f} {bot * scale:10.2f} {unit:6} {ratio:7.2f}×")


async def alternate(rounds: int, floor: Callable[[], Awaitable[float]], bot: Callable[[], Awaitable[float]]) -> Any:
    floors, bots = [], []
    for _ in range(rounds):
        floors.append(await floor())
        bots.append(await bot())
    return floors, bots


async def latency(bench: Bench, label: str, turn: Any, floor: Server, bot: Server, rounds: int) -> None:
    fp, bp = floor_people("FLR")[0], bench.people[0]
    for _ in range(10):  # warm up: connections, caches, the first users.info
        await turn(floor, fp)
        await turn(bot, bp)
    floors, bots = await alternate(rounds, lambda: turn(floor, fp), lambda: turn(bot, bp))
    row(f"{label} → reply, median", statistics.median(floors), statistics.median(bots), "ms", 1000)
    row(f"{label} → reply, p95", percentile(floors, 0.95), percentile(bots, 0.95), "ms", 1000)


async def load(bench: Bench, floor: Server, bot: Server, seconds: float, rounds: int) -> None:
    """`SENDERS` senders at once, each sending its next message when its reply came."""

    lost = late = 0

    async def run(server: Server, people: list[Person]) -> tuple[float, list[float]]:
        nonlocal lost, late
        for person in people:  # a reply that came after it was counted lost
            while not bench.fakes.queue(person.slack_channel).empty():
                bench.fakes.queue(person.slack_channel).get_nowait()
                late += 1
        latencies: list[float] = []
        sent = 0
        deadline = time.perf_counter() + seconds

        async def sender(person: Person) -> None:
            nonlocal sent, lost
            while time.perf_counter() < deadline:
                sent += 1
                try:
                    latencies.append(await bench.slack_turn(server, person, timeout=LOST_AFTER))
                except TimeoutError:
                    lost += 1
                    return  # this sender's conversation is held up; its late reply would confuse the count

        started = time.perf_counter()
        await asyncio.gather(*(sender(p) for p in people))
        elapsed = time.perf_counter() - started
        return len(latencies) / elapsed, latencies

    floor_rates, bot_rates, floor_lat, bot_lat = [], [], [], []
    for _ in range(rounds):
        rate, lat = await run(floor, floor_people("FLR"))
        floor_rates.append(rate)
        floor_lat += lat
        rate, lat = await run(bot, bench.people)
        bot_rates.append(rate)
        bot_lat += lat
    await asyncio.sleep(1)
    late += sum(bench.fakes.queue(p.slack_channel).qsize() for p in [*floor_people("FLR"), *bench.people])
    print(f"{SENDERS} Slack senders: {lost} replies not there after {LOST_AFTER:.0f} s ({late} of them came later)")
    row(f"{SENDERS} Slack senders, replies/s", statistics.median(floor_rates), statistics.median(bot_rates), "/s")
    row(
        f"{SENDERS} Slack senders, latency median", statistics.median(floor_lat), statistics.median(bot_lat), "ms", 1000
    )
    row(f"{SENDERS} Slack senders, latency max", max(floor_lat), max(bot_lat), "ms", 1000)


async def memory(bench: Bench, floor: Server, bot: Server, messages: int) -> None:
    fp, bp = floor_people("FLR"), bench.people
    await asyncio.sleep(1)
    row("RSS at rest", rss_mib(floor.process.pid), rss_mib(bot.process.pid), "MiB")
    step = 1000
    for done in range(0, messages, step):
        for i in range(step):
            await bench.slack_turn(floor, fp[i % len(fp)])
            await bench.slack_turn(bot, bp[i % len(bp)])
        row(f"RSS after {done + step} messages", rss_mib(floor.process.pid), rss_mib(bot.process.pid), "MiB")


async def start_times(bench: Bench, floor_cmd: Any, bot_cmd: Any, rounds: int) -> None:
    floors, bots = [], []
    for _ in range(rounds):
        server = await spawn("floor", *floor_cmd, bench.http)
        floors.append(server.started_in)
        server.stop()
        server = await spawn("amneslag", *bot_cmd, bench.http)
        bots.append(server.started_in)
        server.stop()
    row("start → /healthz", statistics.median(floors), statistics.median(bots), "s")


def parse_times(rounds: int) -> None:
    floors, bots = [], []
    env = {**os.environ, "DATABASE_URL": "sqlite:////nonexistent/never-opened.db"}
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([PYTHON, "-c", "pass"], check=True)
        floors.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run([AMNESLAG, "parse", "hjälp"], check=True, stdout=subprocess.DEVNULL, env=env)
        bots.append(time.perf_counter() - started)
    row("`amneslag parse hjälp` (floor: python -c pass)", statistics.median(floors), statistics.median(bots), "s")


async def sweeping(bench: Bench, kind: str, env: dict[str, str], rounds: int) -> None:
    """Chat latency while sweeps of a national data set run, against the same bot not sweeping and the floor."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import datetime as dtm

    import sqlalchemy as sa
    from sweep import INSTANTS, build

    from scheduler.sweep import sweep
    from storage.db import open_database

    instant = INSTANTS["team choice (3 May)"]
    with database(kind) as url:
        people = prepare_database(url)
        engine = open_database(url)
        build(engine, 21, 300, 12_000)
        started = time.perf_counter()
        sweep(engine, instant)  # what is due is sent: the sweeps under measurement find nothing new
        with engine.begin() as connection:  # and taken as delivered, so no server spends the run posting them
            connection.execute(  # delivered "now" (AMNESLAG_NOW), so that retention at start has nothing to delete
                sa.text("UPDATE outbox_message SET status = 'delivered', delivered_at = :at, created_at = :at"),
                {"at": instant.astimezone(dtm.UTC)},
            )
        print(f"(national data set built and swept once in {time.perf_counter() - started:.1f} s)")
        engine.dispose()
        now = instant.astimezone(dtm.UTC).isoformat()
        common = {**env, "DATABASE_URL": url, "AMNESLAG_NOW": now}
        bot_cmd = [AMNESLAG, "serve", "--port", "{port}"]
        floor_cmd = [PYTHON, "-c", SLACK_FLOOR]
        quiet = {**common, "AMNESLAG_SWEEP_MINUTES": "1440"}
        busy = {**common, "AMNESLAG_SWEEP_MINUTES": "0.05"}  # every 3 s; a sweep takes about that long
        bench.people = people
        async with (
            serving("floor", floor_cmd, env, bench.http) as floor,
            serving("amneslag", bot_cmd, quiet, bench.http) as still,
            serving("amneslag", bot_cmd, busy, bench.http) as sweeping_bot,
        ):
            fp = floor_people("FLR")[0]
            a, b = people[0], people[1]
            for _ in range(10):
                await bench.slack_turn(floor, fp)
                await bench.slack_turn(still, a)
                await bench.slack_turn(sweeping_bot, b)
            await asyncio.sleep(5)  # the first sweeps under way
            floors, stills, busies = [], [], []
            for _ in range(rounds):
                floors.append(await bench.slack_turn(floor, fp))
                stills.append(await bench.slack_turn(still, a))
                busies.append(await bench.slack_turn(sweeping_bot, b))
    row("Slack DM, no sweep, median", statistics.median(floors), statistics.median(stills), "ms", 1000)
    row("Slack DM, no sweep, p99", percentile(floors, 0.99), percentile(stills, 0.99), "ms", 1000)
    row("Slack DM, sweeping nation, median", statistics.median(floors), statistics.median(busies), "ms", 1000)
    row("Slack DM, sweeping nation, p99", percentile(floors, 0.99), percentile(busies, 0.99), "ms", 1000)


async def statements(url: str, people: list[Person], rounds: int) -> None:
    """SQL statements and commits of one Slack turn and one Teams turn, counted on the bot's engine."""
    import sqlalchemy as sa
    from aiohttp.test_utils import TestServer

    from bot.outbox import LogSender, OutboxWorker
    from bot.server import create_app
    from bot.slack.app import SlackBot
    from bot.slack.sender import SlackSender, web_client
    from bot.teams.app import TeamsBot
    from bot.teams.sender import TeamsSender
    from dialogs.app import build_dialogs
    from storage.db import open_database

    fakes = Fakes()
    engine = open_database(url)
    counts = {"statements": 0, "commits": 0}

    def statement(*_: Any) -> None:
        counts["statements"] += 1

    def commit(*_: Any) -> None:
        counts["commits"] += 1

    async with TestServer(fakes.app()) as fake:
        client = web_client(TOKEN, str(fake.make_url("/api/")))
        worker = OutboxWorker(engine, [LogSender(), SlackSender(client)])
        dialogs = build_dialogs(engine)
        teams = TeamsBot(engine, dialogs, worker)
        worker.register(TeamsSender(teams, engine))
        slack = SlackBot(engine, dialogs, worker, client, SECRET)
        app = create_app(engine, worker, sweep_minutes=None, slack=slack, teams=teams)
        async with TestServer(app) as served, aiohttp.ClientSession() as http:
            server = Server("amneslag", None, served.port or 0, 0.0)  # type: ignore[arg-type]
            bench = Bench(fakes, http, str(fake.make_url("/")), people)
            results: dict[str, list[tuple[int, int]]] = {"Slack": [], "Teams": []}
            for label, turn in (("Slack", bench.slack_turn), ("Teams", bench.teams_turn)):
                for i in range(rounds + 3):
                    person = people[i % len(people)]
                    await turn(server, person)
                    await asyncio.sleep(0.05)  # the delivered mark after the post
                    counts.update(statements=0, commits=0)
                    sa.event.listen(engine, "before_cursor_execute", statement)
                    sa.event.listen(engine, "commit", commit)
                    await turn(server, person)
                    await asyncio.sleep(0.05)
                    sa.event.remove(engine, "before_cursor_execute", statement)
                    sa.event.remove(engine, "commit", commit)
                    if i >= 3:  # the first turns of a person link ids and store references
                        results[label].append((counts["statements"], counts["commits"]))
            for label, found in results.items():
                print(
                    f"{label} DM → reply: {statistics.median(s for s, _ in found):.0f} SQL statements, "
                    f"{statistics.median(c for _, c in found):.0f} commits (median of {len(found)} turns)"
                )
    engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--only", default="slack,teams,load,memory,start,parse,sweeping,sql")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    if os.environ.get("BENCH_DEBUG"):
        import logging

        logging.basicConfig(level=logging.INFO)
    parts = set(args.only.split(","))
    fakes = Fakes()
    runner = web.AppRunner(fakes.app(), access_log=None)
    await runner.setup()
    fake_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", fake_port).start()
    fake_url = f"http://127.0.0.1:{fake_port}/"
    with database(args.db) as url:
        people = prepare_database(url)
        env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake_url + "api/",
            "DATABASE_URL": url,
        }
        bot_cmd = ([AMNESLAG, "serve", "--teams-local", "--port", "{port}"], env)
        slack_floor = ([PYTHON, "-c", SLACK_FLOOR], env)
        teams_floor = ([PYTHON, "-c", TEAMS_FLOOR], env)
        print(f"database: {args.db}; machine: {os.cpu_count()} cores; medians unless said; floor = bare framework echo")
        print(f"{'what':44} {'floor':>10} {'amneslag':>10} {'':6} {'ratio':>8}")
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            bench = Bench(fakes, http, fake_url, people)

            if "start" in parts:  # a database of its own: a server stopped mid-delivery holds its claims (the lease)
                with database(args.db) as other:
                    prepare_database(other)
                    await start_times(
                        bench, slack_floor, ([AMNESLAG, *bot_cmd[0][1:]], {**env, "DATABASE_URL": other}), 5
                    )
            if "parse" in parts:
                parse_times(10)
            if parts & {"slack", "load", "memory"}:
                async with (
                    serving("floor", *slack_floor, http) as floor,
                    serving("amneslag", *bot_cmd, http) as bot,
                ):
                    if "slack" in parts:
                        await latency(bench, f"Slack DM, {args.db}", bench.slack_turn, floor, bot, args.rounds)
                    if "load" in parts:
                        await load(bench, floor, bot, args.seconds, 3)
                    if "memory" in parts:
                        await memory(bench, floor, bot, args.messages)
            if "teams" in parts:
                async with (
                    serving("floor", *teams_floor, http) as floor,
                    serving("amneslag", *bot_cmd, http) as bot,
                ):
                    await latency(bench, f"Teams activity, {args.db}", bench.teams_turn, floor, bot, args.rounds)
    if "sweeping" in parts:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            await sweeping(Bench(fakes, http, fake_url, []), args.db, env, args.rounds)
    if "sql" in parts:  # a database of its own: the servers above may have left claims that hold conversations
        with database(args.db) as url:
            await statements(url, prepare_database(url), 20)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
