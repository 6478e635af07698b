"""What the bot knows about me: a person's own data, how long each kind is kept, and asking for a copy or erasure.

Everyone may ask ("vad vet du om mig?"). The answer is built from `domain.privacy.collect`, the same
data `amneslag gdpr export` writes, so the chat and the export cannot disagree. Copies and erasure
are carried out by the municipality's administrator with the `amneslag gdpr` commands; the buttons
here only tell the administrators and coordinators of the region that the person asks.
"""

from __future__ import annotations

import datetime as dtm
from typing import Any

from pydantic import ValidationError

from dialogs import access
from dialogs.engine import Router, Turn, Values
from dialogs.i18n import Translator
from dialogs.names import Act, Intent
from dialogs.notify import notify, told_text
from dialogs.types import Button, CardReply, ChoicesReply, Reply, TextReply
from domain.privacy import collect
from domain.retention import RetentionPeriods, RetentionSettings
from storage.audit import record
from storage.models import Person, Role
from storage.queries import people_with_role

LATEST = 3  # how many of the latest absences, notes and messages are shown
PREVIEW = 60  # characters of a message's text shown


def retention_periods() -> RetentionPeriods:
    """The configured periods (`AMNESLAG_RETAIN_*`), or the defaults if the environment is unreadable."""
    try:
        return RetentionSettings()
    except ValidationError:
        return RetentionSettings.model_construct()


def _role_name(tr: Translator, role: str) -> str:
    names = {
        Role.TEACHER.value: tr._("teacher"),
        Role.MANAGER.value: tr._("manager"),
        Role.COORDINATOR.value: tr._("coordinator"),
        Role.ADMIN.value: tr._("administrator"),
    }
    return names.get(role, role)


def _day(tr: Translator, iso: str | None) -> str:
    return tr.date(dtm.datetime.fromisoformat(iso)) if iso else "?"


def _preview(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"


def _profile(turn: Turn, data: dict[str, Any]) -> CardReply:
    tr, person = turn.tr, data["person"]
    accounts = [name for name, key in (("Slack", "slack_user_id"), ("Teams", "teams_user_id")) if person[key]]
    if data["conversation_references"] and "Teams" not in accounts:
        accounts.append("Teams")
    teams = [
        f"{m['school_year']}: {m['team']} ({tr._('confirmed') if m['confirmed_at'] else tr._('not yet confirmed')})"
        for m in data["memberships"]
    ] + [tr._("{year}: leader of {team}", year=lead["school_year"], team=lead["team"]) for lead in data["leaderships"]]
    facts = [
        (tr._("Name"), person["name"]),
        (tr._("E-mail"), person["email"]),
        (tr._("Region"), person["region"] or "-"),
        (tr._("School"), person["school"] or "-"),
        (tr._("Roles"), ", ".join(_role_name(tr, r) for r in data["roles"]) or tr._("none")),
        (tr._("Language"), "svenska" if person["language"] == "sv" else "English"),
        (tr._("Chat accounts"), ", ".join(accounts) or tr._("none linked yet")),
        (turn.words.start(turn.words.groups), "; ".join(teams) or tr._("none")),
    ]
    return CardReply(
        title=tr._("What I know about you"),
        facts=facts,
        text=tr._(
            "Your employer, the municipality, is responsible for this data (the controller). "
            "It comes from the staff list and from what you and your colleagues do here."
        ),
    )


def _activity(turn: Turn, data: dict[str, Any]) -> CardReply:
    tr = turn.tr
    absences, notes, messages = data["absences"], data["notes_written"], data["messages"]

    def latest(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        return sorted(rows, key=lambda row: row[key] or "", reverse=True)[:LATEST]

    withdrawn = sum(1 for a in absences if a["withdrawn_at"])
    facts = [
        (
            tr._("Reported absences"),
            tr.n_("{count} absence", "{count} absences", len(absences))
            + (tr._(" ({withdrawn} withdrawn)", withdrawn=withdrawn) if withdrawn else ""),
        ),
        (tr._("Notes you wrote"), tr.n_("{count} meeting", "{count} meetings", len(notes))),
        (tr._("Messages I sent you"), tr.n_("{count} message", "{count} messages", len(messages))),
        (tr._("Change log entries about you"), str(len(data["audit_log"]))),
        (tr._("Unfinished conversations"), str(len(data["dialog_state"]))),
    ]
    lines: list[str] = []
    if absences:
        lines.append(tr._("Latest absences:"))
        for a in latest(absences, "meeting_starts_at"):
            state = tr._(" (withdrawn)") if a["withdrawn_at"] else ""
            lines.append(f"• {_day(tr, a['meeting_starts_at'])}, {a['team'] or '?'}{state}")
    if notes:
        lines.append(tr._("Latest notes you wrote:"))
        lines += [
            f"• {_day(tr, n['meeting_starts_at'])}, {n['team'] or '?'}" for n in latest(notes, "meeting_starts_at")
        ]
    if messages:
        lines.append(tr._("Latest messages I sent you:"))
        lines += [f"• {_day(tr, m['created_at'])}: {_preview(m['text'])}" for m in latest(messages, "created_at")]
    return CardReply(title=tr._("What you have done and received"), facts=facts, text="\n".join(lines) or None)


def _retention(turn: Turn, periods: RetentionPeriods, held: int) -> CardReply:
    tr = turn.tr
    facts = [
        (
            tr._("Absences"),
            tr.n_(
                "{count} month after the meeting",
                "{count} months after the meeting",
                periods.retain_absences_months,
            ),
        ),
        (
            tr._("Messages I sent you"),
            tr.n_("{count} day after delivery", "{count} days after delivery", periods.retain_outbox_days),
        ),
        (
            tr._("Unfinished conversations"),
            tr.n_("{count} day", "{count} days", periods.retain_dialog_days),
        ),
        (tr._("Change log"), tr.n_("{count} year", "{count} years", periods.retain_audit_years)),
        (
            tr._("Profile, roles and {groups}", groups=turn.words.groups),
            tr._("as long as you are in the staff list"),
        ),
        (
            tr._("Notes of meetings"),
            tr._(
                "kept as {the_group}'s record; your name is removed if you are erased", the_group=turn.words.the_group
            ),
        ),
    ]
    text = tr._(
        "You have the right to a copy of all of it, to have wrong data corrected, and to have it erased. "
        "It is stored in the municipality's own database; Slack or Microsoft carry the chat."
    )
    if held:
        text += " " + tr.n_(
            "Some of it is kept longer because the municipality's archive rules require it ({count} hold).",
            "Some of it is kept longer because the municipality's archive rules require it ({count} holds).",
            held,
        )
    return CardReply(
        title=tr._("How long I keep it"),
        facts=facts,
        text=text,
        buttons=[
            Button(label=tr._("Ask for a copy"), action=Act.PRIVACY_REQUEST, values={"what": "copy"}),
            Button(label=tr._("Ask to be erased"), action=Act.PRIVACY_REQUEST, values={"what": "erase"}),
        ],
    )


def _admins(turn: Turn) -> tuple[list[Person], str]:
    """Whom a request goes to, and their role: the region's administrators, else its coordinators (never the
    asker)."""
    for role in (Role.ADMIN.value, Role.COORDINATOR.value):
        found = people_with_role(turn.session, turn.region, role, besides=turn.person)
        if found:
            return list(found), role
    return [], ""


router = Router()


@router.intent(Intent.MY_DATA, guard=access.anyone)
def my_data(turn: Turn, slots: Values, _: None) -> list[Reply]:
    data = collect(turn.session, turn.person)
    return [
        _profile(turn, data),
        _activity(turn, data),
        _retention(turn, retention_periods(), len(data["archive_holds"])),
    ]


@router.action(Act.PRIVACY_REQUEST, guard=access.anyone)
def request(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    if values.get("what") == "erase":
        return [
            ChoicesReply(
                text=tr._(
                    "Erasure removes your absences, your {groups} and everything else about you, and I will no "
                    "longer know you. Your name in notes and the change log is replaced by a code. "
                    "Shall I ask the administrator to erase you?",
                    groups=turn.words.groups,
                ),
                buttons=[
                    Button(
                        label=tr._("Yes, ask for erasure"),
                        action=Act.PRIVACY_SEND,
                        values={"what": "erase"},
                        style="danger",
                    ),
                    Button(label=tr._("No"), action=Act.PRIVACY_KEEP),
                ],
            )
        ]
    return send(turn, {"what": "copy"})


@router.action(Act.PRIVACY_KEEP, guard=access.anyone)
def keep(turn: Turn, values: Values, _: None) -> list[Reply]:
    return [TextReply(text=turn.tr._("OK, nothing was sent."))]


@router.action(Act.PRIVACY_SEND, guard=access.anyone)
def send(turn: Turn, values: Values, _: None) -> list[Reply]:
    tr = turn.tr
    what = "erase" if values.get("what") == "erase" else "copy"
    admins, role = _admins(turn)
    to_admins = role == Role.ADMIN.value
    if not admins:
        return [
            TextReply(
                text=tr._("I found no administrator or coordinator to tell. Please ask your municipality directly.")
            )
        ]
    person = turn.person

    def build(rtr: Translator) -> list[Reply]:
        asks = rtr._("a copy of their data") if what == "copy" else rtr._("to have their data erased")
        command = "export" if what == "copy" else "erase"
        if not to_admins:  # a coordinator is never shown a command line: the bot's administrator runs it
            return [
                TextReply(
                    text=rtr._(
                        "{name} ({email}) asks for {what}. The municipality must answer within one month; ask the "
                        "bot's administrator to carry it out.",
                        name=person.name,
                        email=person.email,
                        what=asks,
                    )
                )
            ]
        return [
            TextReply(
                text=rtr._(
                    "{name} ({email}) asks for {what}. The municipality must answer within one month. "
                    "Command: amneslag gdpr {command} {email}",
                    name=person.name,
                    email=person.email,
                    what=asks,
                    command=command,
                )
            )
        ]

    queued = notify(
        turn.session, recipients=admins, region=turn.region, kind="gdpr_request", build=build, origin=person
    )
    record(
        turn.session,
        action="gdpr.requested",
        entity="person",
        entity_id=person.id,
        actor_id=person.id,
        details={"what": what},
    )
    told = told_text(tr, turn.session, admins, queued, turn.reach)
    return [TextReply(text=" ".join([told, tr._("The municipality must answer you within one month.")]))]
