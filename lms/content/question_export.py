"""What the Moodle XML and GIFT exporters share: which questions go, fractions, paths."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from lms.content.question_import import Skipped
from lms.content.specs import QuestionSpec

NOT_IN_MOODLE = {
    "scenario": "Moodle has no case-scenario type (a vignette with graded parts); export its "
                "parts as separate questions",
}
NOT_IN_GIFT = {
    "ordering": "GIFT has no ordering questions; export this bank as Moodle XML "
                "(qtype_ordering) instead",
}


def gift_problem(question: QuestionSpec) -> str | None:
    """Why a question cannot be written as GIFT (None when it can)."""
    spec = question.spec
    if question.type == "multiple" and spec.get("scoring") != "partial":
        return ("GIFT has no all-or-nothing multiple select; export this bank as Moodle XML "
                "(qtype_multichoiceset) instead")
    if question.type == "matching" and any("->" in p["left"] for p in spec["pairs"]):
        return "a matching row contains '->', which GIFT reads as the arrow between the pair"
    if question.type == "short_answer" and any("->" in a for a in spec["answers"]):
        return "an accepted answer contains '->', which GIFT reads as a matching pair"
    return NOT_IN_MOODLE.get(question.type) or NOT_IN_GIFT.get(question.type)


def xml_problem(question: QuestionSpec) -> str | None:
    """Why a question cannot be written as Moodle XML (None when it can)."""
    return NOT_IN_MOODLE.get(question.type)


def split_exportable(questions: Sequence[QuestionSpec], gift: bool,
                     ) -> tuple[list[QuestionSpec], list[Skipped]]:
    """The questions that can be exported, and the others with the reason."""
    fits, left_out = [], []
    for question in questions:
        reason = gift_problem(question) if gift else xml_problem(question)
        if reason is None:
            fits.append(question)
        else:
            left_out.append(Skipped(question.key, question.type, reason))
    return fits, left_out


def by_topic(questions: Sequence[QuestionSpec]) -> Iterator[tuple[str, list[QuestionSpec]]]:
    """Runs of consecutive questions on one topic, in order (one category each)."""
    run: list[QuestionSpec] = []
    for question in questions:
        if run and question.topic != run[0].topic:
            yield run[0].topic, run
            run = []
        run.append(question)
    if run:
        yield run[0].topic, run


def category_path(category: str, topic: str) -> str:
    """`$course$/top/<category>/<topic>`; a "/" inside a name is written "//" as Moodle does."""
    names = [" ".join(n.split()).replace("/", "//") for n in (category, topic) if n.strip()]
    return "/".join(["$course$", "top", *names])


def number_text(value: float) -> str:
    """18.0 → "18", 0.1 → "0.1": the shortest text that reads back as the same number."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def percent_text(fraction: float) -> str:
    """A fraction as Moodle writes it in per cent: 1/3 → "33.33333"."""
    return f"{fraction * 100:.5f}".rstrip("0").rstrip(".")


def multiple_fractions(spec: dict) -> list[float]:
    """Fractions that score as `partial` does: each correct option 1/(number correct), each
    wrong one −1/(number wrong), the total clipped to 0..1 (as Moodle clips it too)."""
    correct = sum(1 for o in spec["options"] if o["correct"])
    wrong = len(spec["options"]) - correct
    return [1 / correct if o["correct"] else -1 / wrong for o in spec["options"]]


def matching_feedback_in_explanation(question: QuestionSpec) -> str:
    """GIFT has no feedback field for matching: it follows the explanation instead."""
    feedback = question.spec.get("feedback", "")
    return "\n\n".join(t for t in (question.explanation, feedback) if t)
