"""The admin people pages: search, filters, paging, deactivation, edits, access, budgets."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.tokens import issue_token
from lms.certification.services import IssueContext, TemplateInfo, issue_next_batch
from lms.core.audit import AuditEvent, record_event
from lms.core.db import utcnow
from lms.learning.cohorts import Cohort, CohortMember
from tests.bulk import completed_learners
from tests.fixtures.app import post_form
from tests.fixtures.users import PASSWORD, login

NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


def _people(db, count: int, prefix: str = "many", **values) -> list[int]:
    """`count` people straight into the table (no password hashing); their ids."""
    now = utcnow()
    rows = [{"email": f"{prefix}{n}@example.org", "name": f"{prefix.title()} Person {n}",
             "role": "learner", "password_hash": "x", "country": "TH", "sector": "police",
             "sex": "male", "active": True, "session_version": 1, "created_at": now,
             **values} for n in range(count)]
    db.session.execute(sa.insert(User), rows)
    db.session.commit()
    return list(db.session.scalars(sa.select(User.id).where(User.email.like(f"{prefix}%"))))


def _emails(html: str) -> set[str]:
    return set(re.findall(r"[\w.+-]+@example\.org", html))


def _list(client, query: str = "") -> str:
    response = client.get(f"/admin/users{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_matches_name_email_organisation_and_country(db, admin_client, make_user):
    make_user(name="Đặng Văn Lâm", email="lam@example.org", country="VN")
    make_user(name="สมชาย ใจดี", email="somchai@example.org", country="TH",
              organisation="Office of the Judiciary")
    make_user(name="Bounmy Keo", email="bounmy@example.org", country="LA",
              organisation="Lao Women's Union")
    make_user(name="Plain Name", email="plain.DAN@example.org".lower(), country="KH")
    assert _emails(_list(admin_client, "?q=đặng")) == {"lam@example.org"}  # any case
    assert _emails(_list(admin_client, "?q=ใจดี")) == {"somchai@example.org"}  # a surname
    assert _emails(_list(admin_client, "?q=JUDICIARY")) == {"somchai@example.org"}
    assert _emails(_list(admin_client, "?q=plain.dan@")) == {"plain.dan@example.org"}
    # A country by its name or code; "Lao" also finds the union that bears it.
    assert _emails(_list(admin_client, "?q=viet")) == {"lam@example.org"}
    assert _emails(_list(admin_client, "?q=kh")) == {"plain.dan@example.org"}
    assert _emails(_list(admin_client, "?q=lao")) == {"bounmy@example.org"}
    # LIKE wildcards are text, not patterns.
    assert _emails(_list(admin_client, "?q=%25")) == set()
    assert _emails(_list(admin_client, "?q=_")) == set()
    assert "1 person matches" in _list(admin_client, "?q=bounmy")


def test_filters_role_status_sector_country_and_cohort(db, admin_client, admin, make_user):
    teacher = make_user("instructor", email="teacher@example.org", sector="ngo")
    gone = make_user(email="gone@example.org", active=False)
    make_user(email="waiting@example.org", active=False, pending_approval=True,
              accepted_at=utcnow())
    unconfirmed = make_user(email="unconfirmed@example.org", active=False)
    issue_token(unconfirmed.id, "email", timedelta(days=1), {"registration": True})
    invited = make_user(email="invited@example.org", invited_at=utcnow())
    make_user(email="accepted@example.org", invited_at=utcnow(),
              accepted_at=utcnow(), country="MY")
    cohort = Cohort(name="Thai judges, 2027, cohort 1")
    other = Cohort(name="Provincial police, Chiang Rai")
    db.session.add_all([cohort, other])
    db.session.flush()
    db.session.add_all([CohortMember(cohort_id=cohort.id, user_id=invited.id),
                        CohortMember(cohort_id=cohort.id, user_id=teacher.id),
                        CohortMember(cohort_id=other.id, user_id=gone.id)])
    db.session.commit()
    assert _emails(_list(admin_client, "?role=instructor")) == {"teacher@example.org"}
    assert _emails(_list(admin_client, "?status=deactivated")) == {"gone@example.org"}
    assert _emails(_list(admin_client, "?status=pending")) == {"waiting@example.org"}
    assert _emails(_list(admin_client, "?status=invited")) == {"invited@example.org"}
    assert _emails(_list(admin_client, "?status=unconfirmed")) == {"unconfirmed@example.org"}
    assert "Email not confirmed" in _list(admin_client, "?q=unconfirmed")
    refused = post_form(admin_client, f"/admin/users/{unconfirmed.id}/reactivate",
                        follow_redirects=True).get_data(as_text=True)
    assert "has not confirmed the email address yet" in refused
    assert not db.session.get(User, unconfirmed.id).active
    assert _emails(_list(admin_client, "?status=active")) == {
        admin.email, "teacher@example.org", "accepted@example.org"}
    assert _emails(_list(admin_client, "?sector=ngo")) == {"teacher@example.org"}
    assert _emails(_list(admin_client, "?country=MY")) == {"accepted@example.org"}
    page = _list(admin_client, f"?cohort={cohort.id}")
    assert _emails(page) == {"invited@example.org", "teacher@example.org"}
    assert "Thai judges, 2027, cohort 1" in page and "Provincial police" in page
    assert _emails(_list(admin_client, f"?cohort={cohort.id}&role=learner")) == {
        "invited@example.org"}
    # Unknown values are no filter at all, or (an id no cohort has) nobody; never a 500.
    assert len(_emails(_list(admin_client, "?role=wizard&status=x&sector=y"))) == 7
    assert _emails(_list(admin_client, "?cohort=99999")) == set()
    assert _emails(_list(admin_client, "?cohort=abc")) == set()
    assert "Invited, not accepted" in _list(admin_client, "?q=invited")


def test_paging_walks_every_match_once_keeping_the_filters(db, admin_client):
    _people(db, 120, "pol", sector="police")
    _people(db, 30, "ngo", sector="ngo")
    seen, url, pages = [], "/admin/users?sector=police&q=pol", 0
    while url:
        html = admin_client.get(url).get_data(as_text=True)
        pages += 1
        seen += sorted(_emails(html))
        link = NEXT.search(html)
        url = link.group(1).replace("&amp;", "&") if link else None
        assert url is None or ("sector=police" in url and "q=pol" in url)
    assert pages == 3 and len(seen) == len(set(seen)) == 120
    assert all(email.startswith("pol") for email in seen)
    assert "120 people match" in _list(admin_client, "?sector=police")
    assert admin_client.get("/admin/users?after=abc").status_code == 200


def test_a_broad_search_counts_no_further_than_the_cap(db, admin_client, monkeypatch):
    from lms.accounts import people

    monkeypatch.setattr(people, "COUNT_CAP", 20)
    _people(db, 30)
    assert "More than 20 people match" in _list(admin_client, "?q=many")
    assert "31 people, newest first" in _list(admin_client)  # everyone: exact


def test_deactivate_ends_sessions_and_sign_in_until_reactivated(app, db, admin_client,
                                                                admin, make_user):
    person = make_user(email="leaving@example.org")
    theirs = app.test_client()
    login(theirs, person)
    assert theirs.get("/dashboard").status_code == 200
    response = post_form(admin_client, f"/admin/users/{person.id}/deactivate")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/users/{person.id}")
    assert "/login" in theirs.get("/dashboard").headers["Location"]  # signed out at once
    refused = post_form(app.test_client(), "/login",
                        {"email": person.email, "password": PASSWORD})
    assert refused.status_code != 302
    events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.actor_id).where(
        AuditEvent.target_id == person.id, AuditEvent.action.like("user.%"))).all()
    assert events == [("user.deactivated", admin.id)]
    assert "Deactivated" in _list(admin_client, "?status=deactivated")

    post_form(admin_client, f"/admin/users/{person.id}/reactivate")
    assert db.session.get(User, person.id).active
    login(app.test_client(), person)
    assert db.session.scalar(sa.select(sa.func.count()).where(
        AuditEvent.action == "user.reactivated")) == 1
    waiting = make_user(active=False, pending_approval=True)
    html = post_form(admin_client, f"/admin/users/{waiting.id}/reactivate",
                     follow_redirects=True).get_data(as_text=True)
    assert "is waiting for approval" in html and not db.session.get(User, waiting.id).active


def test_an_admin_cannot_deactivate_themselves(db, admin_client, admin):
    response = post_form(admin_client, f"/admin/users/{admin.id}/deactivate",
                         follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).active
    assert post_form(admin_client, "/admin/users/0/deactivate").status_code == 404
    assert admin_client.post(f"/admin/users/{admin.id}/deactivate").status_code == 400


def _edit(client, person: User, **changes):
    data = {"name": person.name, "email": person.email, "organisation": "",
            "country": person.country or "", "sector": person.sector or "",
            "sex": person.sex or "", "reason": "", **changes}
    return post_form(client, f"/admin/users/{person.id}/edit", data)


def test_an_edit_with_a_reason_is_audited_with_old_and_new_values(db, admin_client, admin,
                                                                  make_user):
    person = make_user(name="Somchai Jaidee", email="somchai@example.org", country="TH")
    form = admin_client.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    assert 'value="somchai@example.org"' in form
    response = _edit(admin_client, person, name="Somchai  Jai-dee", email="SJ@Example.org",
                     organisation="Court of Appeal", sector="prosecution",
                     reason="Spelling on the passport")
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert (person.name, person.email, person.organisation, person.sector) == (
        "Somchai Jai-dee", "sj@example.org", "Court of Appeal", "prosecution")
    events = {e.action: e for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.target_id == person.id))}
    assert events["user.name_changed"].data == {
        "from": "Somchai Jaidee", "to": "Somchai Jai-dee", "reason": "Spelling on the passport"}
    updated = events["user.updated"]
    assert updated.actor_id == admin.id and updated.data == {
        "reason": "Spelling on the passport",
        "changes": {"email": {"from": "somchai@example.org", "to": "sj@example.org"},
                    "organisation": {"from": None, "to": "Court of Appeal"},
                    "sector": {"from": "judiciary", "to": "prosecution"}}}
    page = admin_client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Saved; changed: name, email, organisation, and sector." in page
    assert "user.updated" in page and "Spelling on the passport" in page
    again = _edit(admin_client, person, organisation="Court of Appeal", reason="again")
    assert again.status_code == 302
    assert "Nothing was changed." in admin_client.get(again.headers["Location"]).get_data(
        as_text=True)


def test_an_edit_without_a_reason_or_with_a_taken_email_changes_nothing(db, admin_client,
                                                                       make_user):
    person = make_user(name="Original Name", email="original@example.org")
    make_user(email="taken@example.org")
    response = _edit(admin_client, person, name="New Name", reason="   ")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Say why you are changing these details" in html
    response = _edit(admin_client, person, name="New Name", email="taken@example.org",
                     reason="merge")
    assert response.status_code == 422
    assert "Another account already uses this email address." in response.get_data(as_text=True)
    response = _edit(admin_client, person, name="\u202eevil", reason="why not")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, person.id).name == "Original Name"
    assert db.session.get(User, person.id).email == "original@example.org"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["user.updated", "user.name_changed"]))) == 0


def test_the_person_page_shows_enrolments_certificates_and_the_trail(db, tiny_course,
                                                                     admin_client, admin):
    [learner_id] = completed_learners(tiny_course, 1, prefix="done")
    context = IssueContext(actor_id=admin.id, prefix="CoE", base_url="https://lms.example.org",
                           template=TemplateInfo("default", "2"))
    issue_next_batch(tiny_course.id, utcnow(), context, limit=10)
    record_event("auth.login_succeeded", actor_id=learner_id, target_type="user",
                 target_id=learner_id)
    db.session.commit()
    html = admin_client.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    assert tiny_course.title in html and "/certificates/CoE-" in html
    assert "/admin/certificates/" in html and "/revoke" in html  # the existing action
    assert "auth.login_succeeded" in html
    assert admin_client.get("/admin/users/999999").status_code == 404


def test_a_long_trail_is_paged(db, admin_client, make_user, admin):
    person = make_user()
    for n in range(60):
        record_event("test.acted" if n % 2 else "test.acted_on", actor_id=person.id if n % 2
                     else admin.id, target_type="user", target_id=person.id if n % 2 == 0
                     else None, data={"n": n})
    record_event("test.elsewhere", actor_id=admin.id, target_type="user", target_id=admin.id)
    db.session.commit()
    first = admin_client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    follow = NEXT.search(first).group(1).replace("&amp;", "&")
    rest = admin_client.get(follow).get_data(as_text=True)
    numbers = re.findall(r"n: (\d+)", first) + re.findall(r"n: (\d+)", rest)
    assert sorted(map(int, numbers)) == list(range(60)) and "test.elsewhere" not in first


def test_hostile_input_is_shown_as_text(db, admin_client, malicious_user):
    hostile = malicious_user.user
    for url in ("/admin/users", f"/admin/users/{hostile.id}",
                f"/admin/users/{hostile.id}/edit", "/admin/users?q=%3Cscript%3E"):
        html = admin_client.get(url).get_data(as_text=True)
        assert '<script>alert("x")</script>' not in html, url
        assert "&lt;script&gt;" in html, url


@pytest.mark.parametrize("role", [None, "learner", "instructor"])
def test_only_admins_reach_the_people_pages(app, db, make_user, role):
    person = make_user(email="target@example.org")
    client = app.test_client()
    if role:
        login(client, make_user(role))
    gets = ["/admin/users", f"/admin/users/{person.id}", f"/admin/users/{person.id}/edit"]
    posts = [f"/admin/users/{person.id}/{action}" for action in ("deactivate", "reactivate",
                                                                 "edit")]
    for url in gets:
        response = client.get(url)
        if role is None:
            assert response.headers["Location"].startswith("/login?next="), url
        else:
            assert response.status_code == 403, url
    for url in posts:
        response = post_form(client, url, {"reason": "x", "name": "x", "email": "x@x.org"})
        assert response.status_code in ((302,) if role is None else (403,)), url
    db.session.expire_all()
    assert db.session.get(User, person.id).active


def test_the_role_change_returns_to_the_page_it_came_from(db, admin_client, make_user):
    person = make_user()
    back = f"/admin/users?q={person.email}"
    response = post_form(admin_client, f"/admin/users/{person.id}/role?next={back}",
                         {"role": "instructor"})
    assert response.headers["Location"] == back
    response = post_form(admin_client, f"/admin/users/{person.id}/role?next=//evil.example",
                         {"role": "learner"})
    assert response.headers["Location"] == "/admin/users"


def test_the_people_pages_cost_the_same_statements_at_any_size(db, admin_client, admin,
                                                               query_counter):
    cohort = Cohort(name="Budget cohort")
    db.session.add(cohort)
    db.session.commit()

    def counts() -> list[int]:
        found = []
        urls = ["/admin/users", "/admin/users?q=person", "/admin/users?sector=police",
                f"/admin/users?cohort={cohort.id}&status=active",
                f"/admin/users/{admin.id}", f"/admin/users/{admin.id}/edit"]
        for url in urls:
            with query_counter() as statements:
                assert admin_client.get(url).status_code == 200, url
            found.append(len(statements))
        return found

    def grow(count: int, prefix: str) -> None:
        ids = _people(db, count, prefix)
        db.session.add_all([CohortMember(cohort_id=cohort.id, user_id=i) for i in ids])
        for person_id in ids:
            record_event("test.seen", actor_id=admin.id, target_type="user",
                         target_id=person_id)
            record_event("test.did", actor_id=person_id, target_type="user",
                         target_id=admin.id)
        db.session.commit()

    grow(5, "few")
    few = counts()
    grow(45, "more")
    assert counts() == few
