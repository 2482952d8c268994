"""The audit viewer: filters, paging, the safe CSV, append-only routes, access, budgets."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.core.db import utcnow
from tests.fixtures.users import login

NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


def _event(db, action: str, *, actor: User | None = None, target_type: str = "user",
           target_id: int | None = None, at: datetime | None = None, data=None,
           ip: str | None = None) -> AuditEvent:
    event = AuditEvent(action=action, actor_id=actor.id if actor else None,
                       target_type=target_type, target_id=target_id, at=at or utcnow(),
                       data=data or {}, ip=ip)
    db.session.add(event)
    db.session.commit()
    return event


def _many(db, count: int, action: str = "test.bulk", **values) -> None:
    now = utcnow()
    db.session.execute(sa.insert(AuditEvent), [
        {"action": action, "actor_id": None, "target_type": "thing", "target_id": n,
         "at": now, "data": {"n": n}, "ip": None, **values} for n in range(count)])
    db.session.commit()


def _page(client, query: str = "") -> str:
    response = client.get(f"/admin/audit{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"n: (\d+)", html)]


def test_filters_by_who_what_and_target(db, admin_client, admin, make_user):
    clerk = make_user("admin", email="clerk@example.org", name="Clerk")
    learner = make_user(email="learner@example.org", name="Somchai")
    _event(db, "user.role_changed", actor=clerk, target_id=learner.id, data={"n": 1})
    _event(db, "certificate.revoked", actor=clerk, target_type="certificate", target_id=7,
           data={"n": 2})
    _event(db, "certificate.revoked", actor=admin, target_type="certificate", target_id=8,
           data={"n": 3})
    _event(db, "auth.login_succeeded", actor=learner, target_id=learner.id, data={"n": 4})
    assert sorted(_numbers(_page(admin_client, "?who=CLERK@example.org"))) == [1, 2]
    assert sorted(_numbers(_page(admin_client, "?action=certificate.revoked"))) == [2, 3]
    assert _numbers(_page(admin_client, "?target_type=certificate&target_id=8")) == [3]
    assert sorted(_numbers(_page(admin_client, f"?target_type=user&target_id={learner.id}"))
                  ) == [1, 4]
    assert _numbers(_page(admin_client, "?who=nobody@example.org")) == []
    both = _page(admin_client, "?who=clerk@example.org&action=certificate.revoked")
    assert _numbers(both) == [2]
    # The action and target lists are the distinct values in the log.
    everything = _page(admin_client)
    for action in ("auth.login_succeeded", "certificate.revoked", "user.role_changed"):
        assert f'<option value="{action}">' in everything
    assert '<option value="certificate">' in everything
    assert "Somchai" in everything and "clerk@example.org" in everything  # names shown


def test_days_are_the_admins_days(db, admin_client, admin):
    admin.timezone = "Asia/Bangkok"  # UTC+7
    db.session.commit()
    late = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)  # 2 March, 01:30 in Bangkok
    _event(db, "test.late", at=late, data={"n": 1})
    _event(db, "test.early", at=late - timedelta(hours=2), data={"n": 2})  # 1 March 23:30
    assert _numbers(_page(admin_client, "?since=2026-03-02&until=2026-03-02")) == [1]
    assert _numbers(_page(admin_client, "?since=2026-03-01&until=2026-03-01")) == [2]
    assert sorted(_numbers(_page(admin_client, "?until=2026-03-02"))) == [1, 2]
    swapped = _page(admin_client, "?since=2026-03-02&until=2026-03-01")
    assert sorted(_numbers(swapped)) == [1, 2]
    html = _page(admin_client, "?since=2026-03-02")
    assert "Asia/Bangkok" in html and "1:30" in html  # shown in the admin's zone
    bad = _page(admin_client, "?since=yesterday&target_id=abc&after=x")
    assert "Write dates as YYYY-MM-DD." in bad and "A target id is a whole number." in bad
    assert sorted(_numbers(bad)) == [1, 2]
    for edge in ("until=9999-12-31", "since=0001-01-01", "since=2026-02-30"):
        assert "Write dates as YYYY-MM-DD." in _page(admin_client, f"?{edge}"), edge


def test_paging_reads_every_event_once_newest_first(db, admin_client):
    _many(db, 120)
    seen, url, pages = [], "/admin/audit?action=test.bulk", 0
    while url:
        html = admin_client.get(url).get_data(as_text=True)
        pages += 1
        seen += _numbers(html)
        link = NEXT.search(html)
        url = link.group(1).replace("&amp;", "&") if link else None
        assert url is None or "action=test.bulk" in url
    assert pages == 3 and seen == list(range(119, -1, -1))


def test_the_csv_export_is_filtered_streamed_and_formula_safe(db, admin_client, make_user):
    hostile = make_user(name='=HYPERLINK("http://evil.example","click")',
                        email="hostile@example.org")
    _event(db, "user.name_changed", actor=hostile, target_id=hostile.id, ip="+1 cmd",
           data={"to": "=1+1", "reason": "<b>x</b>"})
    _event(db, "other.thing", actor=hostile, target_type="course", target_id=3)
    response = admin_client.get("/admin/audit.csv?action=user.name_changed", buffered=True)
    assert response.status_code == 200
    assert "Content-Length" not in response.headers  # streamed: the length is not known
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[:3] == ["Event", "Time (UTC)", "Time (Asia/Bangkok)"] and len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Actor name"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row["Address"] == "'+1 cmd" and row["Action"] == "user.name_changed"
    assert '"to": "=1+1"' in row["Details"] and row["Details"].startswith("{")
    for cell in rows[0]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_a_days_export_is_named_for_it(db, admin_client):
    _event(db, "test.day", at=datetime(2026, 5, 4, 12, tzinfo=UTC), data={"n": 1})
    _event(db, "test.day", at=datetime(2026, 5, 5, 12, tzinfo=UTC), data={"n": 2})
    response = admin_client.get("/admin/audit.csv?since=2026-05-04&until=2026-05-04",
                                buffered=True)
    assert "audit-2026-05-04.csv" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2 and '""n"": 1' in lines[1]
    page = _page(admin_client, "?since=2026-05-04&until=2026-05-04")
    assert "/admin/audit.csv?since=2026-05-04&amp;until=2026-05-04" in page


def test_the_log_stays_append_only(app, db, admin_client):
    event = _event(db, "test.kept")
    endpoints = {rule.endpoint: rule.methods for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/admin/audit")}
    assert set(endpoints) == {"accounts.admin_audit", "accounts.admin_audit_csv"}
    assert all(methods <= {"GET", "HEAD", "OPTIONS"} for methods in endpoints.values())
    for method in ("post", "put", "delete", "patch"):
        assert getattr(admin_client, method)("/admin/audit").status_code == 405
        assert getattr(admin_client, method)(f"/admin/audit/{event.id}").status_code == 404
    assert db.session.get(AuditEvent, event.id) is not None


def test_hostile_values_are_shown_as_text(db, admin_client, malicious_user):
    hostile = malicious_user.user
    _event(db, "user.name_changed", actor=hostile, target_id=hostile.id,
           data={"to": "<img src=x onerror=alert(1)>"}, ip="<b>ip</b>")
    html = _page(admin_client)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<script>alert("x")</script>' not in html and "&lt;script&gt;" in html
    assert "<b>ip</b>" not in html
    query = _page(admin_client, "?who=%3Cscript%3E&action=%3Cb%3E")
    assert "<b>" not in query.split("<main", 1)[1]


@pytest.mark.parametrize("role", [None, "learner", "instructor"])
def test_only_admins_see_the_log(app, db, make_user, role):
    client = app.test_client()
    if role:
        login(client, make_user(role))
    for url in ("/admin/audit", "/admin/audit.csv"):
        response = client.get(url)
        if role is None:
            assert response.headers["Location"].startswith("/login?next="), url
        else:
            assert response.status_code == 403, url


def test_the_viewer_costs_the_same_statements_at_any_size(db, admin_client, admin,
                                                          query_counter):
    def counts() -> list[int]:
        found = []
        for url in ("/admin/audit", "/admin/audit?action=test.bulk",
                    f"/admin/audit?who={admin.email}&since=2026-01-01",
                    "/admin/audit?target_type=thing&target_id=3", "/admin/audit?after=40",
                    "/admin/audit.csv?action=test.bulk"):
            with query_counter() as statements:
                response = admin_client.get(url, buffered=True)
                assert response.status_code == 200, url
            found.append(len(statements))
        return found

    _many(db, 5)
    _many(db, 5, action="test.other", actor_id=admin.id)
    few = counts()
    _many(db, 45)
    _many(db, 45, action="test.other", actor_id=admin.id)
    _many(db, 3, action="test.third")
    assert counts() == few
