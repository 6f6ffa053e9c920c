"""The smaller security findings: `next=` stays on this site, a search's `%` and `_` are literal,
and a school's session cannot touch the columns that say who and where the school is."""

from datetime import date
from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from models import Gender, Student
from oneclass import db, routes
from oneclass.demo_records import school_admin_of
from oneclass.services import students
from tests.conftest import SchoolFixture


@pytest.mark.parametrize(
    "requested",
    [
        "/students",
        "/students/6b1f0a8e-3c1d-4d55-9a43-0c7f1c3e5b11",
        "/admin/users?page=2&search=moyo",
        "/students?search=100%25",  # an encoded percent sign is only a percent sign
    ],
)
def test_next_keeps_a_path_on_this_site(requested: str) -> None:
    assert routes.safe_next(requested) == requested


@pytest.mark.parametrize(
    "requested",
    [
        "",
        "students",  # not starting with "/"
        "https://evil.example/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/students\\..\\evil",  # a backslash anywhere
        "/\t/evil.example",  # browsers drop tabs and newlines inside a URL
        "/\n/evil.example",
        "/\r/evil.example",
        "/\x00/evil",
        "/\x7f/evil",
        "/%2f/evil.example",
        "/%2F/evil.example",
        "/%5cevil.example",
        "/%5C/evil.example",
        "/%252f/evil.example",  # encoded twice
        "/%25252F/evil.example",  # three times
        "/%09/evil.example",  # an encoded tab
        "/%2525252525252fevil",  # deeper than anyone writes by accident
        "/login",  # back to sign-in would loop
        "/login/?next=/students",
        "/" + "a" * routes.NEXT_MAX_LENGTH,
    ],
)
def test_next_refuses_anything_that_could_leave_the_site(requested: str) -> None:
    assert routes.safe_next(requested) is None


def _student(session: Session, school: SchoolFixture, first_name: str) -> Student:
    student = Student(
        school_id=school.id, admission_number=f"L-{uuid4().hex[:8]}", first_name=first_name, last_name="Search",
        date_of_birth=date(2015, 1, 1), gender=Gender.female,
    )
    session.add(student)
    return student


def test_a_search_for_percent_or_underscore_matches_only_literally(two_schools) -> None:
    school, _ = two_schools
    with db.tenant_session(school.id) as session:
        percent, plain = _student(session, school, "Cent%Rudo"), _student(session, school, "CentXRudo")
        underscore, other = _student(session, school, "Under_Tendai"), _student(session, school, "UnderXTendai")
        session.commit()
        admin = school_admin_of(session, school.id)

        def found(search: str) -> set[str]:
            return {str(row["id"]) for row in students.list_students(actor=admin, search=search, per_page=100).rows}

        assert found("t%r") == {str(percent.id)}
        assert found("r_t") == {str(underscore.id)}
        assert found("%") == {str(percent.id)}
        assert found("_") == {str(underscore.id)}
        assert found("\\") == set()
        assert {str(plain.id), str(other.id)} <= found("X")


# language: 0005_languages; show_report_positions and logo_key: 0011_report_cards;
# registers_per_lesson: 0017_lesson_registers
SETTINGS_COLUMNS = {"require_admin_mfa", "language", "updated_at", "show_report_positions", "logo_key", "registers_per_lesson"}


def test_a_school_may_update_only_its_settings_columns(two_schools) -> None:
    school, _ = two_schools
    with db.owner_engine().connect() as connection:
        columns = connection.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'schools'")
        ).scalars().all()
        updatable = {
            column for column in columns
            if connection.execute(text("SELECT has_column_privilege(:role, 'schools', :column, 'UPDATE')"), {"role": db.APP_ROLE, "column": column}).scalar()
        }
    assert {"status", "subdomain", "domain", "name"} <= set(columns)
    assert updatable == SETTINGS_COLUMNS
    with db.tenant_session(school.id) as session:
        for column, value in (("status", "suspended"), ("subdomain", "taken-over"), ("domain", "evil.example"), ("id", str(uuid4()))):
            with pytest.raises(DBAPIError, match="permission denied"):
                session.connection().execute(text(f"UPDATE schools SET {column} = :v"), {"v": value})
            session.rollback()
