"""Read quizzes/*.toml and banks/*.toml of a course folder into specs.

A quiz has fixed `[[questions]]`, `[[draw]]` rules that pick questions at
random from the course's banks by topic, or both. Question keys are unique
across the whole course, because attempts and statistics point at them.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from lms.assessment.qtypes import REGISTRY
from lms.content.limits import check_length, max_length
from lms.content.reading import SLUG_RE, Collector, read_toml_file, text_of
from lms.content.references import is_known_reference
from lms.content.specs import BankSpec, DrawRule, QuestionSpec, QuizSpec
from lms.content.toml_lines import TomlLines

SHOW_ANSWERS = ("never", "after_attempt", "after_pass", "after_last")


def question_problems(raw: Any, *, topic_required: bool = False) -> list[tuple[str | None, str]]:
    """What is wrong with one question table, as (field or None, message): the file
    loader turns the field into a line, the studio shows the message beside it (in the
    editor's language; `courses validate` prints English)."""
    if not isinstance(raw, dict):
        return [(None, _("question must be a table"))]
    key, qtype = text_of(raw, "key"), text_of(raw, "type")
    problems: list[tuple[str | None, str]] = []
    if not key or not SLUG_RE.match(key):
        problems.append(("key", _("question key must be lower-case letters, digits and "
                                  "hyphens")))
    for field, what in (("key", "question key"), ("topic", "topic")):
        if len(text_of(raw, field)) > max_length(what):
            problems.append((field, _("%(what)s is %(length)d characters; at most %(limit)d "
                                      "fit", what=what, length=len(text_of(raw, field)),
                                      limit=max_length(what))))
    if not text_of(raw, "prompt"):
        problems.append(("prompt", _("question %(key)s has no prompt",
                                     key=key or "(no key)")))
    if topic_required and not SLUG_RE.match(text_of(raw, "topic")):
        problems.append(("topic", _("question %(key)s: bank questions need a topic slug",
                                    key=key)))
    if qtype not in REGISTRY:
        problems.append(("type", _("unknown question type '%(type)s' (known: %(known)s)",
                                   type=qtype, known=", ".join(sorted(REGISTRY)))))
    else:
        problems.extend((None, _("question %(key)s: %(problem)s", key=key, problem=p))
                        for p in REGISTRY[qtype].validate(raw))
    refs = raw.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        problems.append(("references", _("references must be a list of strings")))
    else:
        problems.extend(("references", _("question %(key)s: unknown legal reference "
                                         "'%(tag)s' (known instruments: Studio → Legal "
                                         "instruments)", key=key, tag=ref))
                        for ref in refs if not is_known_reference(ref))
    return problems


def _load_question(raw: Any, index: int, path: Path, where: TomlLines, out: Collector,
                   *, topic_required: bool = False) -> QuestionSpec | None:
    problems = question_problems(raw, topic_required=topic_required)
    line = where.table("questions", index)
    for field, message in problems:
        out.add(path, where.key(field, "questions", index) if field else line, message)
    if problems:
        return None
    qtype = text_of(raw, "type")
    return QuestionSpec(text_of(raw, "key"), qtype, text_of(raw, "topic"),
                        text_of(raw, "prompt"), text_of(raw, "explanation"),
                        tuple(raw.get("references", [])), REGISTRY[qtype].build_spec(raw),
                        raw)


def _whole(data: dict, key: str, default: int, low: int, high: int, path: Path,
           where: TomlLines, out: Collector) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        out.add(path, where.key(key), f"{key} must be a whole number from {low} to {high}")
        return default
    return value


def _moment(data: dict, key: str, path: Path, where: TomlLines,
            out: Collector) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    out.add(path, where.key(key), f"{key} must be a TOML date or date-time")
    return None


def _load_quiz(path: Path, out: Collector) -> QuizSpec | None:
    if (loaded := read_toml_file(path, out)) is None:
        return None
    data, where = loaded
    before = len(out.errors)
    check_length(out, path, 1, "quiz key (its file name)", path.stem)
    check_length(out, path, where.key("title"), "quiz title", text_of(data, "title"))
    kind = data.get("kind", "final")
    if kind not in ("pre", "final"):
        out.add(path, where.key("kind"), "kind must be 'pre' or 'final'")
    if "pass_mark" not in data:
        out.add(path, 1, "pass_mark must be a whole number from 1 to 100")
    pass_mark = _whole(data, "pass_mark", 0, 1, 100, path, where, out)
    show = data.get("show_answers", "after_attempt")
    if show not in SHOW_ANSWERS:
        out.add(path, where.key("show_answers"),
                f"show_answers must be one of {', '.join(SHOW_ANSWERS)}")
    start, end = (_moment(data, k, path, where, out)
                  for k in ("available_from", "available_until"))
    if start and end and end <= start:
        out.add(path, where.key("available_until"), "available_until must be after "
                "available_from")
    raw_questions = data.get("questions", [])
    questions = [_load_question(raw, i, path, where, out)
                 for i, raw in enumerate(raw_questions if isinstance(raw_questions, list) else [])]
    rules = []
    for index, rule in enumerate(data.get("draw", [])):
        topic, count = text_of(rule, "topic"), rule.get("count")
        if not SLUG_RE.match(topic) or not isinstance(count, int) or count < 1:
            out.add(path, where.table("draw", index), "a draw rule needs a topic and a count "
                    "of 1 or more")
        else:
            rules.append(DrawRule(topic, count))
    if not raw_questions and not rules:
        out.add(path, 1, "quiz has no questions and no [[draw]] rules")
    if len(out.errors) > before:
        return None
    return QuizSpec(
        path.stem, text_of(data, "title") or path.stem, kind, pass_mark,
        _whole(data, "attempts_allowed", 0, 0, 100, path, where, out),
        _whole(data, "time_limit_minutes", 0, 0, 24 * 60, path, where, out),
        tuple(q for q in questions if q is not None), tuple(rules),
        _whole(data, "cooldown_minutes", 0, 0, 30 * 24 * 60, path, where, out),
        start, end, show, _whole(data, "questions_per_page", 0, 0, 500, path, where, out))


def _load_bank(path: Path, out: Collector) -> BankSpec | None:
    if (loaded := read_toml_file(path, out)) is None:
        return None
    data, where = loaded
    if not check_length(out, path, 1, "bank name (its file name)", path.stem):
        return None
    raw = data.get("questions", [])
    if not isinstance(raw, list) or not raw:
        out.add(path, 1, "bank has no [[questions]]")
        return None
    questions = [_load_question(q, i, path, where, out, topic_required=True)
                 for i, q in enumerate(raw)]
    if any(q is None for q in questions):
        return None
    return BankSpec(path.stem, tuple(questions))


def _check_keys_and_draws(folder: Path, banks: list[BankSpec], quizzes: list[QuizSpec],
                          out: Collector) -> None:
    seen: set[str] = set()
    owners = [(folder / "banks" / f"{b.name}.toml", b.questions) for b in banks] + \
             [(folder / "quizzes" / f"{q.key}.toml", q.questions) for q in quizzes]
    for path, questions in owners:
        where = TomlLines(path.read_text(encoding="utf-8"))
        for index, question in enumerate(questions):
            if question.key in seen:
                out.add(path, where.key("key", "questions", index),
                        f"duplicate question key '{question.key}' in this course")
            seen.add(question.key)
    available: dict[str, int] = {}
    for bank in banks:
        for question in bank.questions:
            available[question.topic] = available.get(question.topic, 0) + 1
    for quiz in quizzes:
        path = folder / "quizzes" / f"{quiz.key}.toml"
        where = TomlLines(path.read_text(encoding="utf-8"))
        wanted: dict[str, int] = {}
        for index, rule in enumerate(quiz.draw):
            # Rules on the same topic draw without repeats, so their counts add up.
            wanted[rule.topic] = wanted.get(rule.topic, 0) + rule.count
            if available.get(rule.topic, 0) < wanted[rule.topic]:
                out.add(path, where.table("draw", index),
                        f"draws {wanted[rule.topic]} from topic '{rule.topic}' but the banks "
                        f"hold {available.get(rule.topic, 0)}")


def load_assessments(folder: Path, out: Collector) -> tuple[list[BankSpec], list[QuizSpec]]:
    banks = [_load_bank(p, out) for p in sorted((folder / "banks").glob("*.toml"))]
    quizzes = [_load_quiz(p, out) for p in sorted((folder / "quizzes").glob("*.toml"))]
    good_banks = [b for b in banks if b is not None]
    good_quizzes = [q for q in quizzes if q is not None]
    _check_keys_and_draws(folder, good_banks, good_quizzes, out)
    return good_banks, good_quizzes
