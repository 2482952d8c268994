"""Seed PostgreSQL for the reporting benchmark: 100,000 learners, 300,000 enrolments,
1,000,000 attempts (issue 11, "Speed"), or a fraction of it with --scale.

    .venv/bin/python bench/seed_reporting.py [--db URL] [--scale 1.0] [--reset] [--seed 2026]

--db (else $LMS_BENCH_REPORTS_URL, else postgresql://root@127.0.0.1:5432/bench_reports;
created if missing) is left alone when it already holds this seed at this scale, unless
--reset, which WIPES it (DROP SCHEMA public CASCADE) and seeds again. Seeding: seed.py's
`prepare` (the migrations, courses/ synced as the app does, learner@, instructor@ and
admin@bench.example.org), me@bench.example.org as M&E officer (create_user), then COPY on
one connection, foreign-key triggers off for that session, one transaction:

- learners with sex, country (the 11 ASEAN states, "other", "prefer not to say", unset),
  sector, one of ~300 organisations (by country and sector, a few large ones), agency level,
  age band, the six Washington Group answers and users.disability derived from them
  (about 6 % 'yes'), every field unset for some people;
- three enrolments each (the shipped courses), enrolled 2025-01 … 2026-11; ~88 % started,
  ~60 % completed (the final test passed), a few passed but not completed; pre_score,
  final_score, knowledge_gain and passed_at as assessment.record_scores sets them;
- 10 attempts a learner on average, 1,000,000 at scale 1 (exactly ten times the learners):
  a pre-test for most started enrolments, finals spread at random over the started ones
  (the last final of a completion passes, the others fail), numbered 1..n per quiz,
  finished, draw {} (reports never read it; no answers, no lesson rows);
- certificates for ~50 % of completions (serials in issue order per year, ~3 % revoked),
  feedback for ~40 % of completions, follow-up answers for ~15 % (sent 90 days after
  completion), and 8 cohorts (12 … 5,000 members at scale 1) with their courses.

Sequences are set and VACUUM ANALYZE runs after. Prints the time of each phase and the
row counts. Other benches call `ensure(url, scale)`, which returns what they need (account
emails, course, cohort and organisation to filter by), read back from the database.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import queue
import random
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime

os.environ.setdefault("LMS_INSTANCE_PATH", tempfile.mkdtemp(prefix="lms-seed-reports-"))

import sqlalchemy as sa  # noqa: E402
from finish_attempts import psycopg_url  # noqa: E402
from seed import DOMAIN, PASSWORD  # noqa: E402
from seed_reporting_people import (  # noqa: E402
    COMMENTS,
    USER_COLUMNS,
    USES,
    null,
    organisations,
    person,
    pick,
    ts,
)

DEFAULT_DB = "postgresql://root@127.0.0.1:5432/bench_reports"
ME_EMAIL = f"me@{DOMAIN}"
LEARNERS, ATTEMPTS_PER_LEARNER, CHUNK = 100_000, 10, 5_000
DAY = 86_400.0
ENROL_FROM, ENROL_UNTIL = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
COHORTS = [(5000, "TH", 3), (2000, "VN", 2), (1000, "PH", 1), (500, "ID", 3), (300, "KH", 2),
           (120, "LA", 1), (40, "MM", 3), (12, "BN", 1)]  # members at scale 1, country, courses


class Writer:
    """COPY on one connection from a thread of its own, so the next chunk is made
    meanwhile (the GIL is released while psycopg waits on the socket)."""

    def __init__(self, raw):
        self.raw, self.cur = raw, raw.driver_connection.cursor()
        self.cur.execute("SET session_replication_role = replica")  # consistent by making
        self.jobs: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.rows: Counter = Counter()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def put(self, table: str, columns: str, lines: list[str]) -> None:
        if self.error:
            raise self.error
        if lines:
            self.jobs.put((table, columns, lines))

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            table, columns, lines = job
            try:
                if not self.error:
                    with self.cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for start in range(0, len(lines), 5000):
                            copy.write("".join(lines[start:start + 5000]))
                    self.rows[table] += len(lines)
            except BaseException as exc:  # reported by the next put or by close
                self.error = exc

    def close(self) -> None:
        self.jobs.put(None)
        self.thread.join()
        if self.error:
            raise self.error


ENROLMENT_COLUMNS = ("id, user_id, course_id, status, enrolled_at, started_at, completed_at, "
                     "passed_at, follow_up_sent_at, course_version, pre_score, final_score, "
                     "knowledge_gain")
ATTEMPT_COLUMNS = ("id, user_id, quiz_id, number, status, started_at, finished_at, score, "
                   "passed, draw, page, revision, course_version")


def plan_enrolment(rng: random.Random, enrolled: float, now: float) -> list:
    """[enrolled, started, end, completed, pre-test, passed-not-completed, finals]."""
    started = completed = passed_only = pre = False
    end = started_at = None
    if rng.random() < 0.88:
        started_at = min(enrolled + rng.expovariate(1 / (2 * DAY)), now - 3600)
        started, pre = True, rng.random() < 0.95
        end = min(started_at + rng.lognormvariate(2.6, 0.9) * DAY, now - 3600)
        completed = end < now - 3600 and rng.random() < 0.74
        passed_only = not completed and rng.random() < 0.06
    return [enrolled, started_at if started else None, end, completed, pre, passed_only,
            1 if completed or passed_only else 0]


def attempts_of(rng, out: list, next_id, uid, course, plan, theta) -> tuple:
    """The attempt rows of one enrolment; (pre, best final, first pass)."""
    enrolled, started, end, completed, pre, passed_only, finals = plan
    pre_score = best = first_pass = None
    if pre:
        pre_score = round(min(100.0, max(0.0, rng.gauss(46 + 9 * theta, 14))), 2)
        begin = started + rng.uniform(0, 600)
        out.append(f"{next_id()}\t{uid}\t{course['pre']}\t1\tfinished\t{ts(begin)}\t"
                   f"{ts(begin + rng.uniform(300, 1500))}\t{pre_score}\t"
                   f"{'t' if pre_score >= course['pre_mark'] else 'f'}\t{{}}\t0\t0\t"
                   f"{course['version']}\n")
    if finals:
        gap = min(1800.0, (end - started) / 2)  # a final after the pre-test, before `end`
        moments = sorted(rng.uniform(started + gap, end) for _ in range(finals))
    else:
        moments = []
    mark, version = course["final_mark"], course["version"]
    for number, begin in enumerate(moments, 1):
        passes = (completed or passed_only) and number == finals
        score = round(rng.uniform(mark, 100) if passes else
                      rng.uniform(max(0, mark - 45 + 5 * theta), mark - 0.01), 2)
        after = moments[number] if number < finals else end + 2400  # the next one begins
        finished = max(begin + 60, min(begin + rng.uniform(600, 2400), after - 60))
        best = score if best is None else max(best, score)
        first_pass = finished if passes else first_pass
        out.append(f"{next_id()}\t{uid}\t{course['final']}\t{number}\tfinished\t{ts(begin)}\t"
                   f"{ts(finished)}\t{score}\t{'t' if passes else 'f'}\t{{}}\t0\t0\t{version}\n")
    return pre_score, best, first_pass


def load_context(url: str) -> dict:
    """A wiped, migrated database with the courses and accounts; what generation needs."""
    from seed import prepare

    from lms.accounts.models import User
    from lms.accounts.services import create_user
    from lms.assessment.models import Quiz
    from lms.catalog.models import Course
    from lms.certification.render import template_meta
    from lms.core.db import db

    app = prepare(url)
    with app.app_context():
        create_user(email=ME_EMAIL, name="Bench M&E Officer", password=PASSWORD,
                    role="me_officer")
        db.session.commit()
        quizzes = {(q.course_id, q.kind): q for q in db.session.scalars(
            sa.select(Quiz).where(Quiz.archived_at.is_(None)))}
        courses = [{"id": c.id, "slug": c.slug, "title": c.title, "version": c.version,
                    "cpd_hours": c.cpd_hours, "pre": quizzes[c.id, "pre"].id,
                    "pre_mark": quizzes[c.id, "pre"].pass_mark,
                    "final": quizzes[c.id, "final"].id,
                    "final_mark": quizzes[c.id, "final"].pass_mark}
                   for c in db.session.scalars(sa.select(Course).where(
                       Course.archived_at.is_(None)).order_by(Course.id))]
        users = {u.role: u for u in db.session.scalars(sa.select(User))}
        meta = template_meta(app.config["CERTIFICATES_DIR"], "default")
        ctx = {"courses": courses, "admin_id": users["admin"].id,
               "max_user_id": max(u.id for u in users.values()),
               "password_hash": users["learner"].password_hash,  # of PASSWORD: shared
               "prefix": app.config["CERTIFICATE_PREFIX"],
               "template": (meta["name"], meta["version"])}
        db.session.remove()
        ctx["raw"] = db.engine.raw_connection()
    return ctx


def seed(url: str, scale: float, seed_value: int) -> dict:
    started_at, rng = time.perf_counter(), random.Random(seed_value)
    marks: list[tuple[str, float]] = []

    def phase(name: str) -> None:
        marks.append((name, time.perf_counter() - started_at - sum(m[1] for m in marks)))
        print(f"  {name:<44} {marks[-1][1]:6.1f} s", flush=True)

    ctx = load_context(url)  # wipes, migrates, syncs courses/, makes the four accounts
    phase("wipe, migrate, sync courses, 4 accounts")
    learners = max(1, round(LEARNERS * scale))
    now, orgs = time.time(), organisations()
    until = min(ENROL_UNTIL.timestamp(), now - DAY)
    span = until - ENROL_FROM.timestamp()
    # Pass 1: who, when, how far; then the finals shared out so there are exactly
    # ATTEMPTS_PER_LEARNER attempts a learner (a completion has at least its passing one).
    users, plans, countries = [], [], []
    first_uid = ctx["max_user_id"] + 1
    for i in range(learners):
        first = ENROL_FROM.timestamp() + span * rng.random() ** 0.8  # growing over time
        row, country = person(rng, first_uid + i, i + 1, first - rng.uniform(0, 3 * DAY),
                              ctx["password_hash"], orgs)
        users.append(row)
        countries.append(country)
        theta = rng.gauss(0, 1)
        for pos in rng.sample(range(len(ctx["courses"])), len(ctx["courses"])):
            enrolled = first if not plans or plans[-1][0] != i else \
                first + rng.expovariate(1 / (60 * DAY))
            if enrolled > until:  # no pile-up on the last day
                enrolled = rng.uniform(first, until)
            plans.append((i, pos, theta, plan_enrolment(rng, enrolled, now)))
    started = [k for k, p in enumerate(plans) if p[3][1] is not None]
    budget = ATTEMPTS_PER_LEARNER * learners - sum(p[3][4] + p[3][6] for p in plans)
    for k in rng.choices(started, k=max(0, budget)):
        plans[k][3][6] += 1
    phase(f"plan {learners:,} learners, {len(plans):,} enrolments")
    writer, ids = Writer(ctx["raw"]), Counter()

    def take(table: str):
        return lambda: ids.update([table]) or ids[table]

    next_attempt, certs, feedback, follow_ups = take("attempt"), [], [], []
    for start in range(0, len(users), CHUNK):
        writer.put("users", USER_COLUMNS, users[start:start + CHUNK])
    for start in range(0, len(plans), CHUNK * 3):
        enrolments, attempts = [], []
        for i, pos, theta, plan in plans[start:start + CHUNK * 3]:
            course, uid, eid = ctx["courses"][pos], first_uid + i, take("enrolment")()
            pre, best, passed = (None, None, None) if plan[1] is None else attempts_of(
                rng, attempts, next_attempt, uid, course, plan, theta)
            done = min(passed + (rng.uniform(0, DAY) if rng.random() < 0.3 else 0),
                       now - 600) if plan[3] else None
            sent = done + 90 * DAY if done and done + 90 * DAY < now - 3600 else None
            gain = round(best - pre, 2) if pre is not None and best is not None else None
            enrolments.append("\t".join(map(null, (
                eid, uid, course["id"], "completed" if done else "active", ts(plan[0]),
                plan[1] and ts(plan[1]), done and ts(done), passed and ts(passed),
                sent and ts(sent), course["version"], pre, best, gain))) + "\n")
            if done and rng.random() < 0.5:
                certs.append((min(done + rng.uniform(3600, 10 * DAY), now - 600), uid, course))
            if done and rng.random() < 0.4:
                feedback.append((eid, course["id"], min(passed + rng.uniform(60, 1800), now),
                                 theta))
            if sent and rng.random() < 0.19:
                follow_ups.append((eid, course["id"], min(sent + rng.expovariate(1 / (5 * DAY)),
                                                          now - 60)))  # after it was sent
        writer.put("enrolment", ENROLMENT_COLUMNS, enrolments)
        writer.put("attempt", ATTEMPT_COLUMNS, attempts)
    phase(f"users, enrolments, {ids['attempt']:,} attempts")
    write_rest(writer, rng, ctx, certs, feedback, follow_ups, countries, first_uid, scale, now)
    writer.close()
    for table in ("users", "enrolment", "attempt", "certificate", "feedback_response",
                  "follow_up_response", "cohort"):
        writer.cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                           f"FROM {table} HAVING max(id) IS NOT NULL")
    writer.cur.execute("RESET session_replication_role")
    ctx["raw"].commit()
    phase("certificates, surveys, cohorts, commit")
    ctx["raw"].driver_connection.autocommit = True
    writer.cur.execute("VACUUM ANALYZE")
    ctx["raw"].close()
    phase("VACUUM ANALYZE")
    print(f"seeded in {time.perf_counter() - started_at:.1f} s: " + ", ".join(
        f"{t} {n:,}" for t, n in writer.rows.items()))
    return info(url)


def write_rest(writer, rng, ctx, certs, feedback, follow_ups, countries, first_uid, scale,
               now) -> None:
    """Certificates (serials in issue order per year), survey answers, cohorts."""
    years, lines = Counter(), []
    for k, (at, uid, course) in enumerate(sorted(certs, key=lambda c: c[0]), 1):
        year = datetime.fromtimestamp(at, UTC).year
        years[year] += 1
        serial = f"{ctx['prefix']}-{year}-{years[year]:06d}"
        code = base64.b32encode(rng.randbytes(10)).decode().lower()
        revoked = rng.random() < 0.03
        snapshot = json.dumps({"name": f"Learner {uid}", "course_title": course["title"],
                               "course_slug": course["slug"], "course_version": course["version"],
                               "cpd_hours": course["cpd_hours"], "serial": serial,
                               "code": code, "issued_on": ts(at)[:10], "locale": "en",
                               "template": ctx["template"][0],
                               "template_version": ctx["template"][1]}, ensure_ascii=False)
        lines.append("\t".join(map(null, (
            k, serial, code, uid, course["id"], "revoked" if revoked else "issued", ts(at),
            ctx["admin_id"], ts(min(at + rng.uniform(DAY, 60 * DAY), now)) if revoked
            else None, "Issued in error" if revoked else None, snapshot.replace("\\", "\\\\"),
            *ctx["template"]))) + "\n")
    writer.put("certificate", "id, serial, code, user_id, course_id, status, issued_at, "
               "issued_by_id, revoked_at, revoke_reason, snapshot, template, template_version",
               lines)
    writer.put("serial_counter", "year, value", [f"{y}\t{v}\n" for y, v in sorted(years.items())])

    def score(theta: float) -> int:
        return max(1, min(5, round(rng.gauss(3.9 + 0.3 * theta, 0.9))))

    writer.put("feedback_response", "id, enrolment_id, course_id, submitted_at, relevance, "
               "clarity, confidence, comment", [
                   f"{k}\t{eid}\t{cid}\t{ts(at)}\t{score(th)}\t{score(th)}\t{score(th)}\t"
                   f"{rng.choice(COMMENTS) if rng.random() < 0.25 else ''}\n"
                   for k, (eid, cid, at, th) in enumerate(feedback, 1)])
    writer.put("follow_up_response", "id, enrolment_id, course_id, submitted_at, used, how", [
        f"{k}\t{eid}\t{cid}\t{ts(at)}\t{pick(rng, {'yes': 55, 'partly': 30, 'no': 15})}\t"
        f"{rng.choice(USES)}\n" for k, (eid, cid, at) in enumerate(follow_ups, 1)])
    cohorts, members, courses = [], [], []
    by_country: dict[str | None, list[int]] = {}
    for n, country in enumerate(countries):
        by_country.setdefault(country, []).append(first_uid + n)
    for k, (size, country, n_courses) in enumerate(COHORTS, 1):
        pool = by_country.get(country) or [first_uid]
        chosen = rng.sample(pool, min(len(pool), max(3, round(size * scale))))
        begin = ENROL_FROM.timestamp() + k * 40 * DAY
        cohorts.append(f"{k}\tBench cohort {k}: {country}, {len(chosen):,} people\t\t"
                       f"{ts(begin)[:10]}\t{ts(begin + 120 * DAY)[:10]}\t{country}\t"
                       f"\\N\t{ts(begin - DAY)}\t{ctx['admin_id']}\n")
        members += [f"{k}\t{uid}\t{ts(begin)}\t{ctx['admin_id']}\n" for uid in chosen]
        courses += [f"{k}\t{c['id']}\n" for c in ctx["courses"][:n_courses]]
    writer.put("cohort", "id, name, description, starts_on, due_on, country, agency, "
               "created_at, created_by_id", cohorts)
    writer.put("cohort_member", "cohort_id, user_id, added_at, added_by_id", members)
    writer.put("cohort_course", "cohort_id, course_id", courses)


def info(url: str) -> dict | None:
    """What the report bench needs, read from the database; None when it holds no seed."""
    engine = sa.create_engine(psycopg_url(url))
    try:
        with engine.connect() as conn:
            if conn.scalar(sa.text("SELECT to_regclass('public.follow_up_response')")) is None:
                return None
            q = lambda sql: conn.execute(sa.text(sql)).all()  # noqa: E731
            accounts = {r.role: {"id": r.id, "email": r.email} for r in q(
                f"SELECT id, email, role FROM users WHERE email IN ('admin@{DOMAIN}', "
                f"'{ME_EMAIL}', 'instructor@{DOMAIN}', 'learner@{DOMAIN}')")}
            counts = {t: conn.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in (
                "users", "enrolment", "attempt", "certificate", "feedback_response",
                "follow_up_response", "cohort", "cohort_member")}
            if "me_officer" not in accounts or not counts["attempt"]:
                return None
            courses = [r._asdict() for r in q("SELECT c.id, c.slug, count(e.id) AS enrolled "
                                              "FROM course c JOIN enrolment e ON e.course_id "
                                              "= c.id GROUP BY c.id ORDER BY c.id")]
            cohorts = [r._asdict() for r in q("SELECT cohort_id AS id, count(*) AS members "
                                              "FROM cohort_member GROUP BY cohort_id "
                                              "ORDER BY 2 DESC")]
            org = conn.scalar(sa.text("SELECT organisation FROM users WHERE organisation IS "
                                      "NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"))
    except sa.exc.OperationalError:
        return None  # no such database yet
    finally:
        engine.dispose()
    return {"db": url, "password": PASSWORD, "accounts": accounts, "counts": counts,
            "learners": counts["users"] - len(accounts), "courses": courses,
            "cohorts": cohorts, "organisation": org}


def ensure(url: str = DEFAULT_DB, scale: float = 1.0, *, reset: bool = False,
           seed_value: int = 2026) -> dict:
    """The seed at `url` when it is there at this scale (and not `reset`), else a new one."""
    found = None if reset else info(url)
    if found and found["learners"] == max(1, round(LEARNERS * scale)):
        print(f"{url} already holds the seed at scale {scale} ({found['counts']}); "
              "--reset to seed again")
        return found
    print(f"seeding {url} at scale {scale} (wiped first)")
    return seed(url, scale, seed_value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("LMS_BENCH_REPORTS_URL", DEFAULT_DB))
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 100,000 learners")
    parser.add_argument("--reset", action="store_true", help="WIPE the database and seed")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 10:
        parser.error("--scale must be above 0 and at most 10")
    ensure(args.db, args.scale, reset=args.reset, seed_value=args.seed)


if __name__ == "__main__":
    main()
