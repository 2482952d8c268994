"""Courses in several languages: translations as files, checked against the source,
shown to learners only while current, pooled in attempts, edited in the studio."""
from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa
import tomli_w

from lms.assessment.item_stats import ItemStat
from lms.assessment.models import Attempt, Question
from lms.catalog.models import ContentTranslation, Course
from lms.content.course_files import files_of_folder
from lms.content.loader import load_catalogue
from lms.content.study_time import all_questions
from lms.content.translation_template import template_files
from lms.content.translations import coverage
from lms.core.db import db
from tests.fixtures.app import post_form
from tests.fixtures.courses import FIXTURES, sync_folder
from tests.fixtures.users import login, make_staff
from tests.helpers import correct_answers, post_attempt, start_attempt

COURSE = "assessed-course"
MARK = "ไทย "  # what the test's "translator" puts before every text


def _thai(value):
    """A stand-in translation: every text marked, keys and hashes kept."""
    if isinstance(value, dict):
        return {k: (v if k in ("key", "slug", "source") else _thai(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_thai(v) for v in value]
    return MARK + value if isinstance(value, str) else value


def _translate(text: str, path: str) -> str:
    from lms.content.translation_template import read_file, write_file
    relative = path.split("/", 2)[2]
    return write_file(relative, {item: _thai(table) for item, table in
                                 read_file(relative, text).items()})


@pytest.fixture
def folder(tmp_path) -> Path:
    """The every-question-type course, with a second lesson, fully translated to Thai."""
    target = tmp_path / COURSE
    shutil.copytree(FIXTURES / "engine" / COURSE, target)
    _edit(target / "course.toml", 'lessons = ["intro"]', 'lessons = ["intro", "more"]')
    (target / "lessons" / "more.md").write_text(
        '+++\ntitle = "More"\nminutes = 5\n+++\n\nThe second lesson.\n', encoding="utf-8")
    specs, _shared, errors = load_catalogue(target)
    assert not errors
    for path, text in template_files(specs[0], "th").items():
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_text(_translate(text, path), encoding="utf-8")
    return target


def _load(folder: Path):
    specs, _shared, errors = load_catalogue(folder)
    return (specs[0] if specs else None), [str(e) for e in errors]


def test_a_complete_translation_loads_for_every_question_type(folder):
    spec, errors = _load(folder)
    assert errors == []
    cover = coverage(spec)["th"]
    assert cover.current == cover.total and not cover.stale and not cover.missing
    types = {q.type for q in all_questions(spec)}
    assert {"single", "true_false", "short_answer", "matching", "ordering",
            "scenario"} <= types, types


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_option(folder: Path, change) -> Path:
    """Apply `change` to the first translated option of the banks' file."""
    path = next((folder / "i18n" / "th" / "banks").glob("*.toml"))
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    change(next(q for q in data["questions"] if "options" in q)["options"][0])
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def test_a_translation_changes_words_only(folder):
    path = _first_option(folder, lambda option: option.update(correct=True))
    _spec, errors = _load(folder)
    assert any("'correct' cannot be translated" in e and path.name in e for e in errors)


def test_an_option_the_source_lacks_or_an_untranslated_text_is_an_error(folder):
    _first_option(folder, lambda option: option.update(key="zz"))
    _spec, errors = _load(folder)
    assert any("options 'zz' is not in the source question" in e for e in errors)
    assert any("is not translated" in e for e in errors)


def test_an_unknown_language_is_an_error_a_removed_sources_translation_an_orphan(folder):
    lesson = next((folder / "i18n" / "th" / "lessons").glob("*.md"))
    shutil.copy(lesson, lesson.with_name("ghost.md"))
    (folder / "i18n" / "th" / ".ghost.md.swp").write_text("editor junk")
    spec, errors = _load(folder)
    assert errors == []  # removing a lesson never waits for its translators
    assert coverage(spec)["th"].orphans == [("lesson", "ghost")]
    (folder / "i18n" / "xx").mkdir()
    (folder / "i18n" / "th" / "banks" / "core.toml").write_text('questions = "x"\n')
    _spec, errors = _load(folder)
    assert any("i18n/xx: not a language of the platform" in e for e in errors)
    assert any("core.toml:1: questions must be [[questions]] tables" in e for e in errors)


def test_a_changed_source_makes_its_translation_stale_never_an_error(folder):
    lesson = sorted((folder / "lessons").glob("*.md"))[0]
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.rstrip() + "\n\nA new paragraph in the source.\n", encoding="utf-8")
    bank = next((folder / "banks").glob("*.toml"))
    _edit(bank, 'prompt = "', 'prompt = "Changed: ')  # one word of one question
    spec, errors = _load(folder)
    assert errors == []
    cover = coverage(spec)["th"]
    assert ("lesson", lesson.stem) in cover.stale
    assert len([s for s in cover.stale if s[0] == "question"]) == 1
    assert cover.current == cover.total - 2


@pytest.fixture
def thai_course(folder, app):
    sync_folder(folder, archive_missing=False)
    return db.session.scalar(sa.select(Course).where(Course.slug == COURSE))


@pytest.fixture
def thai_client(app, make_user):
    client = app.test_client()
    user = make_user(locale="th")
    login(client, user)
    return client


def _lessons(folder: Path) -> list[str]:
    data = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    return [slug for module in data["modules"] for slug in module["lessons"]]


def test_a_thai_learner_reads_the_translation_with_lang_set(thai_course, thai_client, folder):
    post_form(thai_client, f"/courses/{COURSE}/enrol")
    slug = _lessons(folder)[0]
    page = thai_client.get(f"/courses/{COURSE}/lessons/{slug}?note=read").get_data(as_text=True)
    assert '<article class="lesson" lang="th">' in page and f"<p>{MARK}" in page
    course = thai_client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert f'lang="th">{MARK}' in course
    assert "translation-note" not in course


def test_untranslated_and_stale_parts_show_the_source_with_a_note(folder, app, make_user):
    first, second = _lessons(folder)[:2]
    (folder / "i18n" / "th" / "lessons" / f"{first}.md").unlink()
    source = folder / "lessons" / f"{second}.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    sync_folder(folder, archive_missing=False)
    client = app.test_client()
    login(client, make_user(locale="th"))
    post_form(client, f"/courses/{COURSE}/enrol")
    missing = client.get(f"/courses/{COURSE}/lessons/{first}?note=read").get_data(as_text=True)
    assert '<article class="lesson" lang="en">' in missing
    assert "translation-note" in missing and MARK not in missing.split("<article")[1]
    stale = client.get(f"/courses/{COURSE}/lessons/{second}?note=read").get_data(as_text=True)
    assert '<article class="lesson" lang="en">' in stale and "One more line." in stale
    assert stale.count("translation-note") == 1 and MARK + "One" not in stale
    outline = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert outline.count('class="tag translation-note"') == 2
    rows = db.session.scalars(sa.select(ContentTranslation).where(
        ContentTranslation.kind == "lesson")).all()
    assert {(r.key, r.current) for r in rows} >= {(second, False)}


def _finish(client, attempt_id: int) -> None:
    post_attempt(client, attempt_id, {**correct_answers(attempt_id), "action": "finish"})


def test_attempts_in_two_languages_are_the_same_items(thai_course, thai_client, app,
                                                      learner_client, make_user):
    for client in (thai_client, learner_client):
        post_form(client, f"/courses/{COURSE}/enrol")
    thai = db.session.get(Attempt, start_attempt(thai_client, COURSE, "pre"))
    english = db.session.get(Attempt, start_attempt(learner_client, COURSE, "pre"))
    assert (thai.language, english.language) == ("th", "en")
    snaps = thai.draw["specs"].values()
    assert all(s["language"] == "th" and s["prompt"].startswith(MARK) for s in snaps)
    page = thai_client.get(f"/attempts/{thai.id}?page=1").get_data(as_text=True)
    assert 'lang="th">' in page and MARK in page
    # The same keys: the answers that are right in English are right in Thai.
    for client, attempt in ((thai_client, thai), (learner_client, english)):
        _finish(client, attempt.id)
    db.session.expire_all()
    scores = [db.session.get(Attempt, a.id).score for a in (thai, english)]
    assert scores[0] == scores[1] and scores[0] > 0
    # Item analysis holds one row per item, fed by both languages.
    stats = {s.question_id: s.attempts for s in db.session.scalars(sa.select(ItemStat))}
    both = set(thai.draw["questions"]) & set(english.draw["questions"])
    only = set(thai.draw["questions"]) ^ set(english.draw["questions"])
    # One row per item, counting the attempts that drew it in either language (the two
    # draws overlap by chance; where they do, the item counts both).
    expected = {q: (q in thai.draw["questions"]) + (q in english.draw["questions"])
                for q in both | only}
    assert {q: stats.get(q, 0) for q in expected} == expected, stats
    assert all(db.session.get(Question, q).course_id == thai_course.id for q in both | only)
    # The staff's view of an attempt says which language it was taken in.
    staff = app.test_client()
    admin = make_user(role="admin")
    login(staff, admin)
    view = staff.get(f"/teach/attempts/{thai.id}").get_data(as_text=True)
    assert "ไทย" in view or "Thai" in view


def test_the_studio_reports_stale_items_and_edits_a_translation(folder, app, instructor):
    from lms.content import drafts, publish

    sync_folder(folder, archive_missing=False)
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    lesson = _lessons(folder)[0]
    source = folder / "lessons" / f"{lesson}.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nNew source line.\n", "utf-8")
    publish.take_over(course, files_of_folder(folder), actor_id=None)
    make_staff(instructor, course)
    db.session.commit()
    client = app.test_client()
    login(client, instructor)
    report = client.get(f"/studio/{COURSE}/translations").get_data(as_text=True)
    assert "stale" in report and f"lesson {lesson}" in report
    csv = client.get(f"/studio/{COURSE}/translations?format=csv").get_data(as_text=True)
    assert f"th,lesson,{lesson},stale" in csv.splitlines()
    url = f"/studio/{COURSE}/translations/th/lesson/{lesson}"
    form = client.get(url).get_data(as_text=True)
    assert "New source line." in form and "The source has changed" in form
    shown = dict(re.findall(r'name="(source|revision)" value="([^"]*)"', form))
    path = f"i18n/th/lessons/{lesson}.md"
    with_note = drafts.draft_files(course.id)[path].replace(
        "+++\n", "+++\n# review: a note for the reviewer\n", 1)
    drafts.save_item(course, "translation", path.removeprefix("i18n/"), {"text": with_note},
                     revision=drafts.get_item(course.id, "translation",
                                              path.removeprefix("i18n/")).revision,
                     actor_id=None)
    db.session.commit()
    shown["revision"] = str(int(shown["revision"]) + 1)
    # An empty title is refused with the reason, and nothing is written.
    before = drafts.draft_files(course.id)
    refused = post_form(client, url, {**shown, "f-title": "", "f-body": "ข้อความ"})
    assert refused.status_code == 400 and "title is not translated" in refused.get_data(
        as_text=True)
    assert drafts.draft_files(course.id) == before
    # A save made from a source that has changed since is refused, whatever it says.
    old = post_form(client, url, {**shown, "source": "0" * 16, "f-title": "ชื่อ",
                                  "f-body": "ข้อความ"})
    assert old.status_code == 400 and "changed while you were translating" in old.get_data(
        as_text=True)
    saved = post_form(client, url, {**shown, "f-title": "ชื่อบทเรียน", "f-body": "ข้อความใหม่",
                                    "f-content_note": "หมายเหตุ"})
    assert saved.status_code == 302
    check = drafts.check_draft(course)
    assert check.ok, check.problems
    assert ("lesson", lesson) not in coverage(check.spec)["th"].stale
    text = drafts.draft_files(course.id)[path]
    assert "ชื่อบทเรียน" in text and "ข้อความใหม่" in text
    assert "# review: a note for the reviewer" in text  # the reviewer's note is kept
    # A second save from the same page (an older revision of the file) is refused.
    again = post_form(client, url, {**shown, "f-title": "อีกครั้ง", "f-body": "ข้อความ"})
    assert again.status_code == 400 and "Someone else saved" in again.get_data(as_text=True)


def test_a_stranger_cannot_see_or_edit_translations(folder, app, make_user):
    sync_folder(folder, archive_missing=False)
    client = app.test_client()
    login(client, make_user(role="instructor"))
    assert client.get(f"/studio/{COURSE}/translations").status_code == 404
    assert post_form(client, f"/studio/{COURSE}/translations/th/course/-",
                     {"f-title": "x"}).status_code == 404


def test_the_glossary_is_shown_in_the_visitors_language_while_current(tmp_path, app):
    from lms.content.translation_template import glossary_template

    root = tmp_path / "courses"
    shutil.copytree(FIXTURES / "good", root)
    shutil.copytree(FIXTURES.parents[2] / "courses" / "_shared", root / "_shared")
    shutil.rmtree(root / "_shared" / "i18n", ignore_errors=True)
    _specs, shared, _errors = load_catalogue(root)
    for path, text in glossary_template(shared, "th").items():
        data = tomllib.loads(text)
        data["terms"] = [_thai(term) for term in data["terms"]]
        (root / "_shared" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "_shared" / path).write_text(tomli_w.dumps(data), encoding="utf-8")
    first = shared.terms[0]
    glossary = root / "_shared" / "glossary.toml"
    _edit(glossary, first.definition, first.definition + " Changed.")
    sync_folder(root)
    client = app.test_client()
    page = client.get("/glossary", headers={"Accept-Language": "th"}).get_data(as_text=True)
    second = shared.terms[1]
    assert f'lang="th">{MARK}{second.term}' in page
    assert f'<dt id="{first.slug}" lang="en">{first.term}</dt>' in page  # stale: the source


def test_a_key_correction_regrades_a_translated_attempt_like_the_source():
    from lms.assessment.languages import keep_words

    old = {"answers": ["5", "6"], "options": [{"key": "a", "text": "Five", "correct": True}]}
    seen = {"answers": ["5", "6"], "options": [{"key": "a", "text": "ห้า", "correct": True}]}
    new = {"answers": ["5"], "options": [{"key": "a", "text": "Five!", "correct": False}]}
    # The translation accepted what the source did: the correction applies as it is,
    # in the words the learner read.
    assert keep_words(new, seen, old) == {
        "answers": ["5"], "options": [{"key": "a", "text": "ห้า", "correct": False}]}
    # Answers the translation added in its own language stay accepted.
    seen["answers"] = ["5", "6", "ห้า"]
    assert keep_words(new, seen, old)["answers"] == ["5", "ห้า"]


def test_a_broken_link_in_a_translated_lesson_is_refused_by_the_studio_too(folder):
    from lms.content import drafts

    lesson = next((folder / "i18n" / "th" / "lessons").glob("*.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n[ลิงก์](/courses/nowhere)\n",
                      encoding="utf-8")
    _spec, errors = _load(folder)
    assert any("link to an unknown course 'nowhere'" in e for e in errors)
    check = drafts.check_files(COURSE, files_of_folder(folder))
    assert any("unknown course 'nowhere'" in p and p.startswith("i18n/th/lessons/")
               for p in check.problems)


def test_saving_an_item_drops_the_options_its_source_no_longer_has():
    from lms.content.translation_edit import _edited

    old = ('# review: a note\n[[questions]]\nkey = "q"\nsource = "old"\nprompt = "ก"\n'
           '[[questions.options]]\nkey = "a"\ntext = "ข"\n[[questions.options]]\nkey = "z"\n'
           'text = "ค"\n')
    new = {"key": "q", "source": "new", "prompt": "ง", "options": [{"key": "a", "text": "จ"}]}
    data = tomllib.loads(_edited("banks/b.toml", old, "question", "q", new))
    assert data["questions"] == [new]
    assert "# review: a note" in _edited("banks/b.toml", old, "question", "q", new)
