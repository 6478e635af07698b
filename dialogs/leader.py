"""The team leader's dialogs: schedule, change and cancel meetings, send notices, log notes, confirm the review.

Scheduling fills a draft one question at a time (team, date, physical or digital, place or link,
time) and ends with a preview; the draft travels in the buttons and the waiting step, so nothing is
kept in memory. Every action re-checks that the person leads the meeting's team in its school year.
"""

from __future__ import annotations

import datetime as dtm
import hashlib
import re
from typing import Any

from sqlmodel import col, select

from dialogs import nlu
from dialogs.assist import SUMMARY_CHARACTERS, ModelRequest
from dialogs.common import meeting_kind, meeting_place, short
from dialogs.engine import Registry, Turn
from dialogs.i18n import Translator
from dialogs.invite import attachment, meeting_ics
from dialogs.notify import notify
from dialogs.travel import draft_travel, logistics_buttons
from dialogs.types import Button, CardReply, ChoicesReply, FormField, FormReply, Reply, TextReply
from storage import meetings as rules
from storage import schoolyear
from storage.directory import find_school
from storage.models import Meeting, MeetingKind, Person, PersonRole, Role, School, SchoolYear, Team
from storage.teams import current_year

_TIMES = re.compile(r"^\s*(?:kl\.?\s*)?(\d{1,2})(?:[.:](\d{2}))?\s*(?:-|–|till|to)\s*(\d{1,2})(?:[.:](\d{2}))?\s*$")
DEFAULT_TIMES = ((dtm.time(9, 0), dtm.time(15, 0)), (dtm.time(13, 0), dtm.time(16, 0)))


# Who leads what ------------------------------------------------------------------------------


def led_teams(turn: Turn) -> list[tuple[Team, SchoolYear]]:
    """The teams the person leads in the current school year and the coming one."""
    current = current_year(turn.session, turn.region, turn.now)
    coming = schoolyear.get_or_create(turn.session, schoolyear.following(current.label))
    assert turn.person.id is not None
    found = []
    for year in (current, coming):
        assert year.id is not None
        found.extend((team, year) for team in rules.teams_led(turn.session, turn.person.id, year.id))
    return found


def is_leader_now(turn: Turn) -> bool:
    return bool(led_teams(turn))


def _not_a_leader(turn: Turn, attempt: str) -> list[Reply]:
    return turn.refuse(
        attempt,
        "not_a_leader",
        turn.tr._("Only team leaders can do that, and you don't lead a subject team this school year or the next."),
    )


def _led_meeting(turn: Turn, values: dict[str, Any], attempt: str) -> tuple[Meeting, Team] | list[Reply]:
    """The meeting of a button, if it exists and the person leads its team that year; else the answer."""
    meeting_id = values.get("meeting_id")
    meeting = turn.session.get(Meeting, meeting_id) if isinstance(meeting_id, int) else None
    team = turn.session.get(Team, meeting.team_id) if meeting is not None else None
    if meeting is None or team is None:
        return [TextReply(text=turn.tr._("That meeting no longer exists."))]
    assert turn.person.id is not None
    if not rules.is_leader(turn.session, turn.person.id, team.id or 0, meeting.school_year_id):
        year = turn.session.get(SchoolYear, meeting.school_year_id)
        return turn.refuse(
            attempt,
            "not_leader_of_team",
            turn.tr._(
                "Only the leaders of {team} can do that, and you don't lead {team} in {year}.",
                team=team.name,
                year=year.label if year else "-",
            ),
            meeting=meeting.id,
        )
    if meeting.cancelled_at is not None:
        return [TextReply(text=turn.tr._("That meeting has been cancelled."))]
    return meeting, team


def coordinators(turn: Turn) -> list[Person]:
    return list(
        turn.session.exec(
            select(Person)
            .join(PersonRole, col(PersonRole.person_id) == Person.id)
            .where(Person.region_id == turn.region.id, PersonRole.role == Role.COORDINATOR.value)
            .order_by(col(Person.name))
        ).all()
    )


# Telling the members -------------------------------------------------------------------------


def _ics(turn: Turn, meeting: Meeting, team: Team, tr: Translator, cancelled: bool = False) -> str:
    return meeting_ics(
        meeting,
        team=team,
        region=turn.region,
        summary=tr._("{team}: subject team meeting", team=team.name),
        location=meeting_place(turn, meeting),
        description=tr._("Report absence in the chat with Ämneslagsboten if you can't come."),
        now=turn.now,
        cancelled=cancelled,
    )


def tell_members(turn: Turn, meeting: Meeting, team: Team, kind: str) -> int:
    """Queue the notice, change or cancellation, with its calendar invite, to every member; the count."""
    members = [p for p in rules.team_members(turn.session, team.id or 0, meeting.school_year_id)]
    cancelled = kind == "meeting_cancelled"
    invite = attachment(
        _ics(turn, meeting, team, Translator("sv", turn.region.timezone), cancelled), cancelled=cancelled
    )
    leader = turn.person

    def build(t: Translator) -> list[Reply]:
        values = {"team": team.name, "when": t.when(meeting.starts_at), "leader": leader.name}
        if kind == "meeting_notice":
            title = t._("Notice: {team} meets {when}", **values)
        elif kind == "meeting_changed":
            title = t._("Changed: {team}'s meeting is now {when}", **values)
        else:
            title = t._("Cancelled: {team}'s meeting {when}", **values)
        facts = [
            (t._("When"), f"{t.when(meeting.starts_at)}–{t.time(meeting.ends_at)}"),
            (
                t._("Where"),
                meeting_place(turn, meeting),
            ),
            (t._("From"), leader.name),
        ]
        if meeting.first_of_year and not cancelled:
            facts.append((t._("Note"), t._("First meeting of the year: we go through the framework document.")))
            if turn.region.framework_url:
                facts.append((t._("Framework"), turn.region.framework_url))
        text = (
            t._("The meeting will not take place. The calendar invite removes it from your calendar.")
            if cancelled
            else t._("The calendar invite is attached. If you can't come, report absence with the button.")
        )
        buttons = (
            []
            if cancelled
            else [Button(label=t._("Report absence"), action="absence.report", values={"meeting_id": meeting.id})]
        )
        return [CardReply(title=title, facts=facts, text=text, buttons=buttons)]

    notify(
        turn.session,
        origin=turn.person,
        recipients=members,
        region=turn.region,
        kind=kind,
        build=build,
        attachments=[invite],
    )
    return len(members)


# The meeting card ----------------------------------------------------------------------------


def meeting_card(turn: Turn, meeting: Meeting, team: Team) -> CardReply:
    """One meeting as its leader sees it, with the actions that fit its state."""
    tr = turn.tr
    assert meeting.id is not None
    absent = rules.absentees(turn.session, meeting.id)
    started = meeting.starts_at <= turn.now
    facts = [
        (tr._("When"), f"{tr.when(meeting.starts_at)}–{tr.time(meeting.ends_at)}"),
        (tr._("Kind"), meeting_kind(turn, meeting)),
        (tr._("Where"), meeting_place(turn, meeting)),
        (tr._("Notice"), tr.date(meeting.notice_sent_at) if meeting.notice_sent_at else tr._("not sent")),
        (tr._("Absent"), ", ".join(p.name for p in absent) if absent else tr._("nobody has reported absence")),
    ]
    if meeting.first_of_year:
        reviewed = tr.date(meeting.framework_reviewed_at) if meeting.framework_reviewed_at else tr._("not confirmed")
        facts.append((tr._("Framework review"), reviewed))
    if started:
        distributed = tr.date(meeting.notes_distributed_at) if meeting.notes_distributed_at else tr._("not distributed")
        facts.append((tr._("Notes"), distributed))
    ref = {"meeting_id": meeting.id}
    buttons: list[Button] = []
    if not started:
        if meeting.notice_sent_at is None:
            buttons.append(Button(label=tr._("Send notice now"), action="notice.preview", values=ref, style="primary"))
        buttons.append(Button(label=tr._("Change"), action="meeting.change", values=ref))
        buttons.append(Button(label=tr._("Cancel meeting"), action="meeting.cancel", values=ref, style="danger"))
    else:
        if meeting.notes_distributed_at is None:
            buttons.append(Button(label=tr._("Log notes"), action="notes.start", values=ref, style="primary"))
        if meeting.first_of_year and meeting.framework_reviewed_at is None:
            buttons.append(Button(label=tr._("Confirm review"), action="framework.confirm", values=ref))
        if meeting.kind == MeetingKind.PHYSICAL.value:
            buttons += logistics_buttons(turn, meeting)
    return CardReply(title=f"{team.name}: {tr.date(meeting.starts_at)}", facts=facts, buttons=buttons)


def _pick_meeting(turn: Turn, meetings: list[tuple[Meeting, Team]], question: str, action: str) -> list[Reply]:
    several_teams = len({team.id for _, team in meetings}) > 1
    return [
        ChoicesReply(
            text=question,
            buttons=[
                Button(
                    label=short(
                        f"{team.name}: {turn.tr.when(m.starts_at)}" if several_teams else turn.tr.when(m.starts_at)
                    ),
                    action=action,
                    values={"meeting_id": m.id},
                )
                for m, team in meetings
            ],
        )
    ]


def _meetings_of_led(turn: Turn) -> list[tuple[Meeting, Team]]:
    found = []
    for team, year in led_teams(turn):
        assert team.id is not None and year.id is not None
        found.extend((m, team) for m in rules.team_meetings(turn.session, team.id, year.id))
    return sorted(found, key=lambda pair: pair[0].starts_at)


# Scheduling ----------------------------------------------------------------------------------

Draft = dict[str, Any]


def _draft_of(values: dict[str, Any]) -> Draft:
    keys = ("team_id", "year", "day", "start", "end", "kind", "place", "host_school_id", "link", "meeting_id")
    return {k: values[k] for k in keys if values.get(k) not in (None, "")}


def _to_draft(draft: Draft) -> rules.MeetingDraft:
    return rules.MeetingDraft(
        team_id=int(draft["team_id"]),
        year=str(draft["year"]),
        day=dtm.date.fromisoformat(draft["day"]),
        start=dtm.time.fromisoformat(draft["start"]),
        end=dtm.time.fromisoformat(draft["end"]),
        kind=str(draft["kind"]),
        place=draft.get("place"),
        host_school_id=draft.get("host_school_id"),
        link=draft.get("link"),
    )


def _parse_times(text: str) -> tuple[dtm.time, dtm.time] | None:
    m = _TIMES.match(text.strip().lower())
    if not m:
        return None
    try:
        start = dtm.time(int(m.group(1)), int(m.group(2) or 0))
        end = dtm.time(int(m.group(3)), int(m.group(4) or 0))
    except ValueError:
        return None
    return start, end


def _problem_text(turn: Turn, problem: rules.DraftProblem, draft: Draft) -> str:
    tr = turn.tr
    return {
        rules.DraftProblem.IN_PAST: tr._("That time has already passed; a meeting must be in the future."),
        rules.DraftProblem.END_BEFORE_START: tr._("The meeting must end after it starts."),
        rules.DraftProblem.OTHER_YEAR: tr._(
            "That date is not in the school year {year} (1 July to 30 June).", year=draft.get("year", "")
        ),
        rules.DraftProblem.BAD_LINK: tr._("A meeting link must be a web address starting with https:// or http://."),
        rules.DraftProblem.NO_PLACE: tr._("A physical meeting needs a place."),
        rules.DraftProblem.TOO_LONG: tr._("That is too long; please shorten it."),
    }[problem]


def _field_of(problem: rules.DraftProblem) -> tuple[str, ...]:
    return {
        rules.DraftProblem.IN_PAST: ("day", "start", "end"),
        rules.DraftProblem.END_BEFORE_START: ("start", "end"),
        rules.DraftProblem.OTHER_YEAR: ("day",),
        rules.DraftProblem.BAD_LINK: ("link",),
        rules.DraftProblem.NO_PLACE: ("place", "host_school_id"),
        rules.DraftProblem.TOO_LONG: ("place", "link"),
    }[problem]


def _without(draft: Draft, *keys: str) -> Draft:
    return {k: v for k, v in draft.items() if k not in keys}


def continue_draft(turn: Turn, draft: Draft, lead: str | None = None) -> list[Reply]:
    """Ask for the next missing part of the draft, or show the preview when it is complete."""
    tr = turn.tr
    replies: list[Reply] = [TextReply(text=lead)] if lead else []
    if "team_id" not in draft:
        led = led_teams(turn)
        if not led:
            return _not_a_leader(turn, "meeting.schedule")
        if len(led) == 1:
            team, year = led[0]
            draft = {**draft, "team_id": team.id, "year": year.label}
        else:
            several_years = len({y.label for _, y in led}) > 1
            return [
                *replies,
                ChoicesReply(
                    text=tr._("Which team is the meeting for?"),
                    buttons=[
                        Button(
                            label=short(f"{t.name} {y.label}" if several_years else t.name),
                            action="schedule.set",
                            values={**draft, "team_id": t.id, "year": y.label},
                        )
                        for t, y in led
                    ],
                ),
            ]
    team = turn.session.get(Team, draft["team_id"])
    year = schoolyear.get_or_create(turn.session, draft["year"])
    assert team is not None and team.id is not None and year.id is not None and turn.region.id is not None
    assert turn.person.id is not None
    if not rules.is_leader(turn.session, turn.person.id, team.id, year.id):
        return turn.refuse(
            "meeting.schedule",
            "not_leader_of_team",
            tr._(
                "Only the leaders of {team} can do that, and you don't lead {team} in {year}.",
                team=team.name,
                year=year.label,
            ),
        )
    if "day" not in draft:
        taken = {m.starts_at.astimezone(tr.zone).date() for m in rules.team_meetings(turn.session, team.id, year.id)}
        days = [
            d
            for d in rules.network_days(turn.session, turn.region.id, year, after=turn.today + dtm.timedelta(days=1))
            if d.date not in taken
        ]
        turn.wait("schedule.day", **draft)
        question = tr._("Which day will {team} meet? Choose a network day, or write another date.", team=team.name)
        if not days:
            question = tr._(
                "There are no free network days left in {year}. Write the date of the meeting.", year=year.label
            )
        return [
            *replies,
            ChoicesReply(
                text=question,
                buttons=[
                    Button(
                        label=short(tr.date(d.date) + (f" ({_kind_word(tr, d.kind)})" if d.kind else "")),
                        action="schedule.set",
                        values={**draft, "day": d.date.isoformat(), **({"kind": d.kind} if d.kind else {})},
                    )
                    for d in days
                ],
            ),
        ]
    if "kind" not in draft:
        return [
            *replies,
            ChoicesReply(
                text=tr._("Will you meet in person or online?"),
                buttons=[
                    Button(label=tr._("Physical meeting"), action="schedule.set", values={**draft, "kind": "physical"}),
                    Button(label=tr._("Digital meeting"), action="schedule.set", values={**draft, "kind": "digital"}),
                ],
            ),
        ]
    if draft["kind"] == MeetingKind.PHYSICAL.value and "place" not in draft and "host_school_id" not in draft:
        schools = turn.session.exec(
            select(School).where(School.region_id == turn.region.id).order_by(School.name)
        ).all()
        turn.wait("schedule.place", **draft)
        return [
            *replies,
            ChoicesReply(
                text=tr._("Where will you meet? Choose the host school, or write the place."),
                buttons=[
                    Button(label=short(s.name), action="schedule.set", values={**draft, "host_school_id": s.id})
                    for s in schools
                ],
            ),
        ]
    if draft["kind"] == MeetingKind.DIGITAL.value and "link" not in draft:
        turn.wait("schedule.link", **draft)
        return [*replies, TextReply(text=tr._("Write the meeting link (it starts with https://)."))]
    if "start" not in draft or "end" not in draft:
        turn.wait("schedule.time", **draft)
        return [
            *replies,
            ChoicesReply(
                text=tr._("What time? Choose, or write it like 13-16 or 9.30-15."),
                buttons=[
                    Button(
                        label=f"{_clock(tr, start)}–{_clock(tr, end)}",
                        action="schedule.set",
                        values={**draft, "start": start.isoformat("minutes"), "end": end.isoformat("minutes")},
                    )
                    for start, end in DEFAULT_TIMES
                ],
            ),
        ]
    problem = rules.check_draft(_to_draft(draft), turn.region, turn.now)
    if problem is not None:
        return continue_draft(turn, _without(draft, *_field_of(problem)), _problem_text(turn, problem, draft))
    return [*replies, _preview(turn, draft, team)]


def _kind_word(tr: Translator, kind: str) -> str:
    return tr._("physical") if kind == MeetingKind.PHYSICAL.value else tr._("digital")


def _clock(tr: Translator, value: dtm.time) -> str:
    return value.strftime("%H.%M" if tr.language == "sv" else "%H:%M")


def _draft_place(turn: Turn, draft: Draft) -> str:
    if draft["kind"] == MeetingKind.DIGITAL.value:
        return str(draft.get("link", ""))
    school = turn.session.get(School, draft["host_school_id"]) if draft.get("host_school_id") else None
    return str(draft.get("place") or (school.name if school else ""))


def _preview(turn: Turn, draft: Draft, team: Team) -> CardReply:
    tr = turn.tr
    assert turn.region.id is not None
    day = dtm.date.fromisoformat(draft["day"])
    facts = [
        (tr._("Team"), team.name),
        (tr._("Day"), tr.date(day)),
        (
            tr._("Time"),
            f"{_clock(tr, dtm.time.fromisoformat(draft['start']))}–{_clock(tr, dtm.time.fromisoformat(draft['end']))}",
        ),
        (tr._("Kind"), _kind_word(tr, draft["kind"])),
        (tr._("Where") if draft["kind"] == MeetingKind.PHYSICAL.value else tr._("Link"), _draft_place(turn, draft)),
    ]
    text = None
    if rules.network_day_on(turn.session, turn.region.id, day) is None:
        text = tr._(
            "Note: {date} is not one of the network days the manager network decided. You can still save it; "
            "tell your manager and the coordinator why.",
            date=tr.date(day),
        )
    travel_facts, travel_notes, hosts = draft_travel(
        turn, draft, team, schoolyear.get_or_create(turn.session, draft["year"])
    )
    facts += travel_facts
    text = "\n\n".join(filter(None, [text, *travel_notes])) or None
    changing = "meeting_id" in draft
    return CardReply(
        title=tr._("Change the meeting?") if changing else tr._("Save this meeting?"),
        facts=facts,
        text=text,
        buttons=[
            Button(
                label=tr._("Save the change") if changing else tr._("Save the meeting"),
                action="schedule.save",
                values=draft,
                style="primary",
            ),
            Button(
                label=tr._("Start again"),
                action="schedule.restart",
                values=_draft_of(
                    {"team_id": draft["team_id"], "year": draft["year"], "meeting_id": draft.get("meeting_id")}
                ),
            ),
            *hosts,
        ],
    )


def register(registry: Registry) -> None:
    """Add the team leader's dialogs to `registry`."""

    @registry.intent("schedule_meeting")
    def schedule(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        led = led_teams(turn)
        if not led:
            return _not_a_leader(turn, "meeting.schedule")
        draft: Draft = {}
        if slots.get("team"):
            match = [(t, y) for t, y in led if t.name == slots["team"]]
            if not match:
                team = turn.team_named(slots["team"])
                return turn.refuse(
                    "meeting.schedule",
                    "not_leader_of_team",
                    turn.tr._(
                        "Only the leaders of {team} can do that, and you don't lead {team} in {year}.",
                        team=team.name if team else slots["team"],
                        year=led[0][1].label,
                    ),
                )
            draft = {"team_id": match[0][0].id, "year": match[0][1].label}
        if slots.get("kind") in (MeetingKind.PHYSICAL.value, MeetingKind.DIGITAL.value):
            draft["kind"] = slots["kind"]
        if slots.get("place") and draft.get("kind") != MeetingKind.DIGITAL.value:
            schools = list(turn.session.exec(select(School).where(School.region_id == turn.region.id)).all())
            school = find_school(schools, slots["place"])
            draft.update({"kind": MeetingKind.PHYSICAL.value, "host_school_id": school.id} if school else {})
        if slots.get("date"):
            return _with_day(turn, draft, dtm.date.fromisoformat(slots["date"]))
        return continue_draft(turn, draft)

    def _with_day(turn: Turn, draft: Draft, day: dtm.date) -> list[Reply]:
        """Set the day, choosing the team's school year from it when the team is known."""
        if day <= turn.today:
            return continue_draft(
                turn, draft, turn.tr._("That date has already passed; a meeting must be in the future.")
            )
        label = schoolyear.label_for(day)
        if "team_id" in draft and draft.get("year") != label:
            return continue_draft(turn, draft, _problem_text(turn, rules.DraftProblem.OTHER_YEAR, draft))
        if "team_id" not in draft:
            led = [(t, y) for t, y in led_teams(turn) if y.label == label]
            if not led:
                return continue_draft(
                    turn, draft, turn.tr._("You don't lead a team in the school year {year}.", year=label)
                )
            if len(led) == 1:
                draft = {**draft, "team_id": led[0][0].id, "year": label}
        return continue_draft(turn, {**draft, "day": day.isoformat()})

    @registry.action("schedule.set")
    def schedule_set(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        return continue_draft(turn, _draft_of(values))

    @registry.action("schedule.restart")
    def schedule_restart(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        draft = _draft_of(values)
        if "meeting_id" in draft:
            return change_menu(turn, {"meeting_id": draft["meeting_id"]})
        return continue_draft(turn, draft)

    @registry.step("schedule.day")
    def schedule_day(turn: Turn, text: str) -> list[Reply] | None:
        day = nlu.find_date(nlu.clean(text), turn.today)
        if day is None:
            return None
        return _with_day(turn, _draft_of(turn.waiting_data), day)

    @registry.step("schedule.place", free_text=True)
    def schedule_place(turn: Turn, text: str) -> list[Reply] | None:
        if turn.is_request:
            return None
        draft = _draft_of(turn.waiting_data)
        schools = list(turn.session.exec(select(School).where(School.region_id == turn.region.id)).all())
        school = find_school(schools, text)
        if school is not None:
            return continue_draft(turn, {**draft, "host_school_id": school.id})
        place = " ".join(text.split())
        if len(place) > rules.PLACE_MAX_CHARACTERS:
            turn.wait("schedule.place", **draft)
            return [TextReply(text=turn.tr._("That is too long; please shorten it."))]
        return continue_draft(turn, {**draft, "place": place})

    @registry.step("schedule.link", free_text=True)
    def schedule_link(turn: Turn, text: str) -> list[Reply] | None:
        draft = _draft_of(turn.waiting_data)
        link = text.strip()
        if turn.is_request and not rules.is_web_link(link):
            return None
        if not rules.is_web_link(link) or len(link) > rules.LINK_MAX_CHARACTERS:
            turn.wait("schedule.link", **draft)
            return [TextReply(text=_problem_text(turn, rules.DraftProblem.BAD_LINK, draft))]
        return continue_draft(turn, {**draft, "link": link})

    @registry.step("schedule.time", free_text=True)
    def schedule_time(turn: Turn, text: str) -> list[Reply] | None:
        draft = _draft_of(turn.waiting_data)
        times = _parse_times(text)
        if times is None and turn.is_request:
            return None
        if times is None:
            turn.wait("schedule.time", **draft)
            return [TextReply(text=turn.tr._("I didn't understand the time. Write it like 13-16 or 9.30-15."))]
        start, end = times
        return continue_draft(turn, {**draft, "start": start.isoformat("minutes"), "end": end.isoformat("minutes")})

    @registry.action("schedule.save")
    def schedule_save(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        draft = _draft_of(values)
        needed = ("team_id", "year", "day", "start", "end", "kind")
        if any(k not in draft for k in needed):
            return continue_draft(turn, draft)
        try:
            parsed = _to_draft(draft)
        except (TypeError, ValueError):
            return [TextReply(text=tr._('That button has expired. Write "schedule meeting" to start again.'))]
        team = turn.session.get(Team, parsed.team_id)
        year = schoolyear.get_or_create(turn.session, parsed.year)
        assert turn.person.id is not None and year.id is not None
        if team is None or not rules.is_leader(turn.session, turn.person.id, parsed.team_id, year.id):
            return turn.refuse(
                "meeting.schedule",
                "not_leader_of_team",
                tr._(
                    "Only the leaders of {team} can do that, and you don't lead {team} in {year}.",
                    team=team.name if team else "?",
                    year=year.label,
                ),
            )
        problem = rules.check_draft(parsed, turn.region, turn.now)
        if problem is not None:
            return continue_draft(turn, _without(draft, *_field_of(problem)), _problem_text(turn, problem, draft))
        if "meeting_id" in draft:
            return _save_change(turn, draft, parsed, team)
        starts, _ = rules.instants(parsed, tr.zone)
        same = [m for m in rules.team_meetings(turn.session, parsed.team_id, year.id) if m.starts_at == starts]
        if same:
            return [
                TextReply(text=tr._("This meeting is already saved.")),
                meeting_card(turn, same[0], team),
            ]
        meeting = rules.schedule(turn.session, draft=parsed, region=turn.region, actor=turn.person, now=turn.now)
        lead = tr._("Saved: {team} meets {when}.", team=team.name, when=tr.when(meeting.starts_at))
        if meeting.first_of_year:
            lead += " " + tr._(
                "It is the first meeting of the school year, so the framework document is reviewed there."
            )
        lead += " " + tr._("The members have not been told yet: send the notice when you are ready.")
        return [TextReply(text=lead), meeting_card(turn, meeting, team)]

    def _save_change(turn: Turn, draft: Draft, parsed: rules.MeetingDraft, team: Team) -> list[Reply]:
        tr = turn.tr
        found = _led_meeting(turn, {"meeting_id": draft["meeting_id"]}, "meeting.change")
        if isinstance(found, list):
            return found
        meeting, team = found
        if meeting.starts_at <= turn.now:
            return [TextReply(text=tr._("That meeting has already started, so it can't be changed."))]
        before = (meeting.starts_at, meeting.ends_at, meeting.kind)
        starts, ends = rules.instants(parsed, tr.zone)
        after = (starts, ends, parsed.kind)
        if before == after and _draft_place(turn, draft) == meeting_place(turn, meeting):
            return [
                TextReply(text=tr._("Nothing changed: the meeting already looks like that.")),
                meeting_card(turn, meeting, team),
            ]
        rules.change(turn.session, meeting=meeting, draft=parsed, region=turn.region, actor=turn.person, now=turn.now)
        told = tell_members(turn, meeting, team, "meeting_changed")
        return [
            TextReply(
                text=tr.n_(
                    "Changed. {count} member has been told, with an updated calendar invite.",
                    "Changed. {count} members have been told, with an updated calendar invite.",
                    told,
                )
            ),
            meeting_card(turn, meeting, team),
        ]

    # The leader's meetings, change and cancel --------------------------------------------------

    @registry.action("leader.meetings")
    def my_meetings(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        if not is_leader_now(turn):
            return _not_a_leader(turn, "meeting.list")
        upcoming = [(m, t) for m, t in _meetings_of_led(turn) if m.ends_at > turn.now - dtm.timedelta(days=30)]
        if not upcoming:
            return [
                ChoicesReply(
                    text=turn.tr._("Your team has no meetings planned."),
                    buttons=[
                        Button(
                            label=turn.tr._("Schedule meeting"), action="intent", values={"intent": "schedule_meeting"}
                        )
                    ],
                )
            ]
        return [meeting_card(turn, m, t) for m, t in upcoming[:5]]

    def _choose_led(
        turn: Turn, slots: dict[str, str], attempt: str, question: str, action: str, *, upcoming: bool
    ) -> list[Reply]:
        if not is_leader_now(turn):
            return _not_a_leader(turn, attempt)
        found = [
            (m, t)
            for m, t in _meetings_of_led(turn)
            if (m.starts_at > turn.now if upcoming else m.starts_at <= turn.now and m.notes_distributed_at is None)
        ]
        if slots.get("date"):
            day = dtm.date.fromisoformat(slots["date"])
            found = [(m, t) for m, t in found if m.starts_at.astimezone(turn.tr.zone).date() == day] or found
        if not found and not upcoming:
            return [TextReply(text=turn.tr._("Every meeting your team has held has its notes distributed."))]
        if not found:
            return [TextReply(text=turn.tr._("Your team has no upcoming meetings."))]
        if len(found) == 1:
            return registry.actions[action](turn, {"meeting_id": found[0][0].id})
        if not upcoming:
            found = list(reversed(found))
        return _pick_meeting(turn, found[:10], question, action)

    @registry.intent("change_meeting")
    def change_intent(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        return _choose_led(
            turn,
            slots,
            "meeting.change",
            turn.tr._("Which meeting do you want to change?"),
            "meeting.change",
            upcoming=True,
        )

    @registry.action("meeting.change")
    def change_menu(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        found = _led_meeting(turn, values, "meeting.change")
        if isinstance(found, list):
            return found
        meeting, team = found
        if meeting.starts_at <= turn.now:
            return [TextReply(text=tr._("That meeting has already started, so it can't be changed."))]
        local_start = meeting.starts_at.astimezone(tr.zone)
        year = turn.session.get(SchoolYear, meeting.school_year_id)
        assert year is not None
        draft: Draft = {
            "meeting_id": meeting.id,
            "team_id": team.id,
            "year": year.label,
            "day": local_start.date().isoformat(),
            "start": local_start.time().isoformat("minutes"),
            "end": meeting.ends_at.astimezone(tr.zone).time().isoformat("minutes"),
            "kind": meeting.kind,
            **({"place": meeting.place} if meeting.place else {}),
            **({"host_school_id": meeting.host_school_id} if meeting.host_school_id else {}),
            **({"link": meeting.link} if meeting.link else {}),
        }
        return [
            ChoicesReply(
                text=tr._("What do you want to change about the meeting {when}?", when=tr.when(meeting.starts_at)),
                buttons=[
                    Button(label=tr._("Date"), action="schedule.set", values=_without(draft, "day")),
                    Button(label=tr._("Time"), action="schedule.set", values=_without(draft, "start", "end")),
                    Button(
                        label=tr._("Place or link"),
                        action="schedule.set",
                        values=_without(draft, "place", "host_school_id", "link"),
                    ),
                    Button(
                        label=tr._("Physical or digital"),
                        action="schedule.set",
                        values=_without(draft, "kind", "place", "host_school_id", "link"),
                    ),
                ],
            )
        ]

    @registry.intent("cancel_meeting")
    def cancel_intent(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        return _choose_led(
            turn,
            slots,
            "meeting.cancel",
            turn.tr._("Which meeting do you want to cancel?"),
            "meeting.cancel",
            upcoming=True,
        )

    @registry.action("meeting.cancel")
    def cancel_ask(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        found = _led_meeting(turn, values, "meeting.cancel")
        if isinstance(found, list):
            return found
        meeting, team = found
        if meeting.starts_at <= turn.now:
            return [TextReply(text=tr._("That meeting has already started, so it can't be cancelled."))]
        return [
            ChoicesReply(
                text=tr._(
                    "Cancel {team}'s meeting {when}? Every member is told and the event leaves their calendars.",
                    team=team.name,
                    when=tr.when(meeting.starts_at),
                ),
                buttons=[
                    Button(
                        label=tr._("Yes, cancel the meeting"),
                        action="meeting.cancel.confirm",
                        values={"meeting_id": meeting.id},
                        style="danger",
                    ),
                    Button(label=tr._("No, keep it"), action="meeting.keep", values={}),
                ],
            )
        ]

    @registry.action("meeting.keep")
    def keep(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        return [TextReply(text=turn.tr._("OK, the meeting stays as it is."))]

    @registry.action("meeting.cancel.confirm")
    def cancel_confirm(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        found = _led_meeting(turn, values, "meeting.cancel")
        if isinstance(found, list):
            return found
        meeting, team = found
        if meeting.starts_at <= turn.now:
            return [TextReply(text=tr._("That meeting has already started, so it can't be cancelled."))]
        rules.cancel(turn.session, meeting=meeting, actor=turn.person, now=turn.now)
        told = tell_members(turn, meeting, team, "meeting_cancelled")
        return [
            TextReply(
                text=tr.n_(
                    "The meeting is cancelled. {count} member has been told.",
                    "The meeting is cancelled. {count} members have been told.",
                    told,
                )
            )
        ]

    # The notice --------------------------------------------------------------------------------

    @registry.intent("send_notice")
    def notice_intent(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        if not is_leader_now(turn):
            return _not_a_leader(turn, "notice.send")
        waiting = [(m, t) for m, t in _meetings_of_led(turn) if m.starts_at > turn.now and m.notice_sent_at is None]
        if slots.get("date"):
            day = dtm.date.fromisoformat(slots["date"])
            waiting = [(m, t) for m, t in waiting if m.starts_at.astimezone(turn.tr.zone).date() == day] or waiting
        if not waiting:
            return [
                ChoicesReply(
                    text=turn.tr._("Every upcoming meeting of your team has had its notice sent."),
                    buttons=[
                        Button(
                            label=turn.tr._("Schedule meeting"), action="intent", values={"intent": "schedule_meeting"}
                        )
                    ],
                )
            ]
        if len(waiting) == 1:
            return notice_preview(turn, {"meeting_id": waiting[0][0].id})
        return _pick_meeting(turn, waiting, turn.tr._("Which meeting is the notice for?"), "notice.preview")

    @registry.action("notice.preview")
    def notice_preview(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        found = _led_meeting(turn, values, "notice.send")
        if isinstance(found, list):
            return found
        meeting, team = found
        if meeting.notice_sent_at is not None:
            return [
                TextReply(
                    text=tr._(
                        "The notice for this meeting was sent {date}; it is not sent twice.",
                        date=tr.date(meeting.notice_sent_at),
                    )
                )
            ]
        members = rules.team_members(turn.session, team.id or 0, meeting.school_year_id)
        return [
            CardReply(
                title=tr._("Send the notice for {team}?", team=team.name),
                facts=[
                    (tr._("When"), f"{tr.when(meeting.starts_at)}–{tr.time(meeting.ends_at)}"),
                    (tr._("Where"), meeting_place(turn, meeting)),
                    (tr._("To"), tr.n_("{count} member", "{count} members", len(members))),
                ],
                text=tr._("Each member gets the notice with a calendar invite and a button to report absence."),
                buttons=[
                    Button(
                        label=tr._("Send notice now"),
                        action="notice.send",
                        values={"meeting_id": meeting.id},
                        style="primary",
                    )
                ],
            )
        ]

    @registry.action("notice.send")
    def notice_send(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        found = _led_meeting(turn, values, "notice.send")
        if isinstance(found, list):
            return found
        meeting, team = found
        if meeting.starts_at <= turn.now:
            return [TextReply(text=tr._("That meeting has already started, so it is too late for a notice."))]
        if not rules.mark_notice_sent(turn.session, meeting=meeting, actor=turn.person, now=turn.now):
            assert meeting.notice_sent_at is not None
            return [
                TextReply(
                    text=tr._(
                        "The notice for this meeting was sent {date}; it is not sent twice.",
                        date=tr.date(meeting.notice_sent_at),
                    )
                )
            ]
        told = tell_members(turn, meeting, team, "meeting_notice")
        return [
            TextReply(
                text=tr.n_(
                    "Sent: the notice for {when} went to {count} member, with a calendar invite.",
                    "Sent: the notice for {when} went to {count} members, with a calendar invite.",
                    told,
                    when=tr.when(meeting.starts_at),
                )
            )
        ]

    # Notes ---------------------------------------------------------------------------------------

    @registry.intent("log_notes")
    def notes_intent(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        if not is_leader_now(turn):
            return turn.refuse(
                "notes.log",
                "not_a_leader",
                turn.tr._(
                    "Only team leaders log notes, and you don't lead a subject team this school year or the next."
                ),
            )
        return _choose_led(
            turn, slots, "notes.log", turn.tr._("Which meeting are the notes from?"), "notes.start", upcoming=False
        )

    def _notes_form(turn: Turn, meeting: Meeting, team: Team, body: str | None = None) -> list[Reply]:
        tr = turn.tr
        assert meeting.id is not None
        note = rules.note_of(turn.session, meeting.id)
        turn.wait("notes.body", meeting_id=meeting.id)
        return [
            FormReply(
                missing=tr._("Please fill this in."),
                title=tr._("Notes from {team}, {date}", team=team.name, date=tr.date(meeting.starts_at)),
                fields=[
                    FormField(
                        name="body",
                        label=tr._("Notes"),
                        kind="multiline",
                        value=body if body is not None else note.body if note else None,
                    ),
                    FormField(
                        name="link", label=tr._("Link (optional)"), required=False, value=note.link if note else None
                    ),
                ],
                submit=Button(label=tr._("Preview"), action="notes.submit", values={"meeting_id": meeting.id}),
            ),
            TextReply(
                text=tr._(
                    "Write the notes as one message (at most {limit} characters). "
                    "You see a preview before anything is sent.",
                    limit=f"{rules.NOTES_MAX_CHARACTERS:,}".replace(",", " "),
                )
            ),
        ]

    def _notes_meeting(turn: Turn, values: dict[str, Any]) -> tuple[Meeting, Team] | list[Reply]:
        found = _led_meeting(turn, values, "notes.log")
        if isinstance(found, list):
            return found
        meeting, _ = found
        if meeting.starts_at > turn.now:
            return [TextReply(text=turn.tr._("Notes can be logged once the meeting has started."))]
        if meeting.notes_distributed_at is not None:
            return [
                TextReply(
                    text=turn.tr._(
                        "The notes of this meeting were distributed {date}; they are not sent twice.",
                        date=turn.tr.date(meeting.notes_distributed_at),
                    )
                )
            ]
        return found

    @registry.action("notes.start")
    def notes_start(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        found = _notes_meeting(turn, values)
        if isinstance(found, list):
            return found
        return _notes_form(turn, *found)

    def _save_body(
        turn: Turn, meeting: Meeting, team: Team, body: str, link: str | None, ask_link: bool
    ) -> list[Reply]:
        tr = turn.tr
        body = body.strip()
        if not body:
            turn.wait("notes.body", meeting_id=meeting.id)
            return [TextReply(text=tr._("The notes are empty. Write the notes as one message."))]
        if len(body) > rules.NOTES_MAX_CHARACTERS:
            turn.wait("notes.body", meeting_id=meeting.id)
            return [
                TextReply(
                    text=tr._(
                        "The notes are {length} characters; at most {limit} fit in a chat message. Shorten them, "
                        "or put the full text in a shared document and send a summary with its link.",
                        length=len(body),
                        limit=rules.NOTES_MAX_CHARACTERS,
                    )
                )
            ]
        if link is not None and link and (not rules.is_web_link(link) or len(link) > rules.LINK_MAX_CHARACTERS):
            rules.save_notes(turn.session, meeting=meeting, body=body, link=None, actor=turn.person, now=turn.now)
            turn.wait("notes.link", meeting_id=meeting.id)
            return [
                TextReply(
                    text=tr._(
                        "A link must be a web address starting with https:// or http://. "
                        'Write it again, or write "no link".'
                    )
                )
            ]
        rules.save_notes(turn.session, meeting=meeting, body=body, link=link or None, actor=turn.person, now=turn.now)
        if ask_link:
            turn.wait("notes.link", meeting_id=meeting.id)
            return [
                ChoicesReply(
                    text=tr._("Saved as a draft. Add a link to a document? Write the link, or choose:"),
                    buttons=[Button(label=tr._("No link"), action="notes.preview", values={"meeting_id": meeting.id})],
                )
            ]
        return notes_preview(turn, {"meeting_id": meeting.id})

    @registry.step("notes.body", free_text=True)
    def notes_body(turn: Turn, text: str) -> list[Reply] | None:
        found = _notes_meeting(turn, turn.waiting_data)
        if isinstance(found, list):
            return found
        return _save_body(turn, *found, body=text, link=None, ask_link=True)

    @registry.action("notes.submit")
    def notes_submit(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        found = _notes_meeting(turn, values)
        if isinstance(found, list):
            return found
        link = str(values.get("link") or "").strip()
        return _save_body(turn, *found, body=str(values.get("body") or ""), link=link, ask_link=False)

    @registry.step("notes.link", free_text=True)
    def notes_link(turn: Turn, text: str) -> list[Reply] | None:
        if turn.is_request and not rules.is_web_link(text.strip()):
            return None
        found = _notes_meeting(turn, turn.waiting_data)
        if isinstance(found, list):
            return found
        meeting, team = found
        assert meeting.id is not None
        note = rules.note_of(turn.session, meeting.id)
        if note is None:
            return _notes_form(turn, meeting, team)
        link = text.strip()
        if nlu.clean(link) in ("ingen lank", "ingen", "nej", "no link", "no", "none"):
            link = ""
        return _save_body(turn, meeting, team, body=note.body, link=link, ask_link=False)

    def _revision(body: str, link: str | None) -> str:
        return hashlib.sha256(f"{body}\x00{link or ''}".encode()).hexdigest()[:16]

    @registry.action("notes.preview")
    def notes_preview(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        found = _notes_meeting(turn, values)
        if isinstance(found, list):
            return found
        meeting, team = found
        assert meeting.id is not None
        note = rules.note_of(turn.session, meeting.id)
        if note is None:
            return _notes_form(turn, meeting, team)
        members = rules.team_members(turn.session, team.id or 0, meeting.school_year_id)
        ref = {"meeting_id": meeting.id, "revision": _revision(note.body, note.link)}
        return [
            CardReply(
                title=tr._("Preview: notes from {team}, {date}", team=team.name, date=tr.date(meeting.starts_at)),
                facts=[
                    *([(tr._("Link"), note.link)] if note.link else []),
                    (
                        tr._("To"),
                        tr.n_(
                            "{count} member and the coordinator", "{count} members and the coordinator", len(members)
                        ),
                    ),
                ],
                text=note.body,
                buttons=[
                    Button(label=tr._("Send the notes"), action="notes.distribute", values=ref, style="primary"),
                    Button(label=tr._("Edit"), action="notes.start", values={"meeting_id": meeting.id}),
                    *(
                        [Button(label=tr._("Suggest a summary"), action="notes.summarise", values=ref)]
                        if turn.assistant_on and len(note.body) > SUMMARY_CHARACTERS
                        else []
                    ),
                ],
            )
        ]

    @registry.action("notes.summarise")
    def notes_summarise(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        """Ask the language model for a shorter draft; until it answers (or if it cannot), the preview stands."""
        found = _notes_meeting(turn, values)
        if isinstance(found, list):
            return found
        meeting, _ = found
        note = rules.note_of(turn.session, meeting.id or 0)
        if note is None:
            return notes_preview(turn, values)
        turn.model_request = ModelRequest(
            "summarise", note.body, then="notes.summary", values={"meeting_id": meeting.id}
        )
        return [
            TextReply(
                text=turn.tr._("The language model could not make a summary just now; your notes are unchanged.")
            ),
            *notes_preview(turn, values),
        ]

    @registry.action("notes.summary")
    def notes_summary(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        """The model's summary as a draft: the leader accepts it, edits it, or keeps the original."""
        tr = turn.tr
        found = _notes_meeting(turn, values)
        if isinstance(found, list):
            return found
        meeting, _ = found
        summary = str(values.get("result", "")).strip()[: rules.NOTES_MAX_CHARACTERS]
        if not summary:
            return notes_preview(turn, values)
        turn.wait("notes.summary_offered", meeting_id=meeting.id, summary=summary)
        ref = {"meeting_id": meeting.id}
        return [
            CardReply(
                title=tr._("Suggested summary (language model)"),
                text=summary,
                buttons=[
                    Button(label=tr._("Use the summary"), action="notes.use_summary", values=ref, style="primary"),
                    Button(label=tr._("Edit the summary"), action="notes.edit_summary", values=ref),
                    Button(label=tr._("Keep my notes"), action="notes.preview", values=ref),
                ],
            )
        ]

    def _offered_summary(turn: Turn, values: dict[str, Any]) -> tuple[Meeting, Team, str] | list[Reply]:
        found = _notes_meeting(turn, values)
        if isinstance(found, list):
            return found
        summary = turn.waiting_data.get("summary")
        if not isinstance(summary, str) or turn.waiting_data.get("meeting_id") != found[0].id:
            return [
                TextReply(text=turn.tr._("That suggestion has expired. Here are your notes:")),
                *notes_preview(turn, values),
            ]
        return (*found, summary)

    @registry.action("notes.use_summary")
    def notes_use_summary(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        found = _offered_summary(turn, values)
        if isinstance(found, list):
            return found
        meeting, team, summary = found
        note = rules.note_of(turn.session, meeting.id or 0)
        return _save_body(turn, meeting, team, body=summary, link=note.link if note else None, ask_link=False)

    @registry.action("notes.edit_summary")
    def notes_edit_summary(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        found = _offered_summary(turn, values)
        if isinstance(found, list):
            return found
        return _notes_form(turn, *found)

    @registry.action("notes.distribute")
    def notes_distribute(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        found = _notes_meeting(turn, values)
        if isinstance(found, list):
            return found
        meeting, team = found
        assert meeting.id is not None
        note = rules.note_of(turn.session, meeting.id)
        if note is None:
            return _notes_form(turn, meeting, team)
        if values.get("revision") != _revision(note.body, note.link):
            return [
                TextReply(text=tr._("The notes have changed since that preview. Here is the latest version:")),
                *notes_preview(turn, {"meeting_id": meeting.id}),
            ]
        rules.mark_notes_distributed(turn.session, meeting=meeting, actor=turn.person, now=turn.now)
        members = rules.team_members(turn.session, team.id or 0, meeting.school_year_id)
        recipients = [*members, *coordinators(turn)]
        body, link = note.body, note.link

        def build(t: Translator) -> list[Reply]:
            return [
                CardReply(
                    title=t._("Notes from {team}, {date}", team=team.name, date=t.date(meeting.starts_at)),
                    facts=[(t._("Link"), link)] if link else [],
                    text=body,
                )
            ]

        sent = notify(
            turn.session, origin=turn.person, recipients=recipients, region=turn.region, kind="notes", build=build
        )
        return [
            TextReply(
                text=tr.n_(
                    "Sent: the notes went to {count} person (the members and the coordinator).",
                    "Sent: the notes went to {count} people (the members and the coordinator).",
                    len(sent),
                )
            )
        ]

    # The framework review --------------------------------------------------------------------------

    @registry.intent("confirm_framework_review")
    def framework_intent(turn: Turn, slots: dict[str, str]) -> list[Reply]:
        tr = turn.tr
        if not is_leader_now(turn):
            return _not_a_leader(turn, "framework.confirm")
        firsts = [(m, t) for m, t in _meetings_of_led(turn) if m.first_of_year]
        if not firsts:
            return [
                TextReply(
                    text=tr._(
                        "Your team has not scheduled its first meeting of the year yet; "
                        "the framework is reviewed there."
                    )
                )
            ]
        pending = [(m, t) for m, t in firsts if m.framework_reviewed_at is None]
        if not pending:
            meeting, team = firsts[0]
            assert meeting.framework_reviewed_at is not None
            return [
                TextReply(
                    text=tr._(
                        "The review of the framework for {team} was confirmed {date}.",
                        team=team.name,
                        date=tr.date(meeting.framework_reviewed_at),
                    )
                )
            ]
        return framework_confirm(turn, {"meeting_id": pending[0][0].id})

    @registry.action("framework.confirm")
    def framework_confirm(turn: Turn, values: dict[str, Any]) -> list[Reply]:
        tr = turn.tr
        found = _led_meeting(turn, values, "framework.confirm")
        if isinstance(found, list):
            return found
        meeting, team = found
        title = turn.region.framework_title or tr._("the framework document")
        if not meeting.first_of_year:
            return [
                TextReply(text=tr._("The framework is reviewed at the first meeting of the year, and this is not it."))
            ]
        if meeting.starts_at > turn.now:
            link = f" ({turn.region.framework_url})" if turn.region.framework_url else ""
            return [
                TextReply(
                    text=tr._(
                        "Go through {title}{link} at the meeting {when}, then confirm it here afterwards.",
                        title=title,
                        link=link,
                        when=tr.when(meeting.starts_at),
                    )
                )
            ]
        if not rules.confirm_framework_review(turn.session, meeting=meeting, actor=turn.person, now=turn.now):
            assert meeting.framework_reviewed_at is not None
            return [
                TextReply(
                    text=tr._(
                        "The review of the framework for {team} was confirmed {date}.",
                        team=team.name,
                        date=tr.date(meeting.framework_reviewed_at),
                    )
                )
            ]
        return [
            TextReply(
                text=tr._(
                    "Thank you! The review of {title} at {team}'s first meeting is confirmed.",
                    title=title,
                    team=team.name,
                )
            )
        ]


def leader_absences(turn: Turn, slots: dict[str, str]) -> list[Reply]:
    tr = turn.tr
    found = [(m, t) for m, t in _meetings_of_led(turn) if m.ends_at > turn.now]
    if slots.get("date"):
        day = dtm.date.fromisoformat(slots["date"])
        found = [(m, t) for m, t in _meetings_of_led(turn) if m.starts_at.astimezone(tr.zone).date() == day] or found
    if not found:
        return [TextReply(text=tr._("Your team has no upcoming meetings."))]
    facts = []
    for meeting, team in found[:5]:
        assert meeting.id is not None
        absent = rules.absentees(turn.session, meeting.id)
        names = ", ".join(p.name for p in absent) if absent else tr._("nobody")
        facts.append((f"{team.name}, {tr.date(meeting.starts_at)}", names))
    return [CardReply(title=tr._("Reported absence"), facts=facts)]


def leader_help(turn: Turn) -> list[Button]:
    tr = turn.tr
    return [
        Button(label=tr._("My team's meetings"), action="leader.meetings", values={}),
        Button(label=tr._("Schedule meeting"), action="intent", values={"intent": "schedule_meeting"}),
        Button(label=tr._("Send notice"), action="intent", values={"intent": "send_notice"}),
        Button(label=tr._("Log notes"), action="intent", values={"intent": "log_notes"}),
        Button(label=tr._("Absence in my team"), action="intent", values={"intent": "absences"}),
        Button(label=tr._("Attendance and cost"), action="intent", values={"intent": "confirm_attendance"}),
    ]
