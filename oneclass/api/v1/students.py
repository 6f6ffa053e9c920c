"""GET/POST /students and GET /students/{id}: admins see all, teachers their classes, parents
their children, students themselves (the service decides, and caches for the pages and the API
alike)."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from oneclass.api.deps import Paging, client_ip, paging, school_user, school_user_with
from oneclass.api.schemas import NO_NUL, Envelope, StudentIn, StudentOut, StudentRow
from oneclass.api.v1.common import errors, success
from oneclass.services import students
from oneclass.services.auth import CurrentUser
from oneclass.services.students import GuardianInput, StudentInput

router = APIRouter(prefix="/students", tags=["students"])


@router.get("", response_model=Envelope[list[StudentRow]], responses=errors(401, 403, 422), summary="List students")
def list_students(
    actor: Annotated[CurrentUser, Depends(school_user)],
    page: Annotated[Paging, Depends(paging)],
    search: Annotated[str, Query(max_length=100, pattern=NO_NUL, description="Part of a name or admission number")] = "",
    class_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[Literal["", "enrolled", "transferred", "graduated", "left"], Query()] = "",
    sort: Annotated[Literal["name", "admission", "newest"], Query()] = "name",
) -> dict[str, Any]:
    found = students.list_students(
        actor=actor, search=search, class_id=class_id, status=status, sort=sort, page=page.page, per_page=page.per_page
    )
    return success(found.rows, meta=page.meta(found.total))


def _student_out(profile: dict[str, Any]) -> dict[str, Any]:
    return {**profile, "medical_notes": profile["medical_notes"] if profile["can_see_medical"] else None}


@router.get("/{student_id}", response_model=Envelope[StudentOut], responses=errors(401, 403, 422), summary="One student")
def read_student(student_id: UUID, actor: Annotated[CurrentUser, Depends(school_user)]) -> dict[str, Any]:
    return success(_student_out(students.student_profile(actor=actor, student_id=student_id)))


@router.post("", status_code=201, response_model=Envelope[StudentOut], responses=errors(401, 403, 422), summary="Admit a student")
def create_student(body: StudentIn, request: Request, actor: Annotated[CurrentUser, Depends(school_user_with("students.create"))]) -> dict[str, Any]:
    data = StudentInput(**body.model_dump(exclude={"guardians", "class_id", "date_of_birth"}), date_of_birth=body.date_of_birth.isoformat())
    guardians = [GuardianInput(**guardian.model_dump()) for guardian in body.guardians]
    result = students.add_student(actor=actor, data=data, guardians=guardians, class_id=body.class_id, ip=client_ip(request))
    return success(_student_out(students.student_profile(actor=actor, student_id=result.student_id)))
