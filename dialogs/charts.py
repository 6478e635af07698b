"""The year report's charts as SVG, drawn with Matplotlib: bars against a goal, stacked bars, and a map of points.

Matplotlib is imported here only when a chart is drawn (it takes a moment and some memory), so nothing
else that imports the dialogs pays for it. Charts are drawn with the object-oriented API (a `Figure` and
its own SVG canvas, never `pyplot`'s global state) and one at a time (`_LOCK`: Matplotlib's settings and
font cache are shared by the process). The SVG needs no script, font or file from outside: text is drawn
as paths. Each chart's ids are prefixed, so several charts can live in one HTML page.

The functions take the words to show, already in the reader's language; they hold no text of their own.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_LOCK = threading.Lock()

# Okabe and Ito's palette: told apart with every common colour vision deficiency; bars over a goal are also hatched.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
RED = "#D55E00"
GREY = "#B0B0B0"
GOAL = "#009E73"
INK = "#222222"

WIDTH_IN = 7.5  # the figure's width in inches (at 96 dpi, 720 px: the page's column)
ROW_IN = 0.3  # the height of one bar's row


@dataclass(frozen=True)
class Segment:
    """One part of stacked bars: a label for the legend, a colour, and a value per bar."""

    label: str
    color: str
    values: Sequence[float]
    hatch: str | None = None


@dataclass(frozen=True)
class Goal:
    """A goal drawn on a chart: a line at `low`, or a band from `low` to `high`, with its label."""

    label: str
    low: float
    high: float | None = None


def _figure(height_in: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_IN, height_in), dpi=96, layout="constrained")


def _svg(figure: Figure, prefix: str) -> str:
    """The figure as an SVG element for an HTML page: no XML prologue or metadata, ids prefixed, scalable."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(figure)
    out = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": prefix, "svg.fonttype": "path"}):
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)  # namespaces are implied in HTML
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)


def draw(prefix: str, paint: Callable[[], Figure]) -> str:
    """Draw a figure (one at a time in the process) and give it as an SVG element with ids under `prefix`."""
    with _LOCK:
        figure = paint()
        return _svg(figure, prefix)


def _style(axes: Axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(colors=INK, labelsize=9)
    axes.xaxis.grid(True, color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)


def _goal(axes: Axes, goal: Goal | None) -> None:
    if goal is None:
        return
    if goal.high is not None and goal.high != goal.low:
        axes.axvspan(goal.low, goal.high, color=GOAL, alpha=0.15, label=goal.label, linewidth=0)
    else:
        axes.axvline(goal.low, color=GOAL, linestyle="--", linewidth=1.6, label=goal.label)


def bars(
    prefix: str,
    labels: Sequence[str],
    segments: Sequence[Segment],
    *,
    axis_label: str,
    goal: Goal | None = None,
    whole: bool = True,
    value_labels: Sequence[str] | None = None,
) -> str:
    """Horizontal bars, one per label (top to bottom), stacked from `segments`, with an optional goal."""

    def paint() -> Figure:
        from matplotlib.ticker import MaxNLocator

        figure = _figure(1.2 + ROW_IN * max(len(labels), 1))
        axes = figure.add_subplot()
        rows = list(range(len(labels)))
        left = [0.0] * len(labels)
        for segment in segments:
            axes.barh(
                rows,
                segment.values,
                left=left,
                color=segment.color,
                hatch=segment.hatch,
                edgecolor="white",
                linewidth=0.6,
                height=0.7,
                label=segment.label,
            )
            left = [a + b for a, b in zip(left, segment.values, strict=True)]
        _goal(axes, goal)
        if value_labels is not None:
            for row, (end, text) in enumerate(zip(left, value_labels, strict=True)):
                axes.text(end, row, f" {text}", va="center", ha="left", fontsize=8, color=INK)
        axes.set_yticks(rows, labels)
        axes.invert_yaxis()
        axes.set_xlabel(axis_label, fontsize=9, color=INK)
        highest = max([*left, goal.high or goal.low if goal else 0.0, 1.0])
        axes.set_xlim(0, highest * (1.18 if value_labels is not None else 1.05))
        if whole:
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        _style(axes)
        handles, names = axes.get_legend_handles_labels()
        if len(names) > 1 or goal is not None:
            figure.legend(
                handles, names, loc="outside upper center", ncols=min(len(names), 4), frameon=False, fontsize=9
            )
        return figure

    return draw(prefix, paint)


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float
    size: float  # relative: 0 is the smallest point


def points_map(prefix: str, places: Sequence[Place], *, caption: str) -> str:
    """The places as points on a plain map (no tiles): longitude and latitude scaled to the places' mean
    latitude (an equirectangular projection), so distances look right in the region, each point labelled."""

    def paint() -> Figure:
        latitudes = [p.latitude for p in places]
        longitudes = [p.longitude for p in places]
        middle = (max(latitudes) + min(latitudes)) / 2
        stretch = 1 / math.cos(math.radians(middle))  # a degree of latitude is longer than one of longitude
        east_west = (max(longitudes) - min(longitudes)) or 1.0
        north_south = ((max(latitudes) - min(latitudes)) or 1.0) * stretch
        height = min(max(WIDTH_IN * north_south / east_west, 3.0), 8.0)
        figure = _figure(height)
        axes = figure.add_subplot()
        largest = max((p.size for p in places), default=0) or 1
        axes.scatter(
            longitudes,
            latitudes,
            s=[30 + 270 * p.size / largest for p in places],
            color=BLUE,
            alpha=0.8,
            edgecolor="white",
            linewidth=1,
            zorder=3,
        )
        for place in places:
            axes.annotate(
                place.label,
                (place.longitude, place.latitude),
                xytext=(7, 4),
                textcoords="offset points",
                fontsize=9,
                color=INK,
                zorder=4,
            )
        axes.set_aspect(stretch)
        margin = 0.12 * max(east_west, north_south / stretch)
        axes.set_xlim(min(longitudes) - margin, max(longitudes) + margin * 2.2)
        axes.set_ylim(min(latitudes) - margin / 2, max(latitudes) + margin / 2)
        axes.tick_params(labelsize=8, colors="#666666")
        axes.xaxis.set_major_formatter(_degrees("E"))
        axes.yaxis.set_major_formatter(_degrees("N"))
        axes.grid(True, color="#eeeeee")
        axes.set_facecolor("#f7fbff")
        axes.set_xlabel(caption, fontsize=8, color="#666666")
        return figure

    return draw(prefix, paint)


def _degrees(hemisphere: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: f"{value:g}° {hemisphere}")
