"""The admin people pages and the audit viewer at 100,000 people and 1,000,000 events.

    .venv/bin/python bench/people_audit.py [--db URL] [-n 20] [--people 100000]
        [--events 1000000] [--reseed] [--explain] [--info FILE]

--db (default postgresql://root@127.0.0.1:5432/lms_bench_people) is WIPED and seeded
unless --info (default /tmp/lms-bench-people.json) says it still holds the seed (same
counts): bench/seed.py's prepare (migrations, courses/, admin@, instructor@ and
learner@bench.example.org with its password), then COPY of the people (names in the
region's scripts, countries, sectors and organisations as seed.py spreads them; 1 %
instructors, 0.2 % admins, 2 % deactivated, 1 % awaiting approval, 6 % invited of whom a
third have not accepted), 60 cohorts (one of 2,000 people), one enrolment each (10 %
completed, with lessons read), 2,000 certificates, and the audit events over the past
year in id order (sign-ins, sign-outs, failures, grading, and an admin's actions: the
busiest admin is admin@bench). Foreign-key triggers are off for the loading session;
sequences are set and VACUUM ANALYZE runs after.

The app runs in-process (PostgreSQL; limits and jobs in the database), the Flask test
client signed in as admin@bench like a browser. Each page: one warm-up, then -n requests;
p50/p95 in ms, SQL statements per request, the SQL time's p50, the slowest statement and
the response size. Target: p95 < 300 ms a page, < 1 s for the CSV of a day; the slowest
statement of a page over it (of every page with --explain) is printed with EXPLAIN
(ANALYZE, BUFFERS).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import admin_pages  # noqa: E402  (sets LMS_INSTANCE_PATH to a temporary folder first)
import sqlalchemy as sa
from admin_pages import Result, Statements, explain, percentile
from finish_attempts import psycopg_url
from profile_pages import sign_in
from seed import COUNTRIES, DOMAIN, NAMES, ORGS, PASSWORD, SECTORS, SEXES, prepare

DEFAULT_DB = "postgresql://root@127.0.0.1:5432/lms_bench_people"
TARGET_MS = {"page": 300, "download": 1000}  # p95; a CSV of a day is a download
BIG_COHORT, COHORTS, COHORT_SIZE, CERTIFICATES = 2000, 60, 300, 2000
# (action, weight, who acts: person | admin | none, target type)
ACTIONS = [("auth.login_succeeded", 420, "person", "user"), ("auth.logout", 150, "person", "user"),
           ("auth.login_failed", 60, "none", "user"), ("attempt.graded", 250, "none", "attempt"),
           ("user.registered", 20, "person", "user"), ("user.invited", 30, "admin", "user"),
           ("user.invitation_accepted", 20, "person", "user"),
           ("cohort.member_added", 25, "admin", "cohort"),
           ("certificate.issued", 10, "admin", "certificate"),
           ("certificate.revoked", 1, "admin", "certificate"),
           ("user.role_changed", 2, "admin", "user"), ("user.updated", 3, "admin", "user"),
           ("user.name_changed", 4, "admin", "user"), ("user.deactivated", 2, "admin", "user"),
           ("reminder.sent", 2, "admin", "cohort"), ("course.published", 1, "admin", "course")]


def _ts(moment: datetime) -> str:
    return moment.isoformat()


def _copy(cur, table: str, columns: str, rows) -> int:
    """Rows (tuples of COPY text) into `table`, in chunks; how many."""
    count, chunk = 0, []
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            chunk.append("\t".join(map(str, row)))
            if len(chunk) == 5000:
                copy.write("\n".join(chunk) + "\n")
                count, chunk = count + len(chunk), []
        if chunk:
            copy.write("\n".join(chunk) + "\n")
    return count + len(chunk)


def _people(rng: random.Random, first_id: int, count: int, password_hash: str, now: datetime):
    """The people, oldest first; also who is what (admins, the learner ids)."""
    roles = {"admins": [], "learners": []}

    def rows():
        for n in range(count):
            uid = first_id + n
            country = rng.choices(list(COUNTRIES), list(COUNTRIES.values()))[0]
            first, second = NAMES.get(country) or NAMES[rng.choice(list(NAMES))]
            sector = rng.choices(list(SECTORS), list(SECTORS.values()))[0]
            orgs = ORGS.get(sector, "").split("|")
            role = "admin" if n % 500 == 7 else "instructor" if n % 100 == 3 else "learner"
            roles["admins" if role == "admin" else "learners"].append(uid)
            created = now - timedelta(days=730 * (count - n) / count)
            draw = rng.random()
            active, pending = ("f", "t") if draw < 0.01 else ("f", "f") if draw < 0.03 \
                else ("t", "f")
            invited = _ts(created) if 0.03 <= draw < 0.09 else "\\N"
            accepted = _ts(created + timedelta(days=2)) if 0.05 <= draw < 0.09 else "\\N"
            yield (uid, f"person{n}@{country.lower()}.{DOMAIN}",
                   f"{rng.choice(first)} {rng.choice(second)}".strip(), role, password_hash,
                   "\\N", country, rng.choice(orgs) if orgs[0] and rng.random() < 0.7 else "\\N",
                   sector, rng.choices(list(SEXES), list(SEXES.values()))[0], active, 1,
                   _ts(created), pending, invited, accepted,
                   _ts(now - timedelta(days=rng.uniform(0, 60))), "f")
    return rows(), roles


def _events(rng, first_id, count, now, people, admins, busiest):
    weights = [w for _a, w, _who, _t in ACTIONS]
    start = now - timedelta(days=365)
    step = timedelta(days=365) / count
    for n in range(count):
        action, _w, who, kind = rng.choices(ACTIONS, weights)[0]
        person = rng.choice(people)
        actor = person if who == "person" else "\\N" if who == "none" else \
            busiest if rng.random() < 0.4 else rng.choice(admins)
        target = person if kind == "user" else rng.randrange(1, 1_000_000)
        data = {"known_device": rng.random() < 0.5} if action.startswith("auth.") else \
            {"from": "learner", "to": "instructor"} if action == "user.role_changed" else \
            {"n": n % 97}
        yield (first_id + n, _ts(start + step * n), actor, action, kind, target,
               json.dumps(data), f"198.18.{n % 250}.{n % 199 + 1}")


def seed(url: str, people: int, events: int, info_path: str) -> dict:
    from lms.accounts.models import User
    from lms.catalog.models import Course
    from lms.catalog.queries import live_lessons
    from lms.core.db import db

    rng, started = random.Random(2026), time.perf_counter()
    app = prepare(url)  # wipes, migrates, syncs courses/, makes the three fixed accounts
    with app.app_context():
        fixed = {u.role: (u.id, u.email, u.password_hash) for u in db.session.scalars(
            sa.select(User))}
        courses = [(c.id, c.title, c.slug, [lesson.id for lesson in live_lessons(c.id)])
                   for c in db.session.scalars(sa.select(Course).where(
                       Course.archived_at.is_(None)).order_by(Course.id))]
        first_id = max(i for i, _e, _h in fixed.values()) + 1
        first_event = (db.session.scalar(sa.text("SELECT max(id) FROM audit_event")) or 0) + 1
        db.session.remove()
        raw = db.engine.raw_connection()
    now, timings = datetime.now(UTC), {}
    cur = raw.driver_connection.cursor()
    cur.execute("SET session_replication_role = replica")

    def phase(name: str, mark: float) -> float:
        timings[name] = round(time.perf_counter() - mark, 1)
        print(f"  {name}: {timings[name]} s")
        return time.perf_counter()

    mark = time.perf_counter()
    rows, roles = _people(rng, first_id, people, fixed["learner"][2], now)
    _copy(cur, "users", "id, email, name, role, password_hash, locale, country, organisation, "
          "sector, sex, active, session_version, created_at, pending_approval, invited_at, "
          "accepted_at, last_active_at, reminders_opt_out", rows)
    mark = phase("people", mark)
    ids = list(range(first_id, first_id + people))
    _copy(cur, "cohort", "id, name, description, created_at", (
        (c, f"Cohort {c}: {rng.choice(list(SECTORS))}, {2026 + c % 3}", "", _ts(now))
        for c in range(1, COHORTS + 1)))
    members = [(1, uid) for uid in rng.sample(ids, BIG_COHORT)] + [
        (c, uid) for c in range(2, COHORTS + 1) for uid in rng.sample(ids, COHORT_SIZE)]
    _copy(cur, "cohort_member", "cohort_id, user_id, added_at",
          ((c, uid, _ts(now)) for c, uid in members))
    enrolments = [(n + 1, uid, courses[uid % len(courses)][0], uid % 10 == 0)
                  for n, uid in enumerate([fixed["learner"][0], *ids])]
    _copy(cur, "enrolment", "id, user_id, course_id, status, enrolled_at, completed_at, "
          "course_version", ((e, uid, course, "completed" if done else "active",
                              _ts(now - timedelta(days=90)),
                              _ts(now - timedelta(days=30)) if done else "\\N", 1)
                             for e, uid, course, done in enrolments))
    lessons = {c[0]: c[3] for c in courses}
    _copy(cur, "lesson_progress", "enrolment_id, lesson_id, completed_at", (
        (e, lesson, _ts(now - timedelta(days=40))) for e, uid, course, done in enrolments
        if done or uid % 3 == 0 for lesson in lessons[course][:None if done else 2]))
    by_course = {c[0]: c for c in courses}
    certified = [e for e in enrolments if e[3]][:CERTIFICATES]
    _copy(cur, "certificate", "id, serial, code, user_id, course_id, status, issued_at, "
          "issued_by_id, snapshot, template, template_version", (
              (k + 1, f"CoE-2026-{k + 1:06d}", f"{rng.getrandbits(80):020x}", uid, course,
               "issued", _ts(now - timedelta(days=20)), fixed["admin"][0],
               json.dumps({"name": f"Person {uid}", "course_title": by_course[course][1],
                           "course_slug": by_course[course][2], "cpd_hours": 2,
                           "issued_on": (now - timedelta(days=20)).date().isoformat()},
                          ensure_ascii=False), "default", "2")
              for k, (_e, uid, course, _d) in enumerate(certified)))
    cur.execute("INSERT INTO serial_counter (year, value) VALUES (2026, %s)", (len(certified),))
    mark = phase("cohorts, enrolments, certificates", mark)
    admins = [fixed["admin"][0], *roles["admins"]]
    _copy(cur, "audit_event", "id, at, actor_id, action, target_type, target_id, data, ip",
          _events(rng, first_event, events, now, ids, admins, fixed["admin"][0]))
    mark = phase("audit events", mark)
    for table in ("users", "cohort", "enrolment", "certificate", "audit_event"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                    f"FROM {table} HAVING max(id) IS NOT NULL")
    cur.execute("RESET session_replication_role")
    raw.commit()
    raw.driver_connection.autocommit = True
    cur.execute("VACUUM ANALYZE")
    raw.close()
    phase("vacuum analyze", mark)
    info = {"db": url, "people": people, "events": events, "password": PASSWORD,
            "admin": fixed["admin"][1], "admin_id": fixed["admin"][0],
            "learner_id": certified[0][1], "seconds": round(time.perf_counter() - started, 1),
            "timings": timings, "counts": _counts(url)}
    with open(info_path, "w") as out:
        json.dump(info, out, indent=1)
    print(f"seeded in {info['seconds']} s: {info['counts']}")
    return info


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(psycopg_url(url))
    try:
        with engine.connect() as conn:
            return {t: conn.scalar(sa.text(f"SELECT count(*) FROM {t}"))
                    for t in ("users", "audit_event", "cohort_member", "enrolment")}
    finally:
        engine.dispose()


def reuse_or_seed(url: str, people: int, events: int, info_path: str, reseed: bool) -> dict:
    try:
        with open(info_path) as source:
            info = json.load(source)
        now = _counts(url)  # sign-ins add events: the log may only have grown
        if not reseed and info["db"] == url and info["people"] == people \
                and info["events"] == events and now["audit_event"] >= events \
                and all(now[t] == info["counts"][t] for t in now if t != "audit_event"):
            return info
    except (OSError, ValueError, KeyError, sa.exc.SQLAlchemyError):
        pass
    print(f"seeding {people:,} people and {events:,} audit events into {url} (wiped)")
    return seed(url, people, events, info_path)


def measure(client, statements: Statements, name: str, path: str, n: int) -> Result:
    result = Result(name, path)
    for i in range(n + 1):
        statements.log.clear()
        start = time.perf_counter()
        response = client.get(path, buffered=True)  # a streamed CSV is read to the end
        body = response.get_data()
        took = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {path} answered {response.status_code}")
        if i:
            result.times.append(took)
            result.sql.append(sum(s[0] for s in statements.log) * 1000)
            result.statements.append(len(statements.log))
            result.size = len(body)
            result.slowest = max([result.slowest, *statements.log], key=lambda s: s[0])
    print(f"  {name}: p95 {percentile(result.times, 95):.1f} ms")
    return result


def run(info: dict, n: int) -> list[Result]:
    from lms import create_app
    from lms.core.db import db

    app = create_app({"DATABASE_URL": info["db"], "SECRET_KEY": "bench-people",
                      "BASE_URL": "http://lms.example.org"})
    admin = sign_in(app, info["admin"], info["password"])
    with app.app_context():
        statements = Statements(db.engine)
        middle = db.session.scalar(sa.text("SELECT max(id) / 2 FROM users"))
        big = db.session.scalar(sa.text("SELECT cohort_id FROM cohort_member GROUP BY "
                                        "cohort_id ORDER BY count(*) DESC LIMIT 1"))
        day = db.session.scalar(sa.text("SELECT (max(at) - interval '200 days')::date "
                                        "FROM audit_event")).isoformat()
        half = db.session.scalar(sa.text("SELECT max(id) / 2 FROM audit_event"))
    pages = [
        ("people: first page", "/admin/users"),
        ("people: search, a surname", "/admin/users?q=%E0%B9%83%E0%B8%88%E0%B8%94%E0%B8%B5"),
        ("people: search, an email", "/admin/users?q=person4242@"),
        ("people: search, a full name", "/admin/users?q=nurul+huda"),
        ("people: search, an organisation", "/admin/users?q=legal+aid"),
        ("people: search, 2 letters", "/admin/users?q=an"),
        ("people: sector + status", "/admin/users?sector=police&status=active"),
        ("people: deactivated", "/admin/users?status=deactivated"),
        ("people: cohort of 2,000", f"/admin/users?cohort={big}"),
        ("people: deep page", f"/admin/users?after={middle}"),
        ("people: deep, filtered", f"/admin/users?sector=police&after={middle}"),
        ("person: busiest admin", f"/admin/users/{info['admin_id']}"),
        ("person: a certified learner", f"/admin/users/{info['learner_id']}"),
        ("audit: first page", "/admin/audit"),
        ("audit: rare action", "/admin/audit?action=certificate.revoked"),
        ("audit: who (busiest admin)", f"/admin/audit?who={info['admin']}"),
        ("audit: a person as target", f"/admin/audit?target_type=user&target_id="
                                      f"{info['learner_id']}"),
        ("audit: one day", f"/admin/audit?since={day}&until={day}"),
        ("audit: deep page", f"/admin/audit?after={half}"),
        ("audit: deep, one action", f"/admin/audit?action=auth.logout&after={half}"),
        ("audit CSV: one day (download)", f"/admin/audit.csv?since={day}&until={day}"),
    ]
    try:
        return [measure(admin, statements, name, path, n) for name, path in pages]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def report(results: list[Result], url: str, explain_all: bool) -> int:
    print(f"\n{'page':<32} {'p50 ms':>7} {'p95 ms':>7} {'SQL ms':>7} {'max st':>7} "
          f"{'stmts':>5} {'bytes':>8}  path")
    for r in results:
        counts = sorted(set(r.statements))
        stmts = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
        print(f"{r.name:<32} {percentile(r.times, 50):>7.1f} {percentile(r.times, 95):>7.1f} "
              f"{percentile(r.sql, 50):>7.1f} {r.slowest[0] * 1000:>7.1f} {stmts:>5} "
              f"{r.size:>8}  {r.path}")
    slow = [r for r in results if percentile(r.times, 95) >= TARGET_MS[
        "download" if "download" in r.name else "page"]]
    print(f"\ntarget: p95 < {TARGET_MS['page']} ms a page, {TARGET_MS['download']} ms a "
          "download: "
          + (f"{len(slow)} page(s) over" if slow else "every page within it"))
    engine = sa.create_engine(psycopg_url(url))
    for r in results if explain_all else slow:
        took, statement, parameters = r.slowest
        print(f"\n--- {r.name}: slowest statement {took * 1000:.1f} ms, parameters "
              f"{parameters}\n{statement}\n")
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            print(explain(engine, statement, parameters))
    engine.dispose()
    return 1 if slow else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB, help="PostgreSQL database (WIPED to seed)")
    parser.add_argument("-n", type=int, default=20, help="timed requests per page")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--info", default="/tmp/lms-bench-people.json")
    parser.add_argument("--reseed", action="store_true", help="seed even if the data is there")
    parser.add_argument("--explain", action="store_true", help="explain every page")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    try:
        info = reuse_or_seed(args.db, args.people, args.events, args.info, args.reseed)
        load, commit = os.getloadavg(), subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).stdout.strip()
        print(f"people and audit pages, commit {commit}, {info['counts']}, n={args.n} after "
              f"one warm-up; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
              f"{os.cpu_count()} CPUs")
        return report(run(info, args.n), info["db"], args.explain)
    finally:
        shutil.rmtree(admin_pages.INSTANCE, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
