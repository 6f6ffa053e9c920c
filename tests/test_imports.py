"""The one bulk importer (students with guardians, staff, users) from CSV and Excel files: every
row checked first, all or nothing, fast enough for 10,000 rows, and never touching another school."""

import asyncio
import csv
import io
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, func, select

from models import (
    AuditEvent,
    Department,
    Enrolment,
    Guardian,
    Role,
    SchoolClass,
    StaffProfile,
    Student,
    StudentGuardian,
    StudentStatusChange,
    User,
)
from oneclass import db, i18n, routes
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import auth, imports, students, users
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import ValidationFailed
from oneclass.services.imports import RowError
from oneclass.tenancy import SchoolRoute
from state.imports import ImportState
from tests.conftest import SchoolFixture, fresh_ip
from tests.test_exports_lists import school_state

IP = "198.51.100.7"
PASSWORD = "kopje-msasa-2026"
COUNTED = (Student, Guardian, StudentGuardian, Enrolment, StudentStatusChange, User, StaffProfile)


@pytest.fixture
def schools(two_schools: tuple[SchoolFixture, SchoolFixture]) -> tuple[SchoolFixture, SchoolFixture]:
    """Two schools with a current year, classes, departments and five students each."""
    for school, level in zip(two_schools, ("primary", "secondary"), strict=True):
        with db.tenant_session(school.id) as session:
            seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level=level, students=5)
            session.commit()
    return two_schools


def admin_of(school: SchoolFixture) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        return school_admin_of(session, school.id)


def counts(school: SchoolFixture) -> dict[str, int]:
    with db.tenant_session(school.id) as session:
        return {model.__name__: session.exec(select(func.count()).select_from(model)).one() for model in COUNTED}


def student_row(number: int, **overrides: str) -> dict[str, str]:
    """A valid row; deterministic from `number` (the guardian is shared by pairs of siblings)."""
    family = number // 2
    row = {
        "admission_number": f"IMP-{number:05d}",
        "first_name": ("Tariro", "Tatenda", "Nyasha", "Sipho")[number % 4],
        "last_name": ("Moyo", "Ncube", "Dube", "Sibanda", "Chirwa")[family % 5],
        "date_of_birth": date(2010 + number % 10, 1 + number % 12, 1 + number % 28).isoformat(),
        "gender": ("female", "male")[number % 2],
        "class": "",
        "home_language": "Shona",
        "guardian_name": f"Guardian {family}",
        "guardian_phone": f"077{2000000 + family:07d}",
        "guardian_relationship": "Mother",
        "guardian_email": "",
    }
    return {**row, **overrides}


def csv_file(rows: list[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or list(dict.fromkeys(key for row in rows for key in row)), restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx_file(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_of(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def preview(school: SchoolFixture, content: bytes, kind: str = "students", filename: str = "pupils.csv") -> imports.ImportPreview:
    return imports.preview_import(actor=admin_of(school), kind=kind, filename=filename, content=content)


def run(school: SchoolFixture, content: bytes, kind: str = "students", filename: str = "pupils.csv", **extra: Any) -> int:
    """Import as the Import page does: one call, one transaction."""
    return imports.run_import(actor=admin_of(school), kind=kind, filename=filename, content=content, ip=IP, **extra)


def route(school: SchoolFixture) -> SchoolRoute:
    return SchoolRoute(id=school.id, name=school.name, subdomain=school.subdomain, level="primary", status="active")


def in_school(school: SchoolFixture, query: Any) -> list[Any]:
    with db.tenant_session(school.id) as session:
        return list(session.exec(query).all())


# --- students ---------------------------------------------------------------------------------


def test_csv_import_adds_students_guardians_parent_logins_and_classes(schools) -> None:
    school, _ = schools
    before = counts(school)
    rows = [
        student_row(0, **{"class": "grade 3", "guardian_email": "mai.tariro@example.com"}),  # class names match loosely
        student_row(1, **{"class": "Grade 3"}),  # sibling of row 2: same guardian phone
        student_row(2, national_id="63 123456 a 75", zimsec_candidate_number="123456 0001"),
    ]
    checked = preview(school, csv_file(rows))
    assert (checked.ok, checked.rows, checked.valid_rows, checked.errors) == (True, 3, 3, [])
    assert checked.sample[0][:3] == ["2", "IMP-00000", "Tariro Moyo"]

    assert run(school, csv_file(rows)) == 3
    after = counts(school)
    assert after["Student"] - before["Student"] == 3
    assert after["Guardian"] - before["Guardian"] == 2
    assert after["StudentGuardian"] - before["StudentGuardian"] == 3
    assert after["StudentStatusChange"] - before["StudentStatusChange"] == 3
    assert after["Enrolment"] - before["Enrolment"] == 2
    assert after["User"] - before["User"] == 1  # the guardian with an email got a parent login

    admin = admin_of(school)
    parent = in_school(school, select(User).where(User.email == "mai.tariro@example.com"))[0]
    assert parent.role == Role.parent
    with db.tenant_session(school.id) as session:
        children = students.children_of(session, user_id=parent.id)
        assert sorted(child.admission_number for child in children) == ["IMP-00000", "IMP-00001"]
        third = session.exec(select(Student).where(Student.admission_number == "IMP-00002")).one()
        profile = students.student_profile(actor=admin, student_id=third.id)
    assert (profile["national_id"], profile["zimsec_candidate_number"]) == ("63-123456A75", "123456/0001")
    assert profile["guardians"][0]["phone"] == "+263772000001"
    assert profile["history"][0]["reason"] == "Admitted"
    grade3 = in_school(school, select(SchoolClass.id).where(SchoolClass.name == "Grade 3"))[0]
    enrolled = in_school(school, select(Student.admission_number).join(Enrolment, col(Enrolment.student_id) == Student.id).where(Enrolment.class_id == grade3))
    assert {"IMP-00000", "IMP-00001"} <= set(enrolled)
    event = in_school(school, select(AuditEvent).where(AuditEvent.action == imports.STUDENTS_IMPORTED))[0]
    assert (event.target, event.ip, event.detail["rows"], event.detail["parent_logins_added"]) == ("pupils.csv", IP, 3, 1)


def test_guardians_are_found_as_admission_finds_them(schools) -> None:
    """By the parent login's email first, then by phone; an email gives a guardian without a
    login a parent login; a staff member's email is never turned into a parent's."""
    school, _ = schools
    seeded = in_school(school, select(Guardian).where(col(Guardian.user_id).is_(None)).order_by(Guardian.full_name))[0]
    parent_email = f"parent@{school.subdomain}.test"
    parents_guardian = in_school(school, select(Guardian).join(User, col(User.id) == Guardian.user_id).where(User.email == parent_email))[0]
    teacher_email = f"teacher@{school.subdomain}.test"
    before = counts(school)
    rows = [
        student_row(0, guardian_phone=seeded.phone, guardian_email="found.by.phone@example.com"),
        student_row(2, guardian_phone="0781234567", guardian_email=parent_email.upper()),
        student_row(4, guardian_phone="0787654321", guardian_email=teacher_email),
    ]
    assert run(school, csv_file(rows)) == 3
    after = counts(school)
    assert after["Guardian"] - before["Guardian"] == 1  # only the teacher's email gave a new guardian
    assert after["User"] - before["User"] == 1  # the parent login of the guardian found by phone
    linked = in_school(school, select(Guardian).where(Guardian.id == seeded.id))[0]
    login = in_school(school, select(User).where(User.email == "found.by.phone@example.com"))[0]
    assert (linked.user_id, login.role) == (login.id, Role.parent)

    def guardian_of(admission_number: str) -> Guardian:
        return in_school(
            school,
            select(Guardian)
            .join(StudentGuardian, col(StudentGuardian.guardian_id) == Guardian.id)
            .join(Student, col(Student.id) == StudentGuardian.student_id)
            .where(Student.admission_number == admission_number),
        )[0]

    assert guardian_of("IMP-00000").id == seeded.id
    assert guardian_of("IMP-00002").id == parents_guardian.id
    teachers_row_guardian = guardian_of("IMP-00004")
    assert (teachers_row_guardian.user_id, teachers_row_guardian.email) == (None, teacher_email)


def test_xlsx_import_reads_dates_numbers_and_phone_numbers_typed_as_numbers(schools) -> None:
    school, _ = schools
    header = ["Admission Number", "First Name", "Last Name", "Date of Birth", "Gender", "Guardian Name", "Guardian Phone", "Guardian Relationship"]
    content = xlsx_file([
        header,
        [30001, "Rudo", "Gumbo", datetime(2014, 2, 3), "F", "Mai Rudo", 772123456, "Mother"],
        [None] * 8,  # a blank row is skipped, but still counts in the row numbers
        ["30002", "Farai", "Gumbo", "2013-11-30", "m", "Mai Rudo", "+263 77 212 3456", "Mother"],
    ])
    checked = preview(school, content, filename="Pupils.XLSX")
    assert checked.ok, checked.errors
    assert [row[0] for row in checked.sample] == ["2", "4"]
    assert preview(school, content, filename="pupils.csv").ok  # a workbook is read as one, whatever its name
    assert run(school, content, filename="Pupils.XLSX") == 2
    imported = in_school(school, select(Student).where(col(Student.admission_number).in_(["30001", "30002"])).order_by(Student.admission_number))
    assert [(s.first_name, s.date_of_birth, s.gender) for s in imported] == [("Rudo", date(2014, 2, 3), "female"), ("Farai", date(2013, 11, 30), "male")]
    assert in_school(school, select(Guardian.phone).where(Guardian.full_name == "Mai Rudo")) == ["+263772123456"]  # one guardian, twice


def test_one_bad_row_is_reported_by_row_and_column_and_nothing_is_written(schools) -> None:
    school, _ = schools
    before = counts(school)
    rows = [student_row(0), student_row(1), student_row(2, gender="x", guardian_phone="12345", date_of_birth="03/04/2015"), student_row(3)]
    content = csv_file(rows)
    checked = preview(school, content)
    assert not checked.ok
    assert (checked.rows, checked.rows_with_errors, checked.valid_rows) == (4, 1, 3)
    assert sorted((e.row, e.column) for e in checked.errors) == [(4, "date_of_birth"), (4, "gender"), (4, "guardian_phone")]
    assert "YYYY-MM-DD" in next(e.message for e in checked.errors if e.column == "date_of_birth")
    with pytest.raises(ValidationFailed, match="nothing was imported"):
        run(school, content)
    assert counts(school) == before


def test_duplicates_within_the_file_and_against_the_school_are_caught(schools) -> None:
    school, _ = schools
    existing = in_school(school, select(Student.admission_number))[0]
    rows = [student_row(0), student_row(1, admission_number=existing.lower()), student_row(2, admission_number="imp-00000")]
    checked = preview(school, csv_file(rows))
    assert checked.errors == [
        RowError(3, "admission_number", "Another student has this admission number."),
        RowError(4, "admission_number", "The same admission number is also on row 2."),
    ]


def test_unknown_or_full_class_is_refused(schools) -> None:
    school, _ = schools
    with db.tenant_session(school.id) as session:
        grade1 = session.exec(select(SchoolClass).where(SchoolClass.name == "Grade 1")).one()
        grade1.capacity = 2  # one seeded student is in it already
        session.add(grade1)
        session.commit()
    rows = [student_row(0, **{"class": "Grade 1"}), student_row(1, **{"class": "Grade 1"}), student_row(2, **{"class": "Form 9 Purple"})]
    checked = preview(school, csv_file(rows))
    assert [(e.row, e.column) for e in checked.errors] == [(3, "class"), (4, "class")]
    assert checked.errors[0].message == "Grade 1 is full (2 students)."
    assert "No class named “Form 9 Purple” this year." in checked.errors[1].message and "Grade 3" in checked.errors[1].message


@pytest.mark.parametrize(
    ("filename", "content", "problem"),
    [
        ("pupils.csv", b"admission_no,first_name,last_name\nA1,Rudo,Moyo\n",
         "missing column(s): admission_number, date_of_birth, gender, guardian_name, guardian_phone, guardian_relationship; unknown column(s): admission_no"),
        ("pupils.csv", b"", "The file is empty."),
        ("pupils.csv", csv_file([], columns=list(student_row(0))), "header but no rows"),
        ("pupils.csv", "admission_number,first_name\nA1,Zoë\n".encode("utf-16"), "not UTF-8"),
        ("pupils.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("pupils.xls", b"\xd0\xcf\x11\xe0 old excel", "Old Excel files (.xls)"),
        ("pupils.xlsx", b"not a workbook", "could not be read as an Excel workbook"),
        ("pupils.xlsx", b"PK\x03\x04 truncated zip", "could not be read as an Excel workbook"),
        ("pupils.xlsx", zip_of("notes.txt", b"not a workbook"), "could not be read as an Excel workbook"),
        ("pupils.xlsx", zip_of("xl/workbook.xml", b"<broken"), "could not be read as an Excel workbook"),
        ("pupils.csv", b"x" * (imports.MAX_BYTES + 1), "larger than 10 MB"),
    ],
)
def test_a_file_that_cannot_be_read_gets_one_clear_message(schools, filename: str, content: bytes, problem: str) -> None:
    school, _ = schools
    checked = preview(school, content, filename=filename)
    assert not checked.ok and checked.errors == []
    assert len(checked.problems) == 1 and problem in checked.problems[0], checked.problems
    with pytest.raises(ValidationFailed):
        run(school, content, filename=filename)


def test_row_errors_come_out_in_the_readers_language(schools) -> None:
    """Passes once the i18n-students fragments are merged into the Shona catalogue; the column
    names are the file's, in English whatever the language."""
    school, _ = schools
    content = csv_file([student_row(0), student_row(1, admission_number="IMP-00000")])
    with i18n.language("sn"):
        checked = preview(school, content)
    assert checked.errors == [RowError(3, "admission_number", "Nhamba yekupinda imwe chete iri zvakare pamutsara 2.")]
    assert checked.sample_columns[0] == "Mutsara"


def test_row_with_more_cells_than_the_header_and_semicolon_separated_files(schools) -> None:
    school, _ = schools
    row = student_row(0)
    content = (",".join(row) + "\n" + ",".join(row.values()) + ",surprise\n").encode()
    assert preview(school, content).errors == [RowError(2, "", imports.ROW_TOO_LONG)]
    semicolons = (";".join(row) + "\n" + ";".join(row.values()) + "\n").encode()
    assert preview(school, semicolons).ok


def test_a_failure_part_way_leaves_nothing_half_imported(schools) -> None:
    school, _ = schools
    before = counts(school)
    content = csv_file([student_row(number, guardian_email=f"g{number // 2}@example.com") for number in range(1000)])
    seen: list[int] = []

    with db.tenant_session(school.id) as session:

        def fail_after_some_rows(done: int, total: int) -> None:
            written = session.exec(select(func.count()).select_from(Student)).one() - before["Student"]
            seen.append(written)
            if done >= 600:
                session.execute(text("SELECT 1 / 0"))  # the database refuses, part-way through

        with pytest.raises(DBAPIError, match="division by zero"):
            imports.import_file(
                session, actor=admin_of(school), kind="students", filename="pupils.csv", content=content, ip=IP,
                progress=fail_after_some_rows,
            )
        session.rollback()
    assert seen == [0, 200, 400, 600]  # rows had been written in this transaction...
    assert counts(school) == before  # ...and none of them is left

    # The same through the one public call: its unit of work rolls back whatever stops it.
    def stop_after_some_rows(done: int, _total: int) -> None:
        if done >= 600:
            raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        run(school, content, progress=stop_after_some_rows)
    assert counts(school) == before


def test_the_template_imports_as_it_is(schools) -> None:
    school, _ = schools
    for kind in imports.KINDS:
        template = imports.import_template(kind)
        header = template.decode("utf-8-sig").splitlines()[0]
        assert header == ",".join(imports.COLUMNS[kind])
        checked = preview(school, template, kind=kind, filename=f"{kind}.csv")
        assert checked.ok and checked.rows == 1, checked.errors


def test_ten_thousand_students_import_in_one_go(schools) -> None:
    school, _ = schools
    before = counts(school)
    rows = [
        student_row(number, guardian_email=f"family{number // 2}@example.com" if number % 20 == 0 else "")
        for number in range(10_000)
    ]
    content = csv_file(rows)
    progress: list[tuple[int, int]] = []
    started = time.perf_counter()
    checked = preview(school, content)
    previewed = time.perf_counter()
    assert checked.ok and checked.rows == 10_000
    count = run(school, content, progress=lambda done, total: progress.append((done, total)))
    finished = time.perf_counter()
    print(f"\n10,000 students: preview {previewed - started:.1f}s, import {finished - previewed:.1f}s")
    assert count == 10_000
    after = counts(school)
    assert after["Student"] - before["Student"] == 10_000
    assert after["StudentGuardian"] - before["StudentGuardian"] == 10_000
    assert after["Guardian"] - before["Guardian"] == 5_000
    assert after["User"] - before["User"] == 500
    assert progress[0] == (0, 10_000) and progress[-1] == (10_000, 10_000) and len(progress) == 51


# --- staff ------------------------------------------------------------------------------------


def test_staff_import_creates_users_with_staff_profiles(schools) -> None:
    school, _ = schools
    content = csv_file([
        {"email": "Rumbi.Chari@Example.com", "full_name": "Rumbi  Chari", "role": "Teacher", "department": "infant", "job_title": "ECD teacher", "employee_number": "EMP-900", "phone": "0712345678"},
        {"email": "bursar@example.com", "full_name": "Tawanda Hove", "role": "staff", "department": "", "job_title": "Bursar", "employee_number": "", "phone": ""},
    ])
    checked = preview(school, content, kind="staff", filename="staff.csv")
    assert checked.ok, checked.errors
    assert run(school, content, kind="staff", filename="staff.csv") == 2
    found = in_school(
        school,
        select(User, StaffProfile).join(StaffProfile, col(StaffProfile.user_id) == User.id).where(col(User.email).in_(["rumbi.chari@example.com", "bursar@example.com"])).order_by(User.email),
    )
    (bursar, bursar_profile), (teacher, profile) = found
    assert (teacher.full_name, teacher.role, teacher.password_hash) == ("Rumbi Chari", Role.teacher, None)
    assert (profile.employee_number, profile.job_title, profile.phone) == ("EMP-900", "ECD teacher", "+263712345678")
    infant = in_school(school, select(Department.id).where(Department.name == "Infant"))[0]
    assert profile.department_id == infant
    assert (bursar.role, bursar_profile.department_id, bursar_profile.employee_number) == (Role.staff, None, None)
    assert in_school(school, select(AuditEvent.detail).where(AuditEvent.action == imports.STAFF_IMPORTED)) == [{"rows": 2}]


def test_staff_rows_are_checked_against_the_file_and_the_school(schools) -> None:
    school, _ = schools
    before = counts(school)
    row = {"email": "new@example.com", "full_name": "New Person", "role": "teacher", "department": "", "job_title": "", "employee_number": "", "phone": ""}
    content = csv_file([
        row,
        {**row, "email": f"teacher@{school.subdomain}.test"},  # already a user of the school
        {**row, "email": "NEW@example.com", "employee_number": "emp001"},  # repeated email; a seeded employee number
        {**row, "email": "admin2@example.com", "role": "school_admin", "department": "Catering", "phone": "12"},
        {**row, "email": "", "full_name": ""},
    ])
    checked = preview(school, content, kind="staff")
    problems = {(e.row, e.column): e.message for e in checked.errors}
    assert problems[(3, "email")] == "Another user of this school already has this email address."
    assert problems[(4, "email")] == "The same email is also on row 2."
    assert problems[(4, "employee_number")] == "Another member of staff has this employee number."
    assert problems[(5, "role")] == "Choose teacher or staff."
    assert problems[(5, "department")] == "No department named “Catering”. Yours: Infant, Junior."
    assert "Zimbabwean number" in problems[(5, "phone")]
    assert set(problems) >= {(6, "email"), (6, "full_name")}
    assert (checked.rows, checked.rows_with_errors) == (5, 4)
    with pytest.raises(ValidationFailed):
        run(school, content, kind="staff")
    assert counts(school) == before


def test_staff_header_is_its_own(schools) -> None:
    school, _ = schools
    checked = preview(school, csv_file([student_row(0)]), kind="staff")
    assert "missing column(s): email, full_name, role" in checked.problems[0]


# --- who may, and which school ------------------------------------------------------------------


def test_only_those_allowed_may_preview_or_import(schools) -> None:
    school, _ = schools
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.role == Role.teacher)).first()
        assert user is not None
    teacher = CurrentUser(id=user.id, school_id=school.id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)
    content = csv_file([student_row(0)])
    before = counts(school)
    for kind in (*imports.KINDS, "everything"):
        with pytest.raises(PermissionDenied):
            imports.preview_import(actor=teacher, kind=kind, filename="f.csv", content=content)
        with pytest.raises(PermissionDenied):
            imports.run_import(actor=teacher, kind=kind, filename="f.csv", content=content, ip=IP)
        with db.tenant_session(school.id) as session, pytest.raises(PermissionDenied):
            imports.import_file(session, actor=teacher, kind=kind, filename="f.csv", content=content, ip=IP)
    assert counts(school) == before
    with pytest.raises(ValidationFailed):
        imports.preview_import(actor=admin_of(school), kind="everything", filename="f.csv", content=content)


def test_importing_into_one_school_never_touches_another(schools) -> None:
    school_a, school_b = schools
    with db.tenant_session(school_b.id) as session:
        b_guardian = session.exec(select(Guardian)).first()
        assert b_guardian is not None
        b_student = session.exec(select(Student)).first()
        assert b_student is not None
        b_student.admission_number = "ONLY-IN-B"
        session.add(b_student)
        session.commit()
        b_guardian_phone, b_guardian_id = b_guardian.phone, b_guardian.id
    b_before = counts(school_b)
    b_links = in_school(school_b, select(StudentGuardian.id).where(StudentGuardian.guardian_id == b_guardian_id))
    b_email = f"teacher@{school_b.subdomain}.test"
    rows = [
        student_row(0, admission_number="ONLY-IN-B", guardian_phone=b_guardian_phone, guardian_email=b_email),
        student_row(1, **{"class": "Form 1 Blue"}),  # a class of school B only
    ]
    checked = preview(school_a, csv_file(rows))
    assert [(e.row, e.column) for e in checked.errors] == [(3, "class")]
    rows[1]["class"] = ""
    assert run(school_a, csv_file(rows)) == 2
    assert counts(school_b) == b_before
    assert in_school(school_b, select(StudentGuardian.id).where(StudentGuardian.guardian_id == b_guardian_id)) == b_links
    # School A got its own guardian and its own parent login, with B's phone number and email.
    a_guardian = in_school(school_a, select(Guardian).where(Guardian.phone == b_guardian_phone))
    assert len(a_guardian) == 1 and a_guardian[0].id != b_guardian_id
    assert in_school(school_a, select(User.role).where(User.email == b_email)) == [Role.parent]
    staff = csv_file([{"email": b_email, "full_name": "Same Email", "role": "teacher"}])
    assert preview(school_b, staff, kind="staff").errors[0].message == "Another user of this school already has this email address."


def test_every_row_error_names_a_column_of_the_file(schools) -> None:
    """Errors point at the file's own columns (guardian_name, not the form's guardian_full_name)."""
    school, _ = schools
    checked = preview(school, csv_file([student_row(0, guardian_name="", guardian_contact_preference="email")]))
    assert {e.column for e in checked.errors} == {"guardian_name", "guardian_email"}
    assert all(e.column in imports.STUDENT_COLUMNS for e in checked.errors)


# --- files built to exhaust the reader --------------------------------------------------------


def with_parts(workbook: bytes, replaced: dict[str, bytes]) -> bytes:
    """`workbook` with these parts (by path in the zip) added or replaced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in replaced:
                target.writestr(item, source.read(item))
        for name, content in replaced.items():
            target.writestr(name, content)
    return buffer.getvalue()


def one_student_workbook() -> bytes:
    row = student_row(0)
    return xlsx_file([list(row), list(row.values())])


def test_a_zip_bomb_is_refused_before_it_is_unpacked(schools) -> None:
    school, _ = schools
    bomb = with_parts(one_student_workbook(), {"xl/media/image1.png": bytes(imports.MAX_UNPACKED_BYTES + 1)})
    assert len(bomb) < imports.MAX_BYTES  # small enough to upload
    checked = preview(school, bomb, filename="pupils.xlsx")
    assert checked.problems == [imports.workbook_too_large()]


def test_too_many_shared_strings_are_refused_before_they_are_loaded(schools) -> None:
    school, _ = schools
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"<si><t/></si>" * (imports.MAX_SHARED_STRINGS + 1) + b"</sst>"
    assert len(strings) < imports.MAX_UNPACKED_BYTES  # within the size limit: the count refuses it
    checked = preview(school, with_parts(one_student_workbook(), {"xl/sharedStrings.xml": strings}), filename="pupils.xlsx")
    assert checked.problems == [imports.workbook_too_large()]
    # Counted wherever the part lives and whatever its namespace prefix; a normal workbook passes.
    prefixed = strings.replace(b"<si>", b"<x:si>").replace(b"</si>", b"</x:si>")
    assert preview(school, with_parts(one_student_workbook(), {"xl/other.xml": prefixed}), filename="pupils.xlsx").problems == [imports.workbook_too_large()]
    assert preview(school, one_student_workbook(), filename="pupils.xlsx").ok


def test_blank_rows_count_toward_the_row_limit(schools) -> None:
    school, _ = schools
    row = student_row(0)
    header, values = ",".join(row).encode(), ",".join(row.values()).encode()
    blank_csv = header + b"\n" + b",,,\n" * imports.MAX_ROWS + values + b"\n"
    assert preview(school, blank_csv).problems == [imports.too_many_rows()]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(row))
    sheet.append(list(row.values()))
    sheet.cell(row=1_048_576, column=1, value="far down")  # a million empty rows the reader would fill in
    buffer = io.BytesIO()
    workbook.save(buffer)
    started = time.perf_counter()
    assert preview(school, buffer.getvalue(), filename="pupils.xlsx").problems == [imports.too_many_rows()]
    assert time.perf_counter() - started < 10


def test_cells_far_to_the_right_are_refused_and_empty_formatted_ones_ignored(schools) -> None:
    from openpyxl.styles import Font

    school, _ = schools
    row = student_row(0)
    for far_value, problems in (("far right", [imports.too_many_columns()]), (None, [])):
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(list(row))
        sheet.append(list(row.values()))
        far = sheet.cell(row=2, column=16_384, value=far_value)
        far.font = Font(bold=True)  # written even when empty
        buffer = io.BytesIO()
        workbook.save(buffer)
        assert preview(school, buffer.getvalue(), filename="pupils.xlsx").problems == problems


# --- users (any school role, with an optional initial password) ---------------------------------


def test_users_preview_names_every_problem_by_row_and_the_import_is_all_or_nothing(schools) -> None:
    school, _ = schools
    admin = admin_of(school)
    before = counts(school)
    content = (
        "\ufeffEmail,Full_Name,Role,Password\r\n"
        "grace@school.test,Grace Banda,student,\r\n"
        "not-an-email,Broken Row,teacher,\r\n"
        "GRACE@school.test,Grace Again,parent,\r\n"
        f"{admin.email},Existing Admin,teacher,\r\n"
        "ok@school.test,,janitor,\r\n"
        "\r\n"
        f"lovemore@school.test,Lovemore Chikwanha,School admin,{PASSWORD}\r\n"
        "weak@school.test,Weak Password,staff,123\r\n"
        "root@school.test,Root,super_admin,\r\n"
    ).encode()

    checked = preview(school, content, kind=imports.USERS, filename="people.csv")
    problems = {(e.row, e.column): e.message for e in checked.errors}
    assert "valid email" in problems[(3, "email")]
    assert problems[(4, "email")] == "The same email is also on row 2."
    assert problems[(5, "email")] == users.EMAIL_TAKEN
    assert "full name" in problems[(6, "full_name")] and "Choose one of" in problems[(6, "role")]
    assert "Use at least 10 characters" in problems[(9, "password")]
    assert "Choose one of" in problems[(10, "role")]  # the platform's role is not a school's to give
    assert {row for row, _ in problems} == {3, 4, 5, 6, 9, 10}  # row 7 is blank: skipped, still numbered
    assert (checked.rows, checked.valid_rows, checked.ok) == (8, 2, False)
    assert [row[:2] for row in checked.sample] == [["2", "grace@school.test"], ["8", "lovemore@school.test"]]
    assert checked.sample[1][3:] == ["School admin", "Yes"]  # whether there is a password, never the password
    assert PASSWORD not in str(checked)

    with pytest.raises(ValidationFailed, match="nothing was imported"):
        run(school, content, kind=imports.USERS, filename="people.csv")
    assert counts(school) == before

    good = f"email,full_name,role,password\ngrace@school.test,Grace Banda,student,\nlovemore@school.test,Lovemore Chikwanha,school_admin,{PASSWORD}\n"
    assert preview(school, good.encode(), kind=imports.USERS).ok
    assert run(school, good.encode(), kind=imports.USERS, filename="people.csv") == 2
    assert counts(school)["User"] == before["User"] + 2
    [event] = in_school(school, select(AuditEvent).where(AuditEvent.action == imports.USERS_IMPORTED))
    assert (event.target, event.ip, event.actor_email) == ("people.csv", IP, admin.email)
    assert event.detail == {"rows": 2, "roles": {"school_admin": 1, "student": 1}, "administrators": ["lovemore@school.test"]}
    signed_in = auth.sign_in(school=route(school), email="lovemore@school.test", password=PASSWORD, ip=fresh_ip())
    assert signed_in.user.role == "school_admin"
    grace = in_school(school, select(User).where(User.email == "grace@school.test"))[0]
    assert (grace.role, grace.password_hash, grace.is_active) == (Role.student, None, True)
    # The Users page's list (cached) shows them at once: a bulk write invalidates it too.
    assert users.list_users(actor=admin, search="lovemore").total == 1

    # The same file again: every row is now taken, and nothing more is written.
    again = preview(school, good.encode(), kind=imports.USERS)
    assert [(e.row, e.message) for e in again.errors] == [(2, users.EMAIL_TAKEN), (3, users.EMAIL_TAKEN)]
    with pytest.raises(ValidationFailed):
        run(school, good.encode(), kind=imports.USERS)
    assert counts(school)["User"] == before["User"] + 2


def test_users_from_excel_with_the_header_its_own(schools) -> None:
    school, _ = schools
    content = xlsx_file([["Email", "Full name", "Role"], ["tapiwa@school.test", "Tapiwa Zhou", "Teacher"], ["x@school.test", "X", "parent", "extra"]])
    checked = preview(school, content, kind=imports.USERS, filename="people.xlsx")
    assert checked.errors == [RowError(3, "", imports.ROW_TOO_LONG)]
    assert "missing column(s): email, full_name, role" in preview(school, csv_file([student_row(0)]), kind=imports.USERS).problems[0]
    content = xlsx_file([["Email", "Full name", "Role"], ["tapiwa@school.test", "Tapiwa Zhou", "Teacher"]])
    assert run(school, content, kind=imports.USERS, filename="people.xlsx") == 1
    assert in_school(school, select(User.role).where(User.email == "tapiwa@school.test")) == [Role.teacher]


def test_a_users_file_sets_a_bounded_number_of_initial_passwords(schools, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each password is hashed inside the import's transaction: beyond the cap, reset links."""
    school, _ = schools
    monkeypatch.setattr(imports, "MAX_PASSWORDS", 1)
    rows = [{"email": f"p{n}@school.test", "full_name": f"Person {n}", "role": "teacher", "password": PASSWORD if n != 1 else ""} for n in range(3)]
    checked = preview(school, csv_file(rows), kind=imports.USERS)
    assert checked.errors == [RowError(4, "password", imports.too_many_passwords())]


def test_an_import_shows_in_the_cached_lists_at_once(schools) -> None:
    school, _ = schools
    admin = admin_of(school)
    assert students.list_students(actor=admin, search="IMP-00000").total == 0  # cached now
    run(school, csv_file([student_row(0)]))
    assert students.list_students(actor=admin, search="IMP-00000").total == 1


# --- the Import page's handlers -------------------------------------------------------------------


async def _events(handler: Any) -> list[Any]:
    """Everything a yielding handler sends the browser, in order."""
    return [event async for event in handler]


def test_the_import_page_checks_a_users_file_for_the_admin_only(schools) -> None:
    school, _ = schools
    admin_page = school_state(ImportState, school, Role.school_admin, path=f"{routes.ADMIN_IMPORT}?kind=users")
    assert asyncio.run(admin_page.load()) is None
    assert admin_page.kind == imports.USERS  # the Users page links here with ?kind=users
    content = b"email,full_name,role\nnew.one@school.test,New One,teacher\nbad,Bad,teacher\n"
    upload = rx.UploadFile(file=io.BytesIO(content), path=Path("people.csv"))
    asyncio.run(_events(admin_page.check_file([upload])))
    assert (admin_page.file_name, admin_page.total_rows, admin_page.valid_rows, admin_page.can_import) == ("people.csv", 2, 1, False)
    assert admin_page.errors == [{"row": "3", "column": "email", "message": admin_page.errors[0]["message"]}]
    assert "valid email" in admin_page.errors[0]["message"]
    report = asyncio.run(admin_page.download_problems())
    assert "import-problems.csv" in str(report.args)

    for role in (None, Role.teacher, Role.parent):
        page = school_state(ImportState, school, role, path=routes.ADMIN_IMPORT)
        asyncio.run(page.set_kind(imports.USERS))
        assert page.kind == imports.STUDENTS
        asyncio.run(_events(page.check_file([rx.UploadFile(file=io.BytesIO(content), path=Path("people.csv"))])))
        assert (page.file_name, page.errors, page.sample) == ("", [], [])
