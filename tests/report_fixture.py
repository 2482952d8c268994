"""The reporting fixture: 40 learners (TH u01–u16, KH u17–u28, VN u29–u40), two courses,
56 enrolments over 2024-Q3 … 2025-Q2, written straight into the database.

The tables below are the whole data set, so every expected answer in
tests/test_report_*.py can be recomputed by hand from this page. Two staff members
(an instructor and an admin) are enrolled with full results: reports count learners only,
so they must never show up.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.certification.models import Certificate
from lms.core.db import db
from lms.learning.cohorts import Cohort, CohortCourse, CohortMember
from lms.learning.models import Enrolment
from lms.learning.survey_models import FeedbackResponse, FollowUpResponse

# Course A: 48 CPD hours (a long course, so the hours pass 1,000); course B: 1.5 hours.
COURSES = {"A": ("report-course-a", 48.0), "B": ("report-course-b", 1.5)}

SEX = {"F": "female", "M": "male", "U": "undisclosed", "-": None}
SECTOR = {"J": "judiciary", "P": "prosecution", "L": "police", "S": "social_work",
          "U": "undisclosed", "-": None}
AGENCY = {"N": "national", "P": "provincial", "L": "local", "U": "undisclosed", "-": None}
# "18_24" is a value no list offers (an old answer): it counts as "not recorded".
AGE = {"a": "under_25", "b": "25_34", "c": "35_44", "d": "45_54", "e": "55_64",
       "f": "65_over", "U": "undisclosed", "-": None, "old": "18_24"}
DISABILITY = {"Y": "yes", "N": "no", "U": "undisclosed", "-": None}
# Organisation codes; "rtp" and "rtp_" are the same police force, typed differently.
ORGS = {"RTP": "Royal Thai Police", "rtp": "royal thai police", "rtp_": "  Royal Thai Police ",
        "OJ": "Office of the Judiciary", "AG": "Office of the Attorney General",
        "SD": "Ministry of Social Development", "CNP": "Cambodian National Police",
        "MJ": "Ministry of Justice", "MS": "Ministry of Social Affairs",
        "PS": "Ministry of Public Security", "PP": "Supreme People's Procuracy",
        "PC": "Supreme People's Court", "ML": "Ministry of Labour", "-": None}

# code   sex country sector org   agency age  disability
LEARNERS = """
u01  F  TH  L  RTP   N  b    N
u02  F  TH  L  rtp   N  c    N
u03  F  TH  L  rtp_  P  c    Y
u04  F  TH  J  OJ    N  d    N
u05  F  TH  J  OJ    P  b    N
u06  F  TH  P  AG    L  a    U
u07  F  TH  S  SD    L  b    -
u08  F  TH  P  AG    N  e    N
u09  M  TH  L  RTP   P  c    N
u10  M  TH  L  RTP   L  d    Y
u11  M  TH  J  OJ    N  b    N
u12  M  TH  P  AG    U  c    N
u13  M  TH  S  SD    L  -    N
u14  M  TH  J  OJ    -  f    -
u15  U  TH  P  AG    N  U    U
u16  -  TH  S  SD    P  old  -
u17  F  KH  L  CNP   N  b    N
u18  F  KH  L  CNP   P  c    Y
u19  F  KH  J  MJ    N  c    N
u20  F  KH  S  MS    L  d    N
u21  F  KH  P  MJ    P  a    N
u22  F  KH  S  MS    L  b    Y
u23  M  KH  L  CNP   N  c    N
u24  M  KH  J  MJ    P  e    N
u25  M  KH  P  MJ    N  d    U
u26  M  KH  L  CNP   L  b    N
u27  M  KH  S  MS    -  a    -
u28  U  KH  J  MJ    U  U    U
u29  F  VN  L  PS    N  b    N
u30  F  VN  P  PP    P  c    N
u31  F  VN  J  PC    N  d    Y
u32  F  VN  S  ML    L  c    N
u33  F  VN  -  -     -  b    -
u34  M  VN  L  PS    N  c    N
u35  M  VN  L  PS    P  d    N
u36  M  VN  P  PP    N  e    Y
u37  M  VN  J  PC    L  b    N
u38  M  VN  S  ML    P  c    N
u39  -  VN  U  ML    U  -    -
u40  U  VN  L  PS    N  a    U
"""

# Stage: E enrolled only · S started · T took the final test, not passed ·
# X passed the final, lessons not all read (not completed) · C completed (and passed).
# cert: issued · revoked (only) · reissued (a revoked one, then an issued one) · expired.
# feedback: relevance clarity confidence; follow-up: used yes | partly | no.
# code course enrolled (UTC)      stage pre final cert     feedback follow-up
ENROLMENTS = """
u01 A 2024-11-05         C  40  80   issued    5 4 4  yes
u02 A 2024-11-05         C  50  90   issued    4 4 3  partly
u03 A 2024-11-05         C  60  70   revoked   3 3 3  no
u04 A 2024-11-05         T  30  40   -         - - -  -
u05 A 2025-02-10         C  50  100  issued    5 5 5  -
u06 A 2025-02-10         S  -   -    -         - - -  -
u07 A 2025-02-10         E  -   -    -         - - -  -
u08 A 2025-02-10         C  70  80   reissued  4 4 4  -
u09 A 2024-12-31T23:30   C  20  60   issued    - - -  yes
u10 A 2024-11-05         S  40  -    -         - - -  -
u11 A 2024-11-05         X  -   75   -         - - -  -
u12 A 2025-05-20         C  -   85   issued    4 3 4  -
u13 A 2025-05-20         S  -   -    -         - - -  -
u14 A 2025-05-20         E  -   -    -         - - -  -
u15 A 2025-02-10         C  60  90   issued    - - -  -
u16 A 2024-08-15         C  50  70   issued    3 4 2  partly
u17 A 2025-02-10         C  30  70   issued    5 4 5  yes
u18 A 2025-02-10         C  40  80   issued    - - -  -
u19 A 2025-02-10         T  20  50   -         - - -  -
u20 A 2025-05-20         C  50  90   issued    4 5 4  -
u21 A 2025-05-20         S  -   -    -         - - -  -
u22 A 2025-05-20         E  -   -    -         - - -  -
u23 A 2024-11-05         C  40  70   issued    3 3 4  no
u24 A 2024-11-05         T  30  45   -         - - -  -
u25 A 2025-02-10         C  60  80   issued    - - -  yes
u26 A 2025-02-10         S  50  -    -         - - -  -
u27 A 2025-02-10         E  -   -    -         - - -  -
u28 A 2024-08-15         C  20  80   issued    5 5 4  -
u29 A 2025-02-10         C  40  90   issued    4 4 5  partly
u30 A 2025-02-10         C  30  60   expired   - - -  -
u31 A 2025-05-20         C  50  80   issued    - - -  -
u32 A 2025-05-20         T  40  55   -         2 3 2  -
u33 A 2025-05-20         E  -   -    -         - - -  -
u34 A 2024-11-05         C  60  100  issued    5 4 4  yes
u35 A 2025-05-20         S  -   -    -         - - -  -
u36 A 2025-05-20         X  50  80   -         - - -  -
u37 A 2025-05-20         C  40  70   issued    - - -  -
u38 A 2025-05-20         E  -   -    -         - - -  -
u39 A 2024-08-15         T  60  50   -         - - -  -
u40 A 2025-04-01T00:00   C  70  90   issued    4 4 4  -
u01 B 2025-02-10         C  60  100  issued    5 5 5  -
u02 B 2025-02-10         C  70  90   issued    - - -  -
u03 B 2025-02-10         S  -   -    -         - - -  -
u04 B 2025-05-20         C  80  100  issued    - - -  yes
u05 B 2025-05-20         T  50  60   -         - - -  -
u06 B 2025-05-20         E  -   -    -         - - -  -
u09 B 2025-05-20         C  60  80   issued    - - -  -
u10 B 2025-05-20         S  -   -    -         - - -  -
u11 B 2025-05-20         E  -   -    -         - - -  -
u17 B 2025-05-20         C  50  90   issued    4 4 4  -
u18 B 2025-05-20         S  40  -    -         - - -  -
u19 B 2025-05-20         E  -   -    -         - - -  -
u23 B 2025-05-20         C  70  80   -         - - -  -
u29 B 2025-05-20         T  30  40   -         - - -  -
u30 B 2025-05-20         E  -   -    -         - - -  -
u34 B 2025-03-31T23:59   C  90  100  issued    5 5 4  partly
staffI A 2025-02-10      C  10  100  issued    1 1 1  no
staffA B 2025-05-20      C  10  100  issued    1 1 1  no
"""
STAFF = {"staffI": "instructor", "staffA": "admin"}  # both Thai women, in the cohort (I)
COHORT_MEMBERS = ("u01", "u02", "u03", "u04", "u05", "u06", "u07", "u08", "staffI")
COHORT_COURSES = ("A",)  # the cohort's figures: its members' enrolments in course A


@dataclass
class ReportData:
    courses: dict[str, int]  # "A" → course id
    cohort_id: int
    users: dict[str, int]  # "u01" → user id


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text if "T" in text else f"{text}T09:00").replace(tzinfo=UTC)


def _learner(code, sex, country, sector, org, agency, age, disability) -> User:
    return User(email=f"{code}@example.org", name=f"Learner {code}", role="learner",
                password_hash="not-a-hash", sex=SEX[sex], country=country,
                sector=SECTOR[sector], organisation=ORGS[org], agency_level=AGENCY[agency],
                age_band=AGE[age], disability=DISABILITY[disability])


def _enrolment(user_id: int, course: Course, when: datetime, stage: str, pre, final):
    pre = None if pre == "-" else float(pre)
    final = None if final == "-" else float(final)
    begun, passed, completed = stage in "STXC", stage in "XC", stage == "C"
    return Enrolment(
        user_id=user_id, course_id=course.id, course_version=1, enrolled_at=when,
        status="completed" if completed else "active",
        started_at=when + timedelta(days=1) if begun else None,
        passed_at=when + timedelta(days=5) if passed else None,
        completed_at=when + timedelta(days=6) if completed else None,
        pre_score=pre, final_score=final,
        knowledge_gain=final - pre if pre is not None and final is not None else None)


def _certificates(enrolment: Enrolment, kind: str, serial: int) -> list[Certificate]:
    def one(status: str, n: int) -> Certificate:
        issued = enrolment.enrolled_at + timedelta(days=7)
        return Certificate(serial=f"CoE-R-{n:06d}", code=f"report{n:06d}",
                           user_id=enrolment.user_id, course_id=enrolment.course_id,
                           status=status, issued_at=issued, snapshot={}, template="default",
                           template_version="1",
                           revoked_at=issued + timedelta(days=1) if status == "revoked"
                           else None)
    if kind == "reissued":
        return [one("revoked", serial), one("issued", serial + 1)]
    return [one(kind, serial)]


def build_report_fixture() -> ReportData:
    """Write the data set above (commits) and return its ids."""
    users: dict[str, User] = {}
    for line in LEARNERS.strip().splitlines():
        code, *fields = line.split()
        users[code] = _learner(code, *fields)
    for code, role in STAFF.items():
        users[code] = User(email=f"{code}@example.org", name=f"Staff {code}", role=role,
                           password_hash="not-a-hash", sex="female", country="TH",
                           sector="police", organisation="Royal Thai Police")
    courses = {key: Course(slug=slug, title=f"Report course {key}", cpd_hours=hours,
                           content_hash="0" * 64) for key, (slug, hours) in COURSES.items()}
    db.session.add_all([*users.values(), *courses.values()])
    db.session.flush()
    serial = 0
    for line in ENROLMENTS.strip().splitlines():
        code, course, when, stage, pre, final, cert, rel, cla, conf, used = line.split()
        enrolment = _enrolment(users[code].id, courses[course], _when(when), stage, pre,
                               final)
        db.session.add(enrolment)
        db.session.flush()
        if cert != "-":
            serial += 2
            db.session.add_all(_certificates(enrolment, cert, serial))
        done = enrolment.enrolled_at + timedelta(days=8)
        if rel != "-":
            db.session.add(FeedbackResponse(
                enrolment_id=enrolment.id, course_id=enrolment.course_id, submitted_at=done,
                relevance=int(rel), clarity=int(cla), confidence=int(conf),
                comment=f"Comment on {course} by {code}"))
        if used != "-":
            db.session.add(FollowUpResponse(
                enrolment_id=enrolment.id, course_id=enrolment.course_id,
                submitted_at=done + timedelta(days=90), used=used, how=""))
    cohort = Cohort(name="Thai officials, report cohort", starts_on=date(2024, 10, 1))
    db.session.add(cohort)
    db.session.flush()
    db.session.add_all([CohortMember(cohort_id=cohort.id, user_id=users[code].id)
                        for code in COHORT_MEMBERS])
    db.session.add_all([CohortCourse(cohort_id=cohort.id, course_id=courses[key].id)
                        for key in COHORT_COURSES])
    db.session.commit()
    return ReportData({key: course.id for key, course in courses.items()}, cohort.id,
                      {code: user.id for code, user in users.items()})
