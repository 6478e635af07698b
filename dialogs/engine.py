"""The conversation engine: routes an `Incoming` to the step waiting for it, a button's action, or an intent.

State (the step waiting for an answer, its data, the buttons last shown) is a database row per person
and conversation, written in the same transaction as whatever the turn changed, so a restart
mid-dialog loses nothing. "avbryt"/"cancel" works at every step. A typed number or label answers the
last buttons shown. Every action re-checks its values against the data, so a button from an old
message either still works or says plainly that it has expired.

Never acting on a misreading: a request in free text is first run as a dry run, in a savepoint that is
always rolled back. If it would change data or tell anyone (an audit entry other than a refusal, or an
outgoing message), nothing of it is kept and the person is asked one question with Ja/Nej buttons
("Anmäla frånvaro från Bild, form och skapande torsdag 11 februari kl. 13.00?"); the Ja button carries
exactly what was understood, and pressing it (a button press, or "ja" typed) does it. The question is the
buttons of the turn, so it is stored with the dialog state and survives a restart like any other. A
handler names what it is about to do with `Turn.intends`; otherwise the question is the intent's meaning
with its slots. Negations ("jag missar inte träffen") and requests about someone else ("Stina kan inte
komma") are answered as such, and never acted on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from dialogs import nlu
from dialogs.i18n import DEFAULT_LANGUAGE, Translator, Wording, wording
from dialogs.language_model import Assistant, ModelRequest, Pending, ask, needs_model, roster
from dialogs.meanings import meaning, slot_text
from dialogs.names import Act, Intent
from dialogs.types import Button, ChoicesReply, Incoming, Reply, TextReply, buttons_of
from domain.teams import subject_teams
from domain.travel import RoadTable
from storage.audit import record
from storage.db import session_scope, unreachable
from storage.directory import fold, region_schools, roles_of
from storage.errors import AmneslagError, DatabaseUnavailable
from storage.inbound import AlreadyDone
from storage.models import AuditLog, DialogState, OutboxMessage, Person, Region, Team, utcnow
from storage.queries import dialog_state
from storage.settings import Duties, RegionSettings

_LOGGER = logging.getLogger(__name__)
TURN_ATTEMPTS = 3  # a turn that collides with another of its conversation is run again, at most this often
Deliver = Callable[[Session, list[Reply]], None]
FormCheck = Callable[["Turn", dict[str, Any]], dict[str, str]]  # a submitted form's fields -> their problems
"""What a channel does with a turn's replies, in the turn's own transaction (queue them, mark the event done)."""
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
# Requests that never need a confirmation: they act on nothing.
_NEVER_CONFIRMED = frozenset({Intent.HELP, Intent.SMALL_TALK, Intent.CANCEL, Intent.UNKNOWN})
# Words that answer a Ja/Nej question as its buttons would.
_YES = frozenset(
    {"ja", "japp", "jepp", "jajamen", "absolut", "ja tack", "gor det", "ja gor det", "kor", "yes", "yep", "sure"}
)
_NO = frozenset({"nej", "nej tack", "na", "nope", "no", "no thanks", "inte", "gor inte det"})


@dataclass
class Turn:
    """One turn of a conversation, as the dialogs see it."""

    session: Session
    person: Person
    roles: set[str]
    region: Region
    tr: Translator
    now: dtm.datetime
    incoming: Incoming
    next_step: str | None = None
    step_data: dict[str, Any] = field(default_factory=dict)
    waiting_data: dict[str, Any] = field(default_factory=dict)  # the data of the step this turn answers
    understood: str = Intent.UNKNOWN  # the intent the rules found in this turn's text
    assistant_on: bool = False  # a language model is configured (it may still fail)
    # How a person without a chat with the bot is reached at delivery: "email" (SMTP configured), "teams" (the app
    # installed for them through Graph, or else not at all), "slack" (looked up in Slack by e-mail, or else not at
    # all), or "none" (the message reaches nobody). See `dialogs.notify`.
    reach: str = "none"
    model_request: ModelRequest | None = None  # what this turn would like the model to do (see dialogs.language_model)
    roads: RoadTable | None = None  # road distances known in advance (OSRM), else estimates
    intention: Intention | None = None  # what this turn is about to do, as a yes/no question (see `intends`)

    @property
    def is_request(self) -> bool:
        """The text is a request of its own (such as "help"), not an answer to the waiting step."""
        return self.understood != Intent.UNKNOWN

    @property
    def today(self) -> dtm.date:
        return self.now.astimezone(self.tr.zone).date()

    def intends(self, question: str, action: str, **values: Any) -> None:
        """Name what this turn is about to do, as a yes/no question, and the button action that does it.

        Call it just before acting. When the request came as free text, the engine asks `question` first
        and its Ja button is `action` with `values`; a button press acts at once."""
        self.intention = Intention(question, action, values)

    def wait(self, step: str, **data: Any) -> None:
        """Let the next free-text message go to `step` (with `data`), unless it is a new request."""
        self.next_step, self.step_data = step, data

    def refuse(self, attempt: str, reason: str, text: str, **details: Any) -> list[Reply]:
        """Say no in one sentence and write the refused attempt to the audit log; nothing else changes."""
        _LOGGER.info("refused %s for person %s: %s", attempt, self.person.id, reason)
        record(
            self.session,
            action="refused",
            entity=attempt[:40],
            actor_id=self.person.id,
            details={"reason": reason, **details},
        )
        return [TextReply(text=text)]

    @property
    def settings(self) -> RegionSettings:
        """The region's framework settings (`storage.settings.RegionSettings`)."""
        return RegionSettings.model_validate(self.region.settings)

    @property
    def duties(self) -> Duties:
        """Which duties of the yearly cycle the region's framework has (`storage.settings.Duties`)."""
        return self.settings.duties

    @property
    def words(self) -> Wording:
        """What the region calls its groups and their leaders, in the person's language (`dialogs.i18n.Wording`)."""
        return wording(self.settings.words, self.tr.language)

    def teams(self) -> list[Team]:
        assert self.region.id is not None
        return subject_teams(self.session, self.region.id)

    def groups(self) -> list[Team]:
        """Every active group of the region: its teams or networks, and the groups of roles (`domain.groups`)."""
        assert self.region.id is not None
        query = select(Team).where(Team.region_id == self.region.id, col(Team.active))
        return list(self.session.exec(query.order_by(col(Team.position), col(Team.name))).all())

    def team_named(self, name: str | None) -> Team | None:
        return next((t for t in self.teams() if t.name == name), None) if name else None

    def places(self) -> list[str]:
        return [s.municipality for s in region_schools(self.session, self.region)]


@dataclass(frozen=True)
class Intention:
    question: str
    action: str
    values: dict[str, Any]


class _Writes:
    """Whether a session was asked to keep a change or a message: an audit entry (other than a refused
    attempt: every change is audited) or an outgoing message."""

    def __init__(self, session: Session):
        self.session, self.found = session, False
        sa.event.listen(session, "before_flush", self._look)

    def _look(self, session: Session, *_: Any) -> None:
        self.found = self.found or any(
            isinstance(row, OutboxMessage) or (isinstance(row, AuditLog) and row.action != "refused")
            for row in session.new
        )

    def close(self) -> None:
        sa.event.remove(self.session, "before_flush", self._look)


@dataclass(frozen=True)
class Catalog:
    """A region's team and place names as of its `catalog_version`, for the parser."""

    version: int
    teams: tuple[str, ...]
    places: tuple[str, ...]


T = TypeVar("T")
Values = dict[str, Any]
Handler = Callable[[Turn, Values, T], list[Reply]]
StepHandler = Callable[[Turn, str], list[Reply] | None]
FallbackHandler = Callable[[Turn, str, nlu.Parsed], list[Reply] | None]


class Refused(AmneslagError):
    """A guard's no: the person gets `text` (one sentence) and the attempt goes to the audit log as refused.

    Raise it before the action changes anything: the engine answers it and nothing else of the turn is done.
    """

    def __init__(self, attempt: str, reason: str, text: str, **details: Any):
        super().__init__(text)
        self.attempt, self.reason, self.text, self.details = attempt, reason, text, details


class Answered(AmneslagError):
    """An answer that ends an action early without a refusal ("That meeting no longer exists")."""

    def __init__(self, *replies: Reply):
        super().__init__(" ".join(getattr(r, "text", None) or "" for r in replies))
        self.replies = list(replies)


@dataclass(frozen=True)
class Guard(Generic[T]):
    """Who may run an action, and what it acts on: `check` resolves the values' ids to objects or raises
    `Refused` (or `Answered`). `who` names the roles that can pass, for the authorization matrix."""

    name: str
    who: frozenset[str]
    check: Callable[[Turn, Values], T]


@dataclass(frozen=True)
class Route(Generic[T]):
    """An intent or a button action with its guard. Calling it runs the guard, then the handler."""

    name: str
    guard: Guard[T]
    handler: Handler[T]

    def __call__(self, turn: Turn, values: Values | None = None) -> list[Reply]:
        values = dict(values or {})
        return self.handler(turn, values, self.guard.check(turn, values))


class Router:
    """The routes of a set of dialogs: intents, button actions, steps waiting for an answer, and fallbacks.

    Each dialog module has one; `Router.combine` joins them for the engine. A name registered twice is
    an error, so two modules cannot quietly answer the same button.
    """

    def __init__(self) -> None:
        self.intents: dict[str, Route[Any]] = {}
        self.actions: dict[str, Route[Any]] = {}
        self.steps: dict[str, StepHandler] = {}
        self.free_text_steps: set[str] = set()
        self.fallbacks: list[FallbackHandler] = []
        self.form_checks: dict[str, FormCheck] = {}

    @classmethod
    def combine(cls, *routers: Router) -> Router:
        joined = cls()
        for router in routers:
            twice = (
                set(joined.intents) & set(router.intents)
                | set(joined.actions) & set(router.actions)
                | set(joined.steps) & set(router.steps)
            )
            if twice:
                raise ValueError(f"registered twice: {sorted(twice)}")
            joined.intents.update(router.intents)
            joined.actions.update(router.actions)
            joined.steps.update(router.steps)
            joined.free_text_steps |= router.free_text_steps
            joined.fallbacks += router.fallbacks
            joined.form_checks.update(router.form_checks)
        return joined

    def intent(self, name: Intent, *, guard: Guard[T]) -> Callable[[Handler[T]], Route[T]]:
        def add(handler: Handler[T]) -> Route[T]:
            route = Route(str(name), guard, handler)
            self.intents[name] = route
            return route

        return add

    def action(self, name: Act, *, guard: Guard[T]) -> Callable[[Handler[T]], Route[T]]:
        def add(handler: Handler[T]) -> Route[T]:
            route = Route(str(name), guard, handler)
            self.actions[name] = route
            return route

        return add

    def fallback(self, handler: FallbackHandler) -> FallbackHandler:
        """A handler for text the rules did not understand; it answers, or returns None to pass."""
        self.fallbacks.append(handler)
        return handler

    def form_check(self, name: Act, check: FormCheck) -> None:
        """How a form submitted with action `name` is checked before it is sent on (see `Dialogs.form_problems`)."""
        self.form_checks[name] = check

    def step(self, name: str, *, free_text: bool = False) -> Callable[[StepHandler], StepHandler]:
        """A step waiting for an answer. A `free_text` step takes any text but "cancel" (notes, a place,
        a link); other steps take only text that is not a request of its own. A step's answer goes on
        through a guarded route, so the step itself needs no guard."""

        def add(handler: StepHandler) -> StepHandler:
            self.steps[name] = handler
            if free_text:
                self.free_text_steps.add(name)
            return handler

        return add


def intent_button(label: str, intent: Intent, **slots: str) -> Button:
    """A button that starts an intent; it never expires."""
    return Button(label=label, action=Act.INTENT, values={"intent": intent, **slots})


def _named_choice(text: str, choices: list[Button]) -> Button | None:
    """The button a text names outright: its label, or a yes or a no where Ja/Nej buttons were shown."""
    wanted = fold(text).strip(" .!?")
    for words, labels in ((_YES, ("ja", "yes")), (_NO, ("nej", "no"))):
        if wanted in words and (answer := [b for b in choices if fold(b.label) in labels]):
            return answer[0]
    exact = [b for b in choices if fold(b.label) == wanted]
    return exact[0] if exact else None


def _match_choice(text: str, choices: list[Button]) -> Button | None:
    if m := _NUMBER.match(text):
        index = int(m.group(1)) - 1
        return choices[index] if 0 <= index < len(choices) else None
    if named := _named_choice(text, choices):
        return named
    wanted = fold(text).strip(" .!?")
    partial = [b for b in choices if len(wanted) >= 3 and wanted in fold(b.label)]
    return partial[0] if len(partial) == 1 else None


class Dialogs:
    """Answers one `Incoming` at a time; each turn is one database transaction."""

    def __init__(
        self,
        db: sa.Engine,
        router: Router,
        *,
        idle_timeout: dtm.timedelta = dtm.timedelta(minutes=30),
        default_language: str = DEFAULT_LANGUAGE,
        clock: Callable[[], dtm.datetime] = utcnow,
        assistant: Assistant | None = None,
        roads: RoadTable | None = None,
        reach: str = "none",
    ):
        """`assistant` (a language model) is asked only where the rules are not confident; None: rules alone.
        `reach`: how the people without a chat with the bot are reached (`Turn.reach`)."""
        self.db = db
        self.router = router
        self.idle_timeout = idle_timeout
        self.default_language = default_language
        self.clock = clock
        self.assistant = assistant
        self.roads = roads
        self.reach = reach
        self._locks: dict[str, tuple[threading.Lock, int]] = {}  # conversation -> (its lock, turns using it)
        self._catalogs: dict[int, Catalog] = {}  # region id -> the names its parser reads
        self._locks_guard = threading.Lock()

    async def respond(self, incoming: Incoming, deliver: Deliver | None = None) -> list[Reply]:
        """The replies to `incoming`, with the language model's help where a turn asked for it.

        The rules answer first (in a thread: the dialogs are synchronous). If the turn left a model
        request and a model is configured, the model is asked; its result goes to the request's
        `then` action as a second turn. Without a model, or when it gives nothing usable, the rules'
        answer stands.

        `deliver` gets the final replies inside the transaction of the turn that made them, so what the
        turn changed, its replies in the outbox and its inbound event marked done commit together. It
        raises `DatabaseUnavailable` when the database could not be reached (nothing was done; the event
        stays pending) and `AlreadyDone` when `deliver` found the event done by someone else.
        """
        replies, pending = await asyncio.to_thread(self._answer, incoming, deliver)
        if pending is None or self.assistant is None:
            return replies
        try:
            async with asyncio.timeout(self.assistant.budget):
                result = await ask(self.assistant, pending, self._tool)
        except TimeoutError:
            _LOGGER.warning("language model: no answer within %s s", self.assistant.budget)
            result = None
        if result is None:
            if deliver is not None:
                await asyncio.to_thread(self._deliver_alone, deliver, replies)
            return replies
        follow_up = incoming.model_copy(
            update={"text": None, "action": pending.request.then, "values": {**pending.request.values, **result}}
        )
        return (await asyncio.to_thread(self._answer, follow_up, deliver, False))[0]

    def _tool(self, pending: Pending, name: str) -> dict[str, Any]:
        """One read-only status query for the model, in the asker's own region (see dialogs.language_model.TOOLS)."""
        from dialogs.language_model import run_tool
        from domain.teams import current_year, year_being_decided

        with Session(self.db) as session:
            region = session.get(Region, pending.region_id)
            assert region is not None
            now = self.clock()
            current, planning = current_year(session, region, now), year_being_decided(session, region, now)
            return run_tool(session, region, current, planning, name, self.roads)

    def handle(self, incoming: Incoming, deliver: Deliver | None = None) -> list[Reply]:
        """The replies to `incoming` by the rules alone; a failure of ours is logged and answered politely.

        With `deliver`, as in `respond` (and then it raises `DatabaseUnavailable` or `AlreadyDone`).
        """
        return self._answer(incoming, deliver, False)[0]

    def _deliver_alone(self, deliver: Deliver, replies: list[Reply]) -> None:
        try:
            with session_scope(self.db) as session:
                deliver(session, replies)
        except sa.exc.SQLAlchemyError as exc:
            if unreachable(exc):
                raise DatabaseUnavailable(type(exc).__name__) from exc
            raise

    def _answer(
        self, incoming: Incoming, deliver: Deliver | None = None, may_ask_model: bool = True
    ) -> tuple[list[Reply], Pending | None]:
        """The rules' replies, and what the turn would like the language model to do (see `respond`).

        Turns of one conversation run one at a time: in this process by a lock per conversation, across
        processes on PostgreSQL by an advisory lock held for the turn's transaction. A turn that still
        collides with another (its waiting step changed or was created meanwhile) is run again, from the
        start, since nothing of it was committed.
        """
        key = f"{self._key(incoming)}#{incoming.person_id}"
        try:
            with self._conversation_lock(key):
                attempt = 1
                while True:
                    try:
                        return self._turn(incoming, key, deliver, may_ask_model)
                    except (StaleDataError, sa.exc.IntegrityError):
                        if attempt == TURN_ATTEMPTS:
                            raise
                        _LOGGER.info("turn collided with another of the same conversation; again (%d)", attempt)
                        attempt += 1
        except AlreadyDone:
            raise
        except Exception as exc:
            if unreachable(exc):
                _LOGGER.warning("dialog turn not done, the database is unreachable: %s", type(exc).__name__)
                if deliver is None:
                    return [self._apology()], None
                raise DatabaseUnavailable(type(exc).__name__) from exc
            _LOGGER.exception(
                "dialog failed: person %s, channel %s, action %s",
                incoming.person_id,
                incoming.channel,
                incoming.action,
            )
            self._forget(incoming)
            apology: list[Reply] = [self._apology()]
            if deliver is not None:
                self._deliver_alone(deliver, apology)
            return apology, None

    def _apology(self) -> TextReply:
        tr = Translator(self.default_language)
        return TextReply(
            text=tr._(
                "Sorry, something went wrong on my side. Please try again; if it keeps happening, "
                "tell your coordinator."
            )
        )

    def _turn(
        self, incoming: Incoming, key: str, deliver: Deliver | None, may_ask_model: bool
    ) -> tuple[list[Reply], Pending | None]:
        with session_scope(self.db) as session:
            if session.get_bind().dialect.name == "postgresql":
                digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
                session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": digest})
            replies, turn = self._handle(session, incoming)
            if turn is None or turn.model_request is None or self.assistant is None or not may_ask_model:
                if deliver is not None:
                    deliver(session, replies)
                return replies, None
            catalog = self.catalog(turn)
            return replies, Pending(
                request=turn.model_request,
                people=roster(session, turn.region),
                teams=list(catalog.teams),
                places=list(catalog.places),
                today=turn.today,
                language=turn.person.language,
                region_id=turn.region.id or 0,
            )

    def catalog(self, turn: Turn) -> Catalog:
        """The names of the region's teams and places that the parser reads, kept while the region's
        `catalog_version` (which every change to its teams and schools counts, in any instance) stays the same."""
        region = turn.region
        assert region.id is not None
        cached = self._catalogs.get(region.id)
        if cached is not None and cached.version == region.catalog_version:
            return cached
        fresh = Catalog(region.catalog_version, tuple(t.name for t in turn.teams()), tuple(turn.places()))
        self._catalogs[region.id] = fresh
        return fresh

    @contextlib.contextmanager
    def _conversation_lock(self, key: str) -> Iterator[None]:
        with self._locks_guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._locks_guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def channel_welcome(self) -> list[Reply]:
        """What the bot says in a shared channel it was just added to (nobody in particular is asking)."""
        tr = Translator(self.default_language)
        return [
            TextReply(
                text=tr._(
                    "Hi! I am Ämneslagsboten. I help the subject teams with meetings, absence and notes. Write to me "
                    'in a personal chat, or mention me here followed by "help".'
                )
            )
        ]

    def unavailable(self) -> str:
        """What a person is told when their request could not even be stored (the database is unreachable)."""
        tr = Translator(self.default_language)
        return tr._("I can't reach my database right now, so I could not take that. Please try again in a moment.")

    def _forget(self, incoming: Incoming) -> None:
        """Drop the conversation's state after a failure, so nobody is stuck in a broken dialog."""
        if incoming.person_id is None:
            return
        try:
            with session_scope(self.db) as session:
                state = self._state(session, incoming)
                if state is not None:
                    session.delete(state)
        except sa.exc.SQLAlchemyError:
            _LOGGER.exception("could not clear dialog state")

    @staticmethod
    def _key(incoming: Incoming) -> str:
        return f"{incoming.channel}:{incoming.conversation_id}"[:300]

    def _state(self, session: Session, incoming: Incoming) -> DialogState | None:
        if incoming.person_id is None:
            return None
        return dialog_state(session, incoming.person_id, self._key(incoming))

    def form_problems(self, incoming: Incoming) -> dict[str, str]:
        """The fields of a submitted form (`incoming.action` and its `values`) that cannot be taken, each with
        the reason, by the form's own rules and without acting on it: nothing is written, no state changes.

        A channel that can show a reason at its field (Slack's modal: `response_action` "errors") asks before
        it acknowledges the submission, and keeps the form open when there is any. Anything else (no such
        form, a guard that refuses, the database out of reach) is no problem here: the turn itself answers it.
        """
        check = self.router.form_checks.get(incoming.action or "")
        if check is None or incoming.person_id is None:
            return {}
        try:
            with Session(self.db) as session:
                turn = self._new_turn(session, incoming)
                return check(turn, dict(incoming.values)) if turn is not None else {}
        except (Refused, Answered):
            return {}
        except Exception as exc:
            if not unreachable(exc):
                _LOGGER.exception("form check failed: person %s, action %s", incoming.person_id, incoming.action)
            return {}

    def _new_turn(self, session: Session, incoming: Incoming) -> Turn | None:
        """A turn of the person behind `incoming`, or None when the roster does not know them."""
        person = session.get(Person, incoming.person_id) if incoming.person_id is not None else None
        if person is None or person.id is None:
            return None
        region = session.get(Region, person.region_id)
        assert region is not None
        return Turn(
            session=session,
            person=person,
            roles=roles_of(session, person.id),
            region=region,
            tr=Translator(person.language, region.timezone),
            now=self.clock(),
            incoming=incoming,
            assistant_on=self.assistant is not None,
            roads=self.roads,
            reach=self.reach,
        )

    def _handle(self, session: Session, incoming: Incoming) -> tuple[list[Reply], Turn | None]:
        turn = self._new_turn(session, incoming)
        if turn is None:
            tr = Translator(self.default_language)
            return [
                TextReply(
                    text=tr._(
                        "Hi! I don't recognise you yet, so I can't help you here. Please contact your "
                        "regional arts school coordinator (kulturskolesamordnare) and ask to be added."
                    )
                )
            ], None
        now = turn.now
        state = self._state(session, incoming)
        if state is not None and state.updated_at < now - self.idle_timeout:
            session.delete(state)
            session.flush()
            state = None
        if state is not None:
            turn.waiting_data = dict(state.data)
        try:
            replies = self._dispatch(turn, state)
        except Refused as no:
            replies = turn.refuse(no.attempt, no.reason, no.text, **no.details)
        except Answered as answer:
            replies = answer.replies
        self._save(session, incoming, state, turn, replies)
        return replies, turn

    def _dispatch(self, turn: Turn, state: DialogState | None) -> list[Reply]:
        tr, incoming = turn.tr, turn.incoming
        if incoming.action:
            return self._run_action(turn, incoming.action, dict(incoming.values))

        text = (incoming.text or "").strip()
        if not text:
            return [TextReply(text=tr._('I got an empty message. Write "help" to see what I can do.'))]
        if len(text) > nlu.MAX_PARSED_CHARACTERS:
            _LOGGER.info("long message (%d characters) from person %s: read the beginning", len(text), turn.person.id)

        offered = [Button.model_validate(b) for b in state.choices] if state is not None and state.choices else []
        if named := _named_choice(text, offered):  # "nej" to Ja/Nej, a button's label: an answer, not a request
            return self._run_action(turn, named.action, dict(named.values))
        catalog = self.catalog(turn)
        teams, places = catalog.teams, catalog.places
        # An answer to a question ("Dan Ledare", a place) is the question's first: while a step waits, only the
        # rules (which keep their precision) can make a text a new request, not the classifier's guess.
        waiting = state is not None and bool(state.step)
        parsed = nlu.parse(text, today=turn.today, teams=teams, places=places, classifier=not waiting)
        turn.understood = parsed.intent
        if parsed.intent == Intent.CANCEL:
            return [TextReply(text=tr._('OK, cancelled. Write "help" whenever you need me.'))]

        if offered:
            choice = _match_choice(text, offered)
            if choice is not None:
                return self._run_action(turn, choice.action, dict(choice.values))
        if state is not None and state.step in self.router.free_text_steps:
            answer = self.router.steps[state.step](turn, text)
            if answer is not None:
                return answer
        if (state is None or not state.choices) and _NUMBER.match(text):
            return [
                TextReply(text=tr._("That list is no longer open. Here is what I can do now:")),
                *self.router.intents[Intent.HELP](turn, {}),
            ]

        if state is not None and state.step and parsed.intent == Intent.UNKNOWN:
            step = self.router.steps.get(state.step)
            if step is not None:
                answer = step(turn, text)
                if answer is not None:
                    return answer
        if waiting and parsed.intent == Intent.UNKNOWN:  # not an answer after all: what the classifier makes of it
            parsed = nlu.parse(text, today=turn.today, teams=teams, places=places)
            turn.understood = parsed.intent

        if parsed.note is not None:  # "jag missar inte träffen", "Stina kan inte komma": never acted on
            return [TextReply(text=self._not_acted(tr, turn.words, parsed.note))]
        handler = self.router.intents.get(parsed.intent)
        if parsed.intent == Intent.UNKNOWN:
            for fallback in self.router.fallbacks:
                answer = fallback(turn, text, parsed)
                if answer is not None:
                    return answer
            turn.model_request = ModelRequest("interpret", text, then=Act.ASSIST_CONFIRM)
        elif needs_model(parsed, text):  # the rules know what is asked but found none of its details
            turn.model_request = ModelRequest(
                "interpret", text, then=Act.ASSIST_CONFIRM, values={"expect": parsed.intent}
            )
        if parsed.intent == Intent.UNKNOWN or handler is None:
            if parsed.intent != Intent.UNKNOWN:
                _LOGGER.info("intent %s is not available in the chat yet", parsed.intent)
            else:
                _LOGGER.info("not understood: person %s, %d characters", turn.person.id, len(text))
            lead = (
                tr._("Sorry, I can't do that here yet.")
                if parsed.intent != Intent.UNKNOWN
                else tr._("Sorry, I didn't understand that.")
            )
            return [TextReply(text=lead), *self.router.intents[Intent.HELP](turn, {})]
        if parsed.intent not in _NEVER_CONFIRMED and (question := self._would_act(turn, handler, parsed)):
            return question
        return handler(turn, parsed.slots)

    @staticmethod
    def _not_acted(tr: Translator, words: Wording, note: str) -> str:
        if note == "someone_else":
            return tr._(
                "I can only report your own absence or choose {your_group}, so I have done nothing. They can "
                "write to me themselves, or tell their {leader}.",
                your_group=words.your_group,
                leader=words.leader,
            )
        return tr._('Good, then I have done nothing. Write "help" to see what I can do.')

    def _would_act(self, turn: Turn, handler: Route[Any], parsed: nlu.Parsed) -> list[Reply] | None:
        """The Ja/Nej question for a free-text request that would change data or tell anyone, else None.

        The request is run in a savepoint that is always rolled back, so nothing of the dry run is kept."""
        session = turn.session
        session.flush()
        kept = (turn.next_step, turn.step_data, turn.model_request)
        writes = _Writes(session)
        savepoint = session.begin_nested()
        try:
            try:
                handler(turn, parsed.slots)
                session.flush()
            except (Refused, Answered):
                return None  # said again, for real, when the request runs
        finally:
            savepoint.rollback()
            writes.close()
            intention, turn.intention = turn.intention, None
            turn.next_step, turn.step_data, turn.model_request = kept
        if not writes.found:
            return None
        tr = turn.tr
        if intention is not None:
            question, yes = (
                intention.question,
                Button(label=tr._("Yes"), action=intention.action, values=intention.values, style="primary"),
            )
        else:
            detail = slot_text(tr, parsed.slots)
            what = meaning(tr, turn.words, parsed.intent)
            question = (
                tr._("Do you want to {what} ({detail})?", what=what, detail=detail)
                if detail
                else tr._("Do you want to {what}?", what=what)
            )
            yes = Button(
                label=tr._("Yes"), action=Act.INTENT, values={"intent": parsed.intent, **parsed.slots}, style="primary"
            )
        _LOGGER.info("asked to confirm %s (person %s)", parsed.intent, turn.person.id)
        return [ChoicesReply(text=question, buttons=[yes, Button(label=tr._("No"), action=Act.CONFIRM_NO, values={})])]

    def _run_action(self, turn: Turn, action: str, values: dict[str, Any]) -> list[Reply]:
        if action == Act.CONFIRM_NO:
            return [TextReply(text=turn.tr._('OK, I have done nothing. Write "help" whenever you need me.'))]
        if action == Act.INTENT:
            intent = str(values.pop("intent", ""))
            handler = self.router.intents.get(intent)
            if handler is not None:
                return handler(turn, {k: str(v) for k, v in values.items() if k in nlu.SLOTS})
        elif action in self.router.actions:
            return self.router.actions[action](turn, values)
        _LOGGER.info("unknown or expired action %r from person %s", action, turn.person.id)
        return [
            TextReply(text=turn.tr._("That button has expired. Here is what I can do now:")),
            *self.router.intents[Intent.HELP](turn, {}),
        ]

    def _save(
        self,
        session: Session,
        incoming: Incoming,
        state: DialogState | None,
        turn: Turn,
        replies: list[Reply],
    ) -> None:
        choices = [b.model_dump(mode="json") for b in buttons_of(replies)]
        if turn.next_step is None and not choices:
            if state is not None:
                session.delete(state)
            return
        if state is None:
            assert turn.person.id is not None
            state = DialogState(person_id=turn.person.id, conversation_key=self._key(incoming))
            session.add(state)
        state.step, state.data, state.choices, state.updated_at = (
            turn.next_step,
            turn.step_data,
            choices,
            turn.now,
        )
