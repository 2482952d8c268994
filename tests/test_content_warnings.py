"""A test that can show a case scenario describing violence says so on its page, before
it starts; one that cannot, does not."""
from __future__ import annotations

from tests.fixtures.app import post_form


def test_a_final_test_warns_before_distressing_case_scenarios(shipped_courses,
                                                               learner_client):
    for slug in shipped_courses:
        post_form(learner_client, f"/courses/{slug}/enrol")
        final = learner_client.get(f"/courses/{slug}/quizzes/final").get_data(as_text=True)
        assert 'class="note content-warning"' in final, slug
        assert 'href="/support"' in final.split("content-warning", 1)[1][:600], slug
    pre = learner_client.get("/courses/non-punishment-principle/quizzes/pre").get_data(
        as_text=True)
    assert "content-warning" not in pre  # its questions describe no violence


def test_every_vignette_that_describes_violence_opens_with_a_content_note():
    import re

    from lms.content.loader import load_catalogue
    from tests.fixtures.courses import SHIPPED
    from tests.test_shipped_courses import SENSITIVE

    courses, _shared, errors = load_catalogue(SHIPPED)
    assert errors == []
    missing = []
    for course in courses:
        for question in [q for b in course.banks for q in b.questions] + [
                q for quiz in course.quizzes for q in quiz.questions]:
            vignette = question.spec.get("vignette", "") if question.type == "scenario" else ""
            if SENSITIVE.search(vignette) and not re.match(r"\s*\*\*Content note:\*\*",
                                                           vignette):
                missing.append(f"{course.slug}/{question.key}")
    assert missing == []
