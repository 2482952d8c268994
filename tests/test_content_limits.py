"""`courses validate` refuses what the database would refuse; `courses sync` never prints a
traceback; balance warnings; links in the shared pages are checked too."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.catalog.models import Course
from lms.content.loader import load_catalogue
from lms.content.sync import SyncError, sync_courses
from tests.fixtures.courses import FIXTURES
from tests.test_content import _flask

TINY = FIXTURES / "good" / "tiny-course"


@pytest.fixture
def course_copy(tmp_path) -> Path:
    folder = tmp_path / "courses" / "tiny-course"
    shutil.copytree(TINY, folder)
    return folder


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(folder: Path) -> list[str]:
    _specs, _shared, errors = load_catalogue(folder)
    return [f"{Path(e.path).name}:{e.line}: {e.message}" for e in errors]


def test_a_title_longer_than_the_database_holds_is_an_error_with_its_line(course_copy):
    _replace(course_copy / "course.toml", 'title = "Tiny course"', f'title = "{"T" * 250}"')
    assert _errors(course_copy) == ["course.toml:1: course title is 250 characters; at most "
                                    "200 fit"]


@pytest.mark.parametrize("where, old, new", [
    ("lessons/first-lesson.md", "\n\n", "\n\nA NUL \x00 hides here.\n"),
    ("quizzes/final.toml", 'prompt = "Which', 'prompt = "\\u0000Which'),
])
def test_a_nul_byte_is_an_error_with_its_line(course_copy, where, old, new):
    path = course_copy / where
    _replace(path, old, new)
    text = path.read_text(encoding="utf-8")
    marker = "\x00" if "\x00" in new else "\\u0000"
    line = text[:text.index(marker)].count("\n") + 1
    assert _errors(course_copy) == [f"{path.name}:{line}: " + (
        "contains a NUL character; remove it" if marker == "\x00"
        else "contains a NUL character (\\u0000); remove it")]


def test_long_keys_topics_and_file_names_are_errors(course_copy):
    _replace(course_copy / "quizzes" / "final.toml", 'key = "npp-source"',
             f'key = "{"k" * 81}"')
    (course_copy / "quizzes" / "final.toml").rename(course_copy / "quizzes" / f"{'q' * 81}.toml")
    errors = _errors(course_copy)
    assert any("question key is 81 characters; at most 80 fit" in e for e in errors), errors
    assert any("quiz key (its file name) is 81 characters" in e for e in errors), errors


def test_sync_reports_file_and_line_and_changes_nothing(runner, db, course_copy):
    _replace(course_copy / "lessons" / "first-lesson.md", "\n\n", "\n\n\x00")
    result = runner.invoke(args=["courses", "sync", str(course_copy)])
    assert result.exit_code == 1
    assert "first-lesson.md:" in result.output and "NUL character" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 0


def test_a_refusal_by_the_database_during_sync_is_one_line(db, course_copy):
    specs, shared, errors = load_catalogue(course_copy)
    assert not errors
    # Something no validator knows about: the database's own CHECK on the pass mark.
    quiz = dataclasses.replace(specs[0].quizzes[0], pass_mark=0)
    broken = dataclasses.replace(specs[0], quizzes=(quiz,))
    with pytest.raises(SyncError) as raised:
        sync_courses([broken], archive_missing=False)
    db.session.rollback()
    message = str(raised.value)
    assert "course.toml:1: the database refused it:" in message and "\n" not in message
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 0


def test_links_in_shared_pages_are_checked(tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(TINY, root / "tiny-course")
    (root / "_shared").mkdir()
    (root / "_shared" / "support.md").write_text(
        "# Support\n\nSee [the lesson](/courses/tiny-course/lessons/no-such-lesson).\n",
        encoding="utf-8")
    assert _errors(root) == ["support.md:3: no lesson 'no-such-lesson' in tiny-course"]


def test_validate_warns_about_answers_clustered_on_one_key(course_copy, tmp_path):
    bank = course_copy / "banks" / "lopsided.toml"
    bank.parent.mkdir(exist_ok=True)
    questions = []
    for n in range(4):
        questions.append(f'''
[[questions]]
key = "s{n}"
type = "single"
topic = "t"
prompt = "Question {n}?"
explanation = "Because."
  [[questions.options]]
  key = "a"
  text = "Right {n}"
  correct = true
  [[questions.options]]
  key = "b"
  text = "Wrong {n}"

[[questions]]
key = "tf{n}"
type = "true_false"
topic = "t"
prompt = "Statement {n}."
explanation = "Because."
answer = false
''')
    bank.write_text("".join(questions), encoding="utf-8")
    result = _flask("courses", "validate", str(course_copy))
    assert result.returncode == 0, result.stderr  # warnings do not fail validation
    assert "lopsided.toml:1: warning: the right answer of 4 of 4 single-choice questions is " \
           "at key a" in result.stderr
    assert "lopsided.toml:1: warning: 4 of 4 true/false questions have the answer false" \
        in result.stderr


def test_shipped_courses_have_balanced_keys():
    result = _flask("courses", "validate")
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
