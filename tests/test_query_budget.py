"""Main pages run a fixed number of SQL statements, however much content there is."""
from __future__ import annotations

from tests.fixtures.app import post_form


def _count(client, url, query_counter) -> int:
    with query_counter() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_pages_do_not_grow_with_content(shipped_courses, learner_client, query_counter):
    for slug in shipped_courses:
        post_form(learner_client, f"/courses/{slug}/enrol")
    budgets = {"/": 3, "/dashboard": 5, "/courses/tip-adjudication-for-judges": 8}
    for url, budget in budgets.items():
        count = _count(learner_client, url, query_counter)
        assert count <= budget, (url, count)
    # Course pages cost the same whatever their number of lessons, the first time (the
    # worker reads the outline) and afterwards (it holds it until the next publish).
    cold, warm = (_count(learner_client, "/courses/non-punishment-principle", query_counter)
                  for _ in range(2))
    large = _count(learner_client, "/courses/tip-adjudication-for-judges", query_counter)
    assert warm == large and cold == warm + 3  # the outline (2) and the quiz list


def test_staff_pages_do_not_grow_with_courses(shipped_courses, tiny_course, admin_client,
                                              query_counter):
    # Four courses now; each page must cost the same as it would with one.
    for url, budget in {"/teach/": 6, "/admin/certificates": 8}.items():
        count = _count(admin_client, url, query_counter)
        assert count <= budget, (url, count)


def test_a_translated_course_costs_one_query_more_once(shipped_courses, app, make_user,
                                                       query_counter):
    """A learner reading in Thai: the translations of every course come in one query,
    held in the worker like the outline, so listings do not grow with courses."""
    from tests.fixtures.users import login

    client = app.test_client()
    login(client, make_user(locale="th"))
    for slug in shipped_courses:
        post_form(client, f"/courses/{slug}/enrol")
    lesson = "/courses/non-punishment-principle/lessons/why-it-matters?note=read"
    budgets = {"/": 3, "/dashboard": 5, "/courses/non-punishment-principle": 8, lesson: 8}
    assert _count(client, "/", query_counter) <= budgets["/"] + 1  # cold: all in one query
    for url, budget in budgets.items():
        count = _count(client, url, query_counter)
        assert count <= budget, (url, count)
    from lms.core.page_cache import changed
    changed()  # a publish: the worker reads the translations again, once
    from lms.core.db import db
    db.session.commit()
    assert _count(client, "/", query_counter) <= budgets["/"] + 1
    assert _count(client, "/dashboard", query_counter) <= budgets["/dashboard"]
