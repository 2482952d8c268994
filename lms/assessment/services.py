"""Assessment: starting, answering, finishing and grading quiz attempts.

The database holds the promises: one open attempt per learner and quiz (a
partial unique index), finishing once (a conditional UPDATE), and answers
that replace instead of duplicating (a composite key).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.assessment import item_stats, languages, policy
from lms.assessment.models import Answer, Attempt, Question, Quiz
from lms.assessment.qtypes import Fields, InvalidAnswer, get_type, is_answered
from lms.core.audit import record_event
from lms.core.db import db, insert_ignore, utcnow
from lms.core.errors import DomainError
from lms.learning.models import Enrolment
from lms.learning.services import get_enrolment, mark_started, update_completion

MAX_VALUES_PER_FIELD = 50
MAX_VALUE_LENGTH = 2000
MAX_FIELDS = 2000


def fixed_questions(quiz_id: int) -> list[Question]:
    return list(db.session.scalars(
        sa.select(Question).where(Question.quiz_id == quiz_id, Question.archived_at.is_(None))
        .order_by(Question.position)))


def attempts_of(user_id: int, quiz_id: int) -> list[Attempt]:
    return list(db.session.scalars(
        sa.select(Attempt).where(Attempt.user_id == user_id, Attempt.quiz_id == quiz_id)
        .order_by(Attempt.number)))


def question_count(quiz: Quiz) -> int:
    return len(fixed_questions(quiz.id)) + sum(r["count"] for r in quiz.settings.get("draw", []))


def _draw(quiz: Quiz, rng: random.Random, locale: str) -> dict[str, Any]:
    """The questions of one attempt, their option order and a snapshot of each spec (in
    the learner's language where it can be), so review and grading use exactly what the
    learner saw."""
    questions = fixed_questions(quiz.id)
    rules = quiz.settings.get("draw", [])
    if rules:
        bank = list(db.session.scalars(sa.select(Question).where(
            Question.course_id == quiz.course_id, Question.bank.is_not(None),
            Question.archived_at.is_(None)).order_by(Question.id)))
        for rule in rules:
            pool = [q for q in bank if q.topic == rule["topic"] and q not in questions]
            if len(pool) < rule["count"]:
                raise DomainError(_("This test is not ready: its question bank is too small."))
            questions.extend(rng.sample(pool, rule["count"]))
    source = quiz.course.language
    texts = languages.translations_for(quiz.course_id, source, locale)
    return {"questions": [q.id for q in questions],
            "order": {str(q.id): get_type(q.type).draw(q.spec, rng) for q in questions},
            "specs": {str(q.id): languages.snapshot(q, texts.get(("question", q.key)),
                                                    source, locale) for q in questions}}


def question_snapshot(question: Question, language: str = "en") -> dict[str, Any]:
    """What an attempt keeps of a question, in the course's own language: a later
    version of the course changes none of it, so the attempt is reviewed and graded as
    the learner saw it."""
    return languages.snapshot(question, None, language, language)


def close_if_expired(attempt: Attempt, now: datetime | None = None) -> bool:
    """Grade an open attempt whose deadline (plus grace) has passed, on what was saved."""
    now = now or utcnow()
    if attempt.status == "open" and policy.past_grace(attempt, now):
        finish_attempt(attempt, at=attempt.deadline)
        return True
    return False


def start_attempt(user_id: int, quiz: Quiz, *, rng: random.Random | None = None,
                  now: datetime | None = None, locale: str | None = None) -> Attempt:
    """Open a new attempt, or return the open one; the database allows one open attempt.
    Its questions are shown in `locale` where a current translation exists."""
    now = now or utcnow()
    enrolment = get_enrolment(user_id, quiz.course_id)
    if enrolment is None:
        raise DomainError(_("Enrol in the course before taking its quizzes."))
    previous = attempts_of(user_id, quiz.id)
    open_attempt = next((a for a in previous if a.status == "open"), None)
    if open_attempt is not None and not close_if_expired(open_attempt, now):
        return open_attempt
    check = policy.can_start(quiz, [a for a in previous if a.status == "finished"], now)
    if not check.allowed:
        raise DomainError(check.reason)
    mark_started(enrolment, now)
    draw = _draw(quiz, rng or random.SystemRandom(), locale or quiz.course.language)
    languages_shown = {spec["language"] for spec in draw["specs"].values()}
    values = dict(user_id=user_id, quiz_id=quiz.id, number=len(previous) + 1, status="open",
                  started_at=now, deadline=policy.deadline_for(quiz, now), draw=draw, page=0,
                  course_version=quiz.course.version,
                  language=(locale if locale in languages_shown else quiz.course.language))
    # ON CONFLICT DO NOTHING: a second "start" at the same moment loses quietly.
    if not insert_ignore(Attempt, values):
        existing = db.session.scalar(sa.select(Attempt).where(
            Attempt.user_id == user_id, Attempt.quiz_id == quiz.id, Attempt.status == "open"))
        if existing is None:
            raise DomainError(_("Another attempt was started at the same moment. Please "
                                "try again."))
        return existing
    return db.session.scalar(sa.select(Attempt).where(
        Attempt.user_id == user_id, Attempt.quiz_id == quiz.id, Attempt.status == "open"))


def drawn_questions(attempt: Attempt) -> list[Question]:
    """The attempt's questions in the order drawn (one query)."""
    ids = attempt.draw.get("questions", [])
    by_id = {q.id: q for q in db.session.scalars(sa.select(Question).where(Question.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


@dataclass(frozen=True)
class ShownQuestion:
    """A drawn question as the attempt saw it (older attempts kept only type and spec:
    their text comes from the question row)."""

    id: int
    key: str
    version: int
    prompt: str
    explanation: str
    references: tuple[str, ...]
    language: str = ""  # what the attempt showed it in ("" before attempts recorded it)


def shown_questions(attempt: Attempt) -> dict[int, ShownQuestion]:
    rows = {q.id: q for q in drawn_questions(attempt)}
    shown = {}
    for qid, row in rows.items():
        snap = attempt.draw.get("specs", {}).get(str(qid), {})
        shown[qid] = ShownQuestion(
            qid, row.key, snap.get("version", 1), snap.get("prompt", row.prompt),
            snap.get("explanation", row.explanation),
            tuple(snap.get("references", row.references)), snap.get("language", ""))
    return shown


def drawn_spec(attempt: Attempt, question_id: int) -> tuple[str, dict[str, Any]]:
    snap = attempt.draw["specs"][str(question_id)]
    return snap["type"], snap["spec"]


def answers_of(attempt_id: int) -> dict[int, Answer]:
    return {a.question_id: a for a in db.session.scalars(
        sa.select(Answer).where(Answer.attempt_id == attempt_id))}


def group_fields(form: dict[str, list[str]]) -> dict[str, Fields]:
    """`q-12` and `q-12-left` → {"12": {"": [...], "-left": [...]}}; other names ignored."""
    grouped: dict[str, Fields] = {}
    for name, values in form.items():
        if not name.startswith("q-"):
            continue
        qid, _sep, rest = name[2:].partition("-")
        grouped.setdefault(qid, {})["-" + rest if rest else ""] = values
    return grouped


class StalePage(DomainError):
    """A form rendered before the attempt's latest save (another tab, a resent form)."""


def _fresh(revision: int | None, view: str | None):
    """Who may save: a form rendered at the latest revision; or the very page that made
    the latest save (its reply got lost on a bad connection, so it still holds the
    revision before); or, until the attempt's first save under this rule, a page
    rendered before the rule existed (it carries neither)."""
    if revision is None and not view:
        return Attempt.last_view.is_(None)
    allowed = [Attempt.revision == (revision if revision is not None else -1)]
    if view:
        allowed.append(Attempt.last_view == view)
    return sa.or_(*allowed)


def _claim_revision(attempt: Attempt, revision: int | None, view: str | None,
                    **changes: Any) -> None:
    """Take the attempt's row lock and its next revision, refusing if the attempt is no
    longer open (another tab finished it) or the form is older than the latest save."""
    claimed = db.session.execute(
        sa.update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "open",
                                 _fresh(revision, view))
        .values(page=changes.get("page", Attempt.page), revision=Attempt.revision + 1,
                last_view=view or None)
        .returning(Attempt.revision)
        .execution_options(synchronize_session=False)).first()
    if claimed is None:
        db.session.refresh(attempt)
        if attempt.status != "open":
            raise DomainError(_("This attempt is already finished; your answers were not "
                                "changed."))
        raise StalePage(_("This page was out of date: answers were saved from another tab "
                          "or window after it was opened. Nothing from it was saved; the "
                          "latest answers are shown below."))
    attempt.revision, attempt.last_view = claimed.revision, view or None
    if "page" in changes:
        attempt.page = changes["page"]


def save_answers(attempt: Attempt, form: dict[str, list[str]], *, revision: int | None,
                 view: str | None = None, page: int | None = None,
                 now: datetime | None = None) -> int:
    """Store the posted answers; refuse them all if any is stale or malformed.

    `revision` is the one the page was rendered with and `view` the page's own random
    token; a form from before the latest save by another page is refused whole
    (StalePage). An emptied question (a cleared text box, an
    untouched choice) removes its answer: it is not answered, and not counted.
    Returns how many questions now hold an answer from this form. After the deadline
    and its grace period nothing is stored: the attempt is graded on what was saved.
    """
    now = now or utcnow()
    if attempt.status != "open":
        raise DomainError(_("This attempt is already finished; your answers were not changed."))
    if policy.past_grace(attempt, now):
        raise DomainError(_("Time is up. Your attempt was graded on the answers saved "
                            "before the deadline."))
    if len(form) > MAX_FIELDS:
        raise DomainError(_("Too many answers were sent. Nothing was saved."))
    allowed = {str(i) for i in attempt.draw.get("questions", [])}
    numbers = {qid: n for n, qid in enumerate(attempt.draw.get("questions", []), start=1)}
    parsed: dict[int, dict[str, Any]] = {}
    for qid, fields in group_fields(form).items():
        if qid not in allowed:
            raise DomainError(_("The page was out of date: it held a question that is not "
                                "part of this attempt. Nothing was saved; please reload."))
        if any(len(v) > MAX_VALUES_PER_FIELD or any(len(x) > MAX_VALUE_LENGTH for x in v)
               for v in fields.values()):
            raise DomainError(_("An answer was too long. Nothing was saved."))
        qtype, spec = drawn_spec(attempt, int(qid))
        try:
            order = attempt.draw.get("order", {}).get(qid)
            parsed[int(qid)] = get_type(qtype).parse(spec, fields, order)
        except InvalidAnswer as problem:
            raise DomainError(_("Question %(n)d: %(problem)s Nothing was saved; please check "
                                "it.", n=numbers[int(qid)], problem=str(problem))) from None
    if view is not None and (len(view) > 32 or not view.isalnum()):
        raise DomainError(_("The page was out of date. Nothing was saved; please reload."))
    _claim_revision(attempt, revision, view,
                    **({"page": page} if page is not None else {}))
    existing = answers_of(attempt.id)
    stored = 0
    for question_id, response in parsed.items():
        answer = existing.get(question_id)
        if not is_answered(response):
            if answer is not None:
                db.session.delete(answer)
            continue
        stored += 1
        if answer is None:
            db.session.add(Answer(attempt_id=attempt.id, question_id=question_id,
                                  response=response, saved_at=now))
        else:
            answer.response, answer.saved_at = response, now
    db.session.flush()
    return stored


def answered_count(answers: dict[int, Answer]) -> int:
    """Questions with an answer (rows saved empty before this rule are not counted)."""
    return sum(1 for answer in answers.values() if is_answered(answer.response))


def compute_scores(draw: dict[str, Any],
                   answers: dict[int, Answer]) -> tuple[float, dict[int, float]]:
    """Per-cent score and per-question scores of a draw's answers; changes nothing."""
    ids = draw.get("questions", [])
    scores = {}
    for question_id in ids:
        answer = answers.get(question_id)
        if answer is not None and is_answered(answer.response):
            snap = draw["specs"][str(question_id)]
            scores[question_id] = get_type(snap["type"]).grade(snap["spec"], answer.response)
    percent = round(100 * sum(scores.values()) / len(ids), 2) if ids else 0.0
    return percent, scores


def grade_answers(attempt: Attempt, answers: dict[int, Answer]) -> float:
    """Score in per cent from the drawn specs; sets each answer's score and adds the
    attempt to the quiz's item statistics."""
    percent, scores = compute_scores(attempt.draw, answers)
    for question_id, score in scores.items():
        answers[question_id].score = score
    item_stats.record_attempt(attempt.quiz_id, attempt.draw, scores)
    return percent


def finish_attempt(attempt: Attempt, *, at: datetime | None = None) -> Attempt:
    """Grade the attempt once: the conditional UPDATE lets only one finisher through."""
    finished_at = at or utcnow()
    claimed = db.session.execute(
        sa.update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "open")
        .values(status="finished", finished_at=finished_at)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(attempt)
    if claimed != 1:
        return attempt  # already finished by another request: nothing to do
    quiz = attempt.quiz
    attempt.score = grade_answers(attempt, answers_of(attempt.id))
    attempt.passed = attempt.score >= quiz.pass_mark
    record_event("attempt.graded", actor_id=attempt.user_id, target_type="attempt",
                 target_id=attempt.id, data={"quiz": quiz.key, "score": attempt.score,
                                             "passed": attempt.passed})
    db.session.flush()
    enrolment = get_enrolment(attempt.user_id, quiz.course_id)
    if enrolment is not None:
        record_scores(enrolment)
        if attempt.passed and quiz.kind == "final":
            update_completion(enrolment)
    return attempt


def record_scores(enrolment: Enrolment) -> None:
    """Pre-test (first attempt), final (best), the gain between them, and when the final
    test was first passed (a regrade can move or clear it)."""
    rows = db.session.execute(
        sa.select(Quiz.kind, Attempt.number, Attempt.score, Attempt.passed,
                  Attempt.finished_at).join(Quiz)
        .where(Attempt.user_id == enrolment.user_id, Quiz.course_id == enrolment.course_id,
               Attempt.status == "finished", Quiz.archived_at.is_(None))
        .order_by(Attempt.number)).all()
    pre = [score for kind, _n, score, _p, _at in rows if kind == "pre"]
    final = [score for kind, _n, score, _p, _at in rows if kind == "final"]
    passes = [at for kind, _n, _s, passed, at in rows if kind == "final" and passed]
    enrolment.passed_at = min(passes) if passes else None
    enrolment.pre_score = pre[0] if pre else None
    enrolment.final_score = max(final) if final else None
    enrolment.knowledge_gain = (round(enrolment.final_score - enrolment.pre_score, 2)
                                if pre and final else None)
    db.session.flush()


def expired_attempt_ids(now: datetime | None = None) -> list[int]:
    """Open attempts whose deadline and grace period have passed."""
    now = now or utcnow()
    return list(db.session.scalars(sa.select(Attempt.id).where(
        Attempt.status == "open", Attempt.deadline.is_not(None),
        Attempt.deadline < now - policy.GRACE).order_by(Attempt.id)))


def close_expired_attempt(attempt_id: int) -> int:
    """Grade one abandoned attempt at its deadline; 1 if this call graded it."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.status != "open":
        return 0
    finish_attempt(attempt, at=attempt.deadline)
    return 1


def close_expired_attempts(now: datetime | None = None) -> int:
    """Grade every abandoned attempt whose deadline has passed (the CLI)."""
    return sum(close_expired_attempt(i) for i in expired_attempt_ids(now))


def unmet_quiz_requirements(enrolment: Enrolment) -> list[str]:
    """Receiver for learning's completion check: every live final quiz must be passed."""
    finals = list(db.session.scalars(sa.select(Quiz).where(
        Quiz.course_id == enrolment.course_id, Quiz.kind == "final",
        Quiz.archived_at.is_(None))))
    if not finals:
        return []
    passed = set(db.session.scalars(sa.select(Attempt.quiz_id).where(
        Attempt.user_id == enrolment.user_id, Attempt.passed.is_(True),
        Attempt.quiz_id.in_([q.id for q in finals]))))
    return [_("pass “%(quiz)s”", quiz=q.title) for q in finals if q.id not in passed]
