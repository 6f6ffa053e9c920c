"""The services behind the admin's records pages and the role pages: staff (list, profile with
a validated phone, refusals), guardians (list, search by name or phone), promotion targets, who
teaches what, and that one school's admin never reaches another school's people."""

from datetime import date
from uuid import UUID

import pytest
from sqlmodel import select

from models import (
    AuditEvent,
    Department,
    GradeLevel,
    Role,
    SchoolClass,
    StaffProfile,
    TeachingAssignment,
    User,
)
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import academics, guardians, staff, students
from oneclass.services.academics import TermDates
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from tests.conftest import SchoolFixture

STUDENTS_PER_SCHOOL = 20
DEMO_TEACHERS = 9  # the school's own teacher and eight more from the demo records


def _admin(school: SchoolFixture) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        return school_admin_of(session, school.id)


def _as_user(school: SchoolFixture, role: Role) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.email == f"{role.value}@{school.subdomain}.test")).one()
    return CurrentUser(id=user.id, school_id=school.id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


@pytest.fixture
def schools(two_schools: tuple[SchoolFixture, SchoolFixture]) -> tuple[SchoolFixture, SchoolFixture]:
    """Alpha (primary) and beta (secondary), each with its demo records."""
    for school, level in zip(two_schools, ("primary", "secondary"), strict=True):
        with db.tenant_session(school.id) as session:
            seed_school_records(
                session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level=level, students=STUDENTS_PER_SCHOOL
            )
            session.commit()
    return two_schools


# --- staff ----------------------------------------------------------------------------------


def test_staff_list_shows_profiles_subjects_and_searches(schools) -> None:
    alpha, _ = schools
    admin = _admin(alpha)
    with db.tenant_session(alpha.id) as session:
        everyone = staff.list_staff(session, actor=admin, per_page=100)
        assert everyone.total == DEMO_TEACHERS + 1  # and the school's staff member; never admins, students, parents
        by_email = {row["email"]: row for row in everyone.rows}
        assert f"admin@{alpha.subdomain}.test" not in by_email and f"parent@{alpha.subdomain}.test" not in by_email
        teacher = by_email[f"teacher@{alpha.subdomain}.test"]
        assert teacher["employee_number"] == "EMP001" and teacher["phone"].startswith("+2637")
        taught = session.exec(
            select(TeachingAssignment).where(TeachingAssignment.teacher_id == UUID(teacher["id"]))
        ).all()
        assert taught and teacher["subjects"]  # from the teaching assignments
        member = by_email[f"staff@{alpha.subdomain}.test"]
        assert (member["role_label"], member["employee_number"], member["phone"], member["subjects"]) == ("Staff", "", "", "")

        first = staff.list_staff(session, actor=admin, page=1, per_page=4)
        third = staff.list_staff(session, actor=admin, page=3, per_page=4)
        assert (len(first.rows), len(third.rows), first.total) == (4, 2, DEMO_TEACHERS + 1)
        assert [row["email"] for row in staff.list_staff(session, actor=admin, search="emp003").rows] == [
            next(row["email"] for row in everyone.rows if row["employee_number"] == "EMP003")
        ]
        assert staff.list_staff(session, actor=admin, search="STAFF@").total == 1
        assert staff.list_staff(session, actor=admin, search="100%_").total == 0  # wildcards are literal


def test_staff_profile_is_validated_then_saved_and_audited(schools) -> None:
    alpha, _ = schools
    admin = _admin(alpha)
    member = _as_user(alpha, Role.staff)
    with db.tenant_session(alpha.id) as session:
        department = session.exec(select(Department).order_by(Department.name)).first()
        assert department is not None
        with pytest.raises(ValidationFailed) as refused:
            staff.update_staff_profile(
                session, actor=admin, user_id=member.id, department_id=str(UUID(int=7)), job_title="x" * 101,
                employee_number="emp001", phone="0751234567",
            )
        assert set(refused.value.errors) == {"department", "job_title", "employee_number", "phone"}
        assert "071, 073, 077 or 078" in refused.value.errors["phone"]
        assert "another member of staff" in refused.value.errors["employee_number"].lower()
        session.rollback()

        staff.update_staff_profile(
            session, actor=admin, user_id=str(member.id), department_id=str(department.id), job_title="  Bursar ",
            employee_number="EMP900", phone="077 123 4567", ip="203.0.113.5",
        )
        session.commit()
        row = next(r for r in staff.list_staff(session, actor=admin, search="EMP900").rows)
        assert (row["department"], row["job_title"], row["phone"], row["email"]) == (
            department.name, "Bursar", "+263771234567", member.email,
        )
        event = session.exec(select(AuditEvent).where(AuditEvent.action == staff.STAFF_UPDATED)).one()
        assert (event.target, event.ip) == (member.email, "203.0.113.5")

        staff.update_staff_profile(session, actor=admin, user_id=member.id)  # every field emptied
        session.commit()
        profile = session.exec(select(StaffProfile).where(StaffProfile.user_id == member.id)).one()
        assert (profile.department_id, profile.job_title, profile.employee_number, profile.phone) == (None, None, None, None)


def test_only_admins_read_or_change_staff_and_only_staff_have_profiles(schools) -> None:
    alpha, _ = schools
    teacher, member, parent = (_as_user(alpha, role) for role in (Role.teacher, Role.staff, Role.parent))
    with db.tenant_session(alpha.id) as session:
        for outsider in (teacher, member, parent):
            with pytest.raises(PermissionDenied):
                staff.list_staff(session, actor=outsider)
            with pytest.raises(PermissionDenied):
                staff.update_staff_profile(session, actor=outsider, user_id=teacher.id, phone="0771234567")
        admin = _admin(alpha)
        for not_staff in (parent.id, admin.id, "not-an-id"):
            with pytest.raises(NotFound):
                staff.update_staff_profile(session, actor=admin, user_id=not_staff, phone="0771234567")
    with db.tenant_session(alpha.id) as session:
        assert session.exec(select(StaffProfile).where(StaffProfile.user_id == teacher.id)).one().phone != "+263771234567"


def test_teacher_choices_and_who_teaches_what(schools) -> None:
    alpha, _ = schools
    teacher = _as_user(alpha, Role.teacher)
    with db.tenant_session(alpha.id) as session:
        choices = {choice["label"] for choice in staff.teacher_choices(session)}
        assert {"School_Admin of alpha", "Teacher of alpha"} <= choices and "Staff of alpha" not in choices
        assert len(choices) == DEMO_TEACHERS + 1
        by_class = staff.subjects_by_class(session, teacher.id)
        led = staff.classes_led_by(session, teacher.id)
        assert set(by_class) | led == students.class_ids_taught_by(session, teacher.id)
        class_id = next(iter(by_class))
        teaching = staff.class_teaching(session, class_id)
        assert {"subject": by_class[class_id][0], "teacher": teacher.full_name} in teaching


# --- guardians ------------------------------------------------------------------------------


def test_guardians_list_with_children_and_search_by_name_or_phone(schools) -> None:
    alpha, _ = schools
    admin = _admin(alpha)
    with db.tenant_session(alpha.id) as session:
        everyone = guardians.list_guardians(session, actor=admin, per_page=100)
        assert everyone.total == STUDENTS_PER_SCHOOL - 1  # the demo parent is guardian of two
        parent = next(row for row in everyone.rows if row["full_name"] == "Parent of alpha")
        assert parent["has_login"] and len(parent["children"]) == 2
        assert {child["id"] for child in parent["children"]} == {
            str(child.id) for child in students.children_of(session, user_id=_as_user(alpha, Role.parent).id)
        }
        other = next(row for row in everyone.rows if row["id"] != parent["id"])
        assert other["preference"] == "SMS" and not other["has_login"] and len(other["children"]) == 1

        by_name = guardians.list_guardians(session, actor=admin, search="parent OF")
        assert [row["id"] for row in by_name.rows] == [parent["id"]]
        local = "0" + other["phone"].removeprefix("+263")  # as a person types it: 077...
        spaced = f"{local[:3]} {local[3:6]} {local[6:]}"
        for typed in (local, spaced, other["phone"]):
            assert other["id"] in {row["id"] for row in guardians.list_guardians(session, actor=admin, search=typed).rows}
        assert guardians.list_guardians(session, actor=admin, search="0000000").total == 0
        paged = guardians.list_guardians(session, actor=admin, page=2, per_page=10)
        assert (paged.total, len(paged.rows)) == (STUDENTS_PER_SCHOOL - 1, STUDENTS_PER_SCHOOL - 11)
        with pytest.raises(PermissionDenied):
            guardians.list_guardians(session, actor=_as_user(alpha, Role.teacher))


def test_phone_digits() -> None:
    assert guardians.phone_digits("+263 77 123") == "77123"
    assert guardians.phone_digits("077-123-4567") == "771234567"
    assert guardians.phone_digits("Moyo") == guardians.phone_digits("Grade 7") == guardians.phone_digits("07") == ""


# --- isolation ------------------------------------------------------------------------------


def test_an_admin_never_sees_or_changes_another_schools_staff_or_guardians(schools) -> None:
    alpha, beta = schools
    admin_a = _admin(alpha)
    beta_teacher = _as_user(beta, Role.teacher)
    with db.tenant_session(beta.id) as session:
        beta_staff = staff.list_staff(session, actor=_admin(beta), per_page=100).rows
        beta_guardians = guardians.list_guardians(session, actor=_admin(beta), per_page=100).rows
        beta_phone = session.exec(select(StaffProfile.phone).where(StaffProfile.user_id == beta_teacher.id)).one()
        beta_department = str(session.exec(select(Department.id)).first())
    assert beta_staff and beta_guardians
    with db.tenant_session(alpha.id) as session:
        alpha_staff = staff.list_staff(session, actor=admin_a, per_page=100).rows
        alpha_guardians = guardians.list_guardians(session, actor=admin_a, per_page=100).rows
        assert not {row["id"] for row in alpha_staff} & {row["id"] for row in beta_staff}
        assert not {row["id"] for row in alpha_guardians} & {row["id"] for row in beta_guardians}
        assert all(row["email"].endswith(f"@{alpha.subdomain}.test") for row in alpha_staff)
        assert staff.list_staff(session, actor=admin_a, search=beta.subdomain).total == 0
        assert guardians.list_guardians(session, actor=admin_a, search=beta_guardians[0]["phone"]).total == 0
        assert guardians.list_guardians(session, actor=admin_a, search=beta_guardians[0]["full_name"]).rows == [
            row for row in alpha_guardians if row["full_name"] == beta_guardians[0]["full_name"]
        ]
        with pytest.raises(NotFound):
            staff.update_staff_profile(session, actor=admin_a, user_id=beta_teacher.id, phone="0771234567")
        assert {choice["label"] for choice in staff.department_choices(session)} == {"Infant", "Junior"}
        with pytest.raises(ValidationFailed) as refused:  # a department of beta's is no department here
            staff.update_staff_profile(session, actor=admin_a, user_id=_as_user(alpha, Role.staff).id, department_id=beta_department)
        assert set(refused.value.errors) == {"department"}
    with db.tenant_session(beta.id) as session:
        assert session.exec(select(StaffProfile.phone).where(StaffProfile.user_id == beta_teacher.id)).one() == beta_phone
        assert session.exec(select(AuditEvent).where(AuditEvent.action == staff.STAFF_UPDATED)).first() is None


# --- promotion targets ----------------------------------------------------------------------


def test_promotion_targets_are_the_next_grade_in_a_later_year(schools) -> None:
    alpha, _ = schools
    admin = _admin(alpha)
    with db.tenant_session(alpha.id) as session:
        grade3 = session.exec(select(SchoolClass).where(SchoolClass.grade_level == GradeLevel.G3)).one()
        grade7 = session.exec(select(SchoolClass).where(SchoolClass.grade_level == GradeLevel.G7)).one()
        assert academics.promotion_targets(session, class_id=grade3.id) == []
        year = academics.create_academic_year(
            session, actor=admin, name="2027", starts_on=date(2027, 1, 5), ends_on=date(2027, 12, 10),
            terms=[TermDates(date(2027, 1, 12), date(2027, 4, 8)), TermDates(date(2027, 5, 11), date(2027, 8, 5)), TermDates(date(2027, 9, 7), date(2027, 12, 2))],
        )
        grade4 = academics.create_class(session, actor=admin, school_level="primary", year_id=year.id, grade_level="G4", name="Grade 4 Blue")
        academics.create_class(session, actor=admin, school_level="primary", year_id=year.id, grade_level="G5", name="Grade 5 Blue")
        assert academics.promotion_targets(session, class_id=grade3.id) == [{"value": str(grade4.id), "label": "Grade 4 Blue (2027)"}]
        assert academics.promotion_targets(session, class_id=grade7.id) == []
        assert academics.promotion_targets(session, class_id=UUID(int=0)) == []
