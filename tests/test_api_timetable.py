"""GET /api/v1/classes/{id}/timetable and /teachers/{user_id}/timetable, as the contract says:
the shape, and who reaches which week (another class, another child, another school: 404)."""

from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import col, select

from models import Enrolment, Guardian, SchoolClass, Student, StudentGuardian, User
from oneclass import db
from oneclass.services.academics import current_year
from oneclass.services.students import class_ids_taught_by
from tests.conftest import SchoolFixture
from tests.test_api_v1 import as_user, assert_error, assert_success, client, host, schools  # noqa: F401 (fixtures)

SLOT_KEYS = {"day", "period", "class_id", "class", "subject_id", "subject", "teacher_id", "teacher", "room"}


def _ids(school: SchoolFixture) -> dict[str, UUID]:
    with db.tenant_session(school.id) as session:
        users = {u.email.split("@")[0]: u.id for u in session.exec(select(User)).all()}
        year = current_year(session)
        assert year is not None
        classes = [c.id for c in session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == year.id).order_by(col(SchoolClass.name))).all()]
        taught = class_ids_taught_by(session, users["teacher"])
        children = session.exec(
            select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == users["parent"])
        ).all()
        own_class = session.exec(
            select(Enrolment.class_id).join(Student, col(Student.id) == Enrolment.student_id).where(Student.user_id == users["student"])
        ).first()
        children_classes = set(session.exec(select(Enrolment.class_id).where(col(Enrolment.student_id).in_(children))).all())
    return {
        **users,
        "taught": next(iter(taught)),
        "untaught": next(c for c in classes if c not in taught and c not in children_classes),
        "child_class": next(iter(children_classes)),
        "own_class": own_class or UUID(int=0),
    }


def test_a_teachers_week_in_the_contracts_shape(client: TestClient, schools) -> None:  # noqa: F811
    school_a, _ = schools
    ids = _ids(school_a)
    body = client.get(f"/api/v1/teachers/{ids['teacher']}/timetable", headers=as_user(client, school_a, "teacher")).json()
    assert_success(body)
    week = body["data"]
    assert set(week) == {"periods", "slots"}
    assert [p["number"] for p in week["periods"]] == list(range(1, 9))
    assert week["periods"][0] == {"number": 1, "starts": "07:30", "ends": "08:05"}
    assert week["slots"], "the demo week gives the teacher lessons"
    for slot in week["slots"]:
        assert set(slot) == SLOT_KEYS
        assert slot["teacher_id"] == str(ids["teacher"]) and 1 <= slot["day"] <= 5
    # One class per period of a day: the teacher is never in two places.
    assert len({(s["day"], s["period"]) for s in week["slots"]}) == len(week["slots"])
    admin = client.get(f"/api/v1/teachers/{ids['teacher1']}/timetable", headers=as_user(client, school_a, "school_admin"))
    assert admin.status_code == 200 and {s["teacher_id"] for s in admin.json()["data"]["slots"]} == {str(ids["teacher1"])}


def test_a_classs_week_reaches_only_those_who_see_the_class(client: TestClient, schools) -> None:  # noqa: F811
    school_a, school_b = schools
    ids, other = _ids(school_a), _ids(school_b)
    headers = {role: as_user(client, school_a, role) for role in ("school_admin", "teacher", "student", "parent", "staff")}

    def week(role: str, class_id: UUID) -> dict:
        response = client.get(f"/api/v1/classes/{class_id}/timetable", headers=headers[role])
        assert response.status_code == 200, response.text
        return response.json()["data"]

    seen = week("school_admin", ids["untaught"])
    assert seen["slots"] and {s["class_id"] for s in seen["slots"]} == {str(ids["untaught"])}
    assert all(set(s) == SLOT_KEYS and s["class"] for s in seen["slots"])
    assert week("teacher", ids["taught"])["periods"]
    assert week("parent", ids["child_class"])["periods"]
    assert week("student", ids["own_class"])["periods"]

    for role, class_id in (("teacher", ids["untaught"]), ("parent", ids["untaught"]), ("student", ids["untaught"]),
                           ("school_admin", other["untaught"]), ("teacher", other["taught"])):
        body = assert_error(client.get(f"/api/v1/classes/{class_id}/timetable", headers=headers[role]), 404, "NOT_FOUND")
        assert "slots" not in str(body)
    assert_error(client.get(f"/api/v1/classes/{ids['taught']}/timetable", headers=headers["staff"]), 403, "FORBIDDEN")
    assert_error(client.get(f"/api/v1/classes/{ids['taught']}/timetable", headers=host(school_a)), 401, "UNAUTHORIZED")
    assert_error(client.get("/api/v1/classes/not-an-id/timetable", headers=headers["school_admin"]), 422, "VALIDATION_ERROR")

    # A teacher's week: the teacher's own and the admins'; nobody else's, and not another school's.
    for role, user_id in (("teacher", ids["teacher1"]), ("parent", ids["teacher"]), ("student", ids["teacher"]),
                          ("school_admin", ids["parent"]), ("school_admin", other["teacher"])):
        assert_error(client.get(f"/api/v1/teachers/{user_id}/timetable", headers=headers[role]), 404, "NOT_FOUND")
