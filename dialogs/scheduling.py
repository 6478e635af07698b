"""The meeting form: a leader schedules a meeting, or changes one, one question at a time.

Team, day (a network day by button, or any date), physical or digital, the host school or place, or the
link, and the time; then the preview with the travel figures, and save. Changing a meeting is the same
form filled from the meeting, with the slots to change left empty.
"""

from __future__ import annotations

import datetime as dtm
import re

from sqlmodel import col, select

from dialogs import access, nlu
from dialogs.access import MeetingOf
from dialogs.common import meeting_place, short
from dialogs.engine import Answered, Router, Turn, Values
from dialogs.forms import Draft, Form, Invalid, Question, Slot
from dialogs.host import tell_host_and_managers
from dialogs.i18n import Translator
from dialogs.meetings import choose_led, meeting_card, tell_members, tell_other_leaders, was
from dialogs.names import Act, Intent
from dialogs.travel import draft_travel
from dialogs.types import Button, CardReply, ChoicesReply, FormField, Reply, TextReply
from domain import groups
from domain import meetings as meeting_rules
from storage import schoolyear
from storage.directory import find_school, region_schools
from storage.models import GroupKind, Meeting, MeetingKind, School, SchoolYear, Team

router = Router()

_TIMES = re.compile(r"^\s*(?:kl\.?\s*)?(\d{1,2})(?:[.:](\d{2}))?\s*(?:-|–|till|to)\s*(\d{1,2})(?:[.:](\d{2}))?\s*$")
DEFAULT_TIMES = ((dtm.time(9, 0), dtm.time(15, 0)), (dtm.time(13, 0), dtm.time(16, 0)))
PHYSICAL, DIGITAL = MeetingKind.PHYSICAL.value, MeetingKind.DIGITAL.value


# The slots ---------------------------------------------------------------------------------------


def _ask_team(turn: Turn, draft: Draft) -> Question:
    led = access.led_teams(turn)
    several_years = len({y.label for _, y in led}) > 1
    return Question(
        turn.tr._("{which_group} is the meeting for?", which_group=turn.words.which_group),
        [
            (short(f"{t.name} {y.label}" if several_years else t.name), {"team_id": t.id, "year": y.label})
            for t, y in led
        ],
    )


def _ask_day(turn: Turn, draft: Draft) -> Question:
    tr = turn.tr
    team, year = _team_year(turn, draft)
    assert team.id is not None and year.id is not None and turn.region.id is not None
    taken = {
        m.starts_at.astimezone(tr.zone).date() for m in meeting_rules.team_meetings(turn.session, team.id, year.id)
    }
    after = turn.today + dtm.timedelta(days=1)
    days = [
        d for d in meeting_rules.network_days(turn.session, turn.region.id, year, after=after) if d.date not in taken
    ]
    text = tr._("Which day will {team} meet? Choose a network day, or give another date.", team=team.name)
    if not days:
        text = tr._("There are no free network days left in {year}. Give the date of the meeting.", year=year.label)
    if draft.get("pick_day"):  # a calendar (Slack's datepicker, Teams' date input); typed elsewhere
        return Question(
            text,
            fields=[
                FormField(
                    name="picked_day", label=tr._("Date"), kind="date", value=days[0].date.isoformat() if days else None
                )
            ],
            title=tr._("Date of {team}'s meeting", team=team.name),
            short_title=tr._("Date of the meeting"),
            submit=tr._("Next"),
        )
    pick = tr._("Another date…") if days else tr._("Choose a date…")
    return Question(
        text,
        [
            *(
                (
                    short(tr.date(d.date) + (f" ({_kind_word(tr, d.kind)})" if d.kind else "")),
                    {"day": d.date.isoformat(), **({"kind": d.kind} if d.kind else {})},
                )
                for d in days
            ),
            (pick, {"pick_day": "1"}),
        ],
        fields=[FormField(name="picked_day", label=tr._("Date"), kind="date")],
        submit=tr._("Choose the date"),
        inline=True,
        picker=pick,
    )


def _picked_day(turn: Turn, values: Values, draft: Draft) -> dtm.date | Invalid:
    """The day chosen in the calendar, or the reason it cannot be the meeting's."""
    try:
        day = dtm.date.fromisoformat(str(values.get("picked_day") or "").strip())
    except ValueError:
        return Invalid(turn.tr._("Choose the date in the calendar."))
    return _day_problem(turn, draft, day) or day


def _accept_day(turn: Turn, values: Values, draft: Draft) -> tuple[Draft, str | None]:
    """A date picked in a calendar: Teams' picker beside the day buttons, or the form that "choose a date" opens
    (Slack's datepicker modal); both send "picked_day"."""
    picked = _picked_day(turn, values, draft)
    if isinstance(picked, Invalid):
        return ({"day": "", "pick_day": "1"} if draft.get("pick_day") else {}), picked.reason
    return {"day": picked.isoformat(), "pick_day": ""}, None


def _day_problems(turn: Turn, values: Values, draft: Draft) -> dict[str, str]:
    picked = _picked_day(turn, values, draft)
    return {"picked_day": picked.reason} if isinstance(picked, Invalid) else {}


def _parse_day(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    day = nlu.find_date(nlu.clean(text), turn.today, forward=True)
    if day is None:
        return None
    return _day_problem(turn, draft, day) or {"day": day.isoformat()}


def _day_problem(turn: Turn, draft: Draft, day: dtm.date) -> Invalid | None:
    if day <= turn.today:
        return Invalid(turn.tr._("That date has already passed; a meeting must be in the future."))
    if draft.get("year") != schoolyear.label_for(day):
        return Invalid(_problem_text(turn, meeting_rules.DraftProblem.OTHER_YEAR, draft))
    return None


def _ask_kind(turn: Turn, draft: Draft) -> Question:
    tr = turn.tr
    return Question(
        tr._("Will you meet in person or online?"),
        [(tr._("Physical meeting"), {"kind": PHYSICAL}), (tr._("Digital meeting"), {"kind": DIGITAL})],
    )


def _next_host(turn: Turn, team: Team, schools: list[School]) -> School | None:
    """A manager network meets "på olika orter i länet" (003): the school whose turn it is to host, the one that
    has hosted the network least recently (never first, then in the order of the schools' names)."""
    assert team.id is not None
    last: dict[int, dtm.datetime] = {}
    for meeting in turn.session.exec(
        select(Meeting).where(Meeting.team_id == team.id, col(Meeting.cancelled_at).is_(None))
    ).all():
        if meeting.host_school_id is not None:
            last[meeting.host_school_id] = max(meeting.starts_at, last.get(meeting.host_school_id, meeting.starts_at))
    never = dtm.datetime.min.replace(tzinfo=dtm.UTC)
    return min(schools, key=lambda s: (last.get(s.id or 0, never), s.name), default=None)


def _ask_place(turn: Turn, draft: Draft) -> Question:
    schools = sorted(region_schools(turn.session, turn.region), key=lambda s: s.name)
    team = turn.session.get(Team, draft.get("team_id"))
    text = turn.tr._("Where will you meet? Choose the host school, or write the place.")
    if team is not None and team.kind == GroupKind.MANAGER_NETWORK.value and schools:
        host = _next_host(turn, team, schools)
        if host is not None:  # its turn first
            schools = [host, *(s for s in schools if s.id != host.id)]
            text = (
                turn.tr._("It is {school}'s turn to host (the longest since it last did).", school=host.name)
                + " "
                + text
            )
    return Question(text, [(short(s.name), {"host_school_id": s.id}) for s in schools])


def _parse_place(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    school = find_school(region_schools(turn.session, turn.region), text)
    if school is not None:
        return {"host_school_id": school.id}
    if turn.is_request:
        return None
    place = " ".join(text.split())
    if len(place) > meeting_rules.PLACE_MAX_CHARACTERS:
        return Invalid(turn.tr._("That is too long; please shorten it."))
    return {"place": place}


def _ask_link(turn: Turn, draft: Draft) -> Question:
    return Question(turn.tr._("Write the meeting link (it starts with https://)."))


def _parse_link(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    link = text.strip()
    if not meeting_rules.is_web_link(link) or len(link) > meeting_rules.LINK_MAX_CHARACTERS:
        return Invalid(_problem_text(turn, meeting_rules.DraftProblem.BAD_LINK, draft))
    return {"link": link}


def _ask_time(turn: Turn, draft: Draft) -> Question:
    tr = turn.tr
    text = tr._("What time? Choose, or write it like 13-16 or 9.30-15.")
    if draft.get("pick_time"):  # two clocks (Slack's timepickers in a modal, Teams' time inputs); typed elsewhere
        team, _ = _team_year(turn, draft)
        start, end = DEFAULT_TIMES[0]
        return Question(
            text,
            fields=[
                FormField(name="picked_start", label=tr._("Starts"), kind="time", value=start.isoformat("minutes")),
                FormField(name="picked_end", label=tr._("Ends"), kind="time", value=end.isoformat("minutes")),
            ],
            title=tr._("Time of {team}'s meeting", team=team.name),
            short_title=tr._("Time of the meeting"),
            submit=tr._("Next"),
        )
    return Question(
        text,
        [
            *(
                (f"{_clock(tr, s)}–{_clock(tr, e)}", {"start": s.isoformat("minutes"), "end": e.isoformat("minutes")})
                for s, e in DEFAULT_TIMES
            ),
            (tr._("Another time…"), {"pick_time": "1"}),
        ],
        fields=[
            FormField(name="picked_start", label=tr._("Starts"), kind="time"),
            FormField(name="picked_end", label=tr._("Ends"), kind="time"),
        ],
        submit=tr._("Choose the time"),
        inline=True,
        picker=tr._("Another time…"),
    )


def _picked_time(turn: Turn, values: Values) -> tuple[dtm.time, dtm.time] | dict[str, str]:
    """The start and end picked on the clocks (HH:MM each), or the reason at each field that cannot be taken."""
    picked: dict[str, dtm.time] = {}
    problems: dict[str, str] = {}
    for name in ("picked_start", "picked_end"):
        try:
            picked[name] = dtm.time.fromisoformat(str(values.get(name) or "").strip())
        except ValueError:
            problems[name] = turn.tr._("Choose a time.")
    if problems:
        return problems
    start, end = picked["picked_start"], picked["picked_end"]
    if end <= start:
        return {"picked_end": _problem_text(turn, meeting_rules.DraftProblem.END_BEFORE_START, {})}
    return start, end


def _accept_time(turn: Turn, values: Values, draft: Draft) -> tuple[Draft, str | None]:
    """A start and an end picked beside the suggested times (Teams) or in the form "another time" opens."""
    picked = _picked_time(turn, values)
    if isinstance(picked, dict):
        reason = next(iter(picked.values()))
        return ({"start": "", "end": "", "pick_time": "1"} if draft.get("pick_time") else {}), reason
    start, end = picked
    return {"start": start.isoformat("minutes"), "end": end.isoformat("minutes"), "pick_time": ""}, None


def _time_problems(turn: Turn, values: Values, draft: Draft) -> dict[str, str]:
    picked = _picked_time(turn, values)
    return picked if isinstance(picked, dict) else {}


def _parse_time(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    times = parse_times(text)
    if times is None:
        return Invalid(turn.tr._("I didn't understand the time. Write it like 13-16 or 9.30-15."))
    return {"start": times[0].isoformat("minutes"), "end": times[1].isoformat("minutes")}


def parse_times(text: str) -> tuple[dtm.time, dtm.time] | None:
    m = _TIMES.match(text.strip().lower())
    if not m:
        return None
    try:
        return dtm.time(int(m.group(1)), int(m.group(2) or 0)), dtm.time(int(m.group(3)), int(m.group(4) or 0))
    except ValueError:
        return None


def _physical(draft: Draft) -> bool:
    return draft.get("kind") == PHYSICAL


SLOTS = [
    Slot("team", ("team_id", "year"), _ask_team),
    Slot(
        "day",
        ("day",),
        _ask_day,
        _parse_day,
        accept=_accept_day,
        submitted=("picked_day",),
        problems=_day_problems,
    ),
    Slot("kind", ("kind",), _ask_kind, clears=("place", "host_school_id", "link")),
    Slot("place", ("place",), _ask_place, _parse_place, needed=lambda _, d: _physical(d) and "host_school_id" not in d,
         clears=("host_school_id",), free_text=True),
    Slot("link", ("link",), _ask_link, _parse_link, needed=lambda _, d: d.get("kind") == DIGITAL, free_text=True),
    Slot("time", ("start", "end"), _ask_time, _parse_time, free_text=True, accept=_accept_time,
         submitted=("picked_start", "picked_end"), problems=_time_problems),
]  # fmt: skip


# The whole draft ---------------------------------------------------------------------------------


def _start(turn: Turn, draft: Draft) -> Draft:
    """The team, when the leader leads only one; a team the person does not lead is refused."""
    if "team_id" not in draft:
        led = access.led_teams(turn)
        if len(led) == 1:
            draft = {**draft, "team_id": led[0][0].id, "year": led[0][1].label}
        return draft
    _team_year(turn, draft)
    return draft


def _team_year(turn: Turn, draft: Draft) -> tuple[Team, SchoolYear]:
    """The draft's team and school year, if the person leads that team that year; else the refusal."""
    team = turn.session.get(Team, draft["team_id"]) if isinstance(draft.get("team_id"), int) else None
    year = (
        schoolyear.get_or_create(turn.session, str(draft["year"])) if schoolyear.is_label(draft.get("year")) else None
    )
    if team is None or year is None or team.region_id != turn.region.id:
        raise Answered(TextReply(text=turn.tr._('That button has expired. Write "schedule meeting" to start again.')))
    assert turn.person.id is not None and team.id is not None and year.id is not None
    if not meeting_rules.is_leader(turn.session, turn.person.id, team.id, year.id):
        raise access.not_leader_of(turn, "meeting.schedule", team.name, year.label)
    return team, year


def _to_draft(draft: Draft) -> meeting_rules.MeetingDraft:
    return meeting_rules.MeetingDraft(
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


def _problem_text(turn: Turn, problem: meeting_rules.DraftProblem, draft: Draft) -> str:
    tr = turn.tr
    return {
        meeting_rules.DraftProblem.IN_PAST: tr._("That time has already passed; a meeting must be in the future."),
        meeting_rules.DraftProblem.END_BEFORE_START: tr._("The meeting must end after it starts."),
        meeting_rules.DraftProblem.OTHER_YEAR: tr._(
            "That date is not in the school year {year} (1 July to 30 June).", year=draft.get("year", "")
        ),
        meeting_rules.DraftProblem.BAD_LINK: tr._(
            "A meeting link must be a web address starting with https:// or http://."
        ),
        meeting_rules.DraftProblem.NO_PLACE: tr._("A physical meeting needs a place."),
        meeting_rules.DraftProblem.TOO_LONG: tr._("That is too long; please shorten it."),
    }[problem]


_STALE = {  # the keys a problem makes the leader answer again
    meeting_rules.DraftProblem.IN_PAST: ("day", "start", "end"),
    meeting_rules.DraftProblem.END_BEFORE_START: ("start", "end"),
    meeting_rules.DraftProblem.OTHER_YEAR: ("day",),
    meeting_rules.DraftProblem.BAD_LINK: ("link",),
    meeting_rules.DraftProblem.NO_PLACE: ("place", "host_school_id"),
    meeting_rules.DraftProblem.TOO_LONG: ("place", "link"),
}


def _check(turn: Turn, draft: Draft) -> tuple[str, tuple[str, ...]] | None:
    try:
        parsed = _to_draft(draft)
    except (TypeError, ValueError, KeyError):
        raise Answered(
            TextReply(text=turn.tr._('That button has expired. Write "schedule meeting" to start again.'))
        ) from None
    problem = meeting_rules.check_draft(parsed, turn.region, turn.now)
    return None if problem is None else (_problem_text(turn, problem, draft), _STALE[problem])


def _kind_word(tr: Translator, kind: str) -> str:
    return tr._("physical") if kind == PHYSICAL else tr._("digital")


def _clock(tr: Translator, value: dtm.time) -> str:
    return value.strftime("%H.%M" if tr.language == "sv" else "%H:%M")


def _draft_place(turn: Turn, draft: Draft) -> str:
    if draft["kind"] == DIGITAL:
        return str(draft.get("link", ""))
    school = turn.session.get(School, draft["host_school_id"]) if draft.get("host_school_id") else None
    return str(draft.get("place") or (school.name if school else ""))


def _preview(turn: Turn, draft: Draft) -> list[Reply]:
    tr = turn.tr
    team, year = _team_year(turn, draft)
    assert turn.region.id is not None
    day = dtm.date.fromisoformat(draft["day"])
    start, end = dtm.time.fromisoformat(draft["start"]), dtm.time.fromisoformat(draft["end"])
    facts = [
        (turn.words.group_label, team.name),
        (tr._("Day"), tr.date(day)),
        (tr._("Time"), f"{_clock(tr, start)}–{_clock(tr, end)}"),
        (tr._("Kind"), _kind_word(tr, draft["kind"])),
        (tr._("Where") if _physical(draft) else tr._("Link"), _draft_place(turn, draft)),
    ]
    note = None
    decided = turn.duties.meeting_days_decided_by == "manager_network" and groups.chosen(team)
    if decided and meeting_rules.network_day_on(turn.session, turn.region.id, day) is None:
        note = tr._(
            "Note: {date} is not one of the network days the manager network decided. You can still save it; "
            "tell your manager and the coordinator why.",
            date=tr.date(day),
        )
    travel_facts, travel_notes, hosts = draft_travel(turn, draft, team, year)
    changing = "meeting_id" in draft
    return [
        CardReply(
            title=tr._("Change the meeting?") if changing else tr._("Save this meeting?"),
            facts=facts + travel_facts,
            text="\n\n".join(filter(None, [note, _beyond_goal(turn, draft, team, year), *travel_notes])) or None,
            buttons=[
                MEETING_FORM.save_button(tr._("Save the change") if changing else tr._("Save the meeting"), draft),
                MEETING_FORM.restart_button(tr._("Start again"), draft),
                *hosts,
            ],
        )
    ]


def _beyond_goal(turn: Turn, draft: Draft, team: Team, year: SchoolYear) -> str | None:
    """A warning (not a refusal) when the meeting would take the team's year beyond the region's goal."""
    assert team.id is not None and year.id is not None
    settings = turn.settings
    others = [m for m in meeting_rules.team_meetings(turn.session, team.id, year.id) if m.id != draft.get("meeting_id")]
    if len(others) < settings.meetings_per_year_max:
        return None
    return turn.tr._(
        "Note: {team} already has {count} meetings in {year}, and the goal is {low}–{high} a year. "
        "You can still save it.",
        team=team.name,
        count=len(others),
        year=year.label,
        low=settings.meetings_per_year_min,
        high=settings.meetings_per_year_max,
    )


def _save(turn: Turn, draft: Draft) -> list[Reply]:
    tr = turn.tr
    team, year = _team_year(turn, draft)
    parsed = _to_draft(draft)
    if "meeting_id" in draft:
        return _save_change(turn, draft, parsed)
    assert year.id is not None
    starts, _ = meeting_rules.instants(parsed, tr.zone)
    same = [m for m in meeting_rules.team_meetings(turn.session, parsed.team_id, year.id) if m.starts_at == starts]
    if same:
        return [TextReply(text=tr._("This meeting is already saved.")), meeting_card(turn, same[0], team)]
    meeting = meeting_rules.schedule(turn.session, draft=parsed, region=turn.region, actor=turn.person, now=turn.now)
    lead = tr._("Saved: {team} meets {when}.", team=team.name, when=tr.when(meeting.starts_at))
    if meeting.first_of_year and turn.duties.framework_review:
        lead += " " + tr._("It is the first meeting of the school year, so the framework document is reviewed there.")
    lead += " " + tr._("The members have not been told yet: send the notice when you are ready.")
    told = tell_host_and_managers(turn, meeting, team)
    return [TextReply(text=f"{lead} {told}".strip()), meeting_card(turn, meeting, team)]


def _save_change(turn: Turn, draft: Draft, parsed: meeting_rules.MeetingDraft) -> list[Reply]:
    tr = turn.tr
    found = _changeable(turn, {"meeting_id": draft["meeting_id"]})
    meeting, team = found.meeting, found.team
    starts, ends = meeting_rules.instants(parsed, tr.zone)
    if (meeting.starts_at, meeting.ends_at, meeting.kind) == (starts, ends, parsed.kind) and _draft_place(
        turn, draft
    ) == meeting_place(turn, meeting):
        return [
            TextReply(text=tr._("Nothing changed: the meeting already looks like that.")),
            meeting_card(turn, meeting, team),
        ]
    before = (meeting.starts_at, meeting.ends_at, meeting.kind, meeting.host_school_id, meeting.place)
    as_it_was = was(turn, meeting)
    meeting_rules.change(
        turn.session, meeting=meeting, draft=parsed, region=turn.region, actor=turn.person, now=turn.now
    )
    host = ""
    if before != (meeting.starts_at, meeting.ends_at, meeting.kind, meeting.host_school_id, meeting.place):
        meeting.room_confirmed_at = None  # another day or place needs its room arranged again
        host = tell_host_and_managers(turn, meeting, team)
    if meeting.notice_sent_at is None:
        leaders = tell_other_leaders(turn, meeting, team, "meeting_changed", as_it_was)
        text = tr.n_(
            "Changed. The notice has not been sent yet, so the members get the meeting as it is now with "
            "the notice; {count} other leader has been told.",
            "Changed. The notice has not been sent yet, so the members get the meeting as it is now with "
            "the notice; {count} other leaders have been told.",
            leaders,
        )
        return [TextReply(text=f"{text} {host}".strip()), meeting_card(turn, meeting, team)]
    told = tell_members(turn, meeting, team, "meeting_changed", as_it_was)
    text = tr.n_(
        "Changed. {count} member has been told, with an updated calendar invite.",
        "Changed. {count} members have been told, with an updated calendar invite.",
        told.count,
    )
    return [TextReply(text=" ".join(filter(None, [text, told.missed, host]))), meeting_card(turn, meeting, team)]


def _restart(turn: Turn, draft: Draft) -> list[Reply]:
    if "meeting_id" in draft:
        return change_menu(turn, {"meeting_id": draft["meeting_id"]})
    return MEETING_FORM.go_on(turn, draft)


MEETING_FORM = Form(
    name="schedule",
    guard=access.leader("meeting.schedule"),
    set_action=Act.SCHEDULE_SET,
    save_action=Act.SCHEDULE_SAVE,
    restart_action=Act.SCHEDULE_RESTART,
    slots=SLOTS,
    keys=(
        "team_id",
        "year",
        "day",
        "pick_day",
        "start",
        "end",
        "pick_time",
        "kind",
        "place",
        "host_school_id",
        "link",
        "meeting_id",
    ),
    start=_start,
    check=_check,
    preview=_preview,
    save=_save,
    restart=_restart,
    restart_keeps=("team_id", "year", "meeting_id"),
)
MEETING_FORM.register(router)


# Scheduling from a sentence ----------------------------------------------------------------------


@router.intent(Intent.SCHEDULE_MEETING, guard=access.leader("meeting.schedule"))
def schedule(turn: Turn, slots: Values, led: list[tuple[Team, SchoolYear]]) -> list[Reply]:
    """ "boka träff i Lycksele 11 mars": whatever the sentence says fills the form; the rest is asked."""
    draft: Draft = {}
    if slots.get("team"):
        match = [(t, y) for t, y in led if t.name == slots["team"]]
        if not match:
            team = turn.team_named(slots["team"])
            raise access.not_leader_of(turn, "meeting.schedule", team.name if team else slots["team"], led[0][1].label)
        draft = {"team_id": match[0][0].id, "year": match[0][1].label}
    if slots.get("kind") in (PHYSICAL, DIGITAL):
        draft["kind"] = slots["kind"]
    if slots.get("place") and draft.get("kind") != DIGITAL:
        school = find_school(region_schools(turn.session, turn.region), slots["place"])
        draft.update({"kind": PHYSICAL, "host_school_id": school.id} if school else {})
    if slots.get("time"):  # "kl 13-16", as the rules wrote it: "13:00-16:00"
        start, end = slots["time"].split("-")
        draft.update({"start": start, "end": end})
    if not slots.get("date"):
        return MEETING_FORM.go_on(turn, draft)
    return _with_day(turn, draft, dtm.date.fromisoformat(slots["date"]))


def _with_day(turn: Turn, draft: Draft, day: dtm.date) -> list[Reply]:
    """Set the day, choosing the team's school year from it when the team is not known yet."""
    if day <= turn.today:
        return MEETING_FORM.go_on(
            turn, draft, turn.tr._("That date has already passed; a meeting must be in the future.")
        )
    label = schoolyear.label_for(day)
    if "team_id" in draft and draft.get("year") != label:
        return MEETING_FORM.go_on(turn, draft, _problem_text(turn, meeting_rules.DraftProblem.OTHER_YEAR, draft))
    if "team_id" not in draft:
        of_year = [(t, y) for t, y in access.led_teams(turn) if y.label == label]
        if not of_year:
            return MEETING_FORM.go_on(
                turn,
                draft,
                turn.tr._("You lead {no_group} in the school year {year}.", no_group=turn.words.no_group, year=label),
            )
        if len(of_year) == 1:
            draft = {**draft, "team_id": of_year[0][0].id, "year": label}
    return MEETING_FORM.go_on(turn, {**draft, "day": day.isoformat()})


# Changing a meeting ------------------------------------------------------------------------------


def _changeable(turn: Turn, values: Values) -> MeetingOf:
    """The meeting of a change, if the person leads it and it has not started."""
    found = access.leads_meeting("meeting.change").check(turn, values)
    if found.meeting.starts_at <= turn.now:
        raise Answered(TextReply(text=turn.tr._("That meeting has already started, so it can't be changed.")))
    return found


@router.intent(Intent.CHANGE_MEETING, guard=access.leader("meeting.change"))
def change_intent(turn: Turn, slots: Values, _: object) -> list[Reply]:
    return choose_led(turn, slots, turn.tr._("Which meeting do you want to change?"), change_menu, upcoming=True)


@router.action(Act.MEETING_CHANGE, guard=access.leads_meeting("meeting.change"))
def change_menu(turn: Turn, values: Values, found: MeetingOf) -> list[Reply]:
    """What to change: each button empties its slot (and what depends on it) and asks for it again."""
    tr = turn.tr
    meeting, team = _changeable(turn, values).meeting, found.team  # the guard found it; _changeable: not started
    local_start = meeting.starts_at.astimezone(tr.zone)
    year = turn.session.get(SchoolYear, meeting.school_year_id)
    assert year is not None
    draft: Draft = MEETING_FORM.draft_of(
        {
            "meeting_id": meeting.id,
            "team_id": team.id,
            "year": year.label,
            "day": local_start.date().isoformat(),
            "start": local_start.time().isoformat("minutes"),
            "end": meeting.ends_at.astimezone(tr.zone).time().isoformat("minutes"),
            "kind": meeting.kind,
            "place": meeting.place,
            "host_school_id": meeting.host_school_id,
            "link": meeting.link,
        }
    )
    change = MEETING_FORM.without
    return [
        ChoicesReply(
            text=tr._("What do you want to change about the meeting {when}?", when=tr.when(meeting.starts_at)),
            buttons=[
                Button(label=tr._("Date"), action=Act.SCHEDULE_SET, values=change(draft, "day")),
                Button(label=tr._("Time"), action=Act.SCHEDULE_SET, values=change(draft, "time")),
                Button(label=tr._("Place or link"), action=Act.SCHEDULE_SET, values=change(draft, "place", "link")),
                Button(label=tr._("Physical or digital"), action=Act.SCHEDULE_SET, values=change(draft, "kind")),
            ],
        )
    ]
