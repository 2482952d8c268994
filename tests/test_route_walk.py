"""Every route, as every kind of visitor, with ids beyond the database's integer range and
with NUL bytes: a 4xx and a message, never a 500 (on SQLite and on PostgreSQL)."""
from __future__ import annotations

import re

import pytest

from tests.fixtures.app import csrf_token
from tests.fixtures.users import login

HUGE = "9999999999"  # above PostgreSQL's integer (2,147,483,647)
VALUES = {"int": HUGE, "default": "x"}


def _urls(app, value_for: dict[str, str]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule, its arguments filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = rule.rule
        for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
            value = value_for.get(converter or "default", value_for["default"])
            url = re.sub(rf"<(?:\w+(?:\([^)]*\))?:)?{name}>", value, url, count=1)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


@pytest.fixture(params=[None, "learner", "admin"])
def visitor(request, app, make_user, tiny_course):
    client = app.test_client()
    client.role = request.param
    if request.param:
        login(client, make_user(request.param))
    return client


def test_out_of_range_ids_are_404_never_500(app, visitor):
    token = csrf_token(visitor)
    for endpoint, method, url in _urls(app, {"int": HUGE, "default": "tiny-course"}):
        if "<int:" not in next(r.rule for r in app.url_map.iter_rules()
                               if r.endpoint == endpoint):
            continue
        response = visitor.open(url, method=method, data={"csrf_token": token})
        # Signed out: to the sign-in page; a learner on staff pages: 403; otherwise the
        # object does not exist.
        assert response.status_code in (302, 403, 404), (endpoint, method, url,
                                                         response.status_code)
        if visitor.role == "admin":
            assert response.status_code == 404, (endpoint, method, url)


def test_out_of_range_ids_in_form_fields_are_refused(app, make_user, tiny_course):
    client = app.test_client()
    login(client, make_user("admin"))
    for value in (HUGE, "-1", "١٢", "1e9", ""):
        response = client.post("/admin/certificates/issue",
                               data={"csrf_token": csrf_token(client), "enrolment_id": value})
        assert response.status_code == 404, (value, response.status_code)


@pytest.mark.parametrize("where", ["path", "query", "form"])
def test_nul_bytes_are_400_never_500(app, visitor, where):
    token = csrf_token(visitor)
    for endpoint, method, url in _urls(app, {"int": "1", "default": "tiny%00course"}):
        if where == "path" and "%00" not in url:
            continue
        if where != "path":
            url = url.replace("%00", "")
        query = {"next": "/\x00", "page": "1\x00"} if where == "query" else None
        data = {"csrf_token": token, "email": "a\x00@example.org", "password": "x\x00y",
                "name": "N\x00", "reason": "r\x00", "q-1": "\x00"} if where == "form" else None
        if where == "form" and method != "POST":
            continue
        response = visitor.open(url, method=method, query_string=query, data=data)
        assert response.status_code == 400, (endpoint, method, url, response.status_code)
        assert "could not be understood" in response.get_data(as_text=True)


def test_the_login_email_with_a_nul_byte_is_400(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client),
                                           "email": "admin@example.org\x00",
                                           "password": "whatever it is"})
    assert response.status_code == 400
