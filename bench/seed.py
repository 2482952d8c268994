"""Seed a benchmark database with S, M, L or XL data, quickly, through bulk inserts.

    .venv/bin/python bench/seed.py --size S|M|L|XL [--db URL] [--out FILE] [--seed N]

S, M, L, XL: 100, 2,000, 20,000, 100,000 learners, each enrolled in the three shipped
courses with ten finished attempts (a pre-test per course, seven finals among them): answers
scored by the question types' own `grade`, scores as finish_attempt and record_scores set
them, the item_stat sums, and audit events (a sign-in per learner, attempt.graded,
certificate.issued). A few hundred enrolments are completed (all lessons read, a final
passed): two thirds with a certificate, the rest on the "ready" list.

--db (default postgresql://root@127.0.0.1:5432/lms_bench) is WIPED, or the sqlite:///path
file (for S and M) deleted; then migrations, courses/ synced, and learner@, instructor@ and
admin@bench.example.org made by create_user with the password Bench-passphrase-2026!, of
which every learner{n}@bench.example.org shares one hash. Rows are made in batches here,
ids included, and written by COPY on two PostgreSQL connections (foreign-key triggers off
and lz4 TOAST for those sessions only; sequences set and ANALYZE after), or executemany in
one SQLite transaction. A `draw` is `_draw`'s JSON, assembled from pieces made once per
question; its orders and labels are among 50 that the type's `draw` drew per question.
A sample is checked with the app's own rules, and on S and M item_stat against
rebuild_quiz. Prints counts and phase times; --out gets the ids other benches need.
"""
from __future__ import annotations

import argparse
import json
import math
import queue
import random
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from finish_attempts import POSTGRES_URL, prepare_postgres, psycopg_url
from flask_migrate import upgrade

from lms import create_app
from lms.accounts.models import User
from lms.accounts.passwords import hash_password, verify_password
from lms.accounts.services import create_user
from lms.assessment import item_stats
from lms.assessment import services as assessment
from lms.assessment.models import Attempt, Question, Quiz
from lms.assessment.qtypes import get_type
from lms.catalog.models import Course
from lms.catalog.queries import live_lessons
from lms.certification import services as certification
from lms.certification.models import Certificate
from lms.certification.render import template_meta
from lms.content.loader import load_catalogue
from lms.content.sync import sync_courses
from lms.core.db import db, utcnow
from lms.learning.models import Enrolment
from lms.learning.services import outstanding_requirements

SIZES = {"S": 100, "M": 2_000, "L": 20_000, "XL": 100_000}
PASSWORD, DOMAIN = "Bench-passphrase-2026!", "bench.example.org"
COURSES_PER_LEARNER, ATTEMPTS_PER_LEARNER = 3, 10
CHUNK, ORDERS, SKIPPED = 250, 50, 0.03  # learners a batch; orders per question; unanswered
COLUMNS = {table: columns.split() for table, columns in {  # in load order: parents first
    "users": "id email name role password_hash locale country organisation sector sex "
             "timezone active session_version created_at",
    "enrolment": "id user_id course_id status enrolled_at completed_at course_version "
                 "pre_score final_score knowledge_gain",
    "lesson_progress": "enrolment_id lesson_id completed_at",
    "attempt": "id user_id quiz_id number status started_at deadline finished_at score passed "
               "draw page revision last_view course_version",
    "answer": "attempt_id question_id response score saved_at",
    "audit_event": "id at actor_id action target_type target_id data ip",
    "certificate": "id serial code user_id course_id status issued_at issued_by_id revoked_at "
                   "revoke_reason snapshot template template_version replaces_id",
    "serial_counter": "year value",
    "item_stat": "quiz_id question_id attempts sum_x sum_xx sum_r sum_rr sum_xr"}.items()}
# Weights over the codes the registration form offers (lms.accounts.choices).
COUNTRIES = {"TH": 14, "VN": 12, "ID": 13, "PH": 12, "KH": 8, "LA": 6, "MM": 8, "MY": 8,
             "SG": 3, "BN": 2, "TL": 3, "XX": 6, "ZZ": 5}
SEXES = {"female": 52, "male": 42, "other": 1, "undisclosed": 5}
SECTORS = {"judiciary": 24, "prosecution": 18, "police": 20, "immigration": 8, "labour": 7,
           "social_work": 10, "ngo": 9, "other": 2, "undisclosed": 2}
ORGS = {"judiciary": "Supreme Court|Court of Appeal|Provincial Court|Juvenile and Family Court",
        "prosecution": "Office of the Attorney General|Public Prosecution Service",
        "police": "Anti-Trafficking Police Division|Provincial Police Headquarters",
        "immigration": "Immigration Bureau|Border Management Office",
        "labour": "Labour Inspection Department", "ngo": "Legal Aid Centre|Migrant Rights Network",
        "social_work": "Ministry of Social Development|Victim Shelter"}
# Per country: first halves, second halves of names ("_" is a space; no second: whole names).
NAMES = {c: ([w.replace("_", " ") for w in a.split()], [w.replace("_", " ") for w in b.split()]
             or [""]) for c, (a, b) in {
    "TH": ("สมชาย สมหญิง วิไลวรรณ ประเสริฐ กัญญา ธนากร นภัสสร", "ใจดี รักษ์ความยุติธรรม ศรีสุข แก้วมณี"),
    "KH": ("សុខ ចាន់ ហេង គឹម លី", "សុភា ដារ៉ា វណ្ណា ស្រីមុំ បុប្ផា"),
    "LA": ("ສົມພອນ ບຸນມີ ຄຳຫຼ້າ ວຽງໄຊ ມະນີວັນ", "ວົງສາ ພົມມະຈັນ ສີສຸວັນ ແກ້ວມະນີ"),
    "MM": ("အောင် ခင် မြင့် သန်း စု ဝင်း", "ကျော် နွယ် ထွန်း မောင် လှိုင်"),
    "VN": ("Nguyễn Trần Lê Phạm Hoàng Võ Đặng", "Thị_Hoa Văn_Hùng Minh_Anh Thị_Thảo Quốc_Bảo"),
    "ID": ("Siti Dewi Budi Agus Rina Made", "Nurhaliza Santoso Wijaya Hidayat Lestari"),
    "PH": ("Maria_Clara Jose Ana_Liza Juan Cristina", "Dela_Cruz Santos Reyes Bautista Mendoza"),
    "MY": ("Nur_Aisyah_binti_Ahmad Muhammad_Hafiz_bin_Ismail Tan_Mei_Ling Rajesh_a/l_Kumar "
           "Siti_Aminah_binti_Yusof Lim_Wei_Jie", ""),
    "SG": ("Tan_Wei_Ming 陈美玲 林志明 Priya_Nair Nurul_Huda Ong_Bee_Leng", ""),
    "BN": ("Awang_Haji_Ismail Dayang_Nur_Hayati Pengiran_Abdul_Rahman Siti_Rahmah", ""),
    "TL": ("João Maria Ana Domingos Filomena", "da_Costa Soares Ximenes Guterres dos_Santos"),
    "XX": ("Anna_Müller Олена_Шевченко أحمد_حسن 김민준 山田_花子 Sarah_O'Brien Rahul_Sharma", ""),
}.items()}
FIXED = {"learner": "สมหญิง รักษ์ความยุติธรรม", "instructor": "Bench Instructor",
         "admin": "Bench Admin"}
# How values are written: COPY text on PostgreSQL (json.dumps leaves no control character,
# so only backslashes need doubling), Python values on SQLite with timestamps as SQLAlchemy
# writes them there.
PG = SimpleNamespace(null="\\N", true="t", false="f", ts=datetime.isoformat, writers=2,
                     js=lambda text: text.replace("\\", "\\\\"))
SQLITE = SimpleNamespace(null=None, true=1, false=0, js=str, writers=1,
                         ts=lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S.%f"))


class Sink:
    """Rows into one connection, in its one transaction: COPY, or executemany."""

    def __init__(self, raw, fmt):
        self.raw, self.pg = raw, fmt is PG
        self.cur = raw.driver_connection.cursor() if self.pg else raw.cursor()
        if self.pg:  # this session only: rows consistent by construction; lz4 is fast
            self.cur.execute("SET session_replication_role = replica; "
                             "SET default_toast_compression = lz4")

    def write(self, table: str, rows: list[tuple]) -> None:
        columns = ", ".join(COLUMNS[table])
        if not self.pg:
            marks = ", ".join("?" * len(COLUMNS[table]))
            self.cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            return
        with self.cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for start in range(0, len(rows), 2000):
                copy.write("".join(["\t".join(map(str, row)) + "\n"
                                    for row in rows[start:start + 2000]]))

    def commit(self, set_sequences: bool) -> None:
        if self.pg and set_sequences:  # ids were made here: move the sequences past them
            for table in ("users", "enrolment", "attempt", "audit_event", "certificate"):
                self.cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"max(id)) FROM {table} HAVING max(id) IS NOT NULL")
        if self.pg:
            self.cur.execute("RESET session_replication_role; RESET default_toast_compression")
        self.raw.commit()
        self.raw.close()


def candidates(kind: str, spec: dict) -> list[dict]:
    """Responses shaped as the type's `parse` stores them: the right one first, then
    typical mistakes (some earn partial credit). `grade` scores them."""
    if kind in ("single", "multiple"):
        keys = [o["key"] for o in spec["options"]]
        right = sorted(o["key"] for o in spec["options"] if o["correct"])
        out = [{"chosen": right}] + [{"chosen": [k]} for k in keys if [k] != right]
        if kind == "multiple":
            out += [{"chosen": sorted(keys)}, {"chosen": right[:1]}] + [
                {"chosen": sorted({*right, k})} for k in keys if k not in right]
        return out
    if kind == "true_false":
        right, wrong = ("true", "false") if spec["answer"] else ("false", "true")
        return [{"chosen": [right]}, {"chosen": [wrong]}]
    if kind == "short_answer":
        return [{"text": a.strip()} for a in spec["answers"]] + [
            {"text": spec["answers"][0].upper().strip()}, {"text": "Not sure"}]
    if kind == "numeric":
        answer, tolerance = spec["answer"], spec["tolerance"]
        return [{"text": str(float(v)), "value": float(v)} for v in
                (answer, answer + tolerance / 2, answer * 2 + 1, answer - 1 - tolerance)]
    if kind in ("matching", "ordering"):
        keys = [p["key"] for p in spec["pairs" if kind == "matching" else "items"]]
        shuffles = [keys, keys[1:] + keys[:1], [keys[1], keys[0], *keys[2:]], keys[::-1]]
        if kind == "ordering":
            return [{"positions": {k: s.index(k) + 1 for k in keys}} for s in shuffles]
        return [{"matched": dict(zip(keys, s, strict=True))} for s in shuffles] + [
            {"matched": {keys[0]: keys[0]}}]
    parts = [(p["key"], candidates(p["type"], p["spec"])) for p in spec["parts"]]  # scenario
    right = {key: c[0] for key, c in parts}
    return [{"parts": right}] + [{"parts": {**right, key: c[-1]}} for key, c in parts] + [
        {"parts": {key: c[-1] for key, c in parts}}]


def plan_quiz(quiz: Quiz, version: int, fmt, rng: random.Random) -> SimpleNamespace:
    """A quiz as generation needs it: the draw rules and, per question, its JSON pieces
    ('"12": {"type": …, "spec": …}' and 50 '"12": <order>'), graded responses, difficulty."""
    fixed = assessment.fixed_questions(quiz.id)
    bank = list(db.session.scalars(sa.select(Question).where(  # the pool _draw samples
        Question.course_id == quiz.course_id, Question.bank.is_not(None),
        Question.archived_at.is_(None)).order_by(Question.id)))
    count, items = assessment.question_count(quiz), {}
    for q in fixed + bank:
        qtype = get_type(q.type)
        graded = [(fmt.js(json.dumps(r)), qtype.grade(q.spec, r))
                  for r in candidates(q.type, q.spec)]
        right = [g for g in graded if g[1] == 1.0] or [max(graded, key=lambda g: g[1])]
        items[q.id] = (
            fmt.js(f'"{q.id}": ' + json.dumps({"type": q.type, "spec": q.spec})),
            [fmt.js(f'"{q.id}": ' + json.dumps(qtype.draw(q.spec, rng))) for _ in range(ORDERS)],
            right, [g for g in graded if g[1] < 1.0] or right,
            rng.uniform(0.6, 1.8), rng.gauss(-0.4, 0.8))  # slope, difficulty
    return SimpleNamespace(
        id=quiz.id, key=quiz.key, pass_mark=quiz.pass_mark, version=version, items=items,
        pages=-(-count // (quiz.questions_per_page or count)), fixed=[q.id for q in fixed],
        rules=[([q.id for q in bank if q.topic == r["topic"]], r["count"])
               for r in quiz.settings.get("draw", [])])


@dataclass
class Seeder:
    fmt: SimpleNamespace  # PG or SQLITE
    now: datetime
    learners: int
    fixed: dict[str, int]  # role → id; learner 0 is learner@bench, n is id fixed + n - 1
    password_hash: str
    courses: list[SimpleNamespace]
    designated: dict[int, str]  # enrolment number → "certificate" | "ready"
    sums: dict[int, dict] = field(default_factory=dict)  # quiz id → item_stats sums
    ids: Counter = field(default_factory=Counter)  # last id per table
    certificates: list[tuple] = field(default_factory=list)
    learner_attempt: int | None = None

    def take(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def audit(self, out, at, actor, action, kind, target, data, ip=None) -> None:
        out["audit_event"].append((self.take("audit_event"), self.fmt.ts(at), actor, action,
                                   kind, target, self.fmt.js(json.dumps(data)),
                                   ip or self.fmt.null))

    def learner(self, rng: random.Random, out: dict, i: int) -> None:
        f, uid = self.fmt, max(self.fixed.values()) + i if i else self.fixed["learner"]
        country = rng.choices(list(COUNTRIES), list(COUNTRIES.values()))[0] if i else "TH"
        first, second = NAMES[country if country in NAMES else rng.choice(list(NAMES))]
        name = f"{rng.choice(first)} {rng.choice(second)}".strip() if i else FIXED["learner"]
        created = self.now - timedelta(days=rng.uniform(21, 400))
        if i:
            sector = rng.choices(list(SECTORS), list(SECTORS.values()))[0]
            orgs = ORGS.get(sector, "").split("|")
            out["users"].append((
                uid, f"learner{i}@{DOMAIN}", name, "learner", self.password_hash,
                "th" if country == "TH" and rng.random() < 0.6 else f.null, country,
                rng.choice(orgs) if orgs[0] and rng.random() < 0.65 else f.null, sector,
                rng.choices(list(SEXES), list(SEXES.values()))[0], f.null, f.true, 1,
                f.ts(created)))
        self.audit(out, created + timedelta(minutes=1), uid, "auth.login_succeeded", "user",
                   uid, {"known_device": False}, f"203.0.113.{i % 250 + 1}")
        per = min(COURSES_PER_LEARNER, len(self.courses))
        courses = self.courses[:per] if i == 0 else rng.sample(self.courses, per)
        finals, roles = [0] * per, [self.designated.get(i * per + pos) for pos in range(per)]
        for _ in range(ATTEMPTS_PER_LEARNER - per):
            finals[rng.randrange(per)] += 1
        for pos in range(per):  # a completed enrolment needs a final attempt
            if roles[pos] and not finals[pos]:
                finals[finals.index(max(finals))] -= 1
                finals[pos] = 1
        theta = rng.gauss(0, 1)
        for course, n_finals, role in zip(courses, finals, roles, strict=True):
            self.enrolment(rng, out, (uid, name, country), course, created, theta, n_finals,
                           role)

    def enrolment(self, rng, out, who, course, created, theta, n_finals, role) -> None:
        f, eid = self.fmt, self.take("enrolment")
        enrolled = created + timedelta(days=rng.uniform(0, 14))
        span = (self.now - timedelta(hours=2) - enrolled).total_seconds() * 0.9
        clock, scores, first_pass = enrolled, [], None
        for number, start in enumerate(sorted(rng.uniform(0, span) for _ in range(n_finals + 1))):
            begin = max(enrolled + timedelta(seconds=start), clock + timedelta(minutes=5))
            percent, passed, clock = self.attempt(
                rng, out, who[0], course.final if number else course.pre, max(number, 1),
                begin, theta + 0.3 * number if number else theta - 0.6,
                role is not None and number == n_finals)  # the last final passes
            scores.append(percent)
            first_pass = first_pass or (clock if passed and number else None)
        best = max(scores[1:]) if n_finals else None
        done = first_pass if role else None  # completed when a final was first passed
        out["enrolment"].append((
            eid, who[0], course.id, "completed" if role else "active", f.ts(enrolled),
            f.ts(done) if done else f.null, course.version, scores[0],
            *((f.null, f.null) if best is None else (best, round(best - scores[0], 2)))))
        lessons = course.lessons if role else course.lessons[:rng.randrange(len(course.lessons))]
        until = done or self.now - timedelta(hours=1)
        for lesson, moment in zip(lessons, sorted(rng.random() for _ in lessons), strict=True):
            out["lesson_progress"].append((eid, lesson,
                                           f.ts(enrolled + (until - enrolled) * moment)))
        if role == "certificate":
            issued = min(done + timedelta(hours=rng.uniform(1, 240)),
                         self.now - timedelta(minutes=10))
            self.certificates.append((*who, course, done, issued))

    def attempt(self, rng, out, uid, quiz, number, begin, skill, must_pass):
        f, pick, items = self.fmt, rng.random, quiz.items
        while True:  # an attempt that must pass (for a completion) is taken until it does
            qids = list(quiz.fixed)
            for pool, count in quiz.rules:  # as _draw: a sample of each topic's pool
                qids += rng.sample([q for q in pool if q not in qids], count)
            answers, scores = [], {}
            for q in qids:
                if not must_pass and pick() < SKIPPED:
                    continue  # unanswered: no answer row; x = 0 in item statistics
                _spec, _orders, right, wrong, slope, difficulty = items[q]
                options = right if pick() * (1 + math.exp(slope * (difficulty - skill))) < 1 \
                    else wrong
                response, scores[q] = options[int(pick() * len(options))]
                answers.append((q, response, scores[q]))
            percent = round(100 * sum(scores.values()) / len(qids), 2)  # as compute_scores
            if (passed := percent >= quiz.pass_mark) or not must_pass:
                break
            skill += 0.5
        aid = self.take("attempt")
        end = begin + timedelta(minutes=rng.uniform(3, 8) + len(qids) * rng.uniform(0.4, 1.5))
        order = ", ".join([items[q][1][int(pick() * ORDERS)] for q in qids])
        specs = ", ".join([items[q][0] for q in qids])
        draw = (f'{{"questions": [{", ".join(map(str, qids))}], "order": {{{order}}}, '
                f'"specs": {{{specs}}}}}')  # json.dumps(_draw(…)), piece by piece
        out["attempt"].append((aid, uid, quiz.id, number, "finished", f.ts(begin), f.null,
                               f.ts(end), percent, f.true if passed else f.false, draw,
                               quiz.pages - 1, quiz.pages, f.null, quiz.version))
        saved = f.ts(end - timedelta(seconds=rng.uniform(2, 40)))
        out["answer"].extend([(aid, q, response, score, saved) for q, response, score in answers])
        item_stats.attempt_terms({"questions": qids}, scores, into=self.sums[quiz.id])
        self.audit(out, end, uid, "attempt.graded", "attempt", aid,
                   {"quiz": quiz.key, "score": percent, "passed": passed})
        if must_pass and uid == self.fixed["learner"] and self.learner_attempt is None:
            self.learner_attempt = aid
        return percent, passed, end

    def load(self, sinks: list[Sink], seed: int) -> None:
        """Batches made here, each written by a free sink's thread while the next is made."""
        free: queue.Queue = queue.Queue()
        for sink in sinks:
            free.put(sink)

        def write(batch: dict) -> None:
            sink = free.get()
            try:
                for table, rows in batch.items():
                    sink.write(table, rows)
            finally:
                free.put(sink)

        rng, pending = random.Random(seed), deque()
        with ThreadPoolExecutor(len(sinks)) as pool:
            for start in range(0, self.learners, CHUNK):
                batch = {table: [] for table in list(COLUMNS)[:6]}
                for i in range(start, min(start + CHUNK, self.learners)):
                    self.learner(rng, batch, i)
                pending.append(pool.submit(write, batch))
                while len(pending) > len(sinks) or (pending and pending[0].done()):
                    pending.popleft().result()  # a writer's error stops the load here
            for future in pending:
                future.result()

    def finish(self, sink: Sink, config) -> None:
        """Certificates with serials in issue order per year, their events, counters, sums."""
        f, out, years = self.fmt, {"certificate": [], "audit_event": []}, Counter()
        meta = template_meta(config["CERTIFICATES_DIR"], "default")
        template = certification.TemplateInfo(meta["name"], meta["version"])
        for uid, name, country, course, done, at in sorted(self.certificates, key=lambda c: c[-1]):
            cid, years[at.year] = self.take("certificate"), years[at.year] + 1
            serial = f"{config['CERTIFICATE_PREFIX']}-{at.year}-{years[at.year]:06d}"
            code = certification.new_code()
            snapshot = certification.snapshot(User(name=name, country=country), course,
                                              Enrolment(completed_at=done), serial, code, at,
                                              template)
            out["certificate"].append((
                cid, serial, code, uid, course.id, "issued", f.ts(at), self.fixed["admin"],
                f.null, f.null, f.js(json.dumps(snapshot)), template.name, template.version,
                f.null))
            self.audit(out, at, self.fixed["admin"], "certificate.issued", "certificate", cid,
                       {"serial": serial, "user_id": uid, "course": course.slug})
        out["serial_counter"] = sorted(years.items())
        out["item_stat"] = [(quiz, q, round(t[0]), *t[1:]) for quiz, sums in self.sums.items()
                            for (q, _version), t in sorted(sums.items()) if any(t)]
        for table, rows in out.items():
            sink.write(table, rows)


def migrate_and_sync(app) -> None:
    """Migrate the app's database and sync the shipped courses (in an app context)."""
    upgrade()
    specs, shared, errors = load_catalogue(Path(app.config["COURSES_DIR"]))
    if errors:
        raise SystemExit("course files have errors: " + "; ".join(map(str, errors)))
    sync_courses(specs, shared=shared)


def own_every_course(instructor) -> None:
    """The bench instructor owns every course, so the teaching pages are theirs to see."""
    from lms.catalog.services import set_staff_role

    for course in db.session.scalars(sa.select(Course).where(Course.archived_at.is_(None))):
        set_staff_role(course, instructor, "owner", actor_id=None)


def prepare(url: str):
    """An empty database, migrated, with the courses and the three fixed accounts."""
    if url.startswith("postgresql"):
        prepare_postgres(url)
    else:
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url,
                      "BASE_URL": "https://learn.example.org"})
    with app.app_context():
        migrate_and_sync(app)
        for role, name in FIXED.items():
            profile = {"country": "TH", "sector": "judiciary", "sex": "female"}
            user = create_user(email=f"{role}@{DOMAIN}", name=name, password=PASSWORD,
                               role=role, **(profile if role == "learner" else {}))
            if role == "instructor":
                own_every_course(user)
        db.session.commit()
    return app


def plan(size: str, fmt, rng: random.Random) -> Seeder:
    password_hash = hash_password(PASSWORD)  # once: every bulk learner shares it
    assert verify_password(password_hash, PASSWORD)
    courses = []
    for course in db.session.scalars(sa.select(Course).where(Course.archived_at.is_(None))
                                     .order_by(Course.id)):
        quizzes = {q.kind: q for q in db.session.scalars(sa.select(Quiz).where(
            Quiz.course_id == course.id, Quiz.archived_at.is_(None)))}
        assert set(quizzes) == {"pre", "final"}, f"{course.slug}: one pre-test, one final"
        courses.append(SimpleNamespace(  # what certification.snapshot reads, and more
            id=course.id, slug=course.slug, title=course.title, version=course.version,
            cpd_hours=course.cpd_hours, lessons=[lesson.id for lesson in live_lessons(course.id)],
            **{k: plan_quiz(q, course.version, fmt, rng) for k, q in quizzes.items()}))
    enrolments = SIZES[size] * min(COURSES_PER_LEARNER, len(courses))
    certified, ready = min(400, enrolments // 10), min(200, enrolments // 20)
    # learner@bench: a certificate for the first course, the second on the ready list
    chosen = rng.sample(range(COURSES_PER_LEARNER, enrolments), certified + ready - 2)
    designated = {0: "certificate", 1: "ready"} | {
        e: "certificate" if k < certified - 1 else "ready" for k, e in enumerate(chosen)}
    fixed = {u.role: u.id for u in db.session.scalars(sa.select(User))}
    seeder = Seeder(fmt, utcnow(), SIZES[size], fixed, password_hash, courses, designated)
    seeder.sums = {quiz.id: item_stats.new_sums() for c in courses for quiz in (c.pre, c.final)}
    for table in ("enrolment", "attempt", "audit_event", "certificate"):
        seeder.ids[table] = db.session.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0
    return seeder


def check(seeder: Seeder, size: str, rng: random.Random) -> str:
    """The app's own rules on a sample; on S and M, item_stat against rebuild_quiz."""
    attempts = rng.sample(range(1, seeder.ids["attempt"] + 1), 60)
    for attempt in db.session.scalars(sa.select(Attempt).where(Attempt.id.in_(attempts))):
        answers = assessment.answers_of(attempt.id)
        percent, scores = assessment.compute_scores(attempt.draw, answers)
        assert percent == attempt.score and attempt.passed == (
            percent >= attempt.quiz.pass_mark), attempt.id
        assert all(answers[q].score == s for q, s in scores.items()), attempt.id
    numbers = rng.sample(sorted(seeder.designated), 15) + rng.sample(
        range(seeder.ids["enrolment"]), 30)  # enrolment number n has id n + 1
    for enrolment in db.session.scalars(sa.select(Enrolment).where(
            Enrolment.id.in_([n + 1 for n in numbers]))):
        stored = (enrolment.pre_score, enrolment.final_score, enrolment.knowledge_gain)
        assessment.record_scores(enrolment)
        assert stored == (enrolment.pre_score, enrolment.final_score,
                          enrolment.knowledge_gain), enrolment.id
        assert (not outstanding_requirements(enrolment)) == (enrolment.status == "completed")
    ready = sum(certification.count_ready(c.id) for c in seeder.courses)
    assert ready == len(seeder.designated) - len(seeder.certificates), ready
    db.session.rollback()
    report = f"{len(attempts)} attempts, {len(numbers)} enrolments, the ready list"
    if size not in ("S", "M"):
        return report

    def sums() -> dict:
        table = item_stats.ItemStat.__table__
        return {(r[0], r[1]): r[2:] for r in db.session.execute(sa.select(table))}

    stored = sums()
    for quiz in seeder.sums:
        item_stats.rebuild_quiz(quiz)
    rebuilt = sums()
    db.session.rollback()
    assert stored.keys() == rebuilt.keys() and all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
        for key in stored for a, b in zip(stored[key], rebuilt[key], strict=True))
    same = sum(stored[key] == rebuilt[key] for key in stored)
    return f"{report}; item_stat = rebuild_quiz ({same}/{len(stored)} rows identical)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, required=True)
    parser.add_argument("--db", default=POSTGRES_URL, help="database to WIPE and fill")
    parser.add_argument("--out", default="/tmp/lms-bench-seed.json")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng, phases, started = random.Random(args.seed), [], time.perf_counter()

    def phase(name: str) -> None:
        phases.append(time.perf_counter() - started - sum(phases))
        print(f"{name:<40} {phases[-1]:7.1f} s", flush=True)

    app = prepare(args.db)
    phase("wipe, migrate, sync courses, 3 accounts")
    with app.app_context():
        seeder = plan(args.size, PG if args.db.startswith("postgresql") else SQLITE, rng)
        sinks = [Sink(db.engine.raw_connection(), seeder.fmt) for _ in range(seeder.fmt.writers)]
        seeder.load(sinks, args.seed)
        phase(f"bulk rows for {seeder.learners:,} learners")
        seeder.finish(sinks[0], app.config)
        for sink in sinks[::-1]:  # the first sets the sequences, after the others committed
            sink.commit(set_sequences=sink is sinks[0])
        phase("certificates, item_stat, commit")
        print("checked:", check(seeder, args.size, rng))
        phase("checks")
        if seeder.fmt is PG:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))
            phase("ANALYZE")
        counts = {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
                  for t in ("users", "course", "lesson", "quiz", "question", *COLUMNS)}
        certificate = db.session.scalar(sa.select(Certificate).where(
            Certificate.user_id == seeder.fixed["learner"]))
        quizzes = db.session.execute(sa.select(Quiz.id, Quiz.course_id, Quiz.kind)
                                     .order_by(Quiz.id)).all()
        info = {"size": args.size, "db": args.db, "password": PASSWORD,
                "accounts": {role: {"id": uid, "email": f"{role}@{DOMAIN}"}
                             for role, uid in seeder.fixed.items()},
                "quiz_ids": [q.id for q in quizzes[:3]], "quizzes": [q._asdict() for q in quizzes],
                "learner_attempt_id": seeder.learner_attempt, "verify_code": certificate.code,
                "serial": certificate.serial, "counts": counts}
        db.session.remove()
        db.engine.dispose()
    Path(args.out).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    for table, count in counts.items():
        print(f"  {table:<16} {count:>12,}")
    print(f"total {time.perf_counter() - started:.1f} s for size {args.size}; ids in {args.out}")


def reuse_or_seed(size: str, url: str = POSTGRES_URL, out: str = "/tmp/lms-bench-seed.json",
                  *, learners: int | None = None) -> dict:
    """What `out` describes, when the database at `url` still holds that seed: of `size`,
    or of any size with at least `learners` learners. Otherwise seeds `size` (WIPES `url`)."""
    try:
        info = json.loads(Path(out).read_text())
        fits = SIZES[info["size"]] >= learners if learners else info["size"] == size
        if fits and info["db"] == url and _still_holds(info):
            return info
    except (OSError, ValueError, KeyError, sa.exc.SQLAlchemyError):
        pass  # no file, another database, or tables gone: seed afresh
    main(["--size", size, "--db", url, "--out", out])
    return json.loads(Path(out).read_text())


def _still_holds(info: dict) -> bool:
    """The row counts the seed left (sign-ins and page views do not change them)."""
    engine = sa.create_engine(psycopg_url(info["db"]))
    try:
        with engine.connect() as conn:
            admin = conn.scalar(sa.text("SELECT email FROM users WHERE id = :id"),
                                {"id": info["accounts"]["admin"]["id"]})
            same = all(conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                       == info["counts"][table] for table in ("users", "enrolment", "attempt"))
            return same and admin == info["accounts"]["admin"]["email"]
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
