"""The tracking summary as a bar chart drawn on the server (SVG: no script, no styles)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from lms.reporting.tracking import Summary

WIDTH = 480  # the drawing's own units; the SVG scales to the page
LABEL_WIDTH = 130
BAR_HEIGHT = 22
GAP = 10
# Fill colours with at least 3:1 contrast against white (WCAG 1.4.11); the numbers are
# written beside each bar, so no one needs the colours to read the chart.
COLOURS = {"not_started": "#767676", "in_progress": "#b35c00", "completed": "#1a7f37",
           "overdue": "#b42318", "certified": "#1d4ed8"}


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int
    percent: int
    y: int
    width: float
    colour: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    title: str
    description: str


def state_labels() -> dict[str, str]:
    """The filters' names, as the page and the chart say them."""
    return {"not_started": _("Not started"), "in_progress": _("In progress"),
            "not_completed": _("Not completed"), "completed": _("Completed"),
            "overdue": _("Overdue"), "certified": _("Certified")}


def progress_chart(summary: Summary, number) -> Chart:
    """Bars for each state and flag, scaled to the cohort's members; `number` formats a
    count in the viewer's locale (for the description read out instead of the drawing)."""
    labels = state_labels()
    room = WIDTH - LABEL_WIDTH - 90  # space kept for the figure after the longest bar
    bars = []
    for index, key in enumerate(("not_started", "in_progress", "completed", "overdue",
                                 "certified")):
        count = getattr(summary, key)
        share = count / summary.members if summary.members else 0
        bars.append(Bar(key, labels[key], count, round(100 * share),
                        GAP + index * (BAR_HEIGHT + GAP), round(room * share, 1),
                        COLOURS[key]))
    height = GAP + len(bars) * (BAR_HEIGHT + GAP)
    description = _("Of %(members)s members: %(not_started)s not started, %(in_progress)s in "
                    "progress, %(completed)s completed; %(overdue)s overdue; %(certified)s "
                    "certified.", members=number(summary.members),
                    **{bar.key: number(bar.count) for bar in bars})
    return Chart(bars, WIDTH, height, LABEL_WIDTH, BAR_HEIGHT,
                 _("Progress of the cohort's members"), description)
