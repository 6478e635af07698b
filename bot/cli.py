"""The `amneslag` command line (DESIGN.md, "Public contract")."""

from __future__ import annotations

import argparse
import datetime as dtm
import json
import logging
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.config import Settings, get_settings
from bot.logs import install as install_log_redaction
from storage.errors import AmneslagError, ConfigurationError, RosterRejected
from storage.kinds import HOLDABLE, OutboxStatus

if TYPE_CHECKING:  # each command imports what it needs: `parse` loads no SQL stack, none loads openai without a key
    import sqlalchemy as sa
    from sqlmodel import Session

    from storage.models import SchoolYear

_LOGGER = logging.getLogger("amneslag")


def _engine(settings: Settings) -> sa.Engine:
    from storage.db import open_database

    return open_database(settings.database_url)


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import session_scope
    from storage.seed import seed_region

    engine = _engine(settings)
    with session_scope(engine) as session:
        result = seed_region(session, args.region)
    if result.changed:
        print(
            f"{result.region.name}: region {'skapad' if result.created_region else 'fanns'}, "
            f"{result.schools_added} skolor och {result.groups_added} grupper tillagda."
        )
    else:
        print(f"{result.region.name} fanns redan komplett; inget ändrades.")
    return 0


def cmd_region(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import col, select

    from storage.db import session_scope
    from storage.directory import get_region
    from storage.framework import change_setting, flat
    from storage.models import Team
    from storage.settings import RegionSettings

    engine = _engine(settings)
    with session_scope(engine) as session:
        region = get_region(session, args.region)
        if args.action == "set":
            before, after = change_setting(session, region, args.key, args.value)
            print(
                f"{region.name}: {args.key} ändrad från {json.dumps(before, ensure_ascii=False)} till "
                f"{json.dumps(after, ensure_ascii=False)}."
            )
            return 0
        document = ", ".join(
            part
            for part in (
                region.framework_title,
                region.framework_version and f"version {region.framework_version}",
                region.framework_url,
            )
            if part
        )
        groups = session.exec(select(Team).where(Team.region_id == region.id).order_by(col(Team.position))).all()
        print(f"{region.name} ({region.key}), tidszon {region.timezone}")
        print(f"Ramverk: {document or 'inget dokument'}")
        print("Grupper: " + ("; ".join(f"{t.name} ({t.kind})" for t in groups) or "inga"))
        print("Inställningar (ändra med: amneslag region set " + region.key + " NYCKEL VÄRDE):")
        for key, value in flat(RegionSettings.model_validate(region.settings)).items():
            print(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def cmd_import_people(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import session_scope
    from storage.directory import get_region, only_region
    from storage.roster import decode, import_roster

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterRejected(f"Kan inte läsa {path}: {exc.strerror or exc}.") from exc
    text = decode(data, source=str(path))
    engine = _engine(settings)
    try:
        with session_scope(engine) as session:
            region = get_region(session, args.region) if args.region else only_region(session)
            report = import_roster(session, region, text, skip_bad=args.skip_bad)
            region_key = region.key
    except RosterRejected as exc:
        for problem in exc.problems:
            print(f"{path}: {problem}", file=sys.stderr)
        raise
    for problem in report.problems:
        print(f"{path}: {problem} (hoppades över)", file=sys.stderr)
    print(report.summary())
    if settings.slack_bot_token is not None:
        _look_up_in_slack(engine, settings.slack_bot_token.get_secret_value(), settings.slack_api_url, region_key)
    return 0


def _look_up_in_slack(engine: sa.Engine, token: str, api_url: str, region_key: str) -> None:
    """The region's people without a Slack id looked up in the workspace by e-mail (`users.lookupByEmail`), so
    that notices and reminders reach them in Slack before they have written to the bot."""
    import asyncio

    from bot.slack.sender import look_up_people, web_client

    async def look_up() -> tuple[int, int]:
        client = web_client(token, api_url)
        try:
            return await look_up_people(engine, client, region_key)
        finally:
            await client.close()

    try:
        found, asked = asyncio.run(look_up())
    except Exception as exc:  # the import stands; the sender looks people up again before it sends
        print(f"Slack: kunde inte slå upp personerna via e-post ({type(exc).__name__}).", file=sys.stderr)
        return
    if asked:
        print(f"Slack: {found} av {asked} utan Slack-id hittades via sin e-postadress.")


def _school_year(session: Session, label: str | None, timezone: str, now: dtm.datetime) -> SchoolYear:
    from storage import schoolyear

    label = label or schoolyear.label_for(schoolyear.today_in(timezone, now))
    try:
        schoolyear.bounds(label)
    except ValueError as exc:
        raise AmneslagError(f"--year: {exc}.") from exc
    return schoolyear.get_or_create(session, label)


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import col, select

    from bot import osrm
    from dialogs.i18n import Translator
    from dialogs.reports import status_text, statuses_csv
    from domain.status import build_statuses
    from domain.teams import deciding_label
    from storage import schoolyear
    from storage.db import session_scope
    from storage.directory import get_region, only_region
    from storage.models import Region
    from storage.settings import RegionSettings

    engine = _engine(settings)
    roads = osrm.from_settings(settings.osrm_url, engine)
    now = settings.clock()()
    with session_scope(engine) as session:
        if args.region == "all":  # every region, read in as many statements as one (domain.status.build_statuses)
            regions = list(session.exec(select(Region).order_by(col(Region.key))).all())
        else:
            regions = [get_region(session, args.region) if args.region else only_region(session)]
        years: dict[str, SchoolYear] = {}  # by label: the regions share their school years

        def year_labelled(label: str) -> SchoolYear:
            if label not in years:
                years[label] = _school_year(session, label, "UTC", now)  # the label is given: no zone needed
            return years[label]

        asked = []
        for region in regions:
            today = schoolyear.today_in(region.timezone, now)
            year = year_labelled(args.year or schoolyear.label_for(today))
            # the default is this year's status, with the teams being decided (the coming year's, from May)
            region_settings = RegionSettings.model_validate(region.settings)
            deciding = year_labelled(deciding_label(today, region_settings)) if args.year is None else year
            asked.append((region, year, deciding))
        statuses = build_statuses(session, asked, roads)
    if args.format == "json":
        data = [status.model_dump(mode="json") for status in statuses]
        print(json.dumps(data if args.region == "all" else data[0], ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(statuses_csv(statuses))
    else:
        print("\n\n".join(status_text(Translator(settings.language), status) for status in statuses))
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """The year report: one self-contained HTML page with charts and a map (Matplotlib, loaded only here)."""
    from bot import osrm
    from dialogs.i18n import Translator
    from dialogs.year_report import report_html
    from domain.report import build_report
    from storage.db import session_scope
    from storage.directory import get_region, only_region

    out = Path(args.out)
    if out.is_dir():
        raise AmneslagError(f"--out {out}: det är en katalog; ange en fil, till exempel {out / 'arsrapport.html'}.")
    if not out.parent.is_dir():
        raise AmneslagError(f"--out {out}: katalogen {out.parent} finns inte.")
    engine = _engine(settings)
    roads = osrm.from_settings(settings.osrm_url, engine)
    now = settings.clock()()
    with session_scope(engine) as session:
        region = get_region(session, args.region) if args.region else only_region(session)
        year = _school_year(session, args.year, region.timezone, now)
        report = build_report(session, region, year, now, roads)
    out.write_text(report_html(report, Translator(settings.language)), encoding="utf-8")
    print(f"Årsrapporten för {report.region} {report.school_year} finns i {out}.")
    return 0


def cmd_invoice(args: argparse.Namespace, settings: Settings) -> int:
    """The host school's invoice basis of a physical meeting whose cost has been entered in the chat."""
    from dialogs.i18n import Translator
    from dialogs.reports import cost_rule, invoice_csv, invoice_text
    from domain.logistics import invoice_basis
    from storage.db import session_scope
    from storage.models import Meeting, MeetingKind

    engine = _engine(settings)
    with session_scope(engine) as session:
        meeting = session.get(Meeting, args.meeting_id)
        if meeting is None:
            raise AmneslagError(
                f"Träff {args.meeting_id} finns inte. Träffarnas id står i amneslag status --format json."
            )
        if meeting.kind != MeetingKind.PHYSICAL.value:
            raise AmneslagError(f"Träff {args.meeting_id} är digital: ingen värdskola fakturerar för den.")
        basis = invoice_basis(session, meeting)
    if basis is None:
        raise AmneslagError(
            f"Träff {args.meeting_id} har ingen kostnad inlagd än. Värdskolans chef eller ämneslagsledaren lägger in "
            'den i chatten ("kostnad"), efter att ledaren bekräftat vilka som var där.'
        )
    if args.format == "json":
        print(json.dumps({**basis, "rule": cost_rule(Translator("en"))}, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(invoice_csv(Translator(settings.language), basis))
    else:
        print(invoice_text(Translator(settings.language), basis))
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    """One line per change: when, who (e-mail, or "system"), what, which row, and its before and after."""
    from storage.audit import entries
    from storage.db import session_scope
    from storage.models import Person

    engine = _engine(settings)
    zone = ZoneInfo(settings.timezone)
    since = dtm.datetime.combine(args.since, dtm.time(), tzinfo=zone) if args.since else None
    with session_scope(engine) as session:
        for entry in entries(session, since):
            actor = session.get(Person, entry.actor_id) if entry.actor_id is not None else None
            who = actor.email if actor else str(entry.details.get("erased_actor", "system"))
            details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
            print(
                f"{entry.at.astimezone(zone).isoformat(timespec='seconds')}  {who}  "
                f"{entry.action}  {entry.entity}:{entry.entity_id if entry.entity_id is not None else '-'}  {details}"
            )
    return 0


_OUTBOX_SV = {
    "pending": "väntar",
    "sending": "skickas",
    "delivered": "levererat",
    "failed": "misslyckat",
    "unreached": "nådde ingen",
}


def cmd_outbox(args: argparse.Namespace, settings: Settings) -> int:
    from storage import outbox
    from storage.db import session_scope
    from storage.models import utcnow

    engine = _engine(settings)
    with session_scope(engine) as session:
        if args.retry is not None:
            if not outbox.retry_failed(session, args.retry, utcnow()):
                raise AmneslagError(
                    f"Meddelande {args.retry} finns inte, eller har varken misslyckats eller nått ingen."
                )
            print(f"Meddelande {args.retry} läggs i kön igen.")
            return 0
        counts = outbox.backlog(session)
        print("  ".join(f"{_OUTBOX_SV.get(status, status)}: {count}" for status, count in counts.items()))
        for message in outbox.messages(session, args.status):
            error = f"  fel: {message.last_error}" if message.last_error else ""
            print(
                f"{message.id}  {_OUTBOX_SV.get(message.status, message.status)}  {message.channel}  {message.kind}  "
                f"person {message.recipient_id}  "
                f"försök {message.attempts}  {message.created_at.isoformat(timespec='seconds')}{error}"
            )
    return 0


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def serves_teams(args: argparse.Namespace, settings: Settings) -> bool:
    """Whether `/api/messages` is served: with Teams configured (tokens checked), or in a local mode on
    loopback (`--playground`, `--teams-local`), where requests come without a token and so from this
    machine only. Otherwise anyone could post an activity and be answered."""
    local = bool(args.playground or args.teams_local)
    if local and args.host not in LOOPBACK:
        raise ConfigurationError(
            f"--playground och --teams-local tar emot Teams utan token och lyssnar därför bara på 127.0.0.1, "
            f"inte {args.host}. Sätt MICROSOFT_APP_ID, _PASSWORD och _TENANT_ID för att ta emot Teams utifrån."
        )
    return bool(settings.microsoft_app_id) or local


def teams_installer(settings: Settings, engine: Any) -> Any:
    """The Graph installer of the Teams app (`bot.teams.graph`) when `AMNESLAG_TEAMS_INSTALL` is on, else None."""
    if not settings.teams_install:
        return None
    password = settings.microsoft_app_password
    if not (settings.microsoft_app_id and password and settings.microsoft_app_tenant_id):
        raise ConfigurationError(
            "AMNESLAG_TEAMS_INSTALL är på men MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD och MICROSOFT_APP_TENANT_ID "
            "är inte alla satta: boten hämtar sin Graph-token med dem."
        )
    if not settings.teams_app_catalog_id:
        raise ConfigurationError(
            "AMNESLAG_TEAMS_INSTALL är på men AMNESLAG_TEAMS_APP_CATALOG_ID saknas: appens id i organisationens "
            "appkatalog (GET /appCatalogs/teamsApps?$filter=externalId eq 'MICROSOFT_APP_ID' i Graph)."
        )
    from bot.teams.graph import TeamsInstaller

    return TeamsInstaller(
        engine,
        app_id=settings.microsoft_app_id,
        app_password=password.get_secret_value(),
        tenant_id=settings.microsoft_app_tenant_id,
        catalog_app_id=settings.teams_app_catalog_id,
        graph_url=settings.graph_url,
        login_url=settings.login_url,
        service_url=settings.teams_service_url,
    )


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from bot.llm import from_settings
    from bot.osrm import OsrmRoads, kept_fresh
    from bot.outbox import LogSender, OutboxWorker, Sender
    from bot.server import create_app
    from bot.teams.lazy import LazyTeamsSender
    from dialogs.app import build_dialogs
    from storage import schoolyear
    from storage.db import session_scope
    from storage.demo import load_demo

    extra: list[Any] = []
    if args.playground:
        from bot.teams.playground import PLAYGROUND_PORT, find_playground, playground

        command = find_playground()
        if command is None:
            raise ConfigurationError(
                "Agents Playground saknas. Installera den med: npm ci --prefix tests/teams/js "
                "(eller npm install -g @microsoft/m365agentsplayground)."
            )
        if settings.microsoft_app_id:
            raise ConfigurationError("--playground skickar inga token: kör utan MICROSOFT_APP_ID.")
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        extra.append(playground(command, f"http://{host}:{args.port}/api/messages"))
    engine = _engine(settings)
    clock = settings.clock()
    if args.demo:
        with session_scope(engine) as session:
            result = load_demo(session, schoolyear.label_for(schoolyear.today_in(settings.timezone, clock())), clock())
            if args.playground:
                who = link_playground_user(session)
        print(f"Demodata: {result.region.name}, läsår {result.school_year}. {result.people.summary()}")
    senders: list[Sender] = [LogSender()]
    mailer: Sender | None = None
    if settings.email_configured:  # people without a chat get e-mail instead of a line in the log
        from bot.email.sender import from_settings as email_sender

        mailer = email_sender(settings)
        if mailer is not None:
            senders.append(mailer)
    installer = teams_installer(settings, engine)
    no_chat: Sender = mailer or LogSender()  # the last ways to people without a chat: e-mail, else the log
    if installer is not None:  # first, the Teams app installed for them through Graph
        from bot.teams.graph import InstallingSender

        no_chat = InstallingSender(installer, lambda: worker.senders["teams"], no_chat)
        senders = [no_chat, *([mailer] if mailer else [])]
    slack = client = None
    if args.slack_socket_mode and settings.slack_app_token is None:
        raise ConfigurationError(
            "--slack-socket-mode behöver SLACK_APP_TOKEN (en app-nivåtoken, xapp-…, med connections:write)."
        )
    teams_endpoint = serves_teams(args, settings)
    if settings.slack_bot_token is not None:
        if settings.slack_signing_secret is None and not args.slack_socket_mode:
            raise ConfigurationError(
                "SLACK_BOT_TOKEN är satt men inte SLACK_SIGNING_SECRET: utan den kan boten inte kontrollera att "
                "anropen kommer från Slack. Sätt SLACK_SIGNING_SECRET (appens Basic Information i Slack), "
                "eller kör med --slack-socket-mode."
            )
        from bot.slack.app import SlackBot
        from bot.slack.sender import LookupSender, SlackSender, web_client

        client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
        slack_sender = SlackSender(client, engine=engine, fallback=mailer)  # a closed Slack account: e-mail
        # the log's people are looked up in Slack by their e-mail address first, then mailed, then unreached
        senders = [LookupSender(slack_sender, no_chat), slack_sender, *([mailer] if mailer else [])]
    elif args.slack_socket_mode:
        raise ConfigurationError("--slack-socket-mode behöver också SLACK_BOT_TOKEN.")
    if settings.microsoft_app_id and not (settings.microsoft_app_password and settings.microsoft_app_tenant_id):
        raise ConfigurationError(
            "MICROSOFT_APP_ID är satt men inte MICROSOFT_APP_PASSWORD och MICROSOFT_APP_TENANT_ID: boten är "
            "registrerad som single-tenant och behöver alla tre (Azure Bot-resursen, fliken Configuration)."
        )
    worker = OutboxWorker(
        engine,
        senders,
        max_attempts=settings.outbox_max_attempts,
        poll_seconds=settings.outbox_poll_seconds,
        lease_seconds=settings.outbox_lease_seconds,
        batch_size=settings.outbox_batch_size,
    )
    roads = OsrmRoads(settings.osrm_url) if settings.osrm_url else None  # road distances, else the estimate
    if roads is not None:
        extra.append(kept_fresh(roads, engine))
    dialogs = build_dialogs(
        engine,
        idle_timeout=dtm.timedelta(minutes=settings.dialog_idle_minutes),
        default_language=settings.language,
        clock=clock,
        assistant=from_settings(settings),
        roads=roads,
        # what the replies say of people without a chat: they get e-mail, are looked up in Slack, or are not reached
        reach="email"
        if mailer is not None
        else "teams"
        if installer is not None
        else "slack"
        if settings.slack_bot_token is not None
        else "none",
    )
    inbox_lease = dtm.timedelta(seconds=settings.inbox_lease_seconds)

    def teams_bot() -> Any:  # botbuilder is imported only where Teams is served or a Teams message is due
        from bot.teams.app import TeamsBot

        return TeamsBot(
            engine,
            dialogs,
            worker,
            app_id=settings.microsoft_app_id,
            app_password=password.get_secret_value() if (password := settings.microsoft_app_password) else None,
            tenant_id=settings.microsoft_app_tenant_id,
            lease=inbox_lease,
            service_hosts=settings.service_hosts(),
        )

    def teams_sender(teams: Any) -> Sender:
        from bot.teams.sender import TeamsSender

        return TeamsSender(teams, engine, installer=installer, fallback=mailer)

    teams = teams_bot() if teams_endpoint else None
    worker.register(teams_sender(teams) if teams else LazyTeamsSender(lambda: teams_sender(teams_bot())))
    if client is not None:
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
        token = (
            settings.slack_app_token.get_secret_value() if args.slack_socket_mode and settings.slack_app_token else None
        )
        slack = SlackBot(engine, dialogs, worker, client, secret, app_token=token, lease=inbox_lease)
    where = "Teams: /api/messages, " if teams_endpoint else ""
    print(f"Ämneslagsboten lyssnar på http://{args.host}:{args.port} ({where}hälsa: /healthz). Avsluta med Ctrl+C.")
    if args.playground:
        as_whom = f" Du chattar som {who}." if args.demo else ""
        print(f"Agents Playground: öppna http://localhost:{PLAYGROUND_PORT} i webbläsaren.{as_whom}")
    try:
        web.run_app(
            create_app(
                engine,
                worker,
                sweep_minutes=settings.sweep_minutes,
                slack=slack,
                teams=teams,
                extra=extra,
                retention=settings,
                inbox_lease=inbox_lease,
                clock=clock,
                sweep_process=True,
            ),
            host=args.host,
            port=args.port,
            print=None,
        )
    except OSError as exc:
        raise AmneslagError(
            f"Kan inte lyssna på {args.host}:{args.port}: {exc.strerror or exc}. Välj en annan port med --port."
        ) from exc
    return 0


def link_playground_user(session: Session) -> str:
    """Let the Agents Playground's user be the demo teacher (by the playground's fixed AAD object id)."""
    from sqlmodel import select

    from bot.teams.playground import PLAYGROUND_USER_AAD
    from storage.directory import person_by_email
    from storage.models import Person

    teacher = person_by_email(session, DEMO_TEACHER)
    if teacher is None:
        raise AmneslagError(f"Demoläraren {DEMO_TEACHER} finns inte i databasen.")
    for other in session.exec(select(Person).where(Person.teams_user_id == PLAYGROUND_USER_AAD)).all():
        other.teams_user_id = None
    session.flush()
    teacher.teams_user_id = PLAYGROUND_USER_AAD
    return teacher.name


def cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    from dialogs import nlu
    from storage.framework import framework
    from storage.kinds import GroupKind

    spec = framework(args.region)
    teams = [g.name for g in spec.groups if g.kind in (GroupKind.SUBJECT_TEAM, GroupKind.TEACHER_NETWORK)]
    places = [s.municipality for s in spec.schools]
    today = args.today or settings.clock()().astimezone(ZoneInfo(settings.timezone)).date()

    def show(text: str) -> None:
        parsed = nlu.parse(text, today=today, teams=teams, places=places)
        print(json.dumps({"intent": parsed.intent, "slots": parsed.slots}, ensure_ascii=False), flush=True)

    if args.text:
        show(" ".join(args.text))
    else:
        for line in sys.stdin:
            show(line.rstrip("\n"))
    return 0


DEMO_TEACHER = "alva.jonsson@example.org"


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot import osrm
    from bot.console import run_chat
    from bot.llm import from_settings
    from dialogs.app import build_dialogs
    from storage import schoolyear
    from storage.db import session_scope
    from storage.demo import load_demo
    from storage.directory import person_by_email

    engine = _engine(settings)
    clock = settings.clock()
    if args.demo:
        with session_scope(engine) as session:
            load_demo(session, schoolyear.label_for(schoolyear.today_in(settings.timezone, clock())), clock())
    email = args.as_email or (DEMO_TEACHER if args.demo else None)
    if email is None:
        raise AmneslagError("Ange vem du är: amneslag chat --as din.adress@example.org (eller --demo).")
    with session_scope(engine) as session:
        person = person_by_email(session, email)
    dialogs = build_dialogs(
        engine,
        idle_timeout=dtm.timedelta(minutes=settings.dialog_idle_minutes),
        default_language=settings.language,
        clock=clock,
        assistant=from_settings(settings),
        roads=osrm.from_settings(settings.osrm_url, engine),
    )
    interactive = sys.stdin.isatty()

    def read_line() -> str | None:
        if interactive:
            try:
                return input("> ")
            except EOFError:
                return None
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None

    if interactive:
        who = person.name if person else email
        print(f'Du chattar som {who}. Skriv "hjälp" för att se vad boten kan, Ctrl+D för att avsluta.\n')
    run_chat(dialogs, person.id if person else None, read_line, lambda text: print(text, end="", flush=True))
    return 0


EXAMPLE_URL = "https://bot.example.org/slack/events"


def cmd_manifest(args: argparse.Namespace, settings: Settings) -> int:
    """The Slack app manifest with the request URL filled in, or the Teams app package (a zip) for our app id."""
    if args.platform == "teams":
        from manifest.teams import build_package

        if not args.out:
            raise AmneslagError("Ange var Teams-paketet ska skrivas: amneslag manifest teams --out app.zip")
        app_id = args.app_id or settings.microsoft_app_id
        if not app_id:
            raise AmneslagError(
                "Teams-paketet behöver botens Microsoft App ID: sätt MICROSOFT_APP_ID eller ange --app-id."
            )
        out = Path(args.out)
        build_package(app_id, out)
        print(f"Teams-paketet är skrivet till {out}: ladda upp det i Teams (administrationscenter eller anpassad app).")
        return 0
    text = resources.files("manifest").joinpath("slack/manifest.yaml").read_text(encoding="utf-8")
    if args.url:
        parsed = urlparse(args.url)
        if parsed.scheme != "https" or not parsed.netloc:
            raise AmneslagError(f"--url måste vara en https-adress, till exempel {EXAMPLE_URL}")
        text = text.replace(EXAMPLE_URL, args.url)
    sys.stdout.write(text)
    return 0


def cmd_gdpr_export(args: argparse.Namespace, settings: Settings) -> int:
    """All data about a person as JSON, on stdout or into --out."""
    from domain.privacy import export_person
    from storage.db import session_scope

    engine = _engine(settings)
    with session_scope(engine) as session:
        data = export_person(session, args.email, now=settings.clock()())
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.out:
        out = Path(args.out)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise AmneslagError(f"Kan inte skriva {out}: {exc.strerror or exc}.") from exc
        print(f"Uppgifterna är skrivna till {out}. Filen innehåller personuppgifter: hantera den därefter.")
    else:
        sys.stdout.write(text)
    return 0


def cmd_gdpr_erase(args: argparse.Namespace, settings: Settings) -> int:
    """Erase a person: asks for "ja" on a terminal, or needs --yes."""
    from domain.privacy import erase_person
    from storage.db import session_scope

    if not args.yes:
        if not sys.stdin.isatty():
            raise AmneslagError("Radering går inte att ångra: lägg till --yes för att radera utan fråga.")
        answer = input(f"Radera allt om {args.email}? Det går inte att ångra. Skriv ja för att radera: ")
        if answer.strip().lower() not in ("ja", "yes"):
            print("Inget raderades.")
            return 1
    engine = _engine(settings)
    with session_scope(engine) as session:
        report = erase_person(session, args.email, now=settings.clock()())
    removed = ", ".join(f"{table} {count}" for table, count in report.removed.items() if count) or "inget"
    print(f"Raderad. Personen heter nu {report.pseudonym} i ändringsloggen och anteckningarna. Borttaget: {removed}.")
    if report.held:
        held = ", ".join(f"{table} {count}" for table, count in report.held.items())
        print(f"Sparat på grund av arkivhåll: {held} (amneslag gdpr hold list).")
    print("Ta också bort personen ur personallistan, annars läggs hen in igen vid nästa import.")
    return 0


def cmd_gdpr_hold(args: argparse.Namespace, settings: Settings) -> int:
    """Place, list or lift archive holds."""
    from domain.privacy import lift_hold, list_holds, place_hold
    from storage.db import session_scope

    engine = _engine(settings)
    with session_scope(engine) as session:
        if args.hold_command == "add":
            hold = place_hold(
                session, entity=args.entity, entity_id=args.id, reason=args.reason, by=args.by, now=settings.clock()()
            )
            print(f"Arkivhåll {hold.id}: {hold.entity} {hold.entity_id} raderas inte förrän hållet lyfts.")
        elif args.hold_command == "lift":
            hold = lift_hold(session, args.hold_id, by=args.by, now=settings.clock()())
            print(f"Arkivhåll {hold.id} är lyft: {hold.entity} {hold.entity_id} gallras nu som vanligt.")
        else:
            holds = list_holds(session, include_lifted=args.all)
            for hold in holds:
                lifted = (
                    f"  lyft {hold.lifted_at.isoformat(timespec='seconds')} av {hold.lifted_by}"
                    if hold.lifted_at
                    else ""
                )
                print(
                    f"{hold.id}  {hold.entity} {hold.entity_id}  {hold.placed_at.isoformat(timespec='seconds')}  "
                    f"{hold.placed_by}  {hold.reason}{lifted}"
                )
            if not holds:
                print("Inga arkivhåll.")
    return 0


def cmd_gdpr_retention(args: argparse.Namespace, settings: Settings) -> int:
    """Delete what has expired as of --at (default now), as the daily job does."""
    from domain.retention import apply_retention

    at = args.at or settings.clock()()
    report = apply_retention(_engine(settings), at, settings)
    deleted = ", ".join(f"{table} {count}" for table, count in report.deleted.items())
    print(f"Gallring per {at.isoformat(timespec='seconds')}: raderade {deleted}.")
    held = {table: count for table, count in report.held.items() if count}
    if held:
        print("Sparade på grund av arkivhåll: " + ", ".join(f"{table} {count}" for table, count in held.items()) + ".")
    return 0


def _instant(text: str) -> dtm.datetime:
    """An ISO 8601 instant; without an offset it is read as Swedish local time."""
    try:
        value = dtm.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ogiltig tidpunkt {text!r}, skriv t.ex. 2027-05-03T09:00+02:00") from exc
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("Europe/Stockholm"))


def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    """One sweep as of --at (default: now, or AMNESLAG_NOW): a line per reminder, then what could not be done."""
    from dialogs.i18n import Translator
    from dialogs.reports import problem_name
    from scheduler.sweep import sweep

    at = args.at or settings.clock()()
    report = sweep(_engine(settings), at, dry_run=args.dry_run)
    if report.skipped:
        print("En annan instans gör ett svep just nu; inget gjordes. Försök igen om en stund.", file=sys.stderr)
        return 1
    for planned in report.reminders:
        print(f"{planned.rule}  {planned.email}  {planned.subject}  {planned.occurrence}")
    verb = "skulle skickas" if args.dry_run else "skickade"
    print(f"{len(report.reminders)} påminnelser {verb} per {at.isoformat()}.", file=sys.stderr)
    for problem in report.problems:
        name = problem_name(Translator(settings.language), problem.problem)
        print(f"kunde inte: {name}: {problem.detail}", file=sys.stderr)
    return 0


def _date(text: str) -> dtm.date:
    try:
        return dtm.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ogiltigt datum {text!r}, skriv ÅÅÅÅ-MM-DD") from exc


# argparse's own words, in the Swedish the rest of the command line speaks. argparse looks its messages up through
# gettext's `_` at the moment it uses them (it has no catalog of its own), so they are looked up here instead.
_ARGPARSE_SV = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "de här argumenten saknas: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "invalid %(type)s value: %(value)r": "ogiltigt värde: %(value)r",
    "expected one argument": "ett värde saknas",
    "expected at least one argument": "minst ett värde saknas",
    "expected at most one argument": "högst ett värde",
    "not allowed with argument %s": "går inte ihop med %s",
    "one of the arguments %s is required": "ett av argumenten %s behövs",
    "ambiguous option: %(option)s could match %(matches)s": "tvetydig flagga: %(option)s kan vara %(matches)s",
}


def _swedish_argparse() -> None:
    argparse._ = lambda message: _ARGPARSE_SV.get(message, message)  # type: ignore[attr-defined]  # argparse's gettext


def build_parser() -> argparse.ArgumentParser:
    _swedish_argparse()
    parser = argparse.ArgumentParser(
        prog="amneslag",
        description="Ämneslagsboten: de regionala ämneslagens år i Teams och Slack.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="mer loggning")
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    p = sub.add_parser("seed", help="lägg in en regions skolor, ämneslag och inställningar")
    p.add_argument("region", metavar="REGION", help="vasterbotten, vastmanland eller sjuharad")
    p.set_defaults(run=cmd_seed)

    p = sub.add_parser("import-people", help="importera personer från en CSV-fil")
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--region", help="regionen (behövs bara när databasen har flera)")
    p.add_argument("--skip-bad", action="store_true", help="importera de korrekta raderna och hoppa över resten")
    p.set_defaults(run=cmd_import_people)

    p = sub.add_parser("remind", help="en påminnelsesvepning per en tidpunkt")
    p.add_argument(
        "--at",
        type=_instant,
        metavar="ISO8601",
        help="tidpunkten, t.ex. 2027-05-03T09:00+02:00 (standard: nu, eller AMNESLAG_NOW)",
    )
    p.add_argument("--dry-run", action="store_true", help="visa bara vad som skulle skickas; skriv ingenting")
    p.set_defaults(run=cmd_remind)

    p = sub.add_parser("serve", help="starta servern med påminnelser och utskick")
    p.add_argument(
        "--slack-socket-mode",
        action="store_true",
        help="ta emot Slack över Socket Mode (SLACK_APP_TOKEN) i stället för en publik /slack/events",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3978)
    p.add_argument("--demo", action="store_true", help="lägg först in demoregionen Västerbotten (påhittade personer)")
    p.add_argument(
        "--playground",
        action="store_true",
        help="starta också Microsofts Agents Playground, en lokal Teams-klient (npm ci --prefix tests/teams/js)",
    )
    p.add_argument(
        "--teams-local",
        action="store_true",
        help="ta emot Teams-aktiviteter utan token på /api/messages, bara på 127.0.0.1 (Bot Framework Emulator)",
    )
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("region", help="regionens ramverk: visa det, eller ändra en inställning")
    region_actions = p.add_subparsers(dest="action", metavar="show|set", required=True)
    q = region_actions.add_parser("show", help="ramverket som gäller: dokument, grupper, uppgifter, inställningar")
    q.add_argument("region", metavar="REGION")
    q = region_actions.add_parser("set", help="ändra en inställning (kontrolleras och loggas)")
    q.add_argument("region", metavar="REGION")
    q.add_argument("key", metavar="NYCKEL", help="som i region show, t.ex. duties.team_choice eller report_deadline")
    q.add_argument("value", metavar="VÄRDE", help="t.ex. false, 3, 06-01 eller en text")
    p.set_defaults(run=cmd_region)

    p = sub.add_parser("status", help="samordnarens lägesbild")
    p.add_argument("--region", help="regionens nyckel, eller all för alla regioner")
    p.add_argument("--year", metavar="YYYY/YY", help="läsår, till exempel 2025/26 (standard: innevarande)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.set_defaults(run=cmd_status)

    p = sub.add_parser("report", help="årsrapporten: en HTML-sida med diagram och karta")
    p.add_argument("--region")
    p.add_argument("--year", metavar="YYYY/YY", help="läsår, till exempel 2025/26 (standard: innevarande)")
    p.add_argument("--out", required=True, metavar="FIL.html", help="filen att skriva")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser("invoice", help="värdskolans fakturaunderlag för en fysisk träff")
    p.add_argument("meeting_id", type=int, metavar="MEETING_ID", help="träffens id (som i status --format json)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.set_defaults(run=cmd_invoice)

    p = sub.add_parser("audit", help="ändringsloggen")
    p.add_argument("--since", type=_date, metavar="DATE")
    p.set_defaults(run=cmd_audit)

    p = sub.add_parser("outbox", help="utkorgen: köade, levererade, misslyckade och onådda meddelanden")
    p.add_argument("--status", choices=[s.value for s in OutboxStatus])
    p.add_argument(
        "--retry",
        type=int,
        metavar="ID",
        help="lägg ett misslyckat (failed) eller onått (unreached) meddelande i kön igen",
    )
    p.set_defaults(run=cmd_outbox)

    p = sub.add_parser("chat", help="prata med boten i terminalen (läser rad för rad, går att skripta)")
    p.add_argument("--as", dest="as_email", metavar="EMAIL", help="vem du är (e-postadress i personlistan)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="lägg först in demoregionen; utan --as chattar du som en demolärare",
    )
    p.set_defaults(run=cmd_chat)

    p = sub.add_parser("parse", help="vad boten förstod av en text, som JSON")
    p.add_argument("text", nargs="*", metavar="TEXT", help="texten; utan TEXT läses en text per rad från stdin")
    p.add_argument(
        "--today", type=_date, metavar="DATE", help="dagens datum för relativa datum (ÅÅÅÅ-MM-DD; standard: idag)"
    )
    p.add_argument("--region", default="vasterbotten", help="vars ämneslag och orter som känns igen")
    p.set_defaults(run=cmd_parse)

    p = sub.add_parser("manifest", help="app-manifestet för Slack eller app-paketet (zip) för Teams")
    p.add_argument("platform", choices=["slack", "teams"])
    p.add_argument("--url", help="serverns adress för Slack, t.ex. https://bot.kommun.se/slack/events")
    p.add_argument("--out", metavar="FILE.zip", help="(Teams) filen att skriva paketet till, t.ex. app.zip")
    p.add_argument("--app-id", metavar="GUID", help="(Teams) botens Microsoft App ID (standard: MICROSOFT_APP_ID)")
    p.set_defaults(run=cmd_manifest)

    p = sub.add_parser("gdpr", help="en persons uppgifter: export, radering, arkivhåll och gallring")
    gdpr = p.add_subparsers(dest="gdpr_command", required=True, metavar="DELKOMMANDO")
    g = gdpr.add_parser("export", help="allt boten har om en person, som JSON")
    g.add_argument("email", metavar="EMAIL")
    g.add_argument("--out", metavar="FILE", help="skriv till filen i stället för till skärmen")
    g.set_defaults(run=cmd_gdpr_export)
    g = gdpr.add_parser("erase", help="radera en person (går inte att ångra)")
    g.add_argument("email", metavar="EMAIL")
    g.add_argument("--yes", action="store_true", help="radera utan att fråga")
    g.set_defaults(run=cmd_gdpr_erase)
    g = gdpr.add_parser("hold", help="arkivhåll: poster som inte får gallras eller raderas")
    holds = g.add_subparsers(dest="hold_command", required=True, metavar="add|list|lift")
    h = holds.add_parser("add", help="lägg ett arkivhåll")
    h.add_argument("entity", choices=HOLDABLE, help="vad som hålls")
    h.add_argument("id", type=int, metavar="ID", help="postens id (personens id för person)")
    h.add_argument("--reason", required=True, help="skälet, till exempel arkivbeslutets diarienummer")
    h.add_argument("--by", required=True, metavar="VEM", help="vem som lägger hållet")
    h = holds.add_parser("list", help="visa arkivhållen")
    h.add_argument("--all", action="store_true", help="också lyfta håll")
    h = holds.add_parser("lift", help="lyft ett arkivhåll")
    h.add_argument("hold_id", type=int, metavar="NR")
    h.add_argument("--by", required=True, metavar="VEM", help="vem som lyfter hållet")
    g.set_defaults(run=cmd_gdpr_hold)
    g = gdpr.add_parser("retention", help="gallra nu det som har passerat sin lagringstid (görs dagligen av serve)")
    g.add_argument("--at", type=_instant, metavar="ISO8601", help="gallra per denna tidpunkt (standard: nu)")
    g.set_defaults(run=cmd_gdpr_retention)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors become one clear line on stderr and a non-zero exit code."""
    args = build_parser().parse_args(argv)
    configured = bool(logging.getLogger().handlers)  # by an embedding program (or pytest): leave it be
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO if args.command == "serve" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not configured:
        install_log_redaction()  # e-mail addresses in exception messages and library warnings
    # The SDKs log request bodies and headers (message text, tokens) at DEBUG: never let them out.
    for name in ("slack_sdk", "slack_bolt", "msrest", "botbuilder", "botframework", "msal", "urllib3", "openai"):
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"amneslag: felaktig inställning: {problems}", file=sys.stderr)
        return 1
    try:
        return int(args.run(args, settings))
    except AmneslagError as exc:
        privacy = sys.modules.get("domain.privacy")  # loaded by the commands that can raise its error
        if privacy is not None and isinstance(exc, privacy.PrivacyError):
            from dialogs.i18n import Translator
            from dialogs.reports import privacy_problem

            print(f"amneslag: {privacy_problem(Translator(settings.language), exc)}", file=sys.stderr)
            return 1
        print(f"amneslag: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
