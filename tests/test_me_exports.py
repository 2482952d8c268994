"""M&E downloads: report tables as CSV and XLSX, the learner extract, the quarterly PDF.

The data: one course with a Khmer title, one cohort with a Burmese name, learners with
Thai, Khmer and Burmese names, all trained in 2026-Q3. The expected cells come from the
report engine itself (build_table + display): an export must say exactly what the page
says, no more.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.certification.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.learning.cohorts import Cohort, CohortCourse, CohortMember
from lms.learning.models import Enrolment
from lms.learning.survey_models import FeedbackResponse
from tests.fixtures.users import login
from tests.pdf import pdf_fonts, pdf_text

KHMER_COURSE = "ការប្រឆាំងការជួញដូរមនុស្ស"
BURMESE_COHORT = "လူကုန်ကူးမှု တိုက်ဖျက်ရေး အဖွဲ့ ၁"
# (No sara am: poppler reads WeasyPrint's "า" glyph back as "ำ" once both appear.)
THAI_ORG = "กรมสอบสวนคดีพิเศษ"
FORMULA_ORG = '=HYPERLINK("http://evil.example/x","click")'
# (name, email, country, sex, organisation); eight Thai officials, three Cambodian, two
# from Myanmar and one whose organisation was typed as a formula.
LEARNERS = (
    [(f"สมชาย ใจดี {n}", f"th{n}@example.org", "TH", "female", THAI_ORG) for n in range(8)]
    + [(f"សុខ ចាន់ {n}", f"kh{n}@example.org", "KH", "male", "ក្រសួងមហាផ្ទៃ")
       for n in range(3)]
    + [(f"အောင် ကျော် {n}", f"mm{n}@example.org", "MM", "female", "ရဲတပ်ဖွဲ့")
       for n in range(2)]
    + [("Mallory Formula", "mallory@example.org", "PH", "male", FORMULA_ORG)])
WHEN = datetime(2026, 8, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def programme(make_user):
    """The course, the cohort and the learners above, enrolled in 2026-Q3; the Thai and
    Cambodian officials completed and passed, the Thai ones were certified and answered
    the feedback survey."""
    course = Course(slug="counter-trafficking", title=KHMER_COURSE, cpd_hours=6.0,
                    content_hash="0" * 64)
    cohort = Cohort(name=BURMESE_COHORT)
    db.session.add_all([course, cohort])
    db.session.flush()
    db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course.id))
    for n, (name, email, country, sex, organisation) in enumerate(LEARNERS):
        user = make_user("learner", name=name, email=email, country=country, sex=sex,
                         organisation=organisation, sector="prosecution")
        done = country in ("TH", "KH")
        pre, final = (40.0 + n, 80.0 + n) if done else (None, None)
        enrolment = Enrolment(
            user_id=user.id, course_id=course.id, enrolled_at=WHEN,
            started_at=WHEN + timedelta(hours=1), course_version=course.version,
            status="completed" if done else "active",
            completed_at=WHEN + timedelta(days=5) if done else None,
            passed_at=WHEN + timedelta(days=5) if done else None, pre_score=pre,
            final_score=final, knowledge_gain=final - pre if done else None)
        db.session.add_all([enrolment, CohortMember(cohort_id=cohort.id, user_id=user.id)])
        db.session.flush()
        if country == "TH":
            db.session.add(Certificate(
                serial=f"CoE-2026-{n:09d}", code=f"code{n:012d}", user_id=user.id,
                course_id=course.id, issued_at=WHEN + timedelta(days=6),
                snapshot={"name": name}, template="default", template_version="1"))
            db.session.add(FeedbackResponse(
                enrolment_id=enrolment.id, course_id=course.id, submitted_at=WHEN +
                timedelta(days=5), relevance=5, clarity=4, confidence=4, comment=""))
    db.session.commit()
    return {"course": course, "cohort": cohort}


@pytest.fixture
def me_client(app, make_user):
    client = app.test_client()
    login(client, make_user("me_officer", name="M&E Officer"))
    return client


def download(client, url: str, **kwargs):
    """A download read whole, inside the request's context (as a browser would read it)."""
    return client.get(url, buffered=True, **kwargs)


def audit_count(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=False)
    sheet = book.worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def block_value(rows: list[list], label: str):
    """The value beside `label` in the header block."""
    return next(row[1] for row in rows if row and row[0] == label)


def expected_table(filters_args: dict, figure: str, rows: str, cols: str):
    """The table as the engine builds and displays it (what the page shows)."""
    from lms.reporting.filters import filters_from_args
    from lms.reporting.tables import build_table, display, min_cell

    filters, _messages = filters_from_args(filters_args)
    table = build_table(filters, figure, rows, cols, min_cell())
    return table, {(r.key, c.key): display(table.cell(r.key, c.key), table.figure, min_cell())
                   for r in table.rows for c in table.cols}


def body_of(rows: list[list]) -> list[list]:
    """The table below the header block (after the blank row)."""
    blank = next(i for i, row in enumerate(rows) if not any(v not in (None, "") for v in row))
    return rows[blank + 1:]


# --- table exports --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_table_export_names_filters_in_every_script_and_is_audited(fmt, programme, me_client):
    course, cohort = programme["course"], programme["cohort"]
    args = {"figure": "enrolled", "rows": "sex", "cols": "none", "period": "2026-Q3",
            "course": course.id, "cohort": cohort.id, "organisation": THAI_ORG}
    before = audit_count("report.exported")
    response = download(me_client, f"/reports/export.{fmt}", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    from lms.reporting.figures import FIGURES

    assert rows[0][1] == FIGURES["enrolled"].label
    assert block_value(rows, "Definition") == FIGURES["enrolled"].definition
    texts = [str(v) for row in rows for v in row if v is not None]
    for words in (KHMER_COURSE, BURMESE_COHORT, THAI_ORG):
        assert any(words in text for text in texts), words
    assert "2026" in str(block_value(rows, "Period"))
    assert '"<5"' in block_value(rows, "Suppression")
    assert audit_count("report.exported") == before + 1
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.data["format"] == fmt and event.data["figure"] == "enrolled"
    assert event.data["rows"] == "sex" and event.data["cols"] == "none"
    assert event.data["filters"]["organisation"] == THAI_ORG


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_table_export_cells_are_the_pages_cells(fmt, programme, me_client, admin_client):
    """Country by sex: Cambodia (3) and Myanmar (2) are small; the same for an admin."""
    args = {"figure": "enrolled", "rows": "country", "cols": "sex", "period": "2026-Q3"}
    table, shown = expected_table(args, "enrolled", "country", "sex")
    states = {table.cell(r.key, c.key).state for r in table.rows for c in table.cols}
    assert {"small", "hidden"} <= states, "the data must exercise both kinds of suppression"
    for client in (me_client, admin_client):
        response = download(client, f"/reports/export.{fmt}", query_string=args)
        rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
        body = body_of(rows)
        assert [str(v) for v in body[0][1:]] == [str(c.label) for c in table.cols]
        assert [row[0] for row in body[1:]] == [str(r.label) for r in table.rows]
        for r, row in zip(table.rows, body[1:], strict=True):
            for c, value in zip(table.cols, row[1:], strict=True):
                cell = table.cell(r.key, c.key)
                if cell.state == "shown":
                    assert value == cell.value or str(value) == str(cell.value), (r, c)
                    if fmt == "xlsx":
                        assert isinstance(value, int | float), "numbers stay numbers"
                else:
                    assert value == shown[r.key, c.key] and value in ("<5", "x", "–")
        flat = [v for row in body for v in row]
        assert "<5" in flat and "x" in flat


def test_formula_in_a_filter_is_neutralised_in_csv(programme, me_client):
    response = download(me_client, "/reports/export.csv", query_string={
        "figure": "enrolled", "rows": "sex", "organisation": FORMULA_ORG})
    assert response.status_code == 200
    rows = read_csv(response)
    echoed = [v for row in rows for v in row if "HYPERLINK" in v]
    assert echoed and all(v.startswith("'=") for v in echoed), echoed


def test_formula_in_a_filter_is_text_in_xlsx(programme, me_client):
    response = download(me_client, "/reports/export.xlsx", query_string={
        "figure": "enrolled", "rows": "sex", "organisation": FORMULA_ORG})
    data = response.get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet, "no cell may hold a formula"
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_unknown_figure_or_dimension_is_a_clear_400(programme, me_client):
    before = audit_count("report.exported")
    response = me_client.get("/reports/export.csv?figure=salaries")
    assert response.status_code == 400
    assert "no such figure" in response.get_data(as_text=True)
    response = me_client.get("/reports/export.xlsx?rows=email")
    assert response.status_code == 400
    assert "no such breakdown" in response.get_data(as_text=True)
    assert me_client.get("/reports/export.pdf").status_code == 404
    assert audit_count("report.exported") == before


@pytest.mark.parametrize("url", ["/reports/export.csv", "/reports/export.xlsx",
                                 "/reports/extract.csv", "/reports/quarterly.pdf?period=2026"])
def test_a_bad_filter_is_refused_not_dropped(url, programme, admin_client):
    """A file that silently covered every country when one was asked for would be
    quoted as if it were about that country."""
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    sep = "&" if "?" in url else "?"
    response = admin_client.get(f"{url}{sep}country=%3DXX&course=abc")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "That country is not in the list." in html
    assert "That course is not in the list." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def test_learners_and_instructors_may_not_export(app, programme, learner_client, instructor):
    instructor_client = app.test_client()
    login(instructor_client, instructor)
    for client in (learner_client, instructor_client):
        for url in ("/reports/export.csv", "/reports/export.xlsx", "/reports/extract.csv",
                    "/reports/extract.xlsx", "/reports/quarterly.pdf?period=2026-Q3"):
            assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(("endpoint", "fmt"), [
    ("reporting.me_export", "csv"), ("reporting.me_export", "xlsx"),
    ("reporting.me_extract", "csv"), ("reporting.me_extract", "xlsx")])
def test_downloads_are_streamed(endpoint, fmt, app, programme, admin):
    """The view hands back a generator; the body is written only as it is read."""
    from flask_login import login_user

    with app.test_request_context(f"/reports/x.{fmt}?period=2026-Q3"):
        login_user(admin)
        response = app.view_functions[endpoint](fmt=fmt)
        assert response.is_streamed
        body = b"".join(response.iter_encoded())
    assert body.startswith(b"\xef\xbb\xbf" if fmt == "csv" else b"PK")


# --- the learner-level extract --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_extract_is_for_admins_only(fmt, programme, me_client):
    before = audit_count("report.extract_exported")
    assert me_client.get(f"/reports/extract.{fmt}").status_code == 403
    assert audit_count("report.extract_exported") == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_extract_lists_every_learner_with_names_intact(fmt, programme, admin_client):
    from lms.reporting.tables import EXTRACT_HEADER

    before = audit_count("report.extract_exported")
    response = download(admin_client, f"/reports/extract.{fmt}",
                        query_string={"period": "2026-Q3"})
    assert response.status_code == 200
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert [str(v) for v in rows[0]] == [str(t) for t in EXTRACT_HEADER]
    assert len(rows) - 1 == len(LEARNERS)
    texts = {str(v) for row in rows[1:] for v in row if v is not None}
    for name, email, *_rest in LEARNERS[:-1]:
        assert name in texts and email in texts
    if fmt == "csv":
        assert FORMULA_ORG not in texts and "'" + FORMULA_ORG in texts
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        cells = [c for row in book.worksheets[0].iter_rows() for c in row
                 if c.value == FORMULA_ORG]
        assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert audit_count("report.extract_exported") == before + 1
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.data["format"] == fmt and event.data["filters"]["period"] == "2026-Q3"


# --- the quarterly PDF ----------------------------------------------------------------


def letters(text: str) -> str:
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Mn")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_quarterly_pdf_prints_every_table_and_definition(programme, me_client, tmp_path):
    from lms.reporting.figures import FIGURES
    from lms.reporting.quarterly import PANELS

    before = audit_count("report.exported")
    response = me_client.get("/reports/quarterly.pdf?period=2026-Q3")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    pdf = response.get_data()
    text = squash(pdf_text(pdf, tmp_path))
    assert "Quarterly work-plan report" in text and "Quarter 3 of 2026" in text
    for panel in PANELS:
        assert squash(str(panel.title)) in text
        for key in panel.figures:
            assert squash(str(FIGURES[key].definition)) in text, key
    assert "<5" in text and "Counts under 5" in text
    assert re.search(r"\b1 ?/ ?\d+\b", text), "pages are numbered"
    fonts = pdf_fonts(pdf, tmp_path).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    assert audit_count("report.exported") == before + 1


def test_quarterly_pdf_prints_filters_in_their_scripts(programme, admin_client, tmp_path):
    response = admin_client.get("/reports/quarterly.pdf", query_string={
        "period": "2026", "organisation": THAI_ORG, "course": programme["course"].id})
    assert response.status_code == 200
    text = pdf_text(response.get_data(), tmp_path)
    # poppler lays out marks by position (Thai vowels above come out after the next
    # letter, Khmer clusters get spaces): compare the letters, in order.
    assert letters(THAI_ORG) in letters(text) and letters(KHMER_COURSE) in letters(text)
    assert "Year 2026" in text
    fonts = pdf_fonts(response.get_data(), tmp_path)
    for script in ("Thai", "Khmer"):
        assert re.search(rf"Noto-?Sans-?{script}\b.* yes +yes +yes", fonts), (script, fonts)


@pytest.mark.parametrize("period", ["", "all", "2026-Q5", "2026-07", "next quarter"])
def test_quarterly_pdf_needs_a_quarter_or_a_year(period, programme, me_client):
    before = audit_count("report.exported")
    response = me_client.get("/reports/quarterly.pdf", query_string={"period": period})
    assert response.status_code == 400
    assert "one quarter or one year" in response.get_data(as_text=True)
    assert audit_count("report.exported") == before


# --- the M&E officer never sees a person ------------------------------------------------


def test_me_officer_downloads_name_no_one(programme, me_client, tmp_path):
    outputs = []
    for figure, rows, cols in (("enrolled", "country", "sex"), ("mean_gain", "sex", "none"),
                               ("feedback_relevance", "sector", "none")):
        for fmt in ("csv", "xlsx"):
            response = download(me_client, f"/reports/export.{fmt}", query_string={
                "figure": figure, "rows": rows, "cols": cols, "period": "2026-Q3"})
            assert response.status_code == 200
            outputs.append("\n".join(str(v) for row in (
                read_csv(response) if fmt == "csv" else read_xlsx(response))
                for v in row if v is not None))
    response = me_client.get("/reports/quarterly.pdf?period=2026-Q3")
    outputs.append(pdf_text(response.get_data(), tmp_path))
    people = db.session.execute(sa.select(User.name, User.email)
                                .where(User.role == "learner")).all()
    assert len(people) == len(LEARNERS)
    for output in outputs:
        for name, email in people:
            assert name not in output and email not in output
        assert "@example.org" not in output
