"""The three launch courses meet the programme's rules: complete, referenced, humane,
and as long as the CPD hours they claim."""
from __future__ import annotations

import re

import pytest

from lms.content.loader import load_catalogue
from lms.content.references import is_known_reference
from lms.content.study_time import (
    count_words,
    lesson_minutes,
    minutes_agree,
    study_time,
    topic_draws,
)
from tests.fixtures.courses import SHIPPED

SLUGS = ["non-punishment-principle", "tip-adjudication-for-judges", "victim-centred-approaches"]
# Words that mean a lesson describes violence; such a lesson needs a content note.
SENSITIVE = re.compile(r"\b(rape[sd]?|sexual (assault|violence|abuse)|beat(en|ing)|tortur\w*|"
                       r"child abuse|(sexually|physically) abused|whipp\w*|burn(ed|t) with)\b",
                       re.I)


@pytest.fixture(scope="module")
def catalogue():
    courses, shared, errors = load_catalogue(SHIPPED)
    assert errors == [], [str(e) for e in errors]
    return {c.slug: c for c in courses}, shared


def _questions(course):
    for quiz in course.quizzes:
        yield from quiz.questions
    for bank in course.banks:
        yield from bank.questions


def _choice_specs(question):
    """The question's own choice spec, or its scenario parts' choice specs."""
    if question.type == "scenario":
        for part in question.spec["parts"]:
            yield part["type"], part["spec"], f"{question.key}/{part['key']}"
    else:
        yield question.type, question.spec, question.key


def _words(text: str) -> int:
    return count_words(text)


def test_three_courses_with_enough_lessons_and_questions(catalogue):
    courses, _shared = catalogue
    assert sorted(courses) == SLUGS
    for course in courses.values():
        assert 4 <= course.lesson_count <= 12, course.slug
        assert course.question_count >= 28, (course.slug, course.question_count)
        kinds = {q.kind: q for q in course.quizzes}
        assert set(kinds) == {"pre", "final"}, course.slug
        assert 8 <= kinds["pre"].size <= 10, course.slug
        assert sum(len(b.questions) for b in course.banks) >= 20, course.slug
        assert 5 <= len(course.objectives) <= 7, course.slug
        assert course.summary and course.audience and course.references


def test_every_question_is_explained_referenced_and_has_feedback(catalogue):
    courses, _shared = catalogue
    for course in courses.values():
        types = set()
        for question in _questions(course):
            types.add(question.type)
            where = f"{course.slug}/{question.key}"
            assert question.explanation, f"{where}: no explanation"
            assert question.references, f"{where}: no reference"
            assert all(is_known_reference(r) for r in question.references), where
            for qtype, spec, name in _choice_specs(question):
                if qtype in ("single", "multiple"):
                    correct = [o for o in spec["options"] if o["correct"]]
                    allowed = (1, 1) if qtype == "single" else (1, len(spec["options"]) - 1)
                    assert allowed[0] <= len(correct) <= allowed[1], f"{name}: correct options"
                    for option in spec["options"]:
                        assert option["feedback"], f"{name}/{option['key']}: no feedback"
                if qtype == "true_false":
                    assert spec["feedback_true"] and spec["feedback_false"], name
        assert {"single", "multiple", "true_false", "short_answer", "scenario"} <= types, \
            (course.slug, types)
        assert types & {"matching", "ordering"}, course.slug


def test_lessons_have_length_key_points_cases_and_content_notes(catalogue):
    courses, _shared = catalogue
    for course in courses.values():
        cases = 0
        for module in course.modules:
            for lesson in module.lessons:
                where = f"{course.slug}/{lesson.slug}"
                assert 1000 <= _words(lesson.body) <= 1800, (where, _words(lesson.body))
                headings = re.findall(r"^##\s+(.+)$", lesson.body, re.M)
                assert headings and headings[-1].strip().lower() == "key points", where
                cases += lesson.body.count("Invented case for training")
                if SENSITIVE.search(lesson.body):
                    assert lesson.content_note, f"{where}: describes violence, no content note"
        assert cases >= 3, (course.slug, cases)
        for question in _questions(course):
            if question.type == "scenario":
                assert "invented" in question.spec["vignette"].lower(), question.key


def test_child_rule_is_stated_correctly_in_the_glossary(catalogue):
    _courses, shared = catalogue
    terms = {t.slug: t for t in shared.terms}
    child = terms["child-rule"].definition.lower()
    assert "18" in child and "means" in child


def test_study_time_matches_cpd_hours(catalogue):
    """Lesson words ÷ 120 per minute + 2 min per question answered (pre-test and one final
    attempt) + 10 min per case scenario answered, within ±25 % of the stated CPD hours;
    each lesson's stated minutes agree with its length."""
    courses, _shared = catalogue
    for course in courses.values():
        time = study_time(course)
        print(f"{course.slug}: stated {time.stated_hours:g} h, computed "
              f"{time.computed_hours:.2f} h ({time.words} words, {time.answered} questions "
              f"answered, {time.scenarios} scenarios)")
        assert time.within_tolerance, (course.slug, time)
        wrong = [m for m in lesson_minutes(course) if not minutes_agree(m[1], m[2])]
        assert wrong == [], (course.slug, "lesson minutes (stated, reading time)", wrong)


def test_every_bank_topic_holds_twice_what_a_quiz_draws(catalogue):
    """With unlimited attempts, a bank no larger than its draw is learnt by heart."""
    courses, _shared = catalogue
    for course in courses.values():
        small = [(t, held, drawn) for t, held, drawn in topic_draws(course) if held < 2 * drawn]
        assert small == [], (course.slug, small)


def test_random_answering_passes_a_final_test_under_one_per_cent(catalogue):
    """bench/random_pass.py: blind answers to drawn attempts, graded by the platform."""
    import random

    from bench.random_pass import pass_rate, upper_bound

    courses, _shared = catalogue
    rng = random.Random(7)
    for course in courses.values():
        final = next(q for q in course.quizzes if q.kind == "final")
        rate = pass_rate(course, final, 20_000, rng)
        assert upper_bound(rate, 20_000) < 0.01, (course.slug, rate)


def test_the_random_answering_simulation_can_pass():
    """The same simulation on a one-question true/false test passes about half the time,
    so a low figure above means the tests, not a broken simulation."""
    import random
    from dataclasses import replace

    from bench.random_pass import pass_rate

    courses, _shared = load_catalogue(SHIPPED)[0], None
    course = courses[0]
    question = next(q for q in course.banks[0].questions if q.type == "true_false")
    final = next(q for q in course.quizzes if q.kind == "final")
    quiz = replace(final, questions=(question,), draw=(), pass_mark=100)
    rate = pass_rate(course, quiz, 4000, random.Random(3))
    assert 0.45 < rate < 0.55, rate


def test_study_time_arithmetic():
    from lms.content.study_time import StudyTime

    # 7,200 words = 60 min at 120 a minute; 30 questions = 60 min; 3 scenarios = 30 min
    time = StudyTime("x", 6, 7200, 30, 3, {}, stated_hours=3.0)
    assert time.computed_hours == 2.5 and time.within_tolerance
    assert StudyTime("x", 6, 7200, 30, 3, {}, stated_hours=2.0).within_tolerance  # edge
    assert not StudyTime("x", 6, 7200, 30, 3, {}, stated_hours=1.9).within_tolerance


# A word each instrument's entry on a references page must contain.
REFERENCE_ENTRIES = {"Palermo": "Protocol", "ACTIP": "ASEAN Convention",
                     "OHCHR Principle": "Recommended Principles",
                     "OHCHR Guideline": "Recommended Principles", "UNODC Model Law": "Model Law",
                     "ASEAN NPP Guideline": "Non-Punishment", "ACWC": "ACWC", "WHO": "WHO",
                     "SAMHSA": "SAMHSA", "CACJ": "CACJ", "UNODC Case Digest": "Case Digest",
                     "ASEAN-ACT": "ASEAN-ACT", "OHCHR Scam": "scam",
                     "Smuggling Protocol": "Smuggling", "UNTOC": "Transnational Organized Crime",
                     "ILO C29": "Forced Labour Convention", "ILO P029": "Protocol of 2014",
                     "ILO Forced Labour Indicators": "Indicators of Forced Labour",
                     "ILO C182": "Worst Forms", "CoE Convention": "Council of Europe",
                     "EU Directive": "2011/36", "V.C.L.": "V.C.L.",
                     "CRC": "Rights of the Child", "UN Child Victims": "Child Victims",
                     "CRPD": "Persons with Disabilities",
                     "Supplementary Slavery": "Supplementary Convention"}


def test_references_page_lists_every_instrument_cited(catalogue):
    courses, _shared = catalogue
    for course in courses.values():
        cited = {ref for q in _questions(course) for ref in q.references}
        page = course.references.lower()
        for ref in cited:
            family = max((f for f in REFERENCE_ENTRIES if ref.startswith(f)), key=len)
            assert REFERENCE_ENTRIES[family].lower() in page, (course.slug, ref)
