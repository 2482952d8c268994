"""Each question type: validation of course files, parsing submissions, grading."""
from __future__ import annotations

import random
import unicodedata

import pytest

from lms.assessment.qtypes import REGISTRY, InvalidAnswer, get_type
from lms.assessment.qtypes.text import parse_number


def spec(type_name: str, **raw):
    qtype = get_type(type_name)
    assert qtype.validate(raw) == [], qtype.validate(raw)
    return qtype, qtype.build_spec(raw)


OPTIONS = [{"key": "a", "text": "A", "correct": True}, {"key": "b", "text": "B", "correct": True},
           {"key": "c", "text": "C"}, {"key": "d", "text": "D"}]


def test_registry_has_every_type():
    assert set(REGISTRY) == {"single", "multiple", "true_false", "short_answer", "numeric",
                             "matching", "ordering", "scenario"}


@pytest.mark.parametrize("type_name, raw, problem", [
    ("single", {"options": [{"key": "a", "text": "A"}, {"key": "b", "text": "B"}]},
     "no correct answer"),
    ("single", {"options": OPTIONS}, "single allows exactly one"),
    ("multiple", {"options": OPTIONS, "scoring": "lenient"}, "scoring must be one of"),
    ("true_false", {}, "no correct answer"),
    ("short_answer", {"answers": []}, "no correct answer"),
    ("numeric", {"answer": "eighteen"}, "no correct answer"),
    ("numeric", {"answer": 18, "tolerance": -1}, "tolerance"),
    ("matching", {"pairs": [{"key": "a", "left": "x", "right": "y"}]}, "at least two pairs"),
    ("ordering", {"items": [{"key": "a", "text": "x"}, {"key": "a", "text": "y"}]}, "unique"),
    ("scenario", {"vignette": "v", "parts": [{"key": "p", "type": "scenario", "prompt": "x"}]},
     "unknown question type"),
    ("scenario", {"vignette": "", "parts": []}, "vignette"),
])
def test_invalid_specs_are_reported(type_name, raw, problem):
    problems = get_type(type_name).validate(raw)
    assert any(problem in p for p in problems), problems


def test_multiple_select_scoring_rules():
    strict, strict_spec = spec("multiple", options=OPTIONS)
    _, partial_spec = spec("multiple", options=OPTIONS, scoring="partial")
    grade = strict.grade
    assert grade(strict_spec, {"chosen": ["a", "b"]}) == 1.0
    assert grade(strict_spec, {"chosen": ["a"]}) == 0.0
    assert grade(partial_spec, {"chosen": ["a"]}) == 0.5
    assert grade(partial_spec, {"chosen": ["a", "c"]}) == 0.0      # 0.5 − 0.5
    assert grade(partial_spec, {"chosen": ["a", "b", "c"]}) == 0.5  # 1 − 0.5
    assert grade(partial_spec, {"chosen": ["a", "b", "c", "d"]}) == 0.0  # ticking all


def test_choice_parse_refuses_foreign_and_double_answers():
    single, single_spec = spec("single", options=[{"key": "a", "text": "A", "correct": True},
                                                  {"key": "b", "text": "B"}])
    assert single.parse(single_spec, {"": ["", "b"]}) == {"chosen": ["b"]}
    with pytest.raises(InvalidAnswer):
        single.parse(single_spec, {"": ["a", "b"]})
    with pytest.raises(InvalidAnswer):
        single.parse(single_spec, {"": ["zz"]})


@pytest.mark.parametrize("typed, expected", [
    ("  NON-PUNISHMENT   principle ", True),
    ("non\u200b-punishment", True),          # zero-width space from a Thai/Khmer keyboard
    ("non-punishment.", True),
    ("non\u2011punishment", True),           # a phone's non-breaking hyphen
    ("punishment", False),
])
def test_short_answer_normalises(typed, expected):
    qtype, qspec = spec("short_answer", answers=["Non-punishment principle", "non-punishment"])
    response = qtype.parse(qspec, {"": [typed]})
    assert (qtype.grade(qspec, response) == 1.0) is expected


def test_short_answer_matches_vietnamese_and_thai_in_any_unicode_form():
    qtype, qspec = spec("short_answer", answers=["Nguyên tắc không trừng phạt", "การค้ามนุษย์"])
    decomposed = unicodedata.normalize("NFD", "nguyên tắc KHÔNG trừng phạt")
    assert qtype.grade(qspec, qtype.parse(qspec, {"": [decomposed]})) == 1.0
    assert qtype.grade(qspec, qtype.parse(qspec, {"": ["การค้ามนุษย์ "]})) == 1.0
    with pytest.raises(InvalidAnswer):
        qtype.parse(qspec, {"": ["x" * 10_000]})


@pytest.mark.parametrize("typed, value", [("18", 18.0), ("17,5", 17.5), ("1 250", 1250.0),
                                          ("1,250.5", 1250.5), ("-3", -3.0), ("１８", 18.0),
                                          ("0,125", 0.125), ("1.250,5", 1250.5),
                                          ("1,250,000", 1250000.0), ("1.250.000", 1250000.0),
                                          ("12,50", 12.5)])
def test_numbers_as_people_type_them(typed, value):
    assert parse_number(typed) == value


@pytest.mark.parametrize("typed", ["eighteen", "1e400", "nan", "inf", "9" * 40, "12abc",
                                   "1,250"])
def test_bad_numbers_are_refused(typed):
    with pytest.raises(InvalidAnswer):
        parse_number(typed)


def test_numeric_tolerance():
    qtype, qspec = spec("numeric", answer=18, tolerance=0.5)
    assert qtype.grade(qspec, qtype.parse(qspec, {"": ["18.4"]})) == 1.0
    assert qtype.grade(qspec, qtype.parse(qspec, {"": ["18.6"]})) == 0.0
    assert qtype.grade(qspec, qtype.parse(qspec, {"": [""]})) == 0.0


def test_matching_partial_credit_and_tampering():
    qtype, qspec = spec("matching", pairs=[
        {"key": "act", "left": "Act", "right": "Recruitment"},
        {"key": "means", "left": "Means", "right": "Deception"},
        {"key": "purpose", "left": "Purpose", "right": "Forced labour"}])
    order = qtype.draw(qspec, random.Random(3))
    row, value = order["rows"], order["values"]
    response = qtype.parse(qspec, {f"-{row['act']}": [value["act"]],
                                   f"-{row['means']}": [value["purpose"]],
                                   f"-{row['purpose']}": [value["means"]]}, order)
    assert response == {"matched": {"act": "act", "means": "purpose", "purpose": "means"}}
    assert qtype.grade(qspec, response) == pytest.approx(1 / 3)
    for bad in ({f"-{row['act']}": ["act"]}, {"-act": [value["act"]]}, {"": [value["act"]]}):
        with pytest.raises(InvalidAnswer):
            qtype.parse(qspec, bad, order)


def test_matching_and_ordering_forms_do_not_reveal_the_answer():
    qtype, qspec = spec("matching", pairs=[{"key": k, "left": k, "right": k.upper()}
                                           for k in ("act", "means", "purpose")])
    view = qtype.present(qspec, qtype.draw(qspec, random.Random(5)))
    names = {label for label, _left, _key in view["rows"]}
    values = {label for label, _right, _key in view["choices"]}
    assert not names & values and not names & {"act", "means", "purpose"}
    ordering, ospec = spec("ordering", items=[{"key": k, "text": k} for k in "abcde"])
    labels = [label for label, _text, _key in ordering.present(
        ospec, ordering.draw(ospec, random.Random(5)))["rows"]]
    assert not set(labels) & set("abcde")


def test_ordering_partial_credit_and_bounds():
    qtype, qspec = spec("ordering", items=[{"key": k, "text": k} for k in "abcd"])
    order = qtype.draw(qspec, random.Random(1))
    label = order["labels"]
    assert sorted(order["items"]) == list("abcd") and order["items"] != list("abcd")
    full = qtype.parse(qspec, {f"-{label[k]}": [str(i)] for i, k in enumerate("abcd", 1)},
                       order)
    assert qtype.grade(qspec, full) == 1.0
    swapped = qtype.parse(qspec, {f"-{label['a']}": ["2"], f"-{label['b']}": ["1"],
                                  f"-{label['c']}": ["3"], f"-{label['d']}": ["4"]}, order)
    assert qtype.grade(qspec, swapped) == 0.5
    for bad in ("0", "5", "-1", "99999999999999999999", "two", "²"):
        with pytest.raises(InvalidAnswer):
            qtype.parse(qspec, {f"-{label['a']}": [bad]}, order)


def test_scenario_grades_parts_together():
    qtype, qspec = spec("scenario", vignette="Invented case.", parts=[
        {"key": "means", "type": "true_false", "prompt": "Means needed?", "answer": False},
        {"key": "age", "type": "numeric", "prompt": "Age?", "answer": 18},
        {"key": "elements", "type": "multiple", "prompt": "Which?", "options": OPTIONS}])
    response = qtype.parse(qspec, {"-means": ["false"], "-age": ["17"],
                                   "-elements": ["a", "b"]})
    assert qtype.grade(qspec, response) == pytest.approx(2 / 3)
    with pytest.raises(InvalidAnswer):
        qtype.parse(qspec, {"-nope": ["x"]})
    view = qtype.present(qspec, qtype.draw(qspec, random.Random(0)))
    assert "correct" not in str(view) and "answer" not in str(view)
    review = qtype.review(qspec, response, show_key=False)
    assert all(row["correct"] is None for part in review["parts"]
               for row in part["review"].get("rows", []))


def test_present_never_contains_the_answer_key():
    for type_name, raw in [("single", {"options": [{"key": "a", "text": "A", "correct": True,
                                                    "feedback": "SECRET"},
                                                   {"key": "b", "text": "B"}]}),
                           ("short_answer", {"answers": ["SECRET"]}),
                           ("numeric", {"answer": 424242}),
                           ("true_false", {"answer": True, "feedback_true": "SECRET"})]:
        qtype, qspec = spec(type_name, **raw)
        view = str(qtype.present(qspec, qtype.draw(qspec, random.Random(0))))
        assert "SECRET" not in view and "424242" not in view and "correct" not in view
