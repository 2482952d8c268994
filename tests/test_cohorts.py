"""Cohorts: editing (audited), enrolling members, who may see one, and the CLI import."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.core.db import db as _db
from lms.learning import cohort_services
from lms.learning.cohorts import Cohort, CohortInstructor, CohortMember
from lms.learning.models import Enrolment
from tests.fixtures.app import post_form
from tests.fixtures.csv.make_fixtures import HEADER, csv_text, people_rows
from tests.fixtures.users import UserFactory, login, make_staff


def make_cohort(name: str = "Thai judges, 2027, cohort 1", *, courses=(), instructors=(),
                members=(), **details) -> Cohort:
    cohort = cohort_services.create_cohort(cohort_services.CohortDetails(
        name=name, course_ids=tuple(c.id for c in courses),
        instructor_ids=tuple(u.id for u in instructors), **details), actor_id=None)
    cohort_services.add_members(cohort, [u.id for u in members], actor_id=None)
    _db.session.commit()
    return cohort


def enrolled(user_id: int, course_id: int) -> bool:
    return _db.session.scalar(sa.select(Enrolment.id).where(
        Enrolment.user_id == user_id, Enrolment.course_id == course_id)) is not None


def events(action: str) -> list[AuditEvent]:
    return list(_db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                    .order_by(AuditEvent.id)))


def test_admin_creates_a_cohort_with_courses_instructors_and_dates(
        admin_client, admin, instructor, tiny_course, db):
    page = admin_client.get("/cohorts/new").get_data(as_text=True)
    assert tiny_course.title in page and instructor.name in page
    response = post_form(admin_client, "/cohorts/new", {
        "name": "  Provincial police,   Chiang Rai ", "description": "Second intake",
        "starts_on": "2027-01-10", "due_on": "2027-03-31", "country": "TH",
        "agency": "Royal Thai Police", "courses": [str(tiny_course.id)],
        "instructors": [str(instructor.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    cohort = db.session.scalar(sa.select(Cohort))
    assert cohort.name == "Provincial police, Chiang Rai"
    assert (cohort.starts_on, cohort.due_on) == (date(2027, 1, 10), date(2027, 3, 31))
    assert cohort_services.course_ids_of(cohort.id) == [tiny_course.id]
    assert cohort_services.instructor_ids_of(cohort.id) == [instructor.id]
    [event] = events("cohort.created")
    assert event.actor_id == admin.id and event.data["courses_added"] == [tiny_course.id]

    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Provincial police, Chiang Rai" in page and "Mar 31, 2027" in page  # by locale
    assert "Thailand" in page and instructor.name in page and tiny_course.title in page
    assert "Provincial police" in admin_client.get("/cohorts").get_data(as_text=True)


@pytest.mark.parametrize("change, message", [
    ({"name": "THAI JUDGES, 2027, COHORT 1"}, "Another cohort is called"),
    ({"name": ""}, "Give the cohort a name."),
    ({"starts_on": "2027-05-01", "due_on": "2027-04-01"}, "The due date is before"),
    ({"instructors": ["999999"]}, "is not a valid choice"),
])
def test_bad_cohort_details_are_clear_form_errors(admin_client, db, change, message):
    make_cohort()
    data = {"name": "Another cohort", **change}
    response = post_form(admin_client, "/cohorts/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == 1


def test_adding_a_course_enrols_every_member_in_one_statement(
        admin_client, db, tiny_course, assessed_course, query_counter):
    people = UserFactory.create_batch(120)
    cohort = make_cohort(courses=[tiny_course], members=people)
    assert all(enrolled(p.id, tiny_course.id) for p in people)
    with query_counter() as statements:
        response = post_form(admin_client, f"/cohorts/{cohort.id}/edit", {
            "name": cohort.name, "courses": [str(tiny_course.id), str(assessed_course.id)]})
    assert response.status_code == 302
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO ENROLMENT")]
    assert len(inserts) == 1  # however many members
    assert all(enrolled(p.id, assessed_course.id) for p in people)
    [event] = events("cohort.updated")
    assert event.data["courses_added"] == [assessed_course.id] and event.data["enrolled"] == 120

    # Removing a course keeps the enrolments (and the progress in them).
    post_form(admin_client, f"/cohorts/{cohort.id}/edit", {
        "name": cohort.name, "courses": [str(tiny_course.id)]})
    assert cohort_services.course_ids_of(cohort.id) == [tiny_course.id]
    assert all(enrolled(p.id, assessed_course.id) for p in people)


def test_a_person_added_later_is_enrolled_and_can_be_in_several_cohorts(
        admin_client, db, tiny_course, assessed_course, learner):
    first = make_cohort(courses=[tiny_course])
    second = make_cohort("Prosecutors 2027", courses=[assessed_course])
    for cohort in (first, second):
        response = post_form(admin_client, f"/cohorts/{cohort.id}/members",
                             {"email": learner.email.upper()})
        assert response.status_code == 302
    page = admin_client.get(f"/cohorts/{first.id}").get_data(as_text=True)
    assert "is now in this cohort" in page and learner.name in page
    assert enrolled(learner.id, tiny_course.id) and enrolled(learner.id, assessed_course.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CohortMember).where(
        CohortMember.user_id == learner.id)) == 2
    assert {e.data["cohort_id"] for e in events("cohort.member_added")} == {first.id, second.id}

    again = post_form(admin_client, f"/cohorts/{first.id}/members", {"email": learner.email},
                      follow_redirects=True)
    assert "is in this cohort already" in again.get_data(as_text=True)
    unknown = post_form(admin_client, f"/cohorts/{first.id}/members",
                        {"email": "nobody@example.org"}, follow_redirects=True)
    assert "import them from a CSV file" in unknown.get_data(as_text=True)


def test_removing_a_member_keeps_their_enrolment(admin_client, db, tiny_course, learner):
    cohort = make_cohort(courses=[tiny_course], members=[learner])
    response = post_form(admin_client, f"/cohorts/{cohort.id}/members/{learner.id}/remove")
    assert response.status_code == 302
    assert db.session.get(CohortMember, (cohort.id, learner.id)) is None
    assert enrolled(learner.id, tiny_course.id)
    [event] = events("cohort.member_removed")
    assert event.target_id == learner.id and event.data["cohort_id"] == cohort.id


def test_members_are_paged_and_the_page_costs_the_same_at_any_size(
        admin_client, db, query_counter):
    small = make_cohort("Small", members=UserFactory.create_batch(3))
    large = make_cohort("Large", members=UserFactory.create_batch(70))
    page = admin_client.get(f"/cohorts/{large.id}").get_data(as_text=True)
    assert "Next page" in page and page.count("/remove") == 50
    counts = []
    for cohort in (small, large):
        with query_counter() as statements:
            assert admin_client.get(f"/cohorts/{cohort.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_html_in_a_name_shows_as_text(admin_client, db, make_user):
    person = make_user(name='<script>alert("x")</script>')
    cohort = make_cohort('<b>Bold</b> cohort', members=[person])
    page = admin_client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page


def test_who_may_see_a_cohort(app, db, make_user, tiny_course, assessed_course):
    ours, theirs, staff_of_course = (make_user("instructor") for _ in range(3))
    member = make_user("learner")
    cohort = make_cohort(courses=[tiny_course], instructors=[ours], members=[member])
    other = make_cohort("Another cohort", courses=[assessed_course], instructors=[theirs])
    make_staff(staff_of_course, tiny_course, "grader")
    pages = [f"/cohorts/{cohort.id}", f"/cohorts/{cohort.id}/edit",
             f"/cohorts/{cohort.id}/import", f"/cohorts/{cohort.id}/invitations"]

    def client_of(user):
        client = app.test_client()
        login(client, user)
        return client

    # The cohort's own instructor and the staff of its course see it, not its admin pages.
    for user in (ours, staff_of_course):
        client = client_of(user)
        assert client.get(pages[0]).status_code == 200
        assert "Import people" not in client.get(pages[0]).get_data(as_text=True)
        assert [client.get(p).status_code for p in pages[1:]] == [403, 403, 403]
        assert cohort.name in client.get("/cohorts").get_data(as_text=True)
    # Another cohort's instructor: as if it did not exist; not in their list.
    client = client_of(theirs)
    assert client.get(pages[0]).status_code == 404
    listed = client.get("/cohorts").get_data(as_text=True)
    assert cohort.name not in listed and other.name in listed
    # A member (a learner) sees none of it, and cannot change anything.
    client = client_of(member)
    assert [client.get(p).status_code for p in ["/cohorts", *pages]] == [403] * 5
    assert post_form(client, f"/cohorts/{cohort.id}/members",
                     {"email": member.email}).status_code == 403
    assert post_form(client, f"/cohorts/{cohort.id}/members/{member.id}/remove"
                     ).status_code == 403
    assert post_form(client, "/cohorts/new", {"name": "Mine"}).status_code == 403
    # Signed out: to the sign-in page.
    anonymous = app.test_client().get(pages[0])
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(CohortInstructor.user_id))) == 2


# --- flask cohorts import --------------------------------------------------------------


def _file(tmp_path, rows, name="people.csv") -> str:
    path = tmp_path / name
    path.write_bytes(csv_text([HEADER, *rows]).encode("utf-8"))
    return str(path)


def _count(model) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_cli_dry_run_prints_the_preview_and_writes_nothing(runner, db, tmp_path, learner):
    cohort = make_cohort()
    path = _file(tmp_path, [*people_rows(2), [learner.email.upper(), "X", "TH", "police",
                                               "male", ""]])
    result = runner.invoke(args=["cohorts", "import", cohort.name, path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "row 2: new person: learner0@example.org" in result.output
    assert f"row 4: existing person: {learner.email}" in result.output
    assert "3 rows: 2 new, 1 existing, 0 already members, 0 errors" in result.output
    assert "dry run: nothing written" in result.output
    assert _count(User) == 1 and _count(CohortMember) == 0


def test_cli_errors_exit_1_and_write_nothing(runner, db, tmp_path):
    cohort = make_cohort()
    path = _file(tmp_path, [*people_rows(3), ["bad", "=HYPERLINK(\"x\")", "TH", "", "", ""]])
    result = runner.invoke(args=["cohorts", "import", str(cohort.id), path])
    assert result.exit_code == 1
    assert "row 5: error" in result.output and "is not an email address" in result.output
    assert "starts with “=”" in result.output and "nothing imported" in result.output
    assert _count(User) == 0 and _count(CohortMember) == 0
    missing = runner.invoke(args=["cohorts", "import", "No such cohort", path])
    assert missing.exit_code == 1 and "no cohort" in missing.output


def test_cli_import_writes_everything_and_sends_the_emails(runner, db, tmp_path, learner,
                                                          tiny_course, outbox):
    cohort = make_cohort(courses=[tiny_course])
    path = _file(tmp_path, [*people_rows(3), [learner.email, learner.name, "TH", "police",
                                               "female", ""]])
    result = runner.invoke(args=["cohorts", "import", cohort.name.upper(), path])
    assert result.exit_code == 0, result.output
    assert "3 invited, 1 added; 4 emails queued" in result.output
    assert _count(CohortMember) == 4
    assert all(enrolled(u.id, tiny_course.id) for u in db.session.scalars(sa.select(User)))
    assert len(outbox.to("learner0@example.org")) == 1 and len(outbox.to(learner.email)) == 1
    # New people from Thailand are invited in Thai (their country's language).
    assert "คุณได้รับเชิญ" in str(outbox.to("learner1@example.org")[0]["Subject"])
    assert "คุณได้เข้าร่วม" in str(outbox.to(learner.email)[0]["Subject"])
