"""The attendance API as its contract says: a class's register for a day (GET; PUT saves it
whole; `?period=` a lesson's, in a school that takes registers per lesson), a student's attendance and rate; a teacher's untaught class, a parent's other children
and another school's ids give nothing."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import col, select

from models import AttendanceRegister, AuditEvent, Enrolment, Guardian, SchoolClass, Student, StudentGuardian, TimetableSlot, User
from oneclass import db
from oneclass.demo_records import demo_register_days, school_admin_of
from oneclass.services import attendance, calendar, school_settings
from oneclass.services.students import class_ids_taught_by
from tests.conftest import SchoolFixture
from tests.test_api_v1 import as_user, assert_error, assert_success, client, schools  # noqa: F401 (fixtures)


@dataclass
class Ids:
    day: str  # a past school day with no register yet (before the demo's)
    taught: str  # a class the teacher leads
    untaught: str
    other_class: str  # school B's
    child: str  # the parent's child
    not_child: str
    other_student: str  # school B's
    roster: list[str]  # the taught class, in order


def _ids(school: SchoolFixture, other: SchoolFixture) -> Ids:
    with db.tenant_session(school.id) as session:
        today = calendar.today_for(session, school.id)
        day = attendance.recent_school_days(session, demo_register_days(session, today)[0], 1)[0]  # before the demo's registers
        teacher = session.exec(select(User).where(User.email == f"teacher@{school.subdomain}.test")).one()
        parent = session.exec(select(User).where(User.email == f"parent@{school.subdomain}.test")).one()
        taught_ids = class_ids_taught_by(session, teacher.id)
        taught = session.exec(select(SchoolClass).where(SchoolClass.class_teacher_id == teacher.id)).first()
        assert taught is not None
        untaught = session.exec(select(SchoolClass.id).where(col(SchoolClass.id).not_in(taught_ids))).first()
        children = set(session.exec(
            select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == parent.id)
        ).all())
        not_child = session.exec(select(Student.id).where(col(Student.id).not_in(children))).first()
        roster = [str(student_id) for student_id, _name in attendance.roster(session, taught)]
    with db.tenant_session(other.id) as session:
        other_class = session.exec(select(SchoolClass.id)).first()
        other_student = session.exec(select(Student.id)).first()
    return Ids(
        day=day.isoformat(), taught=str(taught.id), untaught=str(untaught), other_class=str(other_class),
        child=str(sorted(children)[0]), not_child=str(not_child), other_student=str(other_student), roster=roster,
    )


def _body(ids: Ids, marks: dict[str, tuple[str, str | None]] | None = None, change_reason: str | None = None) -> dict[str, Any]:
    marks = marks or {}
    records = [{"student_id": sid, "status": marks.get(sid, ("present", None))[0], "reason": marks.get(sid, ("present", None))[1]} for sid in ids.roster]
    return {"records": records, **({"change_reason": change_reason} if change_reason is not None else {})}


def test_a_teacher_reads_and_saves_a_register(client: TestClient, schools) -> None:  # noqa: F811
    school, other = schools
    ids = _ids(school, other)
    teacher = as_user(client, school, "teacher")
    path = f"/api/v1/classes/{ids.taught}/attendance?date={ids.day}"

    opened = client.get(path, headers=teacher)
    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert_success(body)
    assert set(body["data"]) == {"date", "class_id", "saved", "records"}
    assert body["data"]["date"] == ids.day and body["data"]["class_id"] == ids.taught and body["data"]["saved"] is False
    assert [r["student_id"] for r in body["data"]["records"]] == ids.roster
    assert all(set(r) == {"student_id", "name", "status", "reason"} and r["status"] == "present" and r["name"] for r in body["data"]["records"])

    first, second = ids.roster[0], ids.roster[1]
    marks = {first: ("absent", None), second: ("excused", "Clinic")}
    saved = client.put(path, headers=teacher, json=_body(ids, marks))  # a first save, even of a past day, needs no reason
    assert saved.status_code == 200, saved.text
    assert saved.json()["data"]["saved"] is True
    again = client.put(path, headers=teacher, json=_body(ids, marks))
    assert again.json()["data"] == saved.json()["data"]  # twice: the same register, nothing more
    reopened = client.get(path, headers=teacher).json()["data"]
    assert reopened == saved.json()["data"]
    assert {r["student_id"]: (r["status"], r["reason"]) for r in reopened["records"]}[second] == ("excused", "Clinic")

    # The day is over: a change needs its reason, and the audit keeps it.
    changed = {**marks, first: ("late", None)}
    body = assert_error(client.put(path, headers=teacher, json=_body(ids, changed)), 422, "VALIDATION_ERROR")
    assert [d["field"] for d in body["error"]["details"]] == ["change_reason"]
    done = client.put(path, headers=teacher, json=_body(ids, changed, change_reason="Arrived after the bell"))
    assert done.status_code == 200, done.text
    with db.tenant_session(school.id) as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == attendance.REGISTER_CHANGED, AuditEvent.target.endswith(ids.day))  # type: ignore[union-attr]
            .order_by(col(AuditEvent.created_at).desc())
        ).first()
    assert event is not None and event.detail["reason"] == "Arrived after the bell" and event.actor_email == f"teacher@{school.subdomain}.test"

    # The student's own record, through the student's route.
    history = client.get(f"/api/v1/students/{first}/attendance?from={ids.day}&to={ids.day}", headers=teacher)
    assert history.status_code == 200, history.text
    data = history.json()["data"]
    assert data["records"] == [{"date": ids.day, "status": "late", "reason": ""}] and data["rate"] == 100
    assert data["from"] == ids.day and data["to"] == ids.day


REFUSED_REGISTERS = ["missing", "excused without reason", "bad status", "weekend", "bad date"]


def test_a_refused_register_says_why(client: TestClient, schools) -> None:  # noqa: F811
    school, other = schools
    ids = _ids(school, other)
    admin = as_user(client, school, "school_admin")
    for problem in REFUSED_REGISTERS:
        _refused_register(client, admin, ids, problem)


def _refused_register(client: TestClient, admin: dict[str, str], ids: Ids, problem: str) -> None:  # noqa: F811 (not the fixture)
    day = date.fromisoformat(ids.day)
    path = f"/api/v1/classes/{ids.taught}/attendance?date={ids.day}"
    body = _body(ids)
    field = ids.roster[0]
    if problem == "missing":
        body["records"] = body["records"][1:]
    elif problem == "excused without reason":
        body = _body(ids, {field: ("excused", None)})
    elif problem == "bad status":
        body = _body(ids, {field: ("asleep", None)})
    elif problem == "weekend":
        saturday = day - timedelta(days=day.weekday() + 2)
        path, field = f"/api/v1/classes/{ids.taught}/attendance?date={saturday.isoformat()}", "date"
    elif problem == "bad date":
        path, field = f"/api/v1/classes/{ids.taught}/attendance?date=2026-13-45", "date"
    refused = assert_error(client.put(path, headers=admin, json=body), 422, "VALIDATION_ERROR")
    assert field in [d["field"] for d in refused["error"]["details"]], problem
    assert client.get(f"/api/v1/classes/{ids.taught}/attendance?date={ids.day}", headers=admin).json()["data"]["saved"] is False


NOT_YOURS = (
    # (role, method, class, status, code)
    ("teacher", "GET", "untaught", 404, "NOT_FOUND"),
    ("teacher", "PUT", "untaught", 404, "NOT_FOUND"),
    ("school_admin", "GET", "other_class", 404, "NOT_FOUND"),
    ("school_admin", "PUT", "other_class", 404, "NOT_FOUND"),
    ("parent", "GET", "taught", 403, "FORBIDDEN"),
    ("student", "PUT", "taught", 403, "FORBIDDEN"),
    ("staff", "GET", "taught", 403, "FORBIDDEN"),
)


def test_registers_of_classes_not_yours(client: TestClient, schools) -> None:  # noqa: F811
    school, other = schools
    ids = _ids(school, other)
    for role, method, target, status, code in NOT_YOURS:
        headers = as_user(client, school, role)
        path = f"/api/v1/classes/{getattr(ids, target)}/attendance?date={ids.day}"
        response = client.get(path, headers=headers) if method == "GET" else client.put(path, headers=headers, json=_body(ids))
        body = assert_error(response, status, code)
        assert "records" not in str(body), (role, method, target)
    assert client.get(f"/api/v1/classes/{ids.taught}/attendance?date={ids.day}", headers=as_user(client, school, "school_admin")).json()["data"]["saved"] is False


WHOSE_HISTORY = (
    # (role, whose, status)
    ("parent", "child", 200),
    ("parent", "not_child", 404),
    ("parent", "other_student", 404),
    ("school_admin", "other_student", 404),
    ("school_admin", "not_child", 200),
    ("student", "not_child", 404),
    ("staff", "child", 403),
)


def test_a_students_attendance_is_for_whom_it_belongs(client: TestClient, schools) -> None:  # noqa: F811
    school, other = schools
    ids = _ids(school, other)
    for role, whose, status in WHOSE_HISTORY:
        response = client.get(f"/api/v1/students/{getattr(ids, whose)}/attendance", headers=as_user(client, school, role))
        assert response.status_code == status, (role, whose, response.text)
        if status == 200:
            data = response.json()["data"]
            assert data["student_id"] == getattr(ids, whose) and set(data) >= {"records", "rate", "from", "to"}
            # The demo's registers of the last school days are there, and the rate is theirs.
            assert data["records"] and data["rate"] == attendance.attendance_rate(data["counts"])
        else:
            assert "records" not in response.text


def test_a_teachers_untaught_student_and_bad_ranges(client: TestClient, schools) -> None:  # noqa: F811
    school, other = schools
    ids = _ids(school, other)
    with db.tenant_session(school.id) as session:
        outsider = session.exec(
            select(Student.id).join(Enrolment, col(Enrolment.student_id) == Student.id)
            .where(Enrolment.class_id == UUID(ids.untaught))
        ).first()
    teacher = as_user(client, school, "teacher")
    assert outsider is not None  # the demo puts a student in every class
    assert_error(client.get(f"/api/v1/students/{outsider}/attendance", headers=teacher), 404, "NOT_FOUND")
    assert_error(client.get(f"/api/v1/students/{ids.roster[0]}/attendance?from=2026-05-01&to=2026-04-01", headers=teacher), 422, "VALIDATION_ERROR")
    assert_error(client.get(f"/api/v1/students/{ids.roster[0]}/attendance?from=yesterday", headers=teacher), 422, "VALIDATION_ERROR")


def _lesson_of(school: SchoolFixture, class_id: str, day: str) -> int:
    """A period in which the class has a lesson on `day`'s weekday (the demo's timetable)."""
    with db.tenant_session(school.id) as session:
        period = session.exec(
            select(TimetableSlot.period).where(TimetableSlot.class_id == UUID(class_id), TimetableSlot.day == date.fromisoformat(day).isoweekday())
            .order_by(col(TimetableSlot.period))
        ).first()
    assert period is not None, "the demo timetable gives every class lessons every weekday"
    return period


def test_a_lessons_register_by_period(client: TestClient, schools) -> None:  # noqa: F811
    school, other = schools
    ids = _ids(school, other)
    period = _lesson_of(school, ids.taught, ids.day)
    teacher = as_user(client, school, "teacher")  # the class teacher: any lesson of the class
    daily = f"/api/v1/classes/{ids.taught}/attendance?date={ids.day}"
    lesson = f"{daily}&period={period}"

    # A daily school (the default) refuses a period, and says so.
    refused = assert_error(client.get(lesson, headers=teacher), 422, "VALIDATION_ERROR")
    assert [(d["field"], d["message"]) for d in refused["error"]["details"]] == [("period", attendance.DAILY_SCHOOL)]
    assert_error(client.put(lesson, headers=teacher, json=_body(ids)), 422, "VALIDATION_ERROR")

    with db.tenant_session(school.id) as session:
        admin = school_admin_of(session, school.id)
    school_settings.set_registers_per_lesson(actor=admin, per_lesson=True, ip="203.0.113.9")
    opened = client.get(lesson, headers=teacher)
    assert opened.status_code == 200, opened.text
    assert set(opened.json()["data"]) == {"date", "class_id", "period", "saved", "records"}
    assert opened.json()["data"]["period"] == period and opened.json()["data"]["saved"] is False

    marks = {ids.roster[0]: ("absent", None)}
    saved = client.put(lesson, headers=teacher, json=_body(ids, marks))
    assert saved.status_code == 200, saved.text
    again = client.put(lesson, headers=teacher, json=_body(ids, marks))
    assert again.json()["data"] == saved.json()["data"] and saved.json()["data"]["saved"] is True
    with db.tenant_session(school.id) as session:
        registers = session.exec(
            select(AttendanceRegister).where(AttendanceRegister.class_id == UUID(ids.taught), AttendanceRegister.day == date.fromisoformat(ids.day))
        ).all()
    assert [r.period for r in registers] == [period]  # one register: the lesson's

    # Without a period: the daily register, as the contract always said (no `period` key).
    plain = client.get(daily, headers=teacher).json()["data"]
    assert set(plain) == {"date", "class_id", "saved", "records"} and plain["saved"] is False
    # The student's history names the lesson.
    history = client.get(f"/api/v1/students/{ids.roster[0]}/attendance?from={ids.day}&to={ids.day}", headers=teacher).json()["data"]
    assert history["records"] == [{"date": ids.day, "period": period, "status": "absent", "reason": ""}]

    # A period not in the class's timetable that day, or no period at all.
    for bad in (16, 0, "x"):
        body = assert_error(client.get(f"{daily}&period={bad}", headers=teacher), 422, "VALIDATION_ERROR")
        assert "period" in [d["field"] for d in body["error"]["details"]]
    # Another school's class, by period too: not found.
    assert_error(client.get(f"/api/v1/classes/{ids.other_class}/attendance?date={ids.day}&period={period}", headers=as_user(client, school, "school_admin")), 404, "NOT_FOUND")
