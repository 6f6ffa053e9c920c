"""GET/POST /schools and GET /schools/{id}, on the root domain, for super admins."""

from collections.abc import Mapping
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from oneclass.api.deps import Paging, client_ip, paging, platform_user_with
from oneclass.api.schemas import NO_NUL, Envelope, SchoolIn, SchoolOut
from oneclass.api.v1.common import errors, success
from oneclass.current_user import CurrentUser
from oneclass.services import schools

router = APIRouter(prefix="/schools", tags=["schools (platform)"])
Admin = Annotated[CurrentUser, Depends(platform_user_with(schools.SCHOOLS_PERMISSION))]


def _out(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("id", "name", "subdomain", "level", "currency", "status", "language")}


@router.get("", response_model=Envelope[list[SchoolOut]], responses=errors(401, 403, 422), summary="List schools")
def list_schools(
    admin: Admin,
    page: Annotated[Paging, Depends(paging)],
    search: Annotated[str, Query(max_length=100, pattern=NO_NUL)] = "",
    status: Annotated[Literal["", "active", "suspended"], Query()] = "",
) -> dict[str, Any]:
    result = schools.list_schools(actor=admin, search=search, status=status, page=page.page, per_page=page.per_page)
    return success([_out(row) for row in result.rows], meta=page.meta(result.total))


@router.get("/{school_id}", response_model=Envelope[SchoolOut], responses=errors(401, 403, 404, 422), summary="One school")
def read_school(school_id: UUID, admin: Admin) -> dict[str, Any]:
    return success(_out(schools.get_school(actor=admin, school_id=school_id)))


@router.post("", status_code=201, response_model=Envelope[SchoolOut], responses=errors(401, 403, 409, 422), summary="Create a school and its first admin")
def create_school(body: SchoolIn, request: Request, admin: Admin) -> dict[str, Any]:
    return success(_out(schools.create_school_with_admin(actor=admin, ip=client_ip(request), **body.model_dump())))
