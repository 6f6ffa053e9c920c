"""GET/POST /students and GET /students/{id}: admins see all, teachers their classes, parents
their children, students themselves (the service decides)."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from oneclass import cache
from oneclass.api.deps import Paging, client_ip, paging, school_user, school_user_with
from oneclass.api.schemas import NO_NUL, Envelope, StudentIn, StudentOut, StudentRow
from oneclass.api.v1.common import errors, success
from oneclass.db import tenant_session
from oneclass.permissions import can
from oneclass.services import students
from oneclass.services.auth import CurrentUser
from oneclass.services.students import GuardianInput, StudentInput

router = APIRouter(prefix="/students", tags=["students"])
STUDENT_TABLES = ("students", "enrolments", "classes", "student_guardians", "guardians", "teaching_assignments")


def _visibility(actor: CurrentUser) -> str:
    """Admins share one cached list; everyone else sees their own selection."""
    return "all" if can(actor, "students.update") else str(actor.id)


@router.get("", response_model=Envelope[list[StudentRow]], responses=errors(401, 403, 422), summary="List students")
def list_students(
    actor: Annotated[CurrentUser, Depends(school_user)],
    page: Annotated[Paging, Depends(paging)],
    search: Annotated[str, Query(max_length=100, pattern=NO_NUL, description="Part of a name or admission number")] = "",
    class_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[Literal["", "enrolled", "transferred", "graduated", "left"], Query()] = "",
    sort: Annotated[Literal["name", "admission", "newest"], Query()] = "name",
) -> dict[str, Any]:
    params = {"search": search, "class_id": class_id, "status": status, "sort": sort, "page": page.page, "per_page": page.per_page}

    def compute() -> dict[str, Any]:
        with tenant_session(actor.school_id) as session:
            result = students.list_students(session, actor=actor, **params)  # type: ignore[arg-type]
        return {"rows": result.rows, "total": result.total}

    result = cache.cached(actor.school_id, STUDENT_TABLES, {"list": params, "who": _visibility(actor)}, compute)
    return success(result["rows"], meta=page.meta(result["total"]))


def _student_out(profile: dict[str, Any]) -> dict[str, Any]:
    return {**profile, "medical_notes": profile["medical_notes"] if profile["can_see_medical"] else None}


@router.get("/{student_id}", response_model=Envelope[StudentOut], responses=errors(401, 403, 422), summary="One student")
def read_student(student_id: UUID, actor: Annotated[CurrentUser, Depends(school_user)]) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        with tenant_session(actor.school_id) as session:
            return _student_out(students.student_profile(session, actor=actor, student_id=student_id))

    tables = (*STUDENT_TABLES, "student_status_changes", "emergency_contacts")
    return success(cache.cached(actor.school_id, tables, {"one": str(student_id), "who": _visibility(actor)}, compute))


@router.post("", status_code=201, response_model=Envelope[StudentOut], responses=errors(401, 403, 422), summary="Admit a student")
def create_student(body: StudentIn, request: Request, actor: Annotated[CurrentUser, Depends(school_user_with("students.create"))]) -> dict[str, Any]:
    data = StudentInput(**body.model_dump(exclude={"guardians", "class_id", "date_of_birth"}), date_of_birth=body.date_of_birth.isoformat())
    guardians = [GuardianInput(**guardian.model_dump()) for guardian in body.guardians]
    with tenant_session(actor.school_id) as session:
        result = students.add_student(
            session, actor=actor, data=data, guardians=guardians, class_id=body.class_id, ip=client_ip(request)
        )
        session.commit()
        return success(_student_out(students.student_profile(session, actor=actor, student_id=result.student.id)))
