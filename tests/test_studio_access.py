"""Every studio route, tried by every kind of person: anonymous, a learner, an instructor
of another course, the course's grader, editor and owner, and an admin."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.catalog.models import Course
from lms.content import publish
from lms.content.models import ContentImport
from lms.core.db import db
from tests.fixtures.app import post_form
from tests.fixtures.users import login, make_staff
from tests.test_studio import build_course

# endpoint → who may use it: "site" any instructor, "view" any staff, "edit" owner or
# editor, "publish" owner, "admin" admins only, "own" only the person who uploaded.
RULES = {
    "index": "site", "instruments": "site", "new_course": "site", "import_course": "site",
    "add_instrument_view": "admin",
    "course": "view", "owner": "edit", "versions_list": "view", "compare": "view",
    "preview_course": "view", "preview_lesson": "view", "preview_question": "view",
    "export_zip": "view", "export_questions": "view", "staff": "view", "translations": "view",
    "publish_course": "publish", "rollback": "publish", "take_over": "publish",
    "apply_import": "own", "apply_question_import": "own",
}
VALUES = {"slug": "labour-101", "kind": "quiz", "key": "final", "lesson": "lesson-1",
          "module": "module-1", "number": 1, "format": "xml", "locale": "th"}
KEY_FOR = {"question": "q-single", "duplicate_question": "q-single",
           "move_question": "q-single", "preview_question": "q-single",
           "remove_question": "q-single", "quiz_settings": "final",
           "export_questions": "extra", "import_questions": "extra"}
QUERY = {"new_question": {"type": "single"}, "compare": {"old": 1, "new": "draft"}}
ROLES = ("anonymous", "learner", "other_instructor", "grader", "editor", "owner", "admin")
ALLOWED = {"site": {"other_instructor", "grader", "editor", "owner", "admin"},
           "view": {"grader", "editor", "owner", "admin"},
           "edit": {"editor", "owner", "admin"}, "publish": {"owner", "admin"},
           "admin": {"admin"}, "own": {"owner"}}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("studio."):
            continue
        name = rule.endpoint.split(".", 1)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield name, method, rule


def _url(app, name, rule, import_id):
    values = {k: v for k, v in VALUES.items() if k in rule.arguments}
    if "key" in rule.arguments:
        values["key"] = KEY_FOR.get(name, "final")
        if name in ("export_questions", "import_questions"):
            values.pop("kind", None)
    if "kind" in rule.arguments and name in ("new_question",):
        values["key"] = "final"
    if "import_id" in rule.arguments:
        values["import_id"] = import_id
    values.update(QUERY.get(name, {}))
    with app.test_request_context():
        from flask import url_for
        return url_for(f"studio.{name}", **values)


@pytest.fixture
def studio_world(app, make_user):
    people = {role: make_user(role) for role in ("learner", "admin")}
    for role in ("owner", "editor", "grader", "other_instructor"):
        people[role] = make_user("instructor")
    from tests.fixtures.app import IsolatedClient  # noqa: F401
    client = app.test_client()
    login(client, people["owner"])
    build_course(client)
    course = db.session.scalar(sa.select(Course).where(Course.slug == "labour-101"))
    post_form(client, "/studio/labour-101/banks", {"name": "extra"})
    make_staff(people["editor"], course, "editor")
    make_staff(people["grader"], course, "grader")
    other = publish.create_course("other-course", "Other", owner_id=people[
        "other_instructor"].id, actor_id=None)
    pending = ContentImport(user_id=people["owner"].id, course_id=course.id, kind="questions",
                            payload={"owner": "bank:extra", "questions": []})
    db.session.add(pending)
    db.session.commit()
    assert other.id != course.id
    return people, pending.id


def test_every_studio_route_answers_each_person_as_their_role_allows(app, studio_world):
    people, import_id = studio_world
    wrong = []
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, people[role])
        for name, method, rule in _routes(app):
            url = _url(app, name, rule, import_id)
            response = client.get(url) if method == "GET" else post_form(client, url, {})
            status = response.status_code
            rule_name = RULES.get(name, "edit")
            if (name, method) == ("staff", "POST"):
                rule_name = "publish"  # managing staff: the owner
            if role == "anonymous":
                ok = status == 302 and "/login" in response.headers["Location"]
            elif role == "learner":
                ok = status == 403
            elif role in ALLOWED[rule_name]:
                ok = status not in (403, 404, 405, 500)
            elif rule_name in ("site", "admin"):
                ok = status == 403
            elif role == "other_instructor" or rule_name == "own":
                ok = status == 404  # another course's staff learn nothing about it
            else:
                ok = status == 403
            if not ok:
                wrong.append(f"{role} {method} {url} → {status}")
    assert not wrong, "\n".join(wrong)
