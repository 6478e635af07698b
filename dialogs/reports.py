"""The status and the invoice basis as a person reads them: the text table and the CSV of `amneslag status`,
the invoice basis of `amneslag invoice`, and the names of what a reminder sweep could not do.

The data comes typed from `domain.status` and `domain.logistics.invoice_basis`; only the wording is
here, in the reader's language (the message catalog).
"""

from __future__ import annotations

import csv
import datetime as dtm
import io
from typing import Any

from dialogs.i18n import Translator
from domain.privacy import PrivacyError, PrivacyProblem
from domain.reminders import SweepProblem
from domain.status import RegionStatus, figures
from storage.models import HOLDABLE

_STATUS_COLUMNS = (
    "team",
    "leaders",
    "members",
    "members_confirmed",
    "meetings_planned",
    "physical_meetings",
    "notices_sent",
    "notes_distributed",
    "framework_reviewed",
    "goals_met",
    "longest_round_trip_km",
    "travel_goal_met",
)
INVOICE_CSV_COLUMNS = (
    "meeting_id",
    "starts_at",
    "team",
    "host_school",
    "school",
    "host",
    "participants",
    "share_kr",
    "total_kr",
    "people",
)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading apostrophe
    (OWASP's advice against CSV injection). Numbers and booleans are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {key: cell(value) for key, value in values.items()}


def money(amount: int) -> str:
    """12 000 kr, with a (non-breaking) space between thousands as in Swedish."""
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def problem_name(tr: Translator, problem: str) -> str:
    """What a reminder sweep could not do, in words (an unknown kind as it is)."""
    names: dict[str, str] = {
        SweepProblem.UNREACHABLE: tr._("people without a chat in Slack or Teams"),
        SweepProblem.TEAM_WITHOUT_LEADER: tr._("teams without a leader"),
        SweepProblem.SCHOOL_WITHOUT_MANAGER: tr._("schools without a manager"),
        SweepProblem.NO_COORDINATOR: tr._("no coordinator"),
        SweepProblem.NO_NETWORK_DAYS: tr._("no network days this school year"),
        SweepProblem.RULE_FAILED: tr._("a reminder rule failed"),
    }
    return names.get(problem, problem)


def status_csv(status: RegionStatus) -> str:
    """One row per team with its figures (for a spreadsheet); the columns are the public contract."""
    return statuses_csv([status])


def statuses_csv(statuses: list[RegionStatus]) -> str:
    """`status_csv` of several regions: one header, then each region's teams."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=("region", "school_year", *_STATUS_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for status in statuses:
        for team in status.teams:
            writer.writerow(
                _row({"region": status.region, "school_year": status.school_year, **figures(team).model_dump()})
            )
    return out.getvalue()


def _listed(tr: Translator, items: list[str]) -> str:
    return ", ".join(items) if items else tr.p_("an empty list", "none")


def status_text(tr: Translator, status: RegionStatus) -> str:
    """A compact table for the terminal."""
    header = (
        tr.p_("status column", "Team"),
        tr.p_("status column", "Leaders"),
        tr.p_("status column", "Members"),
        tr.p_("status column", "Meetings"),
        tr.p_("status column", "Physical"),
        tr.p_("status column", "Notices"),
        tr.p_("status column", "Notes"),
        tr.p_("status column", "Framework"),
        tr.p_("status column", "Goal"),
        tr.p_("status column", "Travel"),
    )
    rows = []
    for team in status.teams:
        f = figures(team)
        goal_min, goal_max = team.goals.meetings_goal
        rows.append(
            (
                f.team,
                str(f.leaders),
                f"{f.members_confirmed}/{f.members}",
                f"{f.meetings_planned} ({goal_min}-{goal_max})",
                f"{f.physical_meetings} (≥{team.goals.physical_goal})",
                f"{f.notices_sent}/{f.meetings_planned}",
                f"{f.notes_distributed}/{f.meetings_planned}",
                tr._("yes") if f.framework_reviewed else tr._("no"),
                "✓" if f.goals_met else "–",
                "–"
                if f.longest_round_trip_km is None
                else f"{tr.distance(f.longest_round_trip_km)} {'✓' if f.travel_goal_met else '✗'}",
            )
        )
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = [tr._("{region}, school year {year}", region=status.region, year=status.school_year), ""]
    for row in (header, *rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    lines.append("")
    lines.append(
        tr._(
            "Members: confirmed/all. Notices and Notes: meetings with the notice sent / the notes distributed. "
            "Travel: the longest round trip to a physical meeting, ✓ within the region's goal."
        )
    )
    without, missing, cut_off = status.people_without_team, status.schools_not_reported, status.unreachable
    if status.choice_year == status.school_year:
        lines.append(tr._("Without a team ({count}): {names}", count=len(without), names=_listed(tr, without)))
        lines.append(tr._("Schools not reported ({count}): {names}", count=len(missing), names=_listed(tr, missing)))
    else:  # from May: the coming year's teams are being decided
        year = status.choice_year
        lines.append(
            tr._("Without a team {year} ({count}): {names}", year=year, count=len(without), names=_listed(tr, without))
        )
        lines.append(
            tr._(
                "Schools not reported {year} ({count}): {names}",
                year=year,
                count=len(missing),
                names=_listed(tr, missing),
            )
        )
    lines.append(tr._("Not reachable by the bot ({count}): {names}", count=len(cut_off), names=_listed(tr, cut_off)))
    if status.reminder_problems:
        kinds: dict[str, list[str]] = {}
        for problem in status.reminder_problems:
            kinds.setdefault(problem.problem, []).append(problem.detail)
        lines.append(tr._("Reminders that could not be made (the latest sweep):"))
        lines.extend(f"  {problem_name(tr, kind)}: {', '.join(details)}" for kind, details in kinds.items())
    return "\n".join(lines)


def invoice_csv(tr: Translator, basis: dict[str, Any]) -> str:
    """One row per school (the host's own share marked `host`), participants' names separated by `;`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=INVOICE_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for school in basis["schools"]:
        writer.writerow(
            _row(
                {
                    "meeting_id": basis["meeting_id"],
                    "starts_at": basis["starts_at"],
                    "team": basis["team"],
                    "host_school": basis["host_school"],
                    "school": school["school"],
                    "host": tr._("yes") if school["host"] else tr._("no"),
                    "participants": school["participants"],
                    "share_kr": school["share_kr"],
                    "total_kr": basis["total_kr"],
                    "people": "; ".join(p["name"] for p in school["people"]),
                }
            )
        )
    return out.getvalue()


def cost_rule(tr: Translator) -> str:
    """The rule of the split, as the manager network decided it (`domain.logistics.split_cost`)."""
    return tr._(
        "The total is divided equally per participant who attended; each school's part is rounded to whole "
        "kronor and the kronor left over go to the largest remainders (ties: school name), so the parts add up "
        "to the total exactly. The host school invoices the visiting schools their part."
    )


def invoice_text(tr: Translator, basis: dict[str, Any]) -> str:
    """The invoice basis for the terminal or an e-mail."""
    starts = dtm.datetime.fromisoformat(basis["starts_at"])
    per = (
        str(basis["per_participant_kr"]).replace(".", ",") if tr.language == "sv" else str(basis["per_participant_kr"])
    )
    lines = [
        tr._(
            "Invoice basis: {team}, meeting {when} ({place})",
            team=basis["team"],
            when=f"{starts:%Y-%m-%d %H.%M}",
            place=basis["place"],
        ),
        tr._("Host school: {school}", school=basis["host_school"]),
        tr._(
            "Total cost: {total}, {participants} participants ({per} kr per participant)",
            total=money(basis["total_kr"]),
            participants=basis["participants"],
            per=per,
        ),
        "",
    ]
    width = max(len(s["school"]) for s in basis["schools"])
    for school in basis["schools"]:
        what = tr._("host school's own share") if school["host"] else tr._("invoiced")
        lines.append(
            f"{school['school'].ljust(width)}  {school['participants']:>3} {tr.p_('a column', 'participants')}  "
            f"{money(school['share_kr']).rjust(12)}  {what}"
        )
        lines.extend(f"    {p['name']} <{p['email']}>" for p in school["people"])
    lines += [
        "",
        tr._("To invoice the visiting schools: {amount}.", amount=money(basis["invoiced_kr"])),
        tr._("Rule: {rule}", rule=cost_rule(tr)),
        tr._(
            "Entered {when} by {who}.",
            when=basis["entered_at"][:16].replace("T", " "),
            who=basis["entered_by"] or "-",
        ),
    ]
    return "\n".join(lines)


def _record_kind(tr: Translator, kind: str) -> str:
    names = {
        "person": tr.p_("a kind of record", "person"),
        "meeting": tr.p_("a kind of record", "meeting"),
        "absence": tr.p_("a kind of record", "absence"),
        "note": tr.p_("a kind of record", "notes"),
        "outbox_message": tr.p_("a kind of record", "message"),
        "audit_log": tr.p_("a kind of record", "audit log entry"),
    }
    return names.get(kind, kind)


def privacy_problem(tr: Translator, error: PrivacyError) -> str:
    """Why an export, erasure or archive hold could not be done, and what to do."""
    d = error.details
    match error.problem:
        case PrivacyProblem.UNKNOWN_KIND:
            kinds = ", ".join(HOLDABLE)
            return tr._("Unknown kind of record {kind!r}: choose one of {kinds}.", kind=d["kind"], kinds=kinds)
        case PrivacyProblem.NO_REASON:
            return tr._("Give the reason for the archive hold (for example the archive decision's reference number).")
        case PrivacyProblem.NO_PLACER:
            return tr._("Say who places the archive hold.")
        case PrivacyProblem.NO_SUCH_RECORD:
            return tr._("There is no {kind} with id {id}.", kind=_record_kind(tr, d["kind"]), id=d["id"])
        case PrivacyProblem.NO_ACTIVE_HOLD:
            return tr._("There is no active archive hold number {hold}.", hold=d["hold"])
        case PrivacyProblem.NO_LIFTER:
            return tr._("Say who lifts the archive hold.")
        case PrivacyProblem.NO_SUCH_PERSON:
            return tr._("Nobody with the e-mail address {email} is known to the bot.", email=d["email"])
        case PrivacyProblem.PERSON_HELD:
            return tr._(
                "The person is under archive hold number {hold} ({reason}) and may not be erased. Lift the hold "
                "first if the archive decision allows it: amneslag gdpr hold lift {hold} --by NAME",
                hold=d["hold"],
                reason=d["reason"],
            )
    return str(error)
