"""Background jobs: issue-to-all as a job with a progress page, leases, and recovery of a
worker killed with kill -9 (real worker processes: SQLite embedded, PostgreSQL + Redis)."""
from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.certification import tasks
from lms.certification.models import Certificate, CertificatePdf
from lms.certification.services import IssueContext, TemplateInfo
from lms.core import jobs
from lms.core.audit import AuditEvent
from lms.core.db import utcnow
from lms.core.jobs import Job
from tests.bulk import completed_learners
from tests.fixtures.app import ON_POSTGRES, post_form
from tests.fixtures.users import login
from tests.gunicorn import ROOT, app_env
from tests.test_config import _redis_or_skip


def _context(admin) -> IssueContext:
    return IssueContext(actor_id=admin.id, prefix="CoE", base_url="https://lms.example.org",
                        template=TemplateInfo("default", "2"))


def _count(db, model) -> int:
    db.session.rollback()  # a fresh snapshot of what other processes committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_issue_to_all_is_a_job_with_a_progress_page(db, tiny_course, admin_client, admin):
    completed_learners(tiny_course, 30)
    response = post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    job = db.session.scalar(sa.select(Job))
    assert response.headers["Location"] == f"/jobs/{job.id}"
    assert (job.kind, job.total, job.done, job.status) == (tasks.ISSUE_ALL, 30, 30, "done")
    page = admin_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'value="100"' in page and "Finished: 30 done." in page
    assert 'http-equiv="refresh"' not in page  # finished: it stops refreshing
    assert _count(db, Certificate) == 30


def test_a_running_job_page_refreshes_itself_without_scripts(db, tiny_course, admin_client,
                                                             admin, app, make_user):
    job = Job(kind=tasks.ISSUE_ALL, params={"course_id": tiny_course.id}, total=200, done=50,
              status="running", created_by_id=admin.id)
    db.session.add(job)
    db.session.commit()
    page = admin_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'value="25"' in page and "50 of 200 done" in page
    assert "<script" not in page
    other = app.test_client()
    login(other, make_user("instructor"))
    assert other.get(f"/jobs/{job.id}").status_code == 404  # someone else's job


def test_a_job_is_queued_only_if_its_transaction_commits(db, tiny_course, admin, app):
    completed_learners(tiny_course, 3)
    tasks.start_issue_all(tiny_course, _context(admin))
    db.session.rollback()  # the request failed after creating the job
    db.session.commit()
    assert _count(db, Job) == 0 and _count(db, Certificate) == 0


def test_a_live_lease_keeps_a_second_runner_out(db, tiny_course, admin):
    job = Job(kind=tasks.ISSUE_ALL, params={}, status="queued",
              lease_until=utcnow() + timedelta(minutes=1))
    db.session.add(job)
    db.session.commit()
    assert jobs.claim(job.id, "first")
    assert not jobs.claim(job.id, "second")  # the first still holds it
    db.session.get(Job, job.id).lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert jobs.claim(job.id, "second")  # the first went quiet: taken over
    db.session.expire_all()
    assert db.session.get(Job, job.id).claimed_by == "second"


def test_a_runner_that_lost_its_lease_writes_nothing(db, tiny_course, admin):
    completed_learners(tiny_course, 5)
    context = _context(admin)
    job = Job(kind=tasks.ISSUE_ALL, total=5, status="running", claimed_by="someone-else",
              lease_until=utcnow() + timedelta(minutes=1), params={
                  "course_id": tiny_course.id, "completed_before": utcnow().isoformat(),
                  "context": context.as_params()})
    db.session.add(job)
    db.session.commit()
    jobs.run_claimed(job.id, "stale-runner")
    assert _count(db, Certificate) == 0


# --- real worker processes, killed with kill -9 --------------------------------------


def _worker(database_url: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "jobs", "worker", "--threads", "2"],
        cwd=ROOT, env=app_env(database_url, **env), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _queue_issue_all(db, course, admin) -> int:
    """The job row exactly as 'Issue to all' creates it; the worker's start-up recovery
    queues it, as it would for a job whose first worker died before taking it."""
    job = Job(kind=tasks.ISSUE_ALL, total=200, status="queued", created_by_id=admin.id,
              lease_until=utcnow(), params={
                  "course_id": course.id, "completed_before": utcnow().isoformat(),
                  "context": _context(admin).as_params()})
    db.session.add(job)
    db.session.commit()
    return job.id


def _kill_mid_job_and_recover(db, database_url, course, admin, env):
    completed_learners(course, 200)
    job_id = _queue_issue_all(db, course, admin)
    env = {"LMS_ISSUE_BATCH": "10", "LMS_JOB_LEASE_SECONDS": "3", **env}
    first = _worker(database_url, env)
    try:
        _wait_for(lambda: _count(db, Certificate) >= 60, 60, "the first 60 certificates")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    stopped_at = _count(db, Certificate)
    assert 60 <= stopped_at < 200, stopped_at
    time.sleep(0.5)
    assert _count(db, Certificate) == stopped_at  # nothing runs any more
    second = _worker(database_url, env)
    try:
        _wait_for(lambda: db.session.get(Job, job_id).status == "done", 90, "the job to end")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    db.session.rollback()
    certificates = db.session.scalars(sa.select(Certificate)).all()
    assert len(certificates) == 200
    assert len({c.user_id for c in certificates}) == 200  # each learner exactly once
    numbers = sorted(int(c.serial.rsplit("-", 1)[1]) for c in certificates)
    assert numbers == list(range(1, 201))  # a killed batch gave its serials back too
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "certificate.issued")) == 200
    job = db.session.get(Job, job_id)
    assert (job.status, job.done, job.total) == ("done", 200, 200)
    # Each was rendered once, after the issuing, by whichever worker got there.
    assert db.session.scalar(sa.select(sa.func.count(CertificatePdf.certificate_id))) == 200


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="the embedded profile runs on SQLite")
def test_embedded_worker_killed_mid_issue_resumes_and_issues_each_once(
        db, database_url, tiny_course, admin, tmp_path):
    _kill_mid_job_and_recover(db, database_url, tiny_course, admin,
                              {"LMS_JOBS_FILE": str(tmp_path / "jobs.sqlite3")})


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="the scaled profile runs on PostgreSQL")
def test_scaled_worker_killed_mid_issue_resumes_and_issues_each_once(
        db, database_url, tiny_course, admin):
    redis = _redis_or_skip()
    queue = f"lms-test-{uuid.uuid4().hex[:8]}"
    try:
        _kill_mid_job_and_recover(db, database_url, tiny_course, admin, {
            "LMS_REDIS_URL": "redis://127.0.0.1:6379/0", "LMS_JOBS_QUEUE": queue})
    finally:
        for key in redis.scan_iter(f"*{queue}*"):
            redis.delete(key)


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="one profile is enough: up to a minute's wait")
def test_the_worker_closes_expired_attempts_on_its_own(db, database_url, tiny_course,
                                                       learner, tmp_path):
    from lms.assessment.models import Attempt, Quiz
    from lms.learning.services import enrol

    enrol(learner.id, tiny_course)
    quiz = db.session.scalar(sa.select(Quiz))
    db.session.add(Attempt(user_id=learner.id, quiz_id=quiz.id, number=1, status="open",
                           deadline=utcnow() - timedelta(minutes=5),
                           draw={"questions": [], "order": {}, "specs": {}}))
    db.session.commit()
    worker = _worker(database_url, {"LMS_JOBS_FILE": str(tmp_path / "jobs.sqlite3")})
    try:
        # Periodic tasks run at the start of each minute.
        _wait_for(lambda: _count(db, Attempt) and db.session.scalar(
            sa.select(Attempt.status)) == "finished", 75, "the periodic close")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def test_a_hook_queued_without_touching_the_database_is_dropped_by_a_rollback(app, db):
    from lms.core.jobs import after_commit

    ran = []
    db.session.commit()
    after_commit(lambda: ran.append("ran"))  # no statement ran in this transaction
    db.session.rollback()
    db.session.commit()
    assert ran == []
    after_commit(lambda: ran.append("kept"))
    with db.session.begin_nested():
        pass
    nested = db.session.begin_nested()
    nested.rollback()  # a savepoint's rollback keeps the outer transaction's hooks
    db.session.commit()
    assert ran == ["kept"]
