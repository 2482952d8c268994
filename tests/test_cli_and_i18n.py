"""Account CLI, first-run setup, and the language switch."""
from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import User
from lms.catalog.models import Course
from tests.fixtures.app import post_form


def test_users_create_from_stdin(runner, db):
    result = runner.invoke(args=["users", "create", "--email", "Judge@Court.example",
                                 "--name", "ສົມພອນ ວົງສາ", "--role", "instructor",
                                 "--password-stdin"], input="a very long passphrase\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert (user.email, user.name, user.role) == ("judge@court.example", "ສົມພອນ ວົງສາ",
                                                  "instructor")
    assert "a very long passphrase" not in user.password_hash


def test_users_create_refuses_a_weak_password_and_duplicates(runner, db):
    weak = runner.invoke(args=["users", "create", "--email", "a@b.example", "--name", "A",
                               "--password-stdin"], input="short\n")
    assert weak.exit_code == 1 and "at least 12" in weak.output
    args = ["users", "create", "--email", "a@b.example", "--name", "A", "--password-stdin"]
    assert runner.invoke(args=args, input="long enough passphrase\n").exit_code == 0
    again = runner.invoke(args=args, input="long enough passphrase\n")
    assert again.exit_code == 1 and "already exists" in again.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_setup_creates_no_accounts_without_demo(runner, db):
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 3
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert "Demo accounts" not in result.output


def test_setup_loads_courses_and_creates_demo_accounts_once(runner, db):
    first = runner.invoke(args=["setup", "--demo"])
    assert first.exit_code == 0, first.output
    assert "passwords are shown only this once" in first.output
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 3
    assert {u.role for u in db.session.scalars(sa.select(User))} == {"admin", "instructor",
                                                                     "me_officer", "learner"}
    # The demo instructor owns every course, so the teaching pages show something.
    from lms.catalog.models import CourseStaff

    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseStaff).where(
        CourseStaff.role == "owner")) == 3
    second = runner.invoke(args=["setup", "--demo"])
    assert second.exit_code == 0
    assert "Demo accounts" not in second.output and "0 change(s)" in second.output


def test_language_switch_to_thai(client, learner):
    assert "Courses" in client.get("/").get_data(as_text=True)
    post_form(client, "/language", {"locale": "th"})
    page = client.get("/").get_data(as_text=True)
    assert 'lang="th"' in page
    assert "หลักสูตร" in page  # "Courses"


def test_unknown_language_is_ignored(client):
    post_form(client, "/language", {"locale": "xx"})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_accept_language_picks_thai(client):
    page = client.get("/", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"})
    assert 'lang="th"' in page.get_data(as_text=True)
