"""The year report as one self-contained HTML page, in the reader's language: charts and a map as inline SVG.

Opening the page asks nothing of the network: no script, stylesheet, font or image is fetched (the charts are
SVG elements in the page, the style is in the page). Every chart has a heading, a sentence that says what
it shows, and the figures it is drawn from as a table, so the page reads without the pictures too. A goal
is drawn only where the region's framework sets it (`domain.report`).
"""

from __future__ import annotations

import datetime as dtm
from html import escape

from babel.dates import format_date

from dialogs import charts
from dialogs.i18n import Translator, wording
from domain.report import YearReport

MEDIA_TYPE = "text/html; charset=utf-8"

_STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #f4f4f1; color: #222; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
  "DejaVu Sans", sans-serif; }
main { max-width: 760px; margin: 0 auto; padding: 24px 20px 40px; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .25rem; }
.lead { color: #444; margin-top: 0; }
figure { margin: 0; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: .95rem; color: #333; }
details { margin: .25rem 0 1rem; }
summary { cursor: pointer; color: #0b5394; }
table { border-collapse: collapse; font-size: .9rem; margin-top: .5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; }
.empty { color: #666; font-style: italic; }
footer { color: #666; font-size: .85rem; margin-top: 2.5rem; }
"""


def report_filename(report: YearReport) -> str:
    """The file's name: "arsrapport-vasterbotten-2026-27.html" (plain letters, safe in every chat and disk)."""
    return f"arsrapport-{report.region_key}-{report.school_year.replace('/', '-')}.html"


def _short_date(tr: Translator, iso: str) -> str:
    return format_date(dtm.datetime.fromisoformat(iso).date(), "d MMM yyyy", locale=tr.language)


def _mil(tr: Translator, km: float) -> str:
    """The figure the axis shows: mil in Swedish (as the framework writes), km in English."""
    return tr.distance(km)


def _table(head: list[tuple[str, bool]], rows: list[list[str]]) -> str:
    """A table of figures; `head` is each column's heading and whether it holds numbers (right-aligned)."""
    cells = "".join(f'<th scope="col"{" class=n" if number else ""}>{escape(name)}</th>' for name, number in head)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if head[i][1] else ''}>{escape(value)}</td>"
            if i
            else f'<th scope="row">{escape(value)}</th>'
            for i, value in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _section(key: str, title: str, svg: str | None, summary: str, table: str, tr: Translator, empty: str) -> str:
    """One chart: its heading, the SVG (labelled by the heading, described by the caption), the caption with
    a sentence and the figures as a table. Without data: the heading and a sentence saying so."""
    if svg is None:
        return f'<section id="{key}"><h2>{escape(title)}</h2><p class="empty">{escape(empty)}</p></section>'
    figures = tr._("The figures")
    svg = svg.replace("<svg", f'<svg role="img" aria-labelledby="{key}-title" aria-describedby="{key}-caption"', 1)
    return (
        f'<section id="{key}"><h2 id="{key}-title">{escape(title)}</h2><figure>{svg}'
        f'<figcaption id="{key}-caption"><p>{escape(summary)}</p>'
        f"<details><summary>{escape(figures)}</summary>{table}</details></figcaption></figure></section>"
    )


def _groups(report: YearReport, tr: Translator) -> tuple[str, str, str]:
    """The region's words for its groups, in the reader's language: one, many, and a column's heading."""
    if tr.language != "sv":
        return "team", "teams", "Team"
    return report.words.group, report.words.groups, wording(report.words, tr.language).group_label


def _decimal(tr: Translator, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}".replace(".", "," if tr.language == "sv" else ".")


def _yes(tr: Translator, value: bool | None) -> str:
    if value is None:
        return "–"
    return tr._("yes") if value else tr._("no")


def report_html(report: YearReport, tr: Translator) -> str:
    """The whole page."""
    parts = [
        _meetings(report, tr),
        _kinds(report, tr),
        _attendance(report, tr),
        _trips(report, tr),
        _map(report, tr),
    ]
    title = tr._("Year report {region}, school year {year}", region=report.region, year=report.school_year)
    physical = sum(t.physical for t in report.teams)
    digital = sum(t.digital for t in report.teams)
    lead = [
        tr._(
            "As of {date}: {teams} {groups}, {meetings} meetings ({physical} physical, {digital} digital), "
            "{held} of them held so far.",
            date=format_date(report.as_of, "d MMMM yyyy", locale=tr.language),
            teams=len(report.teams),
            groups=_groups(report, tr)[1],
            meetings=physical + digital,
            physical=physical,
            digital=digital,
            held=report.held_meetings,
        )
    ]
    if report.meetings_goal is not None:
        lead.append(
            tr._(
                "The framework's goals: {low}-{high} meetings a school year, at least {physical} of them physical.",
                low=report.meetings_goal[0],
                high=report.meetings_goal[1],
                physical=report.physical_goal,
            )
        )
    else:
        lead.append(tr._("The region's framework sets no goal for the number of meetings or for travel."))
    if report.travel_goal_km is not None:
        lead.append(
            tr._(
                "Nobody should travel more than {distance} there and back to a meeting.",
                distance=tr.distance(report.travel_goal_km),
            )
        )
    if report.framework:
        lead.append(tr._("Framework: {title}.", title=report.framework))
    footer = tr._(
        "Made by Ämneslagsboten on {date}. Charts drawn with Matplotlib; the page fetches nothing from the network.",
        date=format_date(report.as_of, "d MMMM yyyy", locale=tr.language),
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{tr.language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(title)}</h1>\n<p class=lead>{escape(' '.join(lead))}</p>\n"
        + "\n".join(parts)
        + f"\n<footer><p>{escape(footer)}</p></footer>\n</main>\n</body>\n</html>\n"
    )


def _meetings(report: YearReport, tr: Translator) -> str:
    group, groups, label = _groups(report, tr)
    teams = report.teams
    goal = None
    title = tr._("Meetings per {group}", group=group)
    if report.meetings_goal is not None:
        title = tr._("Meetings per {group} against the goal", group=group)
        low, high = report.meetings_goal
        goal = charts.Goal(tr._("Goal: {low}-{high} meetings", low=low, high=high), low, high)
    met = [t for t in teams if t.goal_met]
    missed = [t for t in teams if t.goal_met is False]
    svg = (
        charts.bars(
            "meetings",
            [t.team for t in teams],
            [
                charts.Segment(
                    tr._("Goal met"), charts.BLUE, [t.total if t.goal_met is not False else 0 for t in teams]
                ),
                charts.Segment(
                    tr._("Goal not met"), charts.RED, [t.total if t.goal_met is False else 0 for t in teams], "//"
                ),
            ]
            if goal is not None
            else [charts.Segment(tr._("Meetings"), charts.BLUE, [t.total for t in teams])],
            axis_label=tr._("meetings this school year (planned and held)"),
            goal=goal,
            value_labels=[str(t.total) for t in teams],
        )
        if teams
        else None
    )
    if goal is not None:
        summary = tr._(
            "{met} of {teams} {groups} meet the goal of meetings and physical meetings.",
            met=len(met),
            teams=len(teams),
            groups=groups,
        )
        if missed:
            summary += " " + tr._("Not yet: {teams}.", teams=tr.join(t.team for t in missed))
    else:
        summary = tr._("Meetings per {group} this school year; the region sets no goal for them.", group=group)
    head = [(label, False), (tr._("Meetings"), True)]
    rows = [[t.team, str(t.total)] for t in teams]
    if goal is not None:
        head.append((tr._("Goal met"), False))
        rows = [[*row, _yes(tr, t.goal_met)] for row, t in zip(rows, teams, strict=True)]
    return _section(
        "meetings", title, svg, summary, _table(head, rows), tr, tr._("The region has no {groups} yet.", groups=groups)
    )


def _kinds(report: YearReport, tr: Translator) -> str:
    group, groups, label = _groups(report, tr)
    title = tr._("Physical and digital meetings")
    teams = report.teams
    goal = None
    if report.physical_goal is not None:
        goal = charts.Goal(tr._("At least {count} physical", count=report.physical_goal), report.physical_goal)
    svg = (
        charts.bars(
            "kinds",
            [t.team for t in teams],
            [
                charts.Segment(tr._("physical meetings"), charts.BLUE, [t.physical for t in teams]),
                charts.Segment(tr._("digital meetings"), charts.ORANGE, [t.digital for t in teams]),
            ],
            axis_label=tr._("meetings this school year"),
            goal=goal,
        )
        if teams
        else None
    )
    physical = sum(t.physical for t in teams)
    digital = sum(t.digital for t in teams)
    summary = tr._("{physical} physical and {digital} digital meetings in all.", physical=physical, digital=digital)
    if report.physical_goal is not None:
        short = [t.team for t in teams if t.physical < report.physical_goal]
        summary += " " + (
            tr._("Too few physical meetings: {teams}.", teams=tr.join(short))
            if short
            else tr._("Every {group} has at least {count} physical meeting.", group=group, count=report.physical_goal)
        )
    table = _table(
        [(label, False), (tr._("Physical"), True), (tr._("Digital"), True)],
        [[t.team, str(t.physical), str(t.digital)] for t in teams],
    )
    return _section("kinds", title, svg, summary, table, tr, tr._("The region has no {groups} yet.", groups=groups))


def _attendance(report: YearReport, tr: Translator) -> str:
    title = tr._("Attendance per school")
    rows = report.attendance
    names = [r.school or tr._("no school") for r in rows]
    svg = (
        charts.bars(
            "attendance",
            names,
            [
                charts.Segment(tr._("attended (confirmed)"), charts.GREEN, [r.attended for r in rows]),
                charts.Segment(tr._("absent"), charts.RED, [r.absent for r in rows], "//"),
                charts.Segment(tr._("attendance not confirmed"), charts.GREY, [r.unconfirmed for r in rows]),
            ],
            axis_label=tr._("places at the meetings held so far"),
        )
        if rows
        else None
    )
    summary = tr._(
        "Each member's and leader's place at the {held} meetings held so far, by their school: attended as the "
        "leader confirmed it, absent (reported, or confirmed as not there), or not confirmed yet (expected: "
        "no absence reported). In all {attended} attended, {absent} absent, {unconfirmed} not confirmed.",
        held=report.held_meetings,
        attended=sum(r.attended for r in rows),
        absent=sum(r.absent for r in rows),
        unconfirmed=sum(r.unconfirmed for r in rows),
    )
    table = _table(
        [(tr._("School"), False), (tr._("Attended"), True), (tr._("Absent"), True), (tr._("Not confirmed"), True)],
        [[name, str(r.attended), str(r.absent), str(r.unconfirmed)] for name, r in zip(names, rows, strict=True)],
    )
    return _section(
        "attendance", title, svg, summary, table, tr, tr._("No meeting has been held this school year yet.")
    )


def _trips(report: YearReport, tr: Translator) -> str:
    title = (
        tr._("The longest round trip per meeting against the travel goal")
        if report.travel_goal_km is not None
        else tr._("The longest round trip per meeting")
    )
    trips = report.trips
    scale = 10.0 if tr.language == "sv" else 1.0  # the axis in mil in Swedish, km in English
    goal = (
        charts.Goal(
            tr._("Goal: at most {distance}", distance=tr.distance(report.travel_goal_km)), report.travel_goal_km / scale
        )
        if report.travel_goal_km is not None
        else None
    )
    labels = [f"{t.team} · {_short_date(tr, t.starts_at)}" for t in trips]
    if goal is not None:
        segments = [
            charts.Segment(
                tr._("within the goal"),
                charts.BLUE,
                [t.longest_round_trip_km / scale if not t.over_goal else 0 for t in trips],
            ),
            charts.Segment(
                tr._("over the goal"),
                charts.RED,
                [t.longest_round_trip_km / scale if t.over_goal else 0 for t in trips],
                "//",
            ),
        ]
    else:
        segments = [
            charts.Segment(tr._("longest round trip"), charts.BLUE, [t.longest_round_trip_km / scale for t in trips])
        ]
    svg = (
        charts.bars(
            "trips",
            labels,
            segments,
            axis_label=tr._("mil there and back") if tr.language == "sv" else tr._("km there and back"),
            goal=goal,
            whole=False,
            value_labels=[_mil(tr, t.longest_round_trip_km) for t in trips],
        )
        if trips
        else None
    )
    over = [t for t in trips if t.over_goal]
    if goal is not None:
        summary = tr._(
            "The longest trip there and back of those who travel to each physical meeting, longest first. "
            "{over} of {count} meetings take someone beyond the goal.",
            over=len(over),
            count=len(trips),
        )
    else:
        summary = tr._(
            "The longest trip there and back of those who travel to each physical meeting, longest first "
            "({count} meetings). The region sets no travel goal.",
            count=len(trips),
        )
    head = [
        (_groups(report, tr)[2], False),
        (tr._("Date"), False),
        (tr._("Place"), False),
        (tr._("Longest round trip"), True),
    ]
    rows = [[t.team, _short_date(tr, t.starts_at), t.place or "–", _mil(tr, t.longest_round_trip_km)] for t in trips]
    if goal is not None:
        head.append((tr._("Within the goal"), False))
        rows = [[*row, _yes(tr, not t.over_goal)] for row, t in zip(rows, trips, strict=True)]
    empty = tr._("No physical meeting this school year with trips that can be known.")
    return _section("trips", title, svg, summary, _table(head, rows), tr, empty)


def _map(report: YearReport, tr: Translator) -> str:
    groups = _groups(report, tr)[1]
    title = tr._("Where the schools are")
    located = [s for s in report.schools if s.latitude is not None and s.longitude is not None]
    svg = (
        charts.points_map(
            "map",
            [
                charts.Place(s.municipality, s.latitude, s.longitude, s.in_teams)
                for s in located
                if s.latitude is not None and s.longitude is not None
            ],
            caption=tr._(
                "The larger the point, the more of the school's people are in this year's {groups}.", groups=groups
            ),
        )
        if located
        else None
    )
    missing = [s.school for s in report.schools if s.latitude is None or s.longitude is None]
    summary = tr._(
        "The region's {count} schools at their stored coordinates (the municipality's centre), labelled by "
        "municipality.",
        count=len(report.schools),
    )
    if missing:
        summary += " " + tr._("Without coordinates, so not on the map: {schools}.", schools=tr.join(missing))
    table = _table(
        [
            (tr._("School"), False),
            (tr._("Municipality"), False),
            (tr._("Latitude"), True),
            (tr._("Longitude"), True),
            (tr._("In the {groups}", groups=groups), True),
        ],
        [
            [
                s.school,
                s.municipality,
                _decimal(tr, s.latitude),
                _decimal(tr, s.longitude),
                str(s.in_teams),
            ]
            for s in report.schools
        ],
    )
    return _section("map", title, svg, summary, table, tr, tr._("No school of the region has coordinates."))
