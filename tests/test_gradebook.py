"""The gradebook's services on real PostgreSQL: who may set assessments and enter marks (the
subject's teacher, the administrators; another class or school is not found), a grid saved all
or nothing and safe to save twice, absent apart from zero and blank, a student's term grades on
the school's scale, hidden from students and parents until the term is published, and scales
edited by the administrator only."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

import pytest
from sqlmodel import col, select

from models import (
    Enrolment,
    Guardian,
    Mark,
    ReportPublication,
    SchoolClass,
    Student,
    StudentGuardian,
    SubjectLevel,
    TeachingAssignment,
    User,
)
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import calendar, gradebook
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.gradebook import AssessmentInput, MarkInput
from oneclass.services.grading import DEFAULT_SCALES, Band, Outcome
from tests.conftest import SchoolFixture, delete_school, make_school


def actor_of(school: SchoolFixture, role: str) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.email == f"{role}@{school.subdomain}.test")).one()
        return CurrentUser(id=user.id, school_id=school.id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


@dataclass(frozen=True)
class Gradebook:
    a: SchoolFixture
    b: SchoolFixture
    taught_class: UUID  # the teacher teaches `taught_subject` here (a Grade 5 to 7 class)
    taught_subject: UUID
    other_class: UUID  # a class and subject someone else teaches
    other_subject: UUID
    ecd_class: UUID
    term: UUID
    b_class: UUID
    b_subject: UUID
    b_term: UUID

    def actor(self, role: str, school: SchoolFixture | None = None) -> CurrentUser:
        return actor_of(school or self.a, role)


def _current_term(school: SchoolFixture) -> UUID:
    with db.tenant_session(school.id) as session:
        term = calendar.term_for_day(session, calendar.today_for(session, school.id))
        assert term is not None
        return term.id


@pytest.fixture(scope="module")
def world() -> Iterator[Gradebook]:
    a, b = make_school("grades-a"), make_school("grades-b")
    for school in (a, b):
        with db.tenant_session(school.id) as session:
            seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level="primary", students=40)
            session.commit()
    teacher = actor_of(a, "teacher")
    with db.tenant_session(a.id) as session:
        classes = {c.id: c for c in session.exec(select(SchoolClass)).all()}
        assignments = session.exec(select(TeachingAssignment)).all()
        mine = next(t for t in assignments if t.teacher_id == teacher.id and not classes[t.class_id].grade_level.startswith("ECD"))
        other = next(
            t for t in assignments
            if t.teacher_id != teacher.id and classes[t.class_id].class_teacher_id != teacher.id and not classes[t.class_id].grade_level.startswith("ECD")
        )
        ecd = next(c.id for c in classes.values() if c.grade_level == "ECD_B")
    with db.tenant_session(b.id) as session:
        b_assignment = session.exec(
            select(TeachingAssignment).join(SchoolClass, col(SchoolClass.id) == TeachingAssignment.class_id).where(SchoolClass.grade_level == "G3")
        ).first()
        assert b_assignment is not None
    yield Gradebook(
        a=a, b=b, taught_class=mine.class_id, taught_subject=mine.subject_id, other_class=other.class_id, other_subject=other.subject_id,
        ecd_class=ecd, term=_current_term(a), b_class=b_assignment.class_id, b_subject=b_assignment.subject_id, b_term=_current_term(b),
    )
    delete_school(a)
    delete_school(b)


def _new(world: Gradebook, actor: CurrentUser, name: str, max_mark: str = "50", weight: str = "1", class_id: UUID | None = None, subject_id: UUID | None = None) -> dict[str, object]:
    return dict(
        gradebook.create_assessment(
            actor=actor, class_id=class_id or world.taught_class, subject_id=subject_id or world.taught_subject, term_id=world.term,
            data=AssessmentInput(name=name, kind="test", max_mark=max_mark, weight=weight),
        )
    )


def _students(world: Gradebook, class_id: UUID) -> list[Student]:
    with db.tenant_session(world.a.id) as session:
        return list(session.exec(select(Student).join(Enrolment, col(Enrolment.student_id) == Student.id).where(Enrolment.class_id == class_id)).all())


def _marks(world: Gradebook, assessment_id: str) -> dict[UUID, tuple[Decimal | None, bool, object]]:
    with db.tenant_session(world.a.id) as session:
        return {m.student_id: (m.mark, m.absent, m.updated_at) for m in session.exec(select(Mark).where(Mark.assessment_id == UUID(assessment_id))).all()}


def test_the_teacher_sets_assessments_for_what_they_teach(world: Gradebook) -> None:
    teacher = world.actor("teacher")
    row = _new(world, teacher, "Quiz A", max_mark="20", weight="0.5")
    assert (row["max_mark"], row["weight"], row["marked"]) == ("20", "0.5", 0)
    listed = gradebook.list_assessments(actor=teacher, class_id=world.taught_class, subject_id=world.taught_subject, term_id=world.term)
    assert "Quiz A" in [r["name"] for r in listed]
    edited = gradebook.update_assessment(actor=teacher, assessment_id=UUID(str(row["id"])), data=AssessmentInput("Quiz A2", "coursework", "25", "1"))
    assert (edited["name"], edited["kind"], edited["max_mark"]) == ("Quiz A2", "coursework", "25")
    with pytest.raises(ValidationFailed) as twice:
        _new(world, teacher, "Quiz A2")
    assert "name" in twice.value.errors
    assert gradebook.delete_assessment(actor=teacher, assessment_id=UUID(str(row["id"]))) == "Quiz A2"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (AssessmentInput("", "test", "50", "1"), "name"),
        (AssessmentInput("X", "homework", "50", "1"), "kind"),
        (AssessmentInput("X", "test", "0", "1"), "max_mark"),
        (AssessmentInput("X", "test", "1001", "1"), "max_mark"),
        (AssessmentInput("X", "test", "ten", "1"), "max_mark"),
        (AssessmentInput("X", "test", "50", "-1"), "weight"),
        (AssessmentInput("X", "test", "50", "0.333"), "weight"),
    ],
)
def test_an_assessment_that_is_refused(world: Gradebook, data: AssessmentInput, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        gradebook.create_assessment(actor=world.actor("teacher"), class_id=world.taught_class, subject_id=world.taught_subject, term_id=world.term, data=data)
    assert field in refused.value.errors


def test_ecd_is_reported_in_comments_not_marks(world: Gradebook) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _new(world, world.actor("school_admin"), "ECD test", class_id=world.ecd_class)
    assert "class" in refused.value.errors


def test_permission_scope(world: Gradebook) -> None:
    teacher, admin = world.actor("teacher"), world.actor("school_admin")
    with pytest.raises(NotFound):  # a class they do not teach
        _new(world, teacher, "Not mine", class_id=world.other_class, subject_id=world.other_subject)
    with pytest.raises(NotFound):  # a subject they do not teach in their own class
        _new(world, teacher, "Not mine", subject_id=world.other_subject)
    theirs = _new(world, admin, "Set by the admin", class_id=world.other_class, subject_id=world.other_subject)
    for call in (
        lambda: gradebook.mark_grid(actor=teacher, assessment_id=UUID(str(theirs["id"]))),
        lambda: gradebook.save_marks(actor=teacher, assessment_id=UUID(str(theirs["id"])), marks=[]),
        lambda: gradebook.delete_assessment(actor=teacher, assessment_id=UUID(str(theirs["id"]))),
        lambda: gradebook.list_assessments(actor=teacher, class_id=world.other_class, subject_id=world.other_subject, term_id=world.term),
    ):
        with pytest.raises(NotFound):
            call()
    for role in ("student", "parent", "staff"):
        with pytest.raises(PermissionDenied):
            gradebook.list_assessments(actor=world.actor(role), class_id=world.taught_class, subject_id=world.taught_subject, term_id=world.term)
        with pytest.raises(PermissionDenied):
            gradebook.save_marks(actor=world.actor(role), assessment_id=UUID(str(theirs["id"])), marks=[])
    assert gradebook.delete_assessment(actor=admin, assessment_id=UUID(str(theirs["id"]))) == "Set by the admin"


def test_another_schools_ids_are_not_found(world: Gradebook) -> None:
    admin_a = world.actor("school_admin")
    with pytest.raises(NotFound):
        gradebook.create_assessment(
            actor=admin_a, class_id=world.b_class, subject_id=world.b_subject, term_id=world.b_term, data=AssessmentInput("X", "test", "10", "1")
        )
    b_admin = world.actor("school_admin", world.b)
    b_assessment = gradebook.create_assessment(
        actor=b_admin, class_id=world.b_class, subject_id=world.b_subject, term_id=world.b_term, data=AssessmentInput("B only", "test", "10", "1")
    )
    b_id = UUID(b_assessment["id"])
    for call in (
        lambda: gradebook.mark_grid(actor=admin_a, assessment_id=b_id),
        lambda: gradebook.save_marks(actor=admin_a, assessment_id=b_id, marks=[]),
        lambda: gradebook.update_assessment(actor=admin_a, assessment_id=b_id, data=AssessmentInput("Taken", "test", "10", "1")),
        lambda: gradebook.delete_assessment(actor=admin_a, assessment_id=b_id),
    ):
        with pytest.raises(NotFound):
            call()
    b_student = _students(world, world.b_class)  # as school A: RLS shows none of B's
    assert b_student == []
    with db.tenant_session(world.b.id) as session:
        b_student_id = session.exec(select(Enrolment.student_id).where(Enrolment.class_id == world.b_class)).first()
    with pytest.raises(NotFound):
        gradebook.student_grades(actor=admin_a, student_id=b_student_id, term_id=world.term)  # type: ignore[arg-type]
    # A's own assessment given B's student: refused, nothing saved.
    mine = _new(world, world.actor("teacher"), "Foreign student")
    with pytest.raises(ValidationFailed):
        gradebook.save_marks(actor=world.actor("teacher"), assessment_id=UUID(str(mine["id"])), marks=[MarkInput(str(b_student_id), "5")])
    assert _marks(world, str(mine["id"])) == {}
    assert gradebook.mark_grid(actor=b_admin, assessment_id=b_id).assessment["name"] == "B only"


def test_a_grid_saved_twice_changes_nothing(world: Gradebook) -> None:
    teacher = world.actor("teacher")
    row = _new(world, teacher, "Saved twice", max_mark="40")
    students = _students(world, world.taught_class)
    grid = [MarkInput(s.id, str(10 + n), False) for n, s in enumerate(students[:-2])] + [MarkInput(students[-2].id, "", True), MarkInput(students[-1].id, "")]
    first = gradebook.save_marks(actor=teacher, assessment_id=UUID(str(row["id"])), marks=grid)
    saved = _marks(world, str(row["id"]))
    assert len(saved) == len(students) - 1  # the blank is no row
    assert saved[students[-2].id][:2] == (None, True)
    assert first.assessment["marked"] == len(students) - 1
    again = gradebook.save_marks(actor=teacher, assessment_id=UUID(str(row["id"])), marks=grid)
    assert _marks(world, str(row["id"])) == saved  # same rows, same values, not even touched
    assert again.rows == first.rows


def test_absent_is_not_zero_and_blank_is_not_entered(world: Gradebook) -> None:
    teacher = world.actor("teacher")
    a = _new(world, teacher, "Absent check A", max_mark="10", weight="1")
    b = _new(world, teacher, "Absent check B", max_mark="10", weight="1")
    student = _students(world, world.taught_class)[0]
    gradebook.save_marks(actor=teacher, assessment_id=UUID(str(a["id"])), marks=[MarkInput(student.id, "8")])
    grid = gradebook.save_marks(actor=teacher, assessment_id=UUID(str(b["id"])), marks=[MarkInput(student.id, None, True)])
    row = next(r for r in grid.rows if r["student_id"] == str(student.id))
    assert (row["mark"], row["absent"]) == ("", True)
    percent_with_absent = int(row["percent"])
    grid = gradebook.save_marks(actor=teacher, assessment_id=UUID(str(b["id"])), marks=[MarkInput(student.id, "")])
    row = next(r for r in grid.rows if r["student_id"] == str(student.id))
    assert (row["mark"], row["absent"]) == ("", False)
    assert int(row["percent"]) > percent_with_absent  # the blank is left out, the absence counted zero
    grid = gradebook.save_marks(actor=teacher, assessment_id=UUID(str(b["id"])), marks=[MarkInput(student.id, "0")])
    row = next(r for r in grid.rows if r["student_id"] == str(student.id))
    assert (row["mark"], row["absent"], int(row["percent"])) == ("0", False, percent_with_absent)
    for assessment in (a, b):
        gradebook.delete_assessment(actor=teacher, assessment_id=UUID(str(assessment["id"])))


def test_a_bad_mark_saves_nothing_and_names_the_student(world: Gradebook) -> None:
    teacher = world.actor("teacher")
    row = _new(world, teacher, "All or nothing", max_mark="30")
    first, second, third = _students(world, world.taught_class)[:3]
    gradebook.save_marks(actor=teacher, assessment_id=UUID(str(row["id"])), marks=[MarkInput(first.id, "12")])
    before = _marks(world, str(row["id"]))
    for bad, words in (("31", "0 to 30"), ("-1", "0 to 30"), ("abc", "not a number"), ("12.345", "two decimals")):
        with pytest.raises(ValidationFailed) as refused:
            gradebook.save_marks(
                actor=teacher, assessment_id=UUID(str(row["id"])),
                marks=[MarkInput(first.id, "20"), MarkInput(second.id, bad), MarkInput(third.id, "", True)],
            )
        assert list(refused.value.errors) == [str(second.id)]
        assert second.full_name in refused.value.errors[str(second.id)] and words in refused.value.errors[str(second.id)]
        assert _marks(world, str(row["id"])) == before
    with pytest.raises(ValidationFailed):
        gradebook.save_marks(actor=teacher, assessment_id=UUID(str(row["id"])), marks=[MarkInput(first.id, "5", True)])
    with pytest.raises(ValidationFailed):
        gradebook.save_marks(actor=teacher, assessment_id=UUID(str(row["id"])), marks=[MarkInput(first.id, "5"), MarkInput(first.id, "6")])
    with pytest.raises(ValidationFailed) as lower:
        gradebook.update_assessment(actor=teacher, assessment_id=UUID(str(row["id"])), data=AssessmentInput("All or nothing", "test", "10", "1"))
    assert "max_mark" in lower.value.errors
    assert _marks(world, str(row["id"])) == before


def test_term_grades_on_the_schools_scale_and_published_for_families(world: Gradebook) -> None:
    teacher, admin, parent = world.actor("teacher"), world.actor("school_admin"), world.actor("parent")
    with db.tenant_session(world.a.id) as session:
        child = session.exec(
            select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == parent.id)
        ).first()
        assert child is not None
        enrolment = session.exec(select(Enrolment).where(Enrolment.student_id == child)).one()
        enrolment.class_id = world.taught_class  # the demo's children are in ECD: move one where marks are given
        session.add(enrolment)
        session.commit()
    term_id = world.term
    existing = gradebook.list_assessments(actor=teacher, class_id=world.taught_class, subject_id=world.taught_subject, term_id=term_id)
    for old in existing:
        gradebook.delete_assessment(actor=teacher, assessment_id=UUID(old["id"]))
    test = _new(world, teacher, "Grades test", max_mark="40", weight="1")
    exam = _new(world, teacher, "Grades exam", max_mark="100", weight="3")
    gradebook.save_marks(actor=teacher, assessment_id=UUID(str(test["id"])), marks=[MarkInput(child, "30")])  # 75%
    gradebook.save_marks(actor=teacher, assessment_id=UUID(str(exam["id"])), marks=[MarkInput(child, "58")])  # (0.75 + 1.74) / 4 = 62.25%
    grades = {g["subject_id"]: g for g in gradebook.student_grades(actor=teacher, student_id=child, term_id=term_id)}
    assert grades[str(world.taught_subject)]["percent"] == 62
    assert (grades[str(world.taught_subject)]["grade"], grades[str(world.taught_subject)]["points"]) == ("3", 3)  # Grade 7 unit 3: 60–69
    assert gradebook.student_grades(actor=parent, student_id=child, term_id=term_id) == []  # not yet published
    with pytest.raises(NotFound):
        other = _students(world, world.other_class)[0]
        gradebook.student_grades(actor=parent, student_id=other.id, term_id=term_id)
    with db.tenant_session(world.a.id) as session:
        session.add(ReportPublication(school_id=world.a.id, term_id=term_id, class_id=world.taught_class, published_by=admin.id))
        session.commit()
    published = gradebook.student_grades(actor=parent, student_id=child, term_id=term_id)
    assert {g["subject_id"]: g for g in published}[str(world.taught_subject)]["percent"] == 62
    # The administrator redraws the primary scale: the grade follows, nothing typed.
    bands = [Band("1", 60, 100, 1, Outcome.passed), Band("2", 0, 59, 2, Outcome.failed)]
    gradebook.save_grading_scale(actor=admin, level="primary", bands=bands)
    try:
        regraded = {g["subject_id"]: g for g in gradebook.student_grades(actor=teacher, student_id=child, term_id=term_id)}
        assert (regraded[str(world.taught_subject)]["grade"], regraded[str(world.taught_subject)]["points"]) == ("1", 1)
    finally:
        gradebook.save_grading_scale(actor=admin, level="primary", bands=DEFAULT_SCALES[SubjectLevel.primary])


def test_grading_scales_read_by_all_edited_by_the_admin(world: Gradebook) -> None:
    for role in ("teacher", "student", "parent", "staff"):
        scales = {s["level"]: s for s in gradebook.grading_scales(actor=world.actor(role))}
        assert [b["grade"] for b in scales["o_level"]["bands"]] == ["A", "B", "C", "D", "E", "U"]
        with pytest.raises(PermissionDenied):
            gradebook.save_grading_scale(actor=world.actor(role), level="o_level", bands=DEFAULT_SCALES[SubjectLevel.o_level])
    admin = world.actor("school_admin")
    with pytest.raises(ValidationFailed) as gap:
        gradebook.save_grading_scale(actor=admin, level="o_level", bands=[Band("A", 50, 100, 0, Outcome.passed), Band("B", 0, 48, 0, Outcome.failed)])
    assert "49" in gap.value.errors["scale"]
    with pytest.raises(ValidationFailed):
        gradebook.save_grading_scale(actor=admin, level="ecd", bands=DEFAULT_SCALES[SubjectLevel.o_level])
    saved = gradebook.save_grading_scale(actor=admin, level="a_level", bands=DEFAULT_SCALES[SubjectLevel.a_level])
    assert saved["bands"][0] == {"grade": "A", "lower": 75, "upper": 100, "points": 5, "outcome": "pass"}
    other = {s["level"]: s for s in gradebook.grading_scales(actor=world.actor("teacher", world.b))}
    assert other["a_level"]["bands"][0]["lower"] == 75


def test_the_gradebook_offers_what_the_teacher_teaches(world: Gradebook) -> None:
    options = gradebook.gradebook_options(actor=world.actor("teacher"))
    assert str(world.taught_class) in [c["value"] for c in options.classes]
    assert str(world.other_class) not in [c["value"] for c in options.classes]
    assert str(world.taught_subject) in [s["value"] for s in options.subjects[str(world.taught_class)]]
    assert options.term_id == str(world.term)
    every = gradebook.gradebook_options(actor=world.actor("school_admin"))
    assert str(world.other_class) in [c["value"] for c in every.classes] and str(world.ecd_class) not in [c["value"] for c in every.classes]
