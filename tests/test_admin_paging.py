"""Admin lists are paged by key and cost the same number of statements at any size."""
from __future__ import annotations

import re

import sqlalchemy as sa

from lms.certification.models import Certificate
from lms.certification.services import IssueContext, TemplateInfo, issue_next_batch
from lms.core.db import utcnow
from tests.bulk import completed_learners
from tests.fixtures.app import post_form


def _walk(client, url: str) -> tuple[list[str], int]:
    """Follow "Next page" from `url` to the end; the bulk learners seen, pages read."""
    seen, pages = [], 0
    while url:
        page = client.get(url).get_data(as_text=True)
        pages += 1
        seen += re.findall(r"(bulk\d+)@example\.org", page)
        link = re.search(r'<a rel="next" href="([^"]+)"', page)
        url = link.group(1).replace("&amp;", "&") if link else None
    return seen, pages


def test_the_ready_list_pages_through_everyone_once(db, tiny_course, admin_client):
    completed_learners(tiny_course, 120)
    index = admin_client.get("/admin/certificates").get_data(as_text=True)
    assert "120 people are ready" in index and "Issue to all 120 ready" in index
    assert "bulk1@example.org" not in index  # counted there, listed on its own page
    seen, pages = _walk(admin_client, "/admin/courses/tiny-course/certificates/ready")
    assert pages == 3 and sorted(seen) == sorted(f"bulk{n}" for n in range(120))
    first = admin_client.get("/admin/courses/tiny-course/certificates/ready?after=abc")
    assert first.status_code == 200  # a bad cursor is the first page, not an error


def test_issued_certificates_and_people_are_paged(db, tiny_course, admin_client, admin):
    completed_learners(tiny_course, 70)
    context = IssueContext(actor_id=admin.id, prefix="CoE", base_url="https://lms.example.org",
                           template=TemplateInfo("default", "2"))
    issue_next_batch(tiny_course.id, utcnow(), context, limit=1000)
    db.session.commit()
    page = admin_client.get("/admin/certificates").get_data(as_text=True)
    newest = db.session.scalar(sa.select(Certificate.serial).order_by(Certificate.id.desc()))
    assert newest in page and page.count("/certificates/CoE-") == 50
    follow = re.search(r'<a rel="next" href="([^"]+)"', page).group(1)
    rest = admin_client.get(follow).get_data(as_text=True)
    assert rest.count("/certificates/CoE-") == 20 and 'rel="next"' not in rest
    people, pages = _walk(admin_client, "/admin/users")
    assert pages == 2 and len(set(people)) == 70


def test_admin_pages_cost_the_same_statements_at_any_size(db, tiny_course, admin_client,
                                                         query_counter):
    urls = ["/admin/certificates", "/admin/users",
            "/admin/courses/tiny-course/certificates/ready"]

    def counts() -> list[int]:
        result = []
        for url in urls:
            with query_counter() as statements:
                assert admin_client.get(url).status_code == 200
            result.append(len(statements))
        return result

    completed_learners(tiny_course, 5, prefix="few")
    few = counts()
    completed_learners(tiny_course, 300, prefix="many")
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    completed_learners(tiny_course, 200, prefix="more")
    assert counts() == few
