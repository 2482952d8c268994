"""A training programme once in a real browser (issue 10): an admin creates a cohort with a
course and dates, imports 30 people from a CSV file that first has 3 bad rows, the
invitations arrive on a real SMTP server, two people accept and complete the course, the
tracking page shows 2 completed and 28 not started, then 28 overdue after the due date,
and a reminder to the overdue reaches exactly those 28."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.core.db import utcnow
from lms.learning.cohorts import Cohort, CohortMember
from tests.fixtures.browser import sign_in, submit
from tests.fixtures.mail import links_in, path_of
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COHORT = "Thai judges, 2027, cohort 1"
DESKTOP = {"width": 1280, "height": 900}
HEADER = "email,name,country,sector,sex,organisation"
COUNTRIES = ["TH", "KH", "LA", "VN", "MM", "PH"]
SECTORS = ["judiciary", "prosecution", "police", "labour", "social_work"]
# The 30 people of the programme, as the office's spreadsheet lists them.
PEOPLE = [(f"trainee{n:02d}@justice.example.org", f"Trainee {n:02d}", COUNTRIES[n % 6],
           SECTORS[n % 5], "female" if n % 2 else "male", "Court of Justice")
          for n in range(1, 31)]
EMAILS = [person[0] for person in PEOPLE]
BAD_EMAIL, BAD_COUNTRY, DUPLICATED = 7, 12, 3  # which people the first file gets wrong


def _csv(rows: list[tuple]) -> str:
    return "\n".join([HEADER, *(",".join(row) for row in rows)]) + "\n"


def _first_file() -> str:
    """31 rows, 3 of them bad: a mistyped email, an unknown country code, and a person
    listed twice with the email in other capitals (the last row)."""
    rows = [list(person) for person in PEOPLE]
    rows[BAD_EMAIL - 1][0] = "trainee07.justice.example.org"
    rows[BAD_COUNTRY - 1][2] = "QQ"
    twice = list(PEOPLE[DUPLICATED - 1])
    twice[0], twice[1] = twice[0].upper(), "TRAINEE 03 (again)"
    return _csv([*map(tuple, rows), tuple(twice)])


def _summary(page, label: str) -> int:
    """A figure of the tracking page's progress summary, by its label."""
    item = page.locator("dl.gradebook-summary > div").filter(
        has=page.locator("dt").get_by_text(label, exact=True))
    return int(item.locator("dd").inner_text().replace(",", ""))


def _shown_emails(page) -> list[str]:
    """The members the tracking table lists (each row header holds name, then email)."""
    return sorted(page.locator("table tbody th[scope=row] .meta").all_inner_texts())


def _link_with(message, part: str) -> str:
    found = [url for url in links_in(message) if part in url]
    assert len(found) == 1, (part, links_in(message))
    return found[0]


def _read_the_database(db) -> None:
    """End the test thread's snapshot, so it sees what the live server committed."""
    db.session.rollback()


def _complete_the_course(page, live_server: str, link: str, name: str) -> None:
    """An invited person: the emailed link, a password, then the course to the end."""
    page.goto(live_server + path_of(link))
    expect(page.get_by_role("heading", name="Welcome to CoE Learning")).to_be_visible()
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Set my password and sign in"))
    assert f"Welcome, {name}. Your password is set and you are signed in." in page.content()
    assert page.url == live_server + "/dashboard", page.url

    # Enrolled with the cohort already: the course is on their dashboard.
    submit(page, page.get_by_role("link", name="Tiny course").first)
    submit(page, page.get_by_role("link", name="Start the first lesson"))
    for _ in range(5):
        if page.get_by_role("link", name="Continue to the lesson").count():
            submit(page, page.get_by_role("link", name="Continue to the lesson"))
        submit(page, page.get_by_role("button", name="Mark as complete"))
        if "/lessons/" not in page.url:
            break
    assert "/lessons/" not in page.url, page.url

    submit(page, page.get_by_role("link", name="Final test"))
    submit(page, page.get_by_role("button", name="Start an attempt"))
    answers = {
        "Which instrument holds the ASEAN non-punishment provision?": ["ACTIP"],
        "The Palermo Protocol has an explicit non-punishment article.": ["False"],
        "Which liabilities does ACTIP Art. 14(7) cover?": ["Criminal", "Administrative"],
    }
    for _ in range(5):  # one page of questions at a time
        for prompt, choices in answers.items():
            group = page.get_by_role("group", name=prompt)
            if group.count():
                for choice in choices:
                    group.get_by_label(choice, exact=True).check()
        if page.get_by_role("button", name="Finish and submit").count():
            break
        submit(page, page.get_by_role("button", name=re.compile("Next page")))
    submit(page, page.get_by_role("button", name="Finish and submit"))
    assert "Passed." in page.content(), page.locator("main").inner_text()[:2000]
    submit(page, page.get_by_role("link", name="Tiny course").first)
    assert "You completed this course on" in page.content()


def test_an_admin_runs_a_training_programme_in_chromium(
        db, live_server, browser, smtp_server, tiny_course, admin, tmp_path):
    zone = ZoneInfo(admin.timezone_name)  # the admin's dates are in the admin's zone
    today = utcnow().astimezone(zone).date()
    starts, due = today - timedelta(days=7), today + timedelta(days=30)

    office = browser.new_context(viewport=DESKTOP)
    page = office.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, admin.email, PASSWORD)

    # 1. A cohort with one course, a start date and a due date.
    submit(page, page.get_by_role("link", name="Cohorts", exact=True))
    submit(page, page.get_by_role("link", name="New cohort"))
    page.get_by_label("Name").fill(COHORT)
    page.get_by_label("Description").fill("Judges of the provincial courts.")
    page.get_by_label("Start date").fill(starts.isoformat())
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_label("Tiny course", exact=True).check()
    submit(page, page.get_by_role("button", name="Create the cohort"))
    assert f"The cohort “{COHORT}” is created." in page.content()
    expect(page.get_by_role("heading", name=COHORT, level=1)).to_be_visible()
    cohort_url = page.url
    cohort_id = int(re.search(r"/cohorts/(\d+)$", cohort_url).group(1))
    assert "Nobody is in this cohort yet." in page.content()

    # 2. The first file: a preview with the 3 bad rows, and nothing written.
    first = tmp_path / "trainees.csv"
    first.write_text(_first_file(), encoding="utf-8")
    submit(page, page.get_by_role("link", name="Import people from a CSV file"))
    page.get_by_label("CSV file").set_input_files(first)
    submit(page, page.get_by_role("button", name="Read the file and show the preview"))
    expect(page.get_by_role("heading", name=re.compile("Preview of the import"))).to_be_visible()
    main = page.locator("main").inner_text()
    assert "31 rows:" in main and "28 new people" in main and "3 with errors." in main, main
    assert page.get_by_role("button", name=re.compile(r"^Import")).count() == 0
    assert "Nothing is imported while a row has an error." in main
    errors = page.locator("table tbody tr.error")
    expect(errors).to_have_count(3)
    by_row = {row.locator("td").first.inner_text(): row.inner_text() for row in errors.all()}
    assert set(by_row) == {str(BAD_EMAIL + 1), str(BAD_COUNTRY + 1), "32"}, by_row
    assert "“trainee07.justice.example.org” is not an email address." in by_row["8"]
    assert "Unknown country “QQ”" in by_row["13"]
    assert "The email trainee03@justice.example.org is on row 4 already" in by_row["32"]
    # Only the error rows, on their own tab.
    submit(page, page.get_by_role("navigation", name="Which rows to show")
           .get_by_role("link", name="Error (3)"))
    expect(page.locator("table tbody tr")).to_have_count(3)
    _read_the_database(db)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # the admin
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CohortMember)) == 0
    assert smtp_server.received == []

    # The fixed file: the two rows corrected, the second copy deleted; 30 people.
    fixed = tmp_path / "trainees-fixed.csv"
    fixed.write_text(_csv(PEOPLE), encoding="utf-8")
    submit(page, page.get_by_role("link", name="Upload another file"))
    page.get_by_label("CSV file").set_input_files(fixed)
    submit(page, page.get_by_role("button", name="Read the file and show the preview"))
    main = page.locator("main").inner_text()
    assert "30 rows:" in main and "30 new people" in main and "0 with errors." in main, main
    expect(page.locator("table tbody tr.error")).to_have_count(0)
    submit(page, page.get_by_role("button", name="Import all 30 rows"))

    # Confirming runs a job: its progress page, until it has finished.
    assert re.search(r"/jobs/\d+$", page.url), page.url
    expect(page.get_by_role("heading", name=f"Importing people into “{COHORT}”")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "100", timeout=60_000)
    expect(page.get_by_text(re.compile(r"Finished: \d+ done\."))).to_be_visible()
    submit(page, page.get_by_role("link", name="Back"))
    assert page.url == cohort_url
    facts = page.locator("dl.facts").inner_text()
    assert "30 have not accepted the invitation" in facts, facts
    expect(page.locator("main table tbody tr")).to_have_count(30)

    # 3. The 30 invitations, on the SMTP server: one to each of the 30 addresses.
    received = smtp_server.wait_for(30)
    assert len(received) == 30, [m.recipients for m in received]
    assert sorted(r for m in received for r in m.recipients) == sorted(EMAILS)
    assert sorted(m.to for m in received) == sorted(EMAILS)
    invitations = {m.recipients[0]: _link_with(m.message, "/invitation/") for m in received}
    assert all(url.startswith("http://lms.example.org/invitation/")
               for url in invitations.values())

    # 4. Two people accept, each in a browser of their own, and complete the course.
    finishers = [EMAILS[0], EMAILS[1]]
    for email in finishers:
        context = browser.new_context(viewport=DESKTOP)
        learner = context.new_page()
        learner.set_default_timeout(15_000)
        name = dict((p[0], p[1]) for p in PEOPLE)[email]
        _complete_the_course(learner, live_server, invitations[email], name)
        context.close()
    others = sorted(set(EMAILS) - set(finishers))
    assert len(others) == 28

    # 5. The tracking page: 2 completed, 28 not started, nobody overdue yet.
    page.goto(cohort_url)
    submit(page, page.get_by_role("link", name="Follow the members' progress"))
    submit(page, page.get_by_role("link", name="Tiny course"))
    expect(page.get_by_role("heading", name="Tiny course", level=1)).to_be_visible()
    tracking_url = page.url
    assert _summary(page, "Members") == 30
    assert _summary(page, "Completed") == 2
    assert _summary(page, "Not started") == 28
    assert _summary(page, "In progress") == 0
    assert _summary(page, "Overdue") == 0
    assert "the due date has passed" not in page.content()
    page.get_by_label("Show", exact=True).select_option(label="Completed")
    submit(page, page.get_by_role("button", name="Show", exact=True))
    assert _shown_emails(page) == sorted(finishers)
    page.get_by_label("Show", exact=True).select_option(label="Not started")
    submit(page, page.get_by_role("button", name="Show", exact=True))
    assert _shown_emails(page) == others

    # The due date moves to yesterday (the admin's yesterday): the 28 are overdue.
    page.goto(cohort_url)
    submit(page, page.get_by_role("link", name="Edit the cohort"))
    page.get_by_label("Due date").fill((today - timedelta(days=1)).isoformat())
    submit(page, page.get_by_role("button", name="Save the cohort"))
    assert "The cohort is saved." in page.content(), page.locator("main").inner_text()[:1000]
    _read_the_database(db)
    assert db.session.get(Cohort, cohort_id).due_on == today - timedelta(days=1)

    page.goto(tracking_url)
    assert "the due date has passed" in page.content()
    assert _summary(page, "Overdue") == 28
    assert _summary(page, "Completed") == 2
    page.get_by_label("Show", exact=True).select_option(label="Overdue")
    submit(page, page.get_by_role("button", name="Show", exact=True))
    assert "show=overdue" in page.url
    assert "28 members shown" in page.content()
    assert _shown_emails(page) == others
    expect(page.locator("table tbody .tag.overdue")).to_have_count(28)

    # 6. A reminder to the overdue group, from the tracking page: exactly the 28.
    before = len(smtp_server.received)
    reminders = page.locator("form", has=page.get_by_role("button",
                                                          name="Send or schedule the reminder"))
    audience = reminders.get_by_label("Send to")
    audience.select_option("overdue")
    assert audience.locator("option:checked").inner_text() == "Overdue (28 now)"
    reminders.get_by_label("A note to add (optional)").fill(
        "The course was due yesterday: please finish it this week.")
    expect(reminders.get_by_label("Now", exact=True)).to_be_checked()
    submit(page, reminders.get_by_role("button", name="Send or schedule the reminder"))
    assert "The reminder is on its way to the members it is for." in page.content()
    sent = page.locator("table", has=page.locator("caption", has_text="Reminders of this course"))
    expect(sent.locator("tbody tr")).to_have_count(1)
    assert "28 people" in sent.locator("tbody tr").inner_text()

    smtp_server.wait_for(before + 28)
    smtp_server.wait_for(before + 29, timeout=0.5)  # a 29th would have come with them
    reminded = smtp_server.received[before:]
    assert len(reminded) == 28, [m.recipients for m in reminded]
    assert sorted(r for m in reminded for r in m.recipients) == others
    assert not set(finishers) & {r for m in reminded for r in m.recipients}
    for message in reminded:
        _link_with(message.message, "/reminders/off/")
        assert "The course was due yesterday: please finish it this week." in message.text
    office.close()
