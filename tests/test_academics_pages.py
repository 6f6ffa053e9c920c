"""The services behind the admin's records pages and the role pages: staff (list, profile with
a validated phone, refusals), guardians (list, search by name or phone), promotion targets, who
teaches what, that school administration (subjects, classes, teaching assignments, promotion)
is refused to teachers with nothing written, that a teacher reads only the classes they teach
(through the services and the teacher's page alike), and that one school's admin never reaches
another school's people."""

from datetime import date
from functools import partial
from uuid import UUID

import pytest
from reflex.event import EventSpec
from sqlmodel import col, func, select

from models import (
    AcademicYear,
    AuditEvent,
    Department,
    Enrolment,
    GradeLevel,
    Role,
    SchoolClass,
    StaffProfile,
    Student,
    StudentStatusChange,
    Subject,
    TeachingAssignment,
    User,
)
from oneclass import db, i18n
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import academics, guardians, staff, students
from oneclass.services.academics import TermDates
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from state.my_school import MyChildrenState, MyProfileState, TeacherClassesState
from tests.conftest import SchoolFixture
from tests.test_exports_lists import run, school_state

STUDENTS_PER_SCHOOL = 20
DEMO_TEACHERS = 9  # the school's own teacher and eight more from the demo records
TERMS_2027 = [TermDates(date(2027, 1, 12), date(2027, 4, 8)), TermDates(date(2027, 5, 11), date(2027, 8, 5)), TermDates(date(2027, 9, 7), date(2027, 12, 2))]


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
    everyone = staff.list_staff(actor=admin, per_page=100)
    assert everyone.total == DEMO_TEACHERS + 1  # and the school's staff member; never admins, students, parents
    by_email = {row["email"]: row for row in everyone.rows}
    assert f"admin@{alpha.subdomain}.test" not in by_email and f"parent@{alpha.subdomain}.test" not in by_email
    teacher = by_email[f"teacher@{alpha.subdomain}.test"]
    assert teacher["employee_number"] == "EMP001" and teacher["phone"].startswith("+2637")
    with db.tenant_session(alpha.id) as session:
        taught = session.exec(
            select(TeachingAssignment).where(TeachingAssignment.teacher_id == UUID(teacher["id"]))
        ).all()
    assert taught and teacher["subjects"]  # from the teaching assignments
    member = by_email[f"staff@{alpha.subdomain}.test"]
    assert (member["role_label"], member["employee_number"], member["phone"], member["subjects"]) == ("Staff", "", "", "")

    first = staff.list_staff(actor=admin, page=1, per_page=4)
    third = staff.list_staff(actor=admin, page=3, per_page=4)
    assert (len(first.rows), len(third.rows), first.total) == (4, 2, DEMO_TEACHERS + 1)
    assert [row["email"] for row in staff.list_staff(actor=admin, search="emp003").rows] == [
        next(row["email"] for row in everyone.rows if row["employee_number"] == "EMP003")
    ]
    assert staff.list_staff(actor=admin, search="STAFF@").total == 1
    assert staff.list_staff(actor=admin, search="100%_").total == 0  # wildcards are literal


def test_staff_profile_is_validated_then_saved_and_audited(schools) -> None:
    alpha, _ = schools
    admin = _admin(alpha)
    member = _as_user(alpha, Role.staff)
    with db.tenant_session(alpha.id) as session:
        department = session.exec(select(Department).order_by(Department.name)).first()
    assert department is not None
    with pytest.raises(ValidationFailed) as refused:
        staff.update_staff_profile(
            actor=admin, user_id=member.id, department_id=str(UUID(int=7)), job_title="x" * 101,
            employee_number="emp001", phone="0751234567",
        )
    assert set(refused.value.errors) == {"department", "job_title", "employee_number", "phone"}
    assert "071, 073, 077 or 078" in refused.value.errors["phone"]
    assert "another member of staff" in refused.value.errors["employee_number"].lower()

    staff.update_staff_profile(
        actor=admin, user_id=str(member.id), department_id=str(department.id), job_title="  Bursar ",
        employee_number="EMP900", phone="077 123 4567", ip="203.0.113.5",
    )
    row = next(r for r in staff.list_staff(actor=admin, search="EMP900").rows)
    assert (row["department"], row["job_title"], row["phone"], row["email"]) == (
        department.name, "Bursar", "+263771234567", member.email,
    )
    with db.tenant_session(alpha.id) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == staff.STAFF_UPDATED)).one()
    assert (event.target, event.ip) == (member.email, "203.0.113.5")

    staff.update_staff_profile(actor=admin, user_id=member.id)  # every field emptied
    with db.tenant_session(alpha.id) as session:
        profile = session.exec(select(StaffProfile).where(StaffProfile.user_id == member.id)).one()
    assert (profile.department_id, profile.job_title, profile.employee_number, profile.phone) == (None, None, None, None)


def test_only_admins_read_or_change_staff_and_only_staff_have_profiles(schools) -> None:
    alpha, _ = schools
    teacher, member, parent = (_as_user(alpha, role) for role in (Role.teacher, Role.staff, Role.parent))
    for outsider in (teacher, member, parent):
        with pytest.raises(PermissionDenied):
            staff.list_staff(actor=outsider)
        with pytest.raises(PermissionDenied):
            staff.departments(actor=outsider)
        with pytest.raises(PermissionDenied):
            staff.update_staff_profile(actor=outsider, user_id=teacher.id, phone="0771234567")
    admin = _admin(alpha)
    for not_staff in (parent.id, admin.id, "not-an-id"):
        with pytest.raises(NotFound):
            staff.update_staff_profile(actor=admin, user_id=not_staff, phone="0771234567")
    with db.tenant_session(alpha.id) as session:
        assert session.exec(select(StaffProfile).where(StaffProfile.user_id == teacher.id)).one().phone != "+263771234567"


def test_the_admin_gives_and_takes_a_staff_members_bursar_duty(schools) -> None:
    alpha, _ = schools
    admin, member, teacher = _admin(alpha), _as_user(alpha, Role.staff), _as_user(alpha, Role.teacher)

    def duties(user_id: UUID) -> list[str]:
        with db.tenant_session(alpha.id) as session:
            user = session.get(User, user_id)
            assert user is not None
            return list(user.duties)

    staff.update_staff_profile(actor=admin, user_id=member.id, bursar=True, ip="203.0.113.9")
    assert duties(member.id) == ["bursar"]
    row = next(r for r in staff.list_staff(actor=admin, per_page=100).rows if r["id"] == str(member.id))
    assert row["bursar"] and row["is_staff"]
    with db.tenant_session(alpha.id) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == staff.DUTY_CHANGED)).one()
    assert (event.target, event.ip, event.detail) == (member.email, "203.0.113.9", {"duty": "bursar", "given": True})
    with pytest.raises(ValidationFailed) as refused:  # a duty is for staff members, not teachers
        staff.update_staff_profile(actor=admin, user_id=teacher.id, job_title="Head of Maths", bursar=True)
    assert "bursar" in refused.value.errors and duties(teacher.id) == []
    staff.update_staff_profile(actor=admin, user_id=member.id, bursar=False)
    assert duties(member.id) == []
    with pytest.raises(PermissionDenied):
        staff.update_staff_profile(actor=member, user_id=member.id, bursar=True)


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
    everyone = guardians.list_guardians(actor=admin, per_page=100)
    assert everyone.total == STUDENTS_PER_SCHOOL - 1  # the demo parent is guardian of two
    parent = next(row for row in everyone.rows if row["full_name"] == "Parent of alpha")
    assert parent["has_login"] and len(parent["children"]) == 2
    with db.tenant_session(alpha.id) as session:
        children = students.children_of(session, user_id=_as_user(alpha, Role.parent).id)
    assert {child["id"] for child in parent["children"]} == {str(child.id) for child in children}
    other = next(row for row in everyone.rows if row["id"] != parent["id"])
    assert other["preference"] == "SMS" and not other["has_login"] and len(other["children"]) == 1

    by_name = guardians.list_guardians(actor=admin, search="parent OF")
    assert [row["id"] for row in by_name.rows] == [parent["id"]]
    local = "0" + other["phone"].removeprefix("+263")  # as a person types it: 077...
    spaced = f"{local[:3]} {local[3:6]} {local[6:]}"
    for typed in (local, spaced, other["phone"]):
        assert other["id"] in {row["id"] for row in guardians.list_guardians(actor=admin, search=typed).rows}
    assert guardians.list_guardians(actor=admin, search="0000000").total == 0
    paged = guardians.list_guardians(actor=admin, page=2, per_page=10)
    assert (paged.total, len(paged.rows)) == (STUDENTS_PER_SCHOOL - 1, STUDENTS_PER_SCHOOL - 11)
    with pytest.raises(PermissionDenied):
        guardians.list_guardians(actor=_as_user(alpha, Role.teacher))


def test_phone_digits() -> None:
    assert guardians.phone_digits("+263 77 123") == "77123"
    assert guardians.phone_digits("077-123-4567") == "771234567"
    assert guardians.phone_digits("Moyo") == guardians.phone_digits("Grade 7") == guardians.phone_digits("07") == ""


# --- isolation ------------------------------------------------------------------------------


def test_a_years_refusal_comes_in_the_readers_language() -> None:
    """The messages an academics refusal carries are made in the request's language, placeholders
    filled after translation (Shona: from i18n-fragments/i18n-academics.sn.po once merged)."""
    backwards = [TermDates(date(2027, 4, 8), date(2027, 1, 12)), *TERMS_2027[1:]]
    with i18n.language("sn"):
        errors = academics.validate_year(" ", date(2027, 12, 10), date(2027, 1, 5), backwards)
    assert errors["name"] == "Ipa gore zita, semuenzaniso 2027."
    assert errors["ends_on"] == "Gore rinofanira kupera mushure mekunge ratanga."
    assert errors["term1"] == "Temu 1 inofanira kupera mushure mekunge yatanga."
    assert academics.validate_year(" ", date(2027, 12, 10), date(2027, 1, 5), backwards)["term1"] == (
        "Term 1 must end after it starts."  # English stays the default
    )


def test_an_admin_never_sees_or_changes_another_schools_staff_or_guardians(schools) -> None:
    alpha, beta = schools
    admin_a = _admin(alpha)
    beta_teacher = _as_user(beta, Role.teacher)
    beta_staff = staff.list_staff(actor=_admin(beta), per_page=100).rows
    beta_guardians = guardians.list_guardians(actor=_admin(beta), per_page=100).rows
    with db.tenant_session(beta.id) as session:
        beta_phone = session.exec(select(StaffProfile.phone).where(StaffProfile.user_id == beta_teacher.id)).one()
        beta_department = str(session.exec(select(Department.id)).first())
    assert beta_staff and beta_guardians
    alpha_staff = staff.list_staff(actor=admin_a, per_page=100).rows
    alpha_guardians = guardians.list_guardians(actor=admin_a, per_page=100).rows
    assert not {row["id"] for row in alpha_staff} & {row["id"] for row in beta_staff}
    assert not {row["id"] for row in alpha_guardians} & {row["id"] for row in beta_guardians}
    assert all(row["email"].endswith(f"@{alpha.subdomain}.test") for row in alpha_staff)
    assert staff.list_staff(actor=admin_a, search=beta.subdomain).total == 0
    assert guardians.list_guardians(actor=admin_a, search=beta_guardians[0]["phone"]).total == 0
    assert guardians.list_guardians(actor=admin_a, search=beta_guardians[0]["full_name"]).rows == [
        row for row in alpha_guardians if row["full_name"] == beta_guardians[0]["full_name"]
    ]
    with pytest.raises(NotFound):
        staff.update_staff_profile(actor=admin_a, user_id=beta_teacher.id, phone="0771234567")
    assert {choice["label"] for choice in staff.departments(actor=admin_a)} == {"Infant", "Junior"}
    with pytest.raises(ValidationFailed) as refused:  # a department of beta's is no department here
        staff.update_staff_profile(actor=admin_a, user_id=_as_user(alpha, Role.staff).id, department_id=beta_department)
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
        year = academics.add_year(session, actor=admin, name="2027", starts_on=date(2027, 1, 5), ends_on=date(2027, 12, 10), terms=TERMS_2027)
        grade4 = academics.add_class(session, actor=admin, school_level="primary", year_id=year.id, grade_level="G4", name="Grade 4 Blue")
        academics.add_class(session, actor=admin, school_level="primary", year_id=year.id, grade_level="G5", name="Grade 5 Blue")
        assert academics.promotion_targets(session, class_id=grade3.id) == [{"value": str(grade4.id), "label": "Grade 4 Blue (2027)"}]
        assert academics.promotion_targets(session, class_id=grade7.id) == []
        assert academics.promotion_targets(session, class_id=UUID(int=0)) == []


# --- school administration is the admin's; a teacher reads only the classes they teach --------

RECORD_TABLES = (AcademicYear, Subject, SchoolClass, TeachingAssignment, Enrolment, StudentStatusChange)


def _counts(school: SchoolFixture) -> dict[str, int]:
    with db.tenant_session(school.id) as session:
        return {model.__tablename__: session.exec(select(func.count()).select_from(model)).one() for model in RECORD_TABLES}  # type: ignore[attr-defined]


def test_school_administration_is_refused_to_teachers_and_nothing_is_written(schools) -> None:
    """Creating subjects and classes, assigning teachers (themselves included) and promotion are
    the admin's: a teacher (or staff, parent, student) is refused before anything is written."""
    alpha, _ = schools
    teacher = _as_user(alpha, Role.teacher)
    with db.tenant_session(alpha.id) as session:
        taught = students.class_ids_taught_by(session, teacher.id)
        other = session.exec(select(SchoolClass).where(col(SchoolClass.id).not_in(taught))).first()
        subject_id = session.exec(select(Subject.id)).first()
        this_year = session.exec(select(AcademicYear.id).where(col(AcademicYear.is_current))).one()
    assert other is not None and subject_id is not None and taught
    next_year = academics.create_year(actor=_admin(alpha), name="2027", starts_on=date(2027, 1, 5), ends_on=date(2027, 12, 10), terms=TERMS_2027)
    with db.tenant_session(alpha.id) as session:
        next_year_id = session.exec(select(AcademicYear.id).where(AcademicYear.name == next_year)).one()
        outsider_student = session.exec(select(Enrolment.student_id).where(Enrolment.class_id == other.id)).first()
    assert outsider_student is not None
    before = _counts(alpha)
    for role in (Role.teacher, Role.staff, Role.parent, Role.student):
        user = _as_user(alpha, role)
        refused_calls = {
            "create_subject": partial(academics.create_subject, actor=user, code="ROB1", name="Robotics", level="primary"),
            "adopt_zimsec": partial(academics.adopt_zimsec, actor=user),
            "list_subjects": partial(academics.list_subjects, actor=user),
            "create_class": partial(academics.create_class, actor=user, year_id=this_year, grade_level="G3", name="Grade 3 Mine"),
            "classes_overview": partial(academics.classes_overview, actor=user),
            "who_teaches": partial(academics.who_teaches, actor=user, class_id=other.id),
            "assign_teacher": partial(academics.assign_teacher, actor=user, class_id=other.id, subject_id=subject_id, teacher_id=teacher.id),
            "promotion_preview": partial(academics.promotion_preview, actor=user, class_id=other.id, to_class_id=None),
            "promote": partial(academics.promote, actor=user, class_id=next(iter(taught)), to_class_id=None),
            "create_year": partial(academics.create_year, actor=user, name="2028", starts_on=date(2028, 1, 5), ends_on=date(2028, 12, 10), terms=TERMS_2027),
            "make_current_year": partial(academics.make_current_year, actor=user, year_id=next_year_id),
            "list_years": partial(academics.list_years, actor=user),
        }
        for name, call in refused_calls.items():
            with pytest.raises(PermissionDenied):
                call()
                pytest.fail(f"{role.value} may {name}")
    assert _counts(alpha) == before
    with db.tenant_session(alpha.id) as session:
        assert students.class_ids_taught_by(session, teacher.id) == taught
        assert session.exec(select(AcademicYear.is_current).where(AcademicYear.id == next_year_id)).one() is False
    # Still not their class: its students' records stay out of reach.
    with pytest.raises(NotFound):
        students.student_profile(actor=teacher, student_id=outsider_student)


def test_a_teacher_reads_only_the_classes_they_teach(schools) -> None:
    alpha, beta = schools
    teacher, admin = _as_user(alpha, Role.teacher), _admin(alpha)
    with db.tenant_session(alpha.id) as session:
        taught = students.class_ids_taught_by(session, teacher.id)
        led = staff.classes_led_by(session, teacher.id)
        every = set(session.exec(select(SchoolClass.id)).all())
    with db.tenant_session(beta.id) as session:
        beta_class = session.exec(select(SchoolClass.id)).first()
    assert beta_class is not None and led and taught < every

    mine = academics.my_classes(actor=teacher)
    assert {UUID(row["id"]) for row in mine} == taught == {UUID(row["id"]) for row in academics.visible_classes(actor=teacher)}
    assert {UUID(row["id"]) for row in academics.visible_classes(actor=admin)} == every
    assert all(row["is_class_teacher"] == (UUID(row["id"]) in led) for row in mine) and any(row["subjects"] for row in mine)
    for class_id in taught:
        listed = academics.class_list(actor=teacher, class_id=class_id)
        assert listed.students and {row["class"] for row in listed.students} == {listed.name}
        assert listed == academics.class_list(actor=admin, class_id=class_id)
    for class_id in (*(every - taught), beta_class, UUID(int=0)):
        with pytest.raises(NotFound):
            academics.class_list(actor=teacher, class_id=class_id)
    with pytest.raises(NotFound):
        academics.class_list(actor=admin, class_id=beta_class)
    for role in (Role.staff, Role.parent, Role.student):
        with pytest.raises(PermissionDenied):
            academics.class_list(actor=_as_user(alpha, role), class_id=next(iter(taught)))
        with pytest.raises(PermissionDenied):
            academics.my_classes(actor=_as_user(alpha, role))


def test_the_admin_sets_up_classes_and_teaching_through_the_services(schools) -> None:
    alpha, beta = schools
    admin, teacher = _admin(alpha), _as_user(alpha, Role.teacher)
    overview = academics.classes_overview(actor=admin, year_id=UUID(int=5))  # not a year here: the current one
    assert overview.year_id == overview.years[0]["value"] and overview.classes and overview.subjects
    assert [grade["value"] for grade in overview.grades] == [level.value for level in academics.grade_levels_for("primary")]
    assert {teacher.full_name} <= {choice["label"] for choice in overview.teachers}

    with pytest.raises(ValidationFailed) as refused:
        academics.create_class(actor=admin, year_id=None, grade_level="G3", name="Grade 3 Blue")
    assert set(refused.value.errors) == {"form"}
    with pytest.raises(ValidationFailed) as refused:  # alpha is primary: no Form 1
        academics.create_class(actor=admin, year_id=UUID(overview.year_id), grade_level="F1", name="Form 1 Blue", capacity=0)
    assert set(refused.value.errors) == {"grade_level", "capacity"}
    name = academics.create_class(actor=admin, year_id=UUID(overview.year_id), grade_level="G3", name="  Grade 3   Blue ")
    created = next(row for row in academics.classes_overview(actor=admin).classes if row["name"] == name == "Grade 3 Blue")

    parent = _as_user(alpha, Role.parent)
    with pytest.raises(ValidationFailed) as refused:
        academics.assign_teacher(actor=admin, class_id=UUID(created["id"]), subject_id=None, teacher_id=parent.id)
    assert set(refused.value.errors) == {"subject", "teacher"}
    with db.tenant_session(beta.id) as session:
        beta_class = session.exec(select(SchoolClass.id)).first()
    assert beta_class is not None
    with pytest.raises(NotFound):
        academics.assign_teacher(actor=admin, class_id=beta_class, subject_id=UUID(overview.subjects[0]["id"]), teacher_id=teacher.id)
    assigned = academics.assign_teacher(actor=admin, class_id=UUID(created["id"]), subject_id=UUID(overview.subjects[0]["id"]), teacher_id=teacher.id)
    assert assigned == academics.Assignment("Grade 3 Blue", overview.subjects[0]["name"], teacher.full_name)
    assert academics.who_teaches(actor=admin, class_id=UUID(created["id"])) == [{"subject": assigned.subject, "teacher": teacher.full_name}]
    # The assignment is what makes it the teacher's class: now they may read it.
    assert academics.class_list(actor=teacher, class_id=UUID(created["id"])).name == "Grade 3 Blue"


# --- the teacher's, student's and parent's pages, through their handlers ---------------------


def test_the_role_pages_show_only_what_the_services_let_each_person_see(schools) -> None:
    alpha, beta = schools
    teacher = _as_user(alpha, Role.teacher)
    with db.tenant_session(alpha.id) as session:
        taught = {str(class_id) for class_id in students.class_ids_taught_by(session, teacher.id)}
        not_taught = str(session.exec(select(SchoolClass.id).where(col(SchoolClass.id).not_in([UUID(c) for c in taught]))).first())
    with db.tenant_session(beta.id) as session:
        beta_class = str(session.exec(select(SchoolClass.id)).first())

    page = school_state(TeacherClassesState, alpha, Role.teacher)
    assert run(page.load_classes()) is None
    assert {row["id"] for row in page.classes} == taught
    first = page.selected_id
    shown = [row["id"] for row in page.class_list]
    assert first in taught and shown
    for hostile in (not_taught, beta_class, "not-an-id"):
        assert isinstance(run(page.show_class(hostile)), EventSpec)  # a toast, and nothing else changes
        assert (page.selected_id, [row["id"] for row in page.class_list]) == (first, shown)
    assert isinstance(run(school_state(TeacherClassesState, alpha, Role.parent).load_classes()), EventSpec)

    parent_page = school_state(MyChildrenState, alpha, Role.parent)
    assert run(parent_page.load_children()) is None
    assert len(parent_page.children) == 2 and parent_page.profile["name"] == parent_page.children[0]["name"]
    with db.tenant_session(alpha.id) as session:
        children = {str(child.id) for child in students.children_of(session, user_id=_as_user(alpha, Role.parent).id)}
        someone_else = str(session.exec(select(Enrolment.student_id).where(col(Enrolment.student_id).not_in([UUID(c) for c in children]))).first())
    assert {child["id"] for child in parent_page.children} == children
    assert isinstance(run(parent_page.show_child(someone_else)), EventSpec)
    assert parent_page.profile["name"] == parent_page.children[0]["name"]

    student_page = school_state(MyProfileState, alpha, Role.student)
    assert run(student_page.load_profile()) is None
    with db.tenant_session(alpha.id) as session:
        own = session.exec(select(Student).where(Student.user_id == _as_user(alpha, Role.student).id)).one()
    assert student_page.profile["name"] == own.full_name
