"""Course files: validation errors with file and line, idempotent sync, archiving."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from lms.assessment.models import Question
from lms.catalog.models import Course, Lesson
from lms.content.loader import load_courses
from tests.fixtures.courses import FIXTURES, ROOT, sync_folder

BROKEN = FIXTURES / "broken"


def _flask(*args: str, cwd: Path = ROOT):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=cwd,
                          capture_output=True, text=True, env={
                              "PATH": "/usr/bin:/bin", "LMS_SECRET_KEY": "x",
                              "LMS_DATABASE_URL": "sqlite:////nonexistent/never-opened.db"})


def test_validate_reports_each_error_with_file_and_line():
    result = _flask("courses", "validate", str(BROKEN.relative_to(ROOT)))
    assert result.returncode == 1
    base = "tests/fixtures/course_files/broken"
    expected = [
        f"{base}/bad-toml/course.toml:3: invalid TOML",
        f"{base}/missing-lesson/course.toml:8: missing lesson file lessons/ghost.md",
        f"{base}/dup-two/course.toml:1: duplicate course slug 'same-slug'",
        f"{base}/no-correct/quizzes/final.toml:5: question q1: has no correct answer",
        f"{base}/unknown-type/quizzes/final.toml:7: unknown question type 'essay'",
        f"{base}/bad-pass-mark/quizzes/final.toml:3: pass_mark must be a whole number",
    ]
    lines = result.stderr.splitlines()
    for prefix in expected:
        assert any(line.startswith(prefix) for line in lines), (prefix, result.stderr)
    assert len(lines) == len(expected), result.stderr


def test_validate_good_courses_prints_one_summary_line_each():
    result = _flask("courses", "validate", "tests/fixtures/course_files/good")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "tiny-course: 1 modules, 2 lessons, 3 questions"


def test_shipped_courses_validate():
    result = _flask("courses", "validate")
    assert result.returncode == 0, result.stderr
    slugs = [line.split(":")[0] for line in result.stdout.splitlines()
             if not line.startswith((" ", "glossary:"))]  # translations' coverage
    assert slugs == ["non-punishment-principle", "tip-adjudication-for-judges",
                     "victim-centred-approaches"]


def test_duplicate_module_and_question_keys(tmp_path):
    course = tmp_path / "dup"
    shutil.copytree(FIXTURES / "good" / "tiny-course", course)
    toml = (course / "course.toml").read_text()
    (course / "course.toml").write_text(
        toml + '\n[[modules]]\nslug = "only"\ntitle = "Again"\nlessons = []\n')
    quiz = (course / "quizzes" / "final.toml").read_text()
    (course / "quizzes" / "final.toml").write_text(quiz.replace('key = "palermo-npp"',
                                                                'key = "npp-source"'))
    _, errors = load_courses(course)
    messages = [f"{Path(e.path).name}:{e.line}: {e.message}" for e in errors]
    assert "course.toml:13: duplicate module slug 'only'" in messages
    assert any(m.startswith("final.toml:26: duplicate question key 'npp-source'")
               for m in messages), messages


def test_sync_twice_changes_nothing_the_second_time(runner, db):
    first = runner.invoke(args=["courses", "sync", str(FIXTURES / "good" / "tiny-course")])
    assert first.exit_code == 0, first.output
    assert "created course tiny-course" in first.output
    second = runner.invoke(args=["courses", "sync", str(FIXTURES / "good" / "tiny-course")])
    assert second.exit_code == 0
    assert second.output.strip().endswith("1 course(s) checked, 0 change(s).")
    course = db.session.scalar(sa.select(Course).where(Course.slug == "tiny-course"))
    assert course.version == 1 and len(course.content_hash) == 64


def test_removed_lesson_is_archived_not_deleted(tmp_path, db):
    course_dir = tmp_path / "tiny-course"
    shutil.copytree(FIXTURES / "good" / "tiny-course", course_dir)
    sync_folder(course_dir, archive_missing=False)
    (course_dir / "lessons" / "second-lesson.md").unlink()
    toml = course_dir / "course.toml"
    toml.write_text(toml.read_text().replace(', "second-lesson"', ""))
    quiz = course_dir / "quizzes" / "final.toml"
    quiz.write_text(quiz.read_text().split('[[questions]]\nkey = "liabilities"')[0])
    report = sync_folder(course_dir, archive_missing=False)
    assert "archived lesson second-lesson" in report.changes
    assert "archived question liabilities" in report.changes
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "second-lesson"))
    assert lesson is not None and lesson.archived_at is not None
    question = db.session.scalar(sa.select(Question).where(Question.key == "liabilities"))
    assert question.archived_at is not None
    course = db.session.scalar(sa.select(Course).where(Course.slug == "tiny-course"))
    assert course.version == 2


def test_lesson_html_is_sanitised_at_sync(tiny_course, db):
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "first-lesson"))
    assert "<script" not in lesson.body_html
    assert "&lt;script&gt;" in lesson.body_html  # shown as text, inert
    assert 'href="https://example.org"' in lesson.body_html


def test_markdown_removes_script_links_and_raw_html():
    from lms.core.markdown import render_markdown

    html = render_markdown('[x](javascript:alert(1)) <img src=x onerror=alert(1)> [y](/ok)')
    assert 'href="javascript:' not in html and "<img" not in html and 'href="/ok"' in html


def test_links_in_lessons_must_resolve(tmp_path):
    course = tmp_path / "tiny-course"
    shutil.copytree(FIXTURES / "good" / "tiny-course", course)
    lesson = course / "lessons" / "second-lesson.md"
    lesson.write_text(lesson.read_text() + "\nSee [the first](/courses/tiny-course/lessons/"
                      "first-lesson), [a ghost](/courses/tiny-course/lessons/ghost) and "
                      "[elsewhere](/admin/secret).\n")
    _, errors = load_courses(course)
    messages = [f"{Path(e.path).name}:{e.line}: {e.message}" for e in errors]
    assert messages == ["second-lesson.md:9: no lesson 'ghost' in tiny-course",
                        "second-lesson.md:9: link to an unknown page '/admin/secret'"]


def test_unknown_legal_reference_is_an_error(tmp_path):
    course = tmp_path / "tiny-course"
    shutil.copytree(FIXTURES / "good" / "tiny-course", course)
    quiz = course / "quizzes" / "final.toml"
    quiz.write_text(quiz.read_text().replace('references = ["Palermo Art. 3"]',
                                             'references = ["Palermo Art 3"]'))
    _, errors = load_courses(course)
    assert [(Path(e.path).name, e.line) for e in errors] == [("final.toml", 31)]
    assert "unknown legal reference 'Palermo Art 3'" in errors[0].message


def test_content_note_lets_the_learner_skip_and_return(db, tiny_course, learner_client):
    from tests.fixtures.app import post_form

    post_form(learner_client, "/courses/tiny-course/enrol")
    url = "/courses/tiny-course/lessons/second-lesson"
    note = learner_client.get(url).get_data(as_text=True)
    assert "Describes a beating" in note and "The second lesson." not in note
    assert "Skip for now" in note and "Continue to the lesson" in note
    post_form(learner_client, "/courses/tiny-course/lessons/first-lesson/complete")
    course = learner_client.get("/courses/tiny-course").get_data(as_text=True)
    assert "1 of 2 lessons" in course  # skipping kept the progress made
    read = learner_client.get(url + "?note=read").get_data(as_text=True)
    assert "The second lesson." in read and "Mark as complete" in read
