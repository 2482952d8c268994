"""Answers for the programme's reports: the Washington Group rule, registration and the
profile saving them (and the derived status), hostile values, the consent text, and the
M&E officer role (admin pages, audit, CLI, menu)."""
from __future__ import annotations

import html
import itertools
import re

import pytest
import sqlalchemy as sa

from lms.accounts.demographics import (
    AGE_BANDS,
    AGENCY_LEVELS,
    WG_ANSWERS,
    WG_COLUMNS,
    WG_QUESTIONS,
    disability_status,
)
from lms.accounts.models import User
from lms.core.audit import AuditEvent
from tests.fixtures.app import post_form
from tests.fixtures.mail import path_of
from tests.fixtures.users import login

REGISTRATION = {"name": "Nguyễn Thị Hoa", "email": "hoa@example.org",
                "password": "a long enough passphrase", "confirm": "a long enough passphrase",
                "sex": "female", "country": "VN", "sector": "police",
                "organisation": "Hanoi Police"}
PROFILE = {"name": "สมชาย ใจดี", "organisation": "Court of Appeal", "country": "TH",
           "sector": "judiciary", "sex": "male"}
ANSWERS = {"agency_level": "provincial", "age_band": "35_44", "wg_seeing": "some_difficulty",
           "wg_hearing": "no_difficulty", "wg_walking": "no_difficulty",
           "wg_remembering": "no_difficulty", "wg_selfcare": "no_difficulty",
           "wg_communicating": "a_lot"}
CONSENT = ("used only for the programme's reports to ASEAN bodies and to its funder",
           "counts of at least 5 people", "never with your name or email",
           "administrators can see your individual answers",
           "change them at any time on your profile")


def _user(db, email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _wg(**answers) -> dict[str, str | None]:
    return {column: answers.get(column.removeprefix("wg_")) for column in WG_COLUMNS}


# --- the Washington Group rule ---------------------------------------------------------

def test_the_questions_keep_the_washington_groups_wording_and_order():
    assert [str(label) for _column, label in WG_QUESTIONS] == [
        "Do you have difficulty seeing, even if wearing glasses?",
        "Do you have difficulty hearing, even if using a hearing aid?",
        "Do you have difficulty walking or climbing steps?",
        "Do you have difficulty remembering or concentrating?",
        "Do you have difficulty with self-care, such as washing all over or dressing?",
        "Using your usual language, do you have difficulty communicating, for example "
        "understanding or being understood?"]
    assert [(key, str(label)) for key, label in WG_ANSWERS] == [
        ("no_difficulty", "No – no difficulty"), ("some_difficulty", "Yes – some difficulty"),
        ("a_lot", "Yes – a lot of difficulty"), ("cannot", "Cannot do at all"),
        ("undisclosed", "Prefer not to say")]
    for choices in (AGENCY_LEVELS, AGE_BANDS):
        assert choices[-1][0] == "undisclosed"


@pytest.mark.parametrize("answers, status", [
    (_wg(), None),
    ({}, None),
    (_wg(seeing=""), None),
    (dict.fromkeys(WG_COLUMNS, "no_difficulty"), "no"),
    (dict.fromkeys(WG_COLUMNS, "some_difficulty"), "no"),
    ({**dict.fromkeys(WG_COLUMNS, "no_difficulty"), "wg_walking": "some_difficulty"}, "no"),
    ({**dict.fromkeys(WG_COLUMNS, "no_difficulty"), "wg_hearing": "a_lot"}, "yes"),
    ({**dict.fromkeys(WG_COLUMNS, "no_difficulty"), "wg_selfcare": "cannot"}, "yes"),
    (_wg(communicating="cannot"), "yes"),  # one answer is enough to count a disability
    (_wg(seeing="a_lot", hearing="undisclosed"), "yes"),
    (dict.fromkeys(WG_COLUMNS, "undisclosed"), "undisclosed"),
    # Five "no difficulty" and one withheld: the withheld one might not be.
    ({**dict.fromkeys(WG_COLUMNS, "no_difficulty"), "wg_seeing": "undisclosed"},
     "undisclosed"),
    ({**dict.fromkeys(WG_COLUMNS, "some_difficulty"), "wg_remembering": None},
     "undisclosed"),
    (_wg(seeing="no_difficulty"), "undisclosed"),
    (_wg(seeing="undisclosed"), "undisclosed"),
    (_wg(seeing="some_difficulty", hearing="undisclosed"), "undisclosed"),
])
def test_disability_status(answers, status):
    assert disability_status(answers) == status


def test_disability_status_over_every_combination_of_two_domains():
    keys = [key for key, _label in WG_ANSWERS] + [None]
    for first, second in itertools.product(keys, repeat=2):
        others = "no_difficulty"
        answers = {**dict.fromkeys(WG_COLUMNS, others), "wg_seeing": first,
                   "wg_hearing": second}
        expected = ("yes" if {first, second} & {"a_lot", "cannot"} else
                    "no" if {first, second} <= {"no_difficulty", "some_difficulty"} else
                    "undisclosed")
        assert disability_status(answers) == expected, (first, second)


# --- registration and profile ------------------------------------------------------------

def test_registration_saves_every_answer_and_the_derived_status(db, client, outbox):
    response = post_form(client, "/register", {**REGISTRATION, **ANSWERS})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    user = _user(db, "hoa@example.org")
    assert {name: getattr(user, name) for name in ANSWERS} == ANSWERS
    assert user.disability == "yes"
    # The answers survive confirming the address.
    post_form(client, path_of(outbox.last_link("hoa@example.org")))
    assert _user(db, "hoa@example.org").disability == "yes"


def test_registration_without_the_optional_answers(db, client, outbox):
    assert post_form(client, "/register", REGISTRATION).status_code == 302
    user = _user(db, "hoa@example.org")
    assert (user.agency_level, user.age_band, user.wg_seeing, user.disability) == \
        (None, None, None, None)
    post_form(client, "/register", {**REGISTRATION, "agency_level": "", "age_band": "",
                                    "wg_hearing": "no_difficulty"})
    assert _user(db, "hoa@example.org").disability == "undisclosed"


@pytest.mark.parametrize("field, value", [
    ("agency_level", "federal"), ("age_band", "'; DROP TABLE users; --"),
    ("wg_seeing", "maybe"), ("wg_communicating", "<script>alert(1)</script>"),
    ("wg_selfcare", "x" * 10_000), ("age_band", "no_difficulty"),
])
def test_registration_refuses_an_unlisted_answer(db, client, outbox, field, value):
    response = post_form(client, "/register", {**REGISTRATION, **ANSWERS, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose one of the listed answers" in page
    assert "<script>alert(1)</script>" not in page
    assert _user(db, "hoa@example.org") is None
    assert outbox.to("hoa@example.org") == []


def test_the_profile_shows_the_answers_and_changes_the_status(db, learner_client, learner):
    page = learner_client.get("/account").get_data(as_text=True)
    assert "Not answered" in page
    assert not re.search(r'name="wg_\w+"[^>]*checked', page)  # nothing chosen for them
    for name in ("agency_level", "age_band"):  # "Choose…" first, no answer selected
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page).group(1)
        assert select.startswith('<option value="">Choose…</option>')
        assert "selected" not in select
    assert post_form(learner_client, "/account/profile",
                     {**PROFILE, **ANSWERS}).status_code == 302
    assert _user(db, learner.email).disability == "yes"
    page = learner_client.get("/account").get_data(as_text=True)
    assert "With a disability" in page
    assert re.search(r'<input checked id="wg_communicating-2"[^>]*value="a_lot"', page)
    assert '<option selected value="provincial">' in page
    fewer = {**ANSWERS, "wg_communicating": "some_difficulty"}
    assert post_form(learner_client, "/account/profile", {**PROFILE, **fewer}).status_code == 302
    me = _user(db, learner.email)
    assert (me.wg_communicating, me.disability) == ("some_difficulty", "no")
    withheld = {**fewer, "wg_walking": "undisclosed", "age_band": "undisclosed"}
    post_form(learner_client, "/account/profile", {**PROFILE, **withheld})
    me = _user(db, learner.email)
    assert (me.age_band, me.disability) == ("undisclosed", "undisclosed")
    assert "Not disclosed" in learner_client.get("/account").get_data(as_text=True)


def test_a_bad_profile_answer_changes_nothing(db, learner_client, learner):
    post_form(learner_client, "/account/profile", {**PROFILE, **ANSWERS})
    for field, value in (("wg_hearing", "cannot hear"), ("agency_level", "national "),
                         ("age_band", "18_24"), ("wg_seeing", "A\x00B")):
        response = post_form(learner_client, "/account/profile",
                             {**PROFILE, "organisation": "Changed", **ANSWERS, field: value,
                              "wg_communicating": "no_difficulty"})
        assert response.status_code in (400, 422), field
        if response.status_code == 422:
            assert "Choose one of the listed answers" in response.get_data(as_text=True)
    me = _user(db, learner.email)
    assert (me.organisation, me.wg_communicating, me.disability) == \
        ("Court of Appeal", "a_lot", "yes")


def test_the_service_checks_answers_too(db, learner):
    from lms.accounts.profile import update_profile
    from lms.core.errors import DomainError

    with pytest.raises(DomainError):
        update_profile(learner, **PROFILE, answers={**ANSWERS, "wg_hearing": "loud"})
    db.session.rollback()
    assert _user(db, learner.email).wg_hearing is None


def test_why_and_who_sees_it_are_on_both_pages(db, client, learner_client):
    for page in (client.get("/register").get_data(as_text=True),
                 learner_client.get("/account").get_data(as_text=True)):
        page = html.unescape(page)
        assert "About you, for the programme's reports" in page
        for text in CONSENT:
            assert text in page, text
        assert "Washington Group Short Set" in page
        assert "national, provincial and local officials" in page
        assert "Do you have difficulty walking or climbing steps?" in page
        assert page.count('<fieldset class="question') == 6
        assert "<table" not in page  # the form reflows on a phone


def test_the_threshold_in_the_text_follows_the_setting(app, db, client):
    old = app.config.get("REPORT_MIN_CELL")
    app.config["REPORT_MIN_CELL"] = 10
    try:
        page = client.get("/register").get_data(as_text=True)
    finally:
        app.config["REPORT_MIN_CELL"] = old
    assert "counts of at least 10 people" in page


# --- the M&E officer role -------------------------------------------------------------

def test_an_admin_gives_the_me_officer_role_and_it_is_audited(db, admin_client, admin,
                                                              make_user):
    person = make_user("learner", email="analyst@example.org")
    listing = admin_client.get("/admin/users").get_data(as_text=True)
    assert '<option value="me_officer">M&amp;E officer</option>' in listing
    response = post_form(admin_client, f"/admin/users/{person.id}/role",
                         {"role": "me_officer"})
    assert response.status_code == 302
    assert _user(db, "analyst@example.org").role == "me_officer"
    [event] = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "user.role_changed", AuditEvent.target_id == person.id))
    assert (event.actor_id, event.data) == (admin.id, {"from": "learner", "to": "me_officer"})
    assert "is now M&amp;E officer" in admin_client.get("/admin/users").get_data(as_text=True)
    filtered = admin_client.get("/admin/users?role=me_officer").get_data(as_text=True)
    assert "analyst@example.org" in filtered and admin.email not in filtered
    assert '<option value="me_officer" selected>' in filtered
    person_page = admin_client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert re.search(r'<option value="me_officer" selected>M&(amp;)?E officer</option>',
                     person_page)


def test_an_unknown_role_is_refused(db, admin_client, make_user):
    person = make_user("learner")
    post_form(admin_client, f"/admin/users/{person.id}/role", {"role": "me"})
    assert _user(db, person.email).role == "learner"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "user.role_changed")) == 0


def test_the_cli_creates_an_me_officer(runner, db):
    result = runner.invoke(args=["users", "create", "--email", "me@example.org", "--name",
                                 "Monitoring Officer", "--role", "me_officer",
                                 "--password-stdin"], input="a very long passphrase\n")
    assert result.exit_code == 0, result.output
    assert _user(db, "me@example.org").role == "me_officer"
    bad = runner.invoke(args=["users", "create", "--email", "x@example.org", "--name", "X",
                              "--role", "auditor", "--password-stdin"],
                        input="a very long passphrase\n")
    assert bad.exit_code != 0 and _user(db, "x@example.org") is None


def test_the_menu_of_an_me_officer(app, db, make_user, learner_client):
    officer = make_user("me_officer")
    client = app.test_client()
    login(client, officer)
    page = client.get("/").get_data(as_text=True)
    for staff_only in ("/teach", "/cohorts", ">Admin<"):
        assert staff_only not in page, staff_only
    if "reporting.me_report" in app.view_functions:
        with app.test_request_context():
            from flask import url_for
            link = url_for("reporting.me_report")
        assert f'href="{link}">Reports</a>' in page
    else:
        assert ">Reports</a>" not in page
    assert ">Reports</a>" not in learner_client.get("/").get_data(as_text=True)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [360, 1280])
def test_registration_with_the_answers_in_a_browser(db, live_server, browser, outbox, width,
                                                    tmp_path):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server + "/register")
    for label, value in (("Full name, exactly as it should appear on your certificates",
                          REGISTRATION["name"]), ("Email", REGISTRATION["email"]),
                         ("Password", REGISTRATION["password"]),
                         ("Repeat the password", REGISTRATION["confirm"])):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Sex", exact=True).select_option("female")
    page.get_by_label("Country where you work").select_option("VN")
    page.get_by_label("Sector", exact=True).select_option("police")
    page.get_by_label("Level of the agency you work for").select_option("local")
    page.get_by_label("Age", exact=True).select_option("25_34")
    # Each question is a group named by its legend; its answers are labelled radios.
    for _column, question in WG_QUESTIONS:
        group = page.get_by_role("group", name=str(question))
        group.get_by_label("No – no difficulty").check()
    page.get_by_role("group", name=str(WG_QUESTIONS[1][1])).get_by_label(
        "Cannot do at all").check()
    page.screenshot(path=str(tmp_path / f"register-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    assert page.url.endswith("/register/sent")
    user = _user(db, "hoa@example.org")
    assert (user.agency_level, user.age_band, user.wg_hearing, user.disability) == \
        ("local", "25_34", "cannot", "yes")
    context.close()
