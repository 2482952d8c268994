"""The scaled profile as one system: two web hosts (gunicorn, 2 workers each) and two job
workers on one PostgreSQL database and one Redis, each host with its own instance folder
(no shared disk). Learners move between the hosts at every request, limits count once for
the whole system, jobs run once, and losing a host and a worker loses nothing."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack, suppress
from dataclasses import dataclass

import pytest
import redis
import sqlalchemy as sa

from lms import create_app
from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.assessment.models import Attempt
from lms.catalog.models import Course
from lms.catalog.queries import live_lessons
from lms.certification.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.core.jobs import Job
from lms.learning.models import Enrolment
from tests.bulk import completed_learners
from tests.fixtures.app import ON_POSTGRES, TEST_DATABASE_URL
from tests.fixtures.mail import SmtpServer, links_in, path_of
from tests.gunicorn import ROOT, Browser, app_env, gunicorn
from tests.helpers import correct_answers, revision
from tests.test_config import _redis_or_skip
from tests.test_jobs import _wait_for, _worker

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.no_db,
              pytest.mark.skipif(not ON_POSTGRES, reason="the scaled profile runs on PostgreSQL")]

DATABASE = "lms_two_instances"
SERVER = (TEST_DATABASE_URL or "").rsplit("/", 1)[0]
REDIS_URL = "redis://127.0.0.1:6379/13"  # the rest of the suite and bench/ use /0
SLUG = "non-punishment-principle"
PASSWORD = "a long passphrase for tests"
ACCOUNT_LIMIT, VERIFY_LIMIT, BULK = 6, 5, 200
SETTINGS = {"LMS_REDIS_URL": REDIS_URL, "LMS_SECRET_KEY": "one secret for every host",
            "LMS_PROXY_HOPS": "1", "LMS_LOGIN_LIMIT_PER_ACCOUNT": str(ACCOUNT_LIMIT),
            "LMS_VERIFY_LIMIT_PER_ADDRESS": str(VERIFY_LIMIT), "LMS_ISSUE_BATCH": "10"}


class Visitor(Browser):
    """A browser behind a round-robin proxy: each request goes to the next of its hosts
    (one cookie jar: the hosts share a name, as behind a real proxy)."""

    def __init__(self, *hosts: str, address: str | None = None):
        super().__init__(hosts[0], address)
        self.on(*hosts)
        self.location: str | None = None

    def on(self, *hosts: str) -> Visitor:
        self.hosts, self.turn = hosts, 0
        return self

    def _url(self, path: str) -> str:
        self.turn += 1
        return self.hosts[(self.turn - 1) % len(self.hosts)] + path

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        if self.address:
            request.add_header("X-Forwarded-For", self.address)
        try:
            with self.opener.open(request, timeout=60) as response:
                self.location = None
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            self.location = error.headers.get("Location")
            return error.code, error.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self._url(path)))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()  # several choices: lists
        return self._open(urllib.request.Request(self._url(path), data=body, method="POST"))

    def submit(self, path: str, data: dict | None = None) -> tuple[int, str]:
        """Take a CSRF token from one host's page and post the form to the next host."""
        return self.post(path, {"csrf_token": self.token(), **(data or {})})


@dataclass
class System:
    a: str
    b: str
    workers: list[subprocess.Popen]
    course: Course
    mail: SmtpServer  # what the workers sent (the scaled profile mails by SMTP)


def _on_server(*statements: str) -> None:
    """Run statements in the maintenance database of LMS_TEST_DATABASE_URL's server."""
    engine = sa.create_engine(SERVER.replace("postgresql://", "postgresql+psycopg://", 1)
                              + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


def _setup(url: str, env: dict[str, str]) -> None:
    """As deployment does it: `flask setup` migrates and loads the course files."""
    done = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "setup"], cwd=ROOT,
                          env=app_env(url, **env), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


@pytest.fixture
def system(tmp_path):
    _redis_or_skip()
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    drop = f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"
    _on_server(drop, f"CREATE DATABASE {DATABASE}")
    url = f"{SERVER}/{DATABASE}"
    mail = SmtpServer().start()
    # Each host its own instance folder, all of them one credential key folder (as
    # deploy/README.md says: copied or mounted).
    host = {name: {**SETTINGS, "LMS_INSTANCE_PATH": str(tmp_path / name),
                   "LMS_MAIL_URL": mail.url,
                   "LMS_CREDENTIAL_KEYS_DIR": str(tmp_path / "credential-keys")}
            for name in ("setup", "a", "b", "w1", "w2")}
    with ExitStack() as stack:
        stack.callback(mail.stop)
        stack.callback(_on_server, drop)
        stack.callback(store.flushdb)
        _setup(url, host["setup"])
        a = stack.enter_context(gunicorn(url, workers=2, threads=2, **host["a"]))
        b = stack.enter_context(gunicorn(url, workers=2, threads=2, **host["b"]))
        workers = [_worker(url, host["w1"]), _worker(url, host["w2"])]
        for worker in workers:
            stack.callback(_stop, worker)
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
        stack.enter_context(app.app_context())
        stack.callback(lambda: (db.session.remove(), db.engine.dispose()))
        yield System(a, b, workers, db.session.scalar(sa.select(Course).filter_by(slug=SLUG)),
                     mail)


def _refuses_connections(base: str) -> bool:
    """True once nothing listens there (a killed worker may hold the socket a moment)."""
    try:
        address = urllib.parse.urlsplit(base)
        socket.create_connection((address.hostname, address.port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def _fresh() -> None:
    db.session.rollback()  # a new snapshot: what the other processes committed


def _confirm_address(visitor: Visitor, mail: SmtpServer, email: str) -> None:
    """Open the link a worker mailed (the address is confirmed, the learner signed in)."""
    deadline = time.monotonic() + 30
    while not mail.messages_to(email) and time.monotonic() < deadline:
        time.sleep(0.05)
    [received] = mail.messages_to(email)
    path = path_of(links_in(received.message)[0])
    assert visitor.get(path)[0] == 200
    assert visitor.submit(path)[0] == 302


def _study(visitor: Visitor, n: int, course: Course, mail: SmtpServer, *,
           finish: bool) -> int:
    """Register, enrol, read and complete every lesson, answer the final test (saved), and
    finish it if asked; every request lands on the other host. Returns the attempt id."""
    name = f"Learner {n}"
    status, _ = visitor.submit("/register", {
        "name": name, "email": f"learner{n}@example.org", "password": PASSWORD,
        "confirm": PASSWORD, "sex": "female", "country": "TH", "sector": "judiciary",
        "organisation": ""})
    assert status == 302, status
    _confirm_address(visitor, mail, f"learner{n}@example.org")
    status, page = visitor.get("/dashboard")
    # Signed in on one host, known on the other; its welcome message travelled too.
    assert status == 200 and "Sign out" in page and f"Welcome, {name}" in page
    assert visitor.submit(f"/courses/{SLUG}/enrol")[0] == 302
    for lesson in live_lessons(course.id):
        assert visitor.get(f"/courses/{SLUG}/lessons/{lesson.slug}?note=read")[0] == 200
        assert visitor.submit(f"/courses/{SLUG}/lessons/{lesson.slug}/complete")[0] == 302
    assert visitor.submit(f"/courses/{SLUG}/quizzes/final/start")[0] == 302
    attempt_id = int(re.search(r"/attempts/(\d+)", visitor.location).group(1))
    _fresh()
    status, body = visitor.submit(f"/attempts/{attempt_id}/autosave",
                                  {"revision": revision(attempt_id),
                                   **correct_answers(attempt_id)})
    assert status == 200 and json.loads(body)["saved"] > 0, body
    if finish:
        _finish(visitor, attempt_id)
    return attempt_id


def _finish(visitor: Visitor, attempt_id: int) -> None:
    _fresh()  # finished on the answers saved before, wherever they were saved
    status, _ = visitor.submit(f"/attempts/{attempt_id}", {"revision": revision(attempt_id),
                                                           "action": "finish"})
    assert status == 302 and visitor.location.endswith("/result"), status


def _issue_to_all(admin: Visitor, watch_on: str) -> tuple[int, str]:
    """'Issue to all' posted by the admin; its progress page followed on `watch_on` until
    the job is over. Returns the job id and the last page."""
    assert admin.submit(f"/admin/courses/{SLUG}/certificates/issue-all")[0] == 302
    job_id = int(re.fullmatch(r".*/jobs/(\d+)", admin.location).group(1))
    admin.on(watch_on)
    last: list[tuple[int, str]] = []

    def finished() -> bool:
        last[:] = [admin.get(f"/jobs/{job_id}")]
        return "Finished:" in last[0][1]

    _wait_for(finished, 30, f"job {job_id} to finish, seen on {watch_on}")
    status, page = last[0]
    assert status == 200 and 'http-equiv="refresh"' not in page  # over: stops refreshing
    return job_id, page


def _certificates_are_each_issued_once(expected: int) -> list[Certificate]:
    _fresh()
    certificates = db.session.scalars(sa.select(Certificate)).all()
    assert len(certificates) == expected
    assert len({c.user_id for c in certificates}) == expected  # nobody twice
    assert sorted(int(c.serial.rsplit("-", 1)[1]) for c in certificates) == list(
        range(1, expected + 1))  # no serial taken twice or lost
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "certificate.issued")) == expected
    return certificates


def _wrong_password_statuses(hosts: tuple[str, str], email: str, tries: int) -> list[int]:
    """Each try from a new browser and address (so only the account's limit can refuse),
    on A and B in turn."""
    return [Visitor(hosts[i % 2], address=f"198.51.100.{i + 1}").sign_in(email, "wrong " * 3)
            for i in range(tries)]


def test_two_hosts_and_two_workers_behave_as_one_system(system):
    a, b, course = system.a, system.b, system.course
    create_user(email="admin@example.org", name="Admin", password=PASSWORD, role="admin")
    create_user(email="target@example.org", name="Target", password=PASSWORD)
    db.session.commit()
    completed_learners(course, BULK)  # straight into the database, ready for certificates

    # Sessions: four learners, each request on the other host than the one before.
    learners = [Visitor(a, b) if n % 2 == 0 else Visitor(b, a) for n in range(4)]
    attempts = [_study(v, n, course, system.mail, finish=n < 2)
                for n, v in enumerate(learners)]

    # Jobs: queued from A, followed on B, both workers up, run once.
    admin = Visitor(a, b)
    assert admin.sign_in("admin@example.org", PASSWORD) == 302  # token from A, signed in on B
    admin.on(b, a)  # token from B, "issue to all" posted to A
    job_id, page = _issue_to_all(admin, watch_on=b)
    assert f"Finished: {BULK + 2} done." in page
    assert all(worker.poll() is None for worker in system.workers)
    first = _certificates_are_each_issued_once(BULK + 2)
    job = db.session.get(Job, job_id)
    assert (job.status, job.done, job.total) == ("done", BULK + 2, BULK + 2)

    # The login limit counts for the whole system: locked at the limit, not twice it.
    statuses = _wrong_password_statuses((a, b), "target@example.org", 2 * ACCOUNT_LIMIT)
    assert statuses == [401] * ACCOUNT_LIMIT + [429] * ACCOUNT_LIMIT, statuses
    for host in (a, b):  # even the right password waits, from a new browser on either host
        assert Visitor(host, address="198.51.100.200").sign_in(
            "target@example.org", PASSWORD) == 429

    # The verify limit too: unknown codes from one address, on A and B in turn.
    checker = Visitor(a, b, address="203.0.113.7")
    statuses = [checker.get(f"/verify/{'x' * 15}{n}")[0] for n in range(2 * VERIFY_LIMIT)]
    assert statuses == [404] * VERIFY_LIMIT + [429] * VERIFY_LIMIT, statuses
    assert checker.get(f"/verify/{first[0].code}")[0] == 429  # a real code tells it nothing
    assert Visitor(b, address="203.0.113.8").get(f"/verify/{first[0].code}")[0] == 200

    # Host A and worker 1 die at once (kill -9); B and worker 2 carry on.
    os.killpg(a.process.pid, signal.SIGKILL)
    a.process.wait()
    _stop(system.workers[0], signal.SIGKILL)
    _wait_for(lambda: _refuses_connections(a), 10, "host A's port to close")
    for learner in learners:
        status, page = learner.on(b).get("/dashboard")
        assert status == 200 and "Sign out" in page and course.title in page  # still in
    for learner, attempt_id in zip(learners[2:], attempts[2:], strict=True):
        _finish(learner, attempt_id)  # their own attempt, answers saved before A died
    _fresh()
    for attempt_id in attempts:
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.status, attempt.passed, attempt.score) == ("finished", True, 100.0)
    for n, learner in enumerate(learners[:2]):  # each sees their own certificate, on B
        user_id = db.session.scalar(sa.select(User.id).filter_by(email=f"learner{n}@example.org"))
        serial = next(c.serial for c in first if c.user_id == user_id)
        assert serial in learner.get("/certificates")[1]

    # A job queued after the kill: taken by the surviving worker.
    admin.on(b)
    _job_id, page = _issue_to_all(admin, watch_on=b)
    assert "Finished: 2 done." in page and system.workers[1].poll() is None
    certificates = _certificates_are_each_issued_once(BULK + 4)
    learner_ids = set(db.session.scalars(sa.select(Enrolment.user_id).where(
        Enrolment.status == "completed")))
    assert {c.user_id for c in certificates} == learner_ids  # every learner's work kept
