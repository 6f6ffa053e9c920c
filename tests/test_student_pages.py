"""The logic behind the student pages: list exports (CSV and Excel), turning the admission form
into the services' inputs, and the photo shown on a profile."""

import csv
import io
from base64 import b64decode
from datetime import date
from uuid import UUID

import openpyxl
import pytest
from sqlmodel import select

from models import User
from oneclass import db
from oneclass.demo_records import school_admin_of
from oneclass.services import exports, students
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.students import (
    EmergencyContactInput,
    GuardianInput,
    StudentInput,
)
from state.students import (
    FORM_FIELDS,
    chosen_class,
    contact_inputs,
    data_uri,
    guardian_input,
    student_input,
)
from tests.conftest import SchoolFixture

COLUMNS = {"admission_number": "Admission no.", "name": "Name", "class": "Class", "born": "Date of birth"}
ROWS: list[dict[str, object]] = [
    {"admission_number": "20260001", "name": "Tariro Moyo", "class": "Grade 3", "born": "2018-02-01"},
    {"admission_number": "20260002", "name": 'Nokuthula "Noku" Ndlovu, Jr', "class": "", "born": "2017-11-30"},
    {"admission_number": "20260003", "name": "Chiedza\nMakoni", "class": "Form 1 Blue", "born": "2013-06-09"},
    {"admission_number": "20260004", "name": "Thandiwe Ñyathi"},  # no class, no date: empty cells
]


def parsed_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def expected_cells(rows: list[dict[str, object]]) -> list[list[object]]:
    return [[row.get(key, "") for key in COLUMNS] for row in rows]


def test_csv_parses_back_to_the_same_rows() -> None:
    content = exports.rows_to_csv(COLUMNS, ROWS)
    assert content.startswith(b"\xef\xbb\xbf")  # Excel then reads it as UTF-8
    assert parsed_csv(content) == [list(COLUMNS.values()), *expected_cells(ROWS)]


def test_csv_cells_that_look_like_formulas_are_shown_not_run() -> None:
    rows = [{"name": value} for value in ("=HYPERLINK(\"http://x\")", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "+263 77 123 4567", "-5")]
    cells = [row[0] for row in parsed_csv(exports.rows_to_csv({"name": "Name"}, rows))[1:]]
    assert cells == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'+cmd|' /C calc'!A0", "'-2+3", "+263 77 123 4567", "-5"]


def test_xlsx_opens_with_the_same_rows() -> None:
    rows: list[dict[str, object]] = [*ROWS, {"admission_number": "=1+1", "name": "Formula Looking", "class": 3, "born": date(2016, 5, 4)}]
    content = exports.rows_to_xlsx(COLUMNS, rows, sheet="Students")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Students"]
    sheet = workbook["Students"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == list(COLUMNS.values())
    assert values[1:-1] == [[row.get(key) or None for key in COLUMNS] for row in ROWS]  # an empty cell reads as None
    # Text stays text (never a formula); numbers and dates keep their type.
    assert values[-1][:3] == ["=1+1", "Formula Looking", 3]
    assert values[-1][3].date() == date(2016, 5, 4)
    assert sheet["A6"].data_type == "s"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


def test_xlsx_sheet_names_are_cut_to_excels_limit() -> None:
    content = exports.rows_to_xlsx({"a": "A"}, [], sheet="Students of Harare Primary, 2026 intake")
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["Students of Harare Primary, 202"]


# --- the admission form ------------------------------------------------------------------------


FORM = {
    "admission_number": "A-7", "first_name": "Rudo", "last_name": "Moyo", "date_of_birth": "2016-05-04", "gender": "female",
    "national_id": "63-123456A75", "medical_notes": "Asthma",
    "guardian0_full_name": "Mai Rudo", "guardian0_phone": "0771234567", "guardian0_relationship": "Mother",
    "guardian0_email": "mai.rudo@example.com", "guardian0_contact_preference": "whatsapp",
    "contact0_name": "", "contact0_relationship": "", "contact0_phone": "  ",
    "class": "none",
}


def test_the_form_becomes_the_services_inputs() -> None:
    assert student_input(FORM) == StudentInput(
        admission_number="A-7", first_name="Rudo", last_name="Moyo", date_of_birth="2016-05-04", gender="female",
        national_id="63-123456A75", medical_notes="Asthma",
    )
    assert guardian_input(FORM) == GuardianInput(
        full_name="Mai Rudo", phone="0771234567", relationship="Mother", email="mai.rudo@example.com", contact_preference="whatsapp"
    )
    assert contact_inputs(FORM) == []  # left empty: no emergency contact
    half = {**FORM, "contact0_name": "Sekuru Moyo"}
    assert contact_inputs(half) == [EmergencyContactInput(name="Sekuru Moyo", relationship="", phone="  ")]
    # Every input of the form is a key the services report errors under.
    assert set(FORM) <= set(FORM_FIELDS)


def test_a_chosen_class() -> None:
    class_id = "6f0c7d1e-5f9a-4a57-9a51-0c1d2e3f4a5b"
    assert chosen_class(class_id) == UUID(class_id)
    assert chosen_class("none") is None and chosen_class("all") is None and chosen_class("") is None
    assert chosen_class("not-an-id") == UUID(int=0)  # matches no class, so the service refuses it


def test_the_half_filled_contact_is_refused_by_the_service(two_schools) -> None:
    school, _ = two_schools
    with db.tenant_session(school.id) as session:
        admin = school_admin_of(session, school.id)
    with pytest.raises(ValidationFailed) as refused:
        students.add_student(
            actor=admin, data=student_input(FORM), guardians=[guardian_input(FORM)],
            contacts=contact_inputs({**FORM, "contact0_name": "Sekuru Moyo"}), class_id=chosen_class("not-an-id"),
        )
    assert set(refused.value.errors) == {"contact0_relationship", "contact0_phone", "class"}
    assert set(refused.value.errors) <= set(FORM_FIELDS)


# --- the photo on a profile --------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _user(school: SchoolFixture, email: str) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.email == email)).one()
    return CurrentUser(id=user.id, school_id=school.id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


def test_photo_is_shown_only_to_those_who_see_the_student(two_schools) -> None:
    school_a, school_b = two_schools
    with db.tenant_session(school_a.id) as session:
        admin = school_admin_of(session, school_a.id)
    student_id = students.add_student(actor=admin, data=student_input(FORM)).student_id
    assert students.student_photo(actor=admin, student_id=student_id) is None
    students.set_photo(actor=admin, student_id=student_id, content=PNG, content_type="image/png")
    assert students.student_photo(actor=admin, student_id=student_id) == (PNG, "image/png")
    teacher = _user(school_a, f"teacher@{school_a.subdomain}.test")  # teaches no class of this student
    with pytest.raises(NotFound):
        students.student_photo(actor=teacher, student_id=student_id)
    with db.tenant_session(school_b.id) as session:
        other_admin = school_admin_of(session, school_b.id)
    with pytest.raises(NotFound):
        students.student_photo(actor=other_admin, student_id=student_id)
    uri = data_uri(PNG, "image/png")
    assert uri.startswith("data:image/png;base64,") and b64decode(uri.split(",", 1)[1]) == PNG
