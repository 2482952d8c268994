"""Every figure the programme reports, each defined once: here, in words (the help page
prints `definition`) and in code (`value` reads the additive sums of lms/reporting/cube.py).

A figure lists the counts that protect it (`guards`): its cell is hidden wherever one of
those counts is hidden by suppression, so a rate or a mean never reveals a count the
count table hides.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# The counts suppression protects (sums in cube.py of the same name).
COUNTS = ("enrolled", "started", "completed", "passed", "certified", "took_final", "took_pre",
          "paired", "feedback", "follow_up", "follow_up_used")


@dataclass(frozen=True)
class Figure:
    key: str
    label: object  # lazy string
    definition: object
    kind: str  # count | hours | rate | mean
    guards: tuple[str, ...]
    value: Callable[[dict], float | int | None]
    digits: int = 0  # shown after the decimal point (means, hours)
    unit: str = ""


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom else None


def _normalised(s: dict) -> float | None:
    if not s["paired"]:
        return None
    pre, final = s["paired_pre"] / s["paired"], s["paired_final"] / s["paired"]
    return (final - pre) / (100 - pre) if pre < 100 else None


def _count(name: str) -> Callable[[dict], int]:
    return lambda s: s[name]


_PERIOD = _l("Enrolments count in the period in which they began, with what they have "
             "achieved up to the day the report is run.")

_FIGURES = [
    Figure("enrolled", _l("Enrolled"), _l(
        "Course enrolments of learners. A person enrolled in two courses counts twice; "
        "choose a course to count people."), "count", ("enrolled",), _count("enrolled")),
    Figure("started", _l("Started"), _l(
        "Enrolments in which the learner read at least one lesson or began a quiz."),
        "count", ("started",), _count("started")),
    Figure("completed", _l("Completed"), _l(
        "Enrolments completed: every lesson read and the final test passed."), "count",
        ("completed",), _count("completed")),
    Figure("passed", _l("Passed the final test"), _l(
        "Enrolments whose learner passed the course's final test at least once."), "count",
        ("passed",), _count("passed")),
    Figure("certified", _l("Certified"), _l(
        "Enrolments with a valid certificate (issued and not revoked)."), "count",
        ("certified",), _count("certified")),
    Figure("cpd_hours", _l("CPD hours delivered"), _l(
        "The course's CPD hours, added up over completed enrolments."), "hours",
        ("completed",), lambda s: s["cpd_hours"], digits=1),
    Figure("completion_rate", _l("Completion rate"), _l(
        "Completed enrolments as a share of all enrolments."), "rate",
        ("completed", "enrolled"), lambda s: _ratio(s["completed"], s["enrolled"])),
    Figure("pass_rate", _l("Pass rate"), _l(
        "Enrolments that passed the final test as a share of those that finished at least "
        "one attempt at it."), "rate", ("passed", "took_final"),
        lambda s: _ratio(s["passed"], s["took_final"])),
    Figure("mean_pre", _l("Mean pre-test score"), _l(
        "The mean score (per cent) of each learner's first finished pre-test attempt."),
        "mean", ("took_pre",), lambda s: _ratio(s["pre_sum"], s["took_pre"]), digits=1),
    Figure("mean_final", _l("Mean final-test score"), _l(
        "The mean of each learner's best finished final-test score (per cent): the score "
        "that decides the pass."), "mean", ("took_final",),
        lambda s: _ratio(s["final_sum"], s["took_final"]), digits=1),
    Figure("mean_gain", _l("Mean knowledge gain"), _l(
        "Over learners with both a pre-test and a final-test score (paired): the mean of "
        "final minus pre-test score, in percentage points."), "mean", ("paired",),
        lambda s: _ratio(s["paired_final"] - s["paired_pre"], s["paired"]), digits=1),
    Figure("normalised_gain", _l("Normalised gain"), _l(
        "Over the same paired learners: (mean final − mean pre) / (100 − mean pre), the "
        "share of the possible improvement achieved (Hake's gain). Undefined when the mean "
        "pre-test score is 100."), "mean", ("paired",), _normalised, digits=2),
    Figure("feedback_relevance", _l("Feedback: relevance"), _l(
        "Mean answer (1 not at all to 5 very much) to the feedback question on relevance "
        "to the learner's work."), "mean", ("feedback",),
        lambda s: _ratio(s["relevance_sum"], s["feedback"]), digits=1),
    Figure("feedback_clarity", _l("Feedback: clarity"), _l(
        "Mean answer (1 to 5) to the feedback question on clarity."), "mean", ("feedback",),
        lambda s: _ratio(s["clarity_sum"], s["feedback"]), digits=1),
    Figure("feedback_confidence", _l("Feedback: confidence to apply"), _l(
        "Mean answer (1 to 5) to the feedback question on confidence to apply what was "
        "learned."), "mean", ("feedback",),
        lambda s: _ratio(s["confidence_sum"], s["feedback"]), digits=1),
    Figure("follow_up_used", _l("Follow-up: used what they learned"), _l(
        "Of the follow-up answers (sent a set number of days after completion), the share "
        "answering that they used what they learned, fully or partly."), "rate",
        ("follow_up_used", "follow_up"), lambda s: _ratio(s["follow_up_used"], s["follow_up"])),
]

FIGURES: dict[str, Figure] = {figure.key: figure for figure in _FIGURES}
PERIOD_RULE = _PERIOD
