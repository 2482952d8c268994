"""Round trips through the studio: course zips, `flask courses export`, Moodle banks;
concurrent edits; and the outline's query budget."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import sqlalchemy as sa

from lms.catalog.models import Course
from lms.content import drafts, publish, versions
from lms.content.course_files import files_from_items, files_of_folder, items_from_files
from lms.content.course_zip import zip_of
from lms.core.db import db
from tests.fixtures.app import post_form
from tests.fixtures.courses import SHIPPED
from tests.fixtures.users import login
from tests.test_studio import build_course

MOODLE = Path(__file__).parent / "data" / "moodle"
SHIPPED_SLUGS = sorted(p.name for p in SHIPPED.iterdir()
                       if p.is_dir() and not p.name.startswith("_"))


def _course(slug):
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


def _upload(client, url, name, data, **fields):
    return post_form(client, url, {"file": (io.BytesIO(data), name), **fields},
                     content_type="multipart/form-data")


def _pending_id(page: str) -> int:
    import re
    return int(re.search(r"/studio/imports/(\d+)/apply", page).group(1))


def test_each_shipped_course_exports_imports_and_exports_the_same_files(
        app, shipped_courses, client, runner, instructor, tmp_path):
    login(client, instructor)
    for slug in SHIPPED_SLUGS:
        result = runner.invoke(args=["courses", "export", slug, str(tmp_path / "first")])
        assert result.exit_code == 0, result.output
        first = files_of_folder(tmp_path / "first" / slug)
        assert first == files_from_items(items_from_files(files_of_folder(SHIPPED / slug)))
        # The zip imports as a new course (under a new address) in the browser…
        renamed = f"{slug}-copy"
        page = _upload(client, "/studio/import", "course.zip", zip_of(renamed, first))
        assert page.status_code == 200, page.get_data(as_text=True)
        response = post_form(client, f"/studio/imports/{_pending_id(page.get_data(as_text=True))}"
                             "/apply")
        assert response.status_code == 302
        copy = _course(renamed)
        assert copy.source == "studio" and copy.version == 0
        # …and exports again to the very same files.
        exported = zipfile.ZipFile(io.BytesIO(client.get(f"/studio/{renamed}/export.zip").data))
        again = {n.split("/", 1)[1]: exported.read(n).decode() for n in exported.namelist()}
        assert again == first
        assert drafts.check_draft(copy).problems == []


def test_a_zip_replaces_a_draft_only_after_the_preview_is_confirmed(app, client, instructor):
    login(client, instructor)
    course = build_course(client)
    files = drafts.draft_files(course.id)
    changed = {**files, "course.toml": files["course.toml"].replace(
        "Labour inspection and trafficking", "Renamed by zip")}
    page = _upload(client, f"/studio/{course.slug}/import", "c.zip", zip_of(course.slug, changed))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "title" in text
    assert "Renamed by zip" not in drafts.draft_files(course.id)["course.toml"]
    post_form(client, f"/studio/imports/{_pending_id(text)}/apply")
    assert "Renamed by zip" in drafts.draft_files(course.id)["course.toml"]


def test_hostile_zips_are_refused_with_a_reason_and_change_nothing(app, client, instructor):
    login(client, instructor)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("c/course.toml", 'slug = "c"\n')
        archive.writestr("c/lessons/big.md", "a" * (5 * 1024 * 1024))  # 5 MB of one letter
    bomb = buffer.getvalue()
    assert len(bomb) < 50_000
    traversal = io.BytesIO()
    with zipfile.ZipFile(traversal, "w") as archive:
        archive.writestr("../../etc/course.toml", "x")
    for data, expected in [(bomb, "larger than"), (traversal.getvalue(), "outside its folder"),
                           (b"not a zip", "not a zip"), (zip_of("c", {"lessons/a.md": "x"}),
                                                         "no course.toml")]:
        response = _upload(client, "/studio/import", "c.zip", data)
        assert response.status_code == 400 and expected in response.get_data(as_text=True)
    assert _course("c") is None


def test_moodle_xml_and_gift_import_into_a_bank_all_or_nothing(app, client, instructor):
    login(client, instructor)
    course = build_course(client)
    post_form(client, f"/studio/{course.slug}/banks", {"name": "moodle"})
    url = f"/studio/{course.slug}/bank/moodle/import"
    page = _upload(client, url, "q.xml",
                   (MOODLE / "nested_categories_with_questions.xml").read_bytes())
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Not imported" in text and "essay" in text.lower()
    bank = drafts.get_item(course.id, "bank", "moodle")
    assert bank.data["questions"] == []  # nothing before the preview is confirmed
    post_form(client, f"/studio/imports/{_pending_id(text)}/apply-questions")
    bank = drafts.get_item(course.id, "bank", "moodle")
    assert len(bank.data["questions"]) == 4
    page = _upload(client, url, "q.gift.txt", (MOODLE / "questions.gift.txt").read_bytes())
    post_form(client, f"/studio/imports/{_pending_id(page.get_data(as_text=True))}"
              "/apply-questions")
    assert len(drafts.get_item(course.id, "bank", "moodle").data["questions"]) == 11
    # Exported and imported again into another bank: the same questions come back.
    exported = client.get(f"/studio/{course.slug}/bank/moodle/export.xml").data
    post_form(client, f"/studio/{course.slug}/banks", {"name": "again"})
    page = _upload(client, f"/studio/{course.slug}/bank/again/import", "again.xml", exported)
    post_form(client, f"/studio/imports/{_pending_id(page.get_data(as_text=True))}"
              "/apply-questions")
    again = drafts.get_item(course.id, "bank", "again").data["questions"]
    prompts = {drafts.get_item(course.id, "question", k).data["prompt"] for k in again}
    original = {drafts.get_item(course.id, "question", k).data["prompt"]
                for k in drafts.get_item(course.id, "bank", "moodle").data["questions"]}
    assert prompts == original and len(again) > 0


def test_two_editors_saving_the_same_lesson_never_overwrite_each_other(
        app, client, instructor, make_user):
    from tests.fixtures.users import make_staff
    login(client, instructor)
    course = build_course(client)
    other = make_user("instructor")
    make_staff(other, course, "editor")
    second = app.test_client()
    login(second, other)
    revision = drafts.get_item(course.id, "lesson", "lesson-1").revision
    base = {"revision": revision, "title": "Indicators", "minutes": "15", "action": "save"}
    assert post_form(client, f"/studio/{course.slug}/lessons/lesson-1",
                     {**base, "body": "Mine: the first save."}).status_code == 302
    response = post_form(second, f"/studio/{course.slug}/lessons/lesson-1",
                         {**base, "body": "Theirs: from the same copy."})
    page = response.get_data(as_text=True)
    assert response.status_code == 409, page
    assert "Mine: the first save." in page and "Theirs: from the same copy." in page
    assert drafts.get_item(course.id, "lesson", "lesson-1").data["body"] == \
        "Mine: the first save."


def test_an_expired_form_token_keeps_the_typed_lesson(app, client, instructor):
    login(client, instructor)
    course = build_course(client)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/studio/{course.slug}/lessons/lesson-1", data={
        "csrf_token": "expired", "title": "Indicators", "body": "An hour of typing"})
    assert response.status_code == 400
    assert "An hour of typing" in response.get_data(as_text=True)


def test_the_outline_costs_the_same_queries_at_any_size(app, client, instructor,
                                                       query_counter):
    login(client, instructor)
    course = build_course(client)

    url = f"/studio/{course.slug}/"

    def count() -> int:
        with query_counter() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    small = count()
    for n in range(12):
        post_form(client, f"/studio/{course.slug}/modules/module-1/lessons",
                  {"title": f"More {n}",
                   "revision": drafts.get_item(course.id, "course").revision})
        post_form(client, f"/studio/{course.slug}/questions/q-single/duplicate")
    assert count() <= small  # (fewer when the draft has problems: no link check)


def test_publishing_twice_keeps_both_versions_and_the_published_files(app, client, instructor):
    login(client, instructor)
    course = build_course(client)
    item = drafts.get_item(course.id, "course")
    drafts.save_item(course, "course", "", {**item.data, "summary": "New summary."},
                     revision=item.revision, actor_id=instructor.id)
    publish.publish_draft(course, note="summary", actor_id=instructor.id)
    db.session.commit()
    assert [v.number for v in versions.versions_of(course.id)] == [2, 1]
    compare = client.get(f"/studio/{course.slug}/versions/compare?old=1&new=2")
    assert "summary" in compare.get_data(as_text=True)



def test_lesson_images_travel_in_the_zip_and_are_stored_again(app, client, instructor):
    from PIL import Image

    login(client, instructor)
    course = build_course(client)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "navy").save(buffer, "PNG")
    buffer.seek(0)
    page = post_form(client, f"/studio/{course.slug}/lessons/lesson-1/images",
                     {"image": (buffer, "chart.png"), "alt_text": "A [navy] chart"},
                     content_type="multipart/form-data", follow_redirects=True)
    import re
    line = re.search(r"!\[.*?\]\(/media/\d+/[^)]+\)", page.get_data(as_text=True)).group(0)
    revision = drafts.get_item(course.id, "lesson", "lesson-1").revision
    post_form(client, f"/studio/{course.slug}/lessons/lesson-1", {
        "revision": revision, "title": "Indicators", "minutes": "15",
        "body": f"Look:\n\n{line}\n", "action": "save"})
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/studio/{course.slug}/export.zip").data))
    names = archive.namelist()
    lesson = archive.read(f"{course.slug}/lessons/lesson-1.md").decode()
    assert any(n.startswith(f"{course.slug}/media/chart-") for n in names), (names, line)
    assert "](media/chart-" in lesson and "/media/" not in lesson
    # Imported as a new course: the image is stored for it and the lesson points at it.
    data = client.get(f"/studio/{course.slug}/export.zip").data
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(
            out := io.BytesIO(), "w") as target:
        for name in source.namelist():
            target.writestr(name.replace(course.slug, "copy-course", 1), source.read(name))
    page = _upload(client, "/studio/import", "c.zip", out.getvalue())
    post_form(client, f"/studio/imports/{_pending_id(page.get_data(as_text=True))}/apply")
    copy = _course("copy-course")
    body = drafts.get_item(copy.id, "lesson", "lesson-1").data["body"]
    url = re.search(r"/media/\d+/[^)]+", body).group(0)
    assert "A \\[navy\\] chart" in body
    from lms.catalog.media import MediaFile
    stored = db.session.scalar(sa.select(MediaFile).where(MediaFile.course_id == copy.id))
    assert stored is not None and url == f"/media/{stored.id}/{stored.filename}"
    assert stored.alt_text == "A [navy] chart"


def test_an_import_runs_as_a_job_and_a_failed_one_writes_nothing(app, client, instructor):
    from lms.core.jobs import Job

    login(client, instructor)
    files = files_from_items(items_from_files(files_of_folder(SHIPPED / SHIPPED_SLUGS[0])))
    lesson = sorted(p for p in files if p.startswith("lessons/"))[0]
    broken = {**files, lesson: files[lesson] + "\n![A map](media/missing.png)\n"}
    page = _upload(client, "/studio/import", "c.zip", zip_of("with-missing-image", broken))
    response = post_form(client, f"/studio/imports/{_pending_id(page.get_data(as_text=True))}"
                         "/apply")
    assert "/jobs/" in response.headers["Location"]
    job = db.session.scalar(sa.select(Job).order_by(Job.id.desc()))
    assert job.status == "failed" and "missing.png" in job.error
    assert _course("with-missing-image") is None
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "missing.png" in progress
