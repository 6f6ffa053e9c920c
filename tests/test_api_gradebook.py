"""The gradebook's REST routes (issue 10's contract): assessments listed and set, a grid of marks
saved all or nothing, a student's term grades; 403 to roles without the permission, 404 for a
class the teacher does not teach, a child not the parent's and another school's ids."""

from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import col, select

from models import Enrolment, Guardian, Mark, ReportPublication, SchoolClass, Student, StudentGuardian, TeachingAssignment, User
from oneclass import db
from oneclass.services import calendar
from tests.conftest import SchoolFixture
from tests.test_api_v1 import as_user, assert_error, assert_success, client, schools  # noqa: F401 (fixtures)


def _facts(school: SchoolFixture) -> dict[str, Any]:
    """The teacher's class and subject (not ECD), another teacher's, the current term, a
    student of the teacher's class and the parent's first child (moved into that class)."""
    with db.tenant_session(school.id) as session:
        teacher = session.exec(select(User).where(User.email == f"teacher@{school.subdomain}.test")).one()
        parent = session.exec(select(User).where(User.email == f"parent@{school.subdomain}.test")).one()
        classes = {c.id: c for c in session.exec(select(SchoolClass)).all()}
        assignments = [a for a in session.exec(select(TeachingAssignment)).all() if not classes[a.class_id].grade_level.startswith("ECD")]
        mine = next(a for a in assignments if a.teacher_id == teacher.id)
        other = next(a for a in assignments if a.teacher_id != teacher.id and classes[a.class_id].class_teacher_id != teacher.id)
        term = calendar.term_for_day(session, calendar.today_for(session, school.id))
        assert term is not None
        child = session.exec(
            select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == parent.id)
        ).first()
        enrolment = session.exec(select(Enrolment).where(Enrolment.student_id == child)).one()
        enrolment.class_id = mine.class_id
        session.add(enrolment)
        other_student = session.exec(select(Enrolment.student_id).where(Enrolment.class_id == other.class_id)).first()
        session.commit()
        return {
            "class_id": str(mine.class_id), "subject_id": str(mine.subject_id), "other_class": str(other.class_id),
            "other_subject": str(other.subject_id), "term_id": str(term.id), "child": str(child), "other_student": str(other_student),
        }


def _assessment(api: TestClient, headers: dict[str, str], facts: dict[str, Any], name: str, max_mark: float = 40, **more: Any) -> dict[str, Any]:
    body = {"class_id": facts["class_id"], "subject_id": facts["subject_id"], "term_id": facts["term_id"], "name": name, "kind": "test", "max_mark": max_mark, "weight": 1, **more}
    response = api.post("/api/v1/assessments", headers=headers, json=body)
    assert response.status_code == 201, response.text
    assert_success(response.json())
    return response.json()["data"]


def test_a_teacher_lists_sets_and_marks(client: TestClient, schools) -> None:  # noqa: F811
    school_a, _ = schools
    facts = _facts(school_a)
    teacher = as_user(client, school_a, "teacher")
    query = f"class_id={facts['class_id']}&subject_id={facts['subject_id']}&term_id={facts['term_id']}"
    listing = client.get(f"/api/v1/assessments?{query}", headers=teacher).json()
    assert_success(listing, listing=True)
    assert {"Test 1", "End of term exam"} <= {row["name"] for row in listing["data"]}  # the demo's
    created = _assessment(client, teacher, facts, "API test", max_mark=40)
    assert (created["max_mark"], created["weight"], created["marked"], created["kind"]) == (40, 1, 0, "test")
    url = f"/api/v1/assessments/{created['id']}/marks"
    body = {"marks": [{"student_id": facts["child"], "mark": 30, "absent": False}]}
    saved = client.put(url, headers=teacher, json=body)
    assert saved.status_code == 200, saved.text
    row = next(m for m in saved.json()["data"]["marks"] if m["student_id"] == facts["child"])
    assert (row["mark"], row["absent"]) == (30, False)
    again = client.put(url, headers=teacher, json=body)
    assert again.json()["data"] == saved.json()["data"]
    with db.tenant_session(school_a.id) as session:
        assert len(session.exec(select(Mark).where(Mark.assessment_id == UUID(created["id"]))).all()) == 1


def test_a_mark_above_the_maximum_names_the_student_and_saves_nothing(client: TestClient, schools) -> None:  # noqa: F811
    school_a, _ = schools
    facts = _facts(school_a)
    teacher = as_user(client, school_a, "teacher")
    created = _assessment(client, teacher, facts, "Too high", max_mark=20)
    with db.tenant_session(school_a.id) as session:
        students = session.exec(select(Student).join(Enrolment, col(Enrolment.student_id) == Student.id).where(Enrolment.class_id == UUID(facts["class_id"]))).all()
    good, bad = students[0], students[-1]
    assert good.id != bad.id
    body = {"marks": [{"student_id": str(good.id), "mark": 15, "absent": False}, {"student_id": str(bad.id), "mark": 21, "absent": False}]}
    refused = assert_error(client.put(f"/api/v1/assessments/{created['id']}/marks", headers=teacher, json=body), 422, "VALIDATION_ERROR")
    assert refused["error"]["details"] == [{"field": str(bad.id), "message": f"{bad.full_name}: a mark is 0 to 20."}]
    with db.tenant_session(school_a.id) as session:
        assert session.exec(select(Mark).where(Mark.assessment_id == UUID(created["id"]))).all() == []
    absent = client.put(f"/api/v1/assessments/{created['id']}/marks", headers=teacher, json={"marks": [{"student_id": str(bad.id), "mark": None, "absent": True}]})
    row = next(m for m in absent.json()["data"]["marks"] if m["student_id"] == str(bad.id))
    assert (row["mark"], row["absent"]) == (None, True)
    assert_error(client.post("/api/v1/assessments", headers=teacher, json={**facts, "name": "x", "kind": "quiz", "max_mark": 1, "weight": 1}), 422, "VALIDATION_ERROR")


def test_untaught_classes_other_roles_and_other_schools(client: TestClient, schools) -> None:  # noqa: F811
    school_a, school_b = schools
    facts, facts_b = _facts(school_a), _facts(school_b)
    teacher, admin = as_user(client, school_a, "teacher"), as_user(client, school_a, "school_admin")
    untaught = f"class_id={facts['other_class']}&subject_id={facts['other_subject']}&term_id={facts['term_id']}"
    assert_error(client.get(f"/api/v1/assessments?{untaught}", headers=teacher), 404, "NOT_FOUND")
    body = {"class_id": facts["other_class"], "subject_id": facts["other_subject"], "term_id": facts["term_id"], "name": "Not mine", "kind": "test", "max_mark": 10, "weight": 1}
    assert_error(client.post("/api/v1/assessments", headers=teacher, json=body), 404, "NOT_FOUND")
    theirs = client.post("/api/v1/assessments", headers=admin, json=body).json()["data"]
    marks = {"marks": [{"student_id": facts["other_student"], "mark": 5, "absent": False}]}
    assert_error(client.put(f"/api/v1/assessments/{theirs['id']}/marks", headers=teacher, json=marks), 404, "NOT_FOUND")
    for role in ("student", "parent", "staff"):
        headers = as_user(client, school_a, role)
        assert_error(client.get(f"/api/v1/assessments?{untaught}", headers=headers), 403, "FORBIDDEN")
        assert_error(client.put(f"/api/v1/assessments/{theirs['id']}/marks", headers=headers, json=marks), 403, "FORBIDDEN")
    # School B's ids on school A's host, as A's admin: not found.
    b_admin = as_user(client, school_b, "school_admin")
    b_assessment = _assessment(client, b_admin, facts_b, "B's own", max_mark=10)
    b_query = f"class_id={facts_b['class_id']}&subject_id={facts_b['subject_id']}&term_id={facts_b['term_id']}"
    assert_error(client.get(f"/api/v1/assessments?{b_query}", headers=admin), 404, "NOT_FOUND")
    assert_error(client.post("/api/v1/assessments", headers=admin, json={**body, "class_id": facts_b["class_id"], "subject_id": facts_b["subject_id"], "term_id": facts_b["term_id"]}), 404, "NOT_FOUND")
    assert_error(client.put(f"/api/v1/assessments/{b_assessment['id']}/marks", headers=admin, json={"marks": []}), 404, "NOT_FOUND")
    assert_error(client.get(f"/api/v1/students/{facts_b['child']}/grades?term_id={facts_b['term_id']}", headers=admin), 404, "NOT_FOUND")


def test_grades_for_those_who_may_see_them_published_for_families(client: TestClient, schools) -> None:  # noqa: F811
    school_a, _ = schools
    facts = _facts(school_a)
    teacher, parent = as_user(client, school_a, "teacher"), as_user(client, school_a, "parent")
    created = _assessment(client, teacher, facts, "Graded", max_mark=8)
    client.put(f"/api/v1/assessments/{created['id']}/marks", headers=teacher, json={"marks": [{"student_id": facts["child"], "mark": 5, "absent": False}]})
    url = f"/api/v1/students/{facts['child']}/grades?term_id={facts['term_id']}"
    graded = client.get(url, headers=teacher).json()
    assert_success(graded, listing=True)
    subject = next(row for row in graded["data"] if row["subject_id"] == facts["subject_id"])
    assert set(subject) == {"subject_id", "subject", "percent", "grade", "points"} and isinstance(subject["percent"], int)
    assert client.get(url, headers=parent).json()["data"] == []  # this term is not published yet
    assert_error(client.get(f"/api/v1/students/{facts['other_student']}/grades?term_id={facts['term_id']}", headers=parent), 404, "NOT_FOUND")
    assert_error(client.get(f"/api/v1/students/{facts['other_student']}/grades?term_id={facts['term_id']}", headers=as_user(client, school_a, "staff")), 403, "FORBIDDEN")
    with db.tenant_session(school_a.id) as session:
        admin_id = session.exec(select(User.id).where(User.email == f"school_admin@{school_a.subdomain}.test")).one()
        session.add(ReportPublication(school_id=school_a.id, term_id=UUID(facts["term_id"]), class_id=UUID(facts["class_id"]), published_by=admin_id))
        session.commit()
    assert client.get(url, headers=parent).json()["data"] == graded["data"]
