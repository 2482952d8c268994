"""The certificate's design: bilingual text from the catalogues, Thai Buddhist Era dates,
co-signers, the template a course picks."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.catalog.models import Course
from lms.certification.models import Certificate
from lms.certification.render import long_date, render_pdf
from tests.fixtures.app import post_form
from tests.helpers import complete_course
from tests.pdf import pdf_text

TEMPLATES = str(Path(__file__).resolve().parents[1] / "certificates")
URL = "https://lms.example.org/verify/abc"


def _snapshot(**extra) -> dict:
    return {"name": "สมชาย ใจดี", "course_title": "The non-punishment principle",
            "course_slug": "c", "course_version": 1, "cpd_hours": 2.0,
            "completed_on": "2026-11-28", "issued_on": "2026-11-28",
            "expires_on": "2029-11-28", "serial": "CoE-2026-000042", "code": "abc",
            "locale": "en", **extra}


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_bilingual_text_layer_has_both_languages(tmp_path):
    text = _flat(pdf_text(render_pdf(_snapshot(second_locale="th"), root=TEMPLATES,
                                     verify_url=URL), tmp_path))
    assert "Certificate of Completion" in text and "This certifies that" in text
    assert "ขอรับรองว่า" in text and "ประกาศนียบัตรเลขที่ CoE-2026-000042" in text
    # Thai dates in the Buddhist Era (the template says so), English ones as they are.
    assert "November 28, 2026" in text and "พ.ศ. 2569" in text and "พ.ศ. 2572" in text
    assert "November 28, 2029" in text
    english_only = _flat(pdf_text(render_pdf(_snapshot(), root=TEMPLATES, verify_url=URL),
                                  tmp_path))
    assert "ขอรับรองว่า" not in english_only and "พ.ศ." not in english_only


def test_a_language_without_a_catalogue_prints_english_only():
    from lms.certification.render import printable_locale

    assert printable_locale("zz") is None and printable_locale("en") is None
    assert printable_locale("km") == "km"


def test_buddhist_era_dates():
    assert long_date(date(2026, 12, 4), "th", buddhist_era=True) == "4 ธันวาคม พ.ศ. 2569"
    assert "ค.ศ. 2026" in long_date(date(2026, 12, 4), "th")
    assert long_date(date(2026, 12, 4), "en", buddhist_era=True) == "December 4, 2026"


@pytest.mark.parametrize("setting, locale, expected", [
    ("th", None, "th"), ("learner", "th", "th"), ("learner", None, None),
    ("learner", "en", None), ("km", None, "km"), ("learner", "my", "my"),
])
def test_the_course_or_the_learner_picks_the_second_language(
        db, tiny_course, app, admin_client, make_user, setting, locale, expected):
    db.session.get(Course, tiny_course.id).certificate = {"second_language": setting}
    db.session.commit()
    learner = make_user("learner", locale=locale)
    client = app.test_client()
    from tests.fixtures.users import login
    login(client, learner)
    complete_course(client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.snapshot["second_locale"] == expected


def test_a_cohort_language_overrides_the_course(db, tiny_course, admin_client, make_user, app):
    from lms.learning.cohorts import Cohort, CohortCourse, CohortMember
    from tests.fixtures.users import login

    db.session.get(Course, tiny_course.id).certificate = {"second_language": "km"}
    cohort = Cohort(name="Thai prosecutors", certificate_language="th")
    db.session.add(cohort)
    db.session.flush()
    learner = make_user("learner")
    db.session.add_all([CohortCourse(cohort_id=cohort.id, course_id=tiny_course.id),
                        CohortMember(cohort_id=cohort.id, user_id=learner.id)])
    db.session.commit()
    client = app.test_client()
    login(client, learner)
    complete_course(client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    assert db.session.scalar(sa.select(Certificate)).snapshot["second_locale"] == "th"


def test_the_cohort_form_refuses_an_unknown_language(db, admin_client):
    answer = post_form(admin_client, "/cohorts/new", {
        "name": "Lao social workers", "certificate_language": "xx"})
    assert "Not a valid choice" in answer.get_data(as_text=True) or "from the list" in (
        answer.get_data(as_text=True))
    from lms.learning.cohorts import Cohort
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == 0


def test_the_studio_sets_the_certificate_table_and_a_refresher(db, app, instructor,
                                                               tiny_course):
    from lms.content import drafts
    from tests.fixtures.users import login
    from tests.test_studio import build_course

    client = app.test_client()
    login(client, instructor)
    course = build_course(client)
    item = drafts.get_item(course.id, "course")
    form = {"revision": item.revision, "title": "Labour inspection refresher",
            "summary": "Refresh.", "audience": "", "objectives": "", "cpd_hours": "0.5",
            "language": "en", "references": "# References\n\n- ACTIP (2015)",
            "certificate_validity_months": "24", "certificate_second_language": "th",
            "certificate_renews": "no-such-course"}
    refused = post_form(client, f"/studio/{course.slug}/settings", form)
    assert refused.status_code == 400 and "No other course has the address" in (
        refused.get_data(as_text=True))
    saved = post_form(client, f"/studio/{course.slug}/settings",
                      {**form, "certificate_renews": "tiny-course"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    data = drafts.get_item(course.id, "course").data
    assert data["certificate"] == {"validity_months": 24, "second_language": "th",
                                   "renews": "tiny-course"}
    page = client.get(f"/studio/{course.slug}/settings").get_data(as_text=True)
    assert 'value="24"' in page and 'value="tiny-course"' in page


def test_a_course_picks_its_template_folder(db, app, tiny_course, admin_client, make_user,
                                            tmp_path, monkeypatch):
    from tests.fixtures.users import login

    root = tmp_path / "certificates"
    shutil.copytree(TEMPLATES, root)
    shutil.copytree(root / "default", root / "judiciary")
    (root / "judiciary" / "meta.toml").write_text('title = "Judiciary"\nversion = "7"\n')
    monkeypatch.setitem(app.config, "CERTIFICATES_DIR", str(root))
    db.session.get(Course, tiny_course.id).certificate = {"template": "judiciary"}
    db.session.commit()
    for _ in range(2):
        client = app.test_client()
        login(client, make_user("learner"))
        complete_course(client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificates = db.session.scalars(sa.select(Certificate)).all()
    assert {(c.template, c.template_version) for c in certificates} == {("judiciary", "7")}
    db.session.get(Course, tiny_course.id).certificate = {"template": "missing"}
    db.session.commit()
    client = app.test_client()
    login(client, make_user("learner"))
    complete_course(client, tiny_course)
    answer = post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all",
                       follow_redirects=True).get_data(as_text=True)
    assert "which is not in the certificates folder" in answer
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 2
