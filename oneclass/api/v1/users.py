"""GET/POST /users and GET /users/{id}: a school's users (school admins). Each route is one call
of `oneclass.services.users`, which checks the permission again and caches the list for the
Users page and the API alike."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from models import UserPublic
from oneclass.api.deps import Paging, client_ip, paging, school_user_with
from oneclass.api.schemas import NO_NUL, Envelope, UserIn, UserOut
from oneclass.api.v1.common import errors, success
from oneclass.services import users
from oneclass.services.auth import CurrentUser

router = APIRouter(prefix="/users", tags=["users"])


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("id", "email", "full_name", "role")} | {"is_active": row["active"]}


def _public(user: UserPublic) -> dict[str, Any]:
    return {"id": str(user.id), "email": user.email, "full_name": user.full_name, "role": user.role, "is_active": user.is_active}


@router.get("", response_model=Envelope[list[UserOut]], responses=errors(401, 403, 422), summary="List users")
def list_users(
    actor: Annotated[CurrentUser, Depends(school_user_with("users.read"))],
    page: Annotated[Paging, Depends(paging)],
    search: Annotated[str, Query(max_length=100, pattern=NO_NUL, description="Part of a name or email")] = "",
    role: Annotated[Literal["", "school_admin", "teacher", "student", "parent", "staff"], Query()] = "",
    status: Annotated[Literal["", "active", "inactive"], Query()] = "",
    sort: Annotated[Literal["name", "email", "role", "created"], Query()] = "name",
) -> dict[str, Any]:
    found = users.list_users(
        actor=actor, search=search, role=role, status=status, sort=sort, page=page.page, per_page=page.per_page
    )
    return success([_out(row) for row in found.rows], meta=page.meta(found.total))


@router.post("", status_code=201, response_model=Envelope[UserOut], responses=errors(401, 403, 422), summary="Add a user")
def create_user(body: UserIn, request: Request, actor: Annotated[CurrentUser, Depends(school_user_with("users.create"))]) -> dict[str, Any]:
    user = users.add_user(actor=actor, email=body.email, full_name=body.full_name, role=body.role, password=body.password, ip=client_ip(request))
    return success(_public(user))


@router.get("/{user_id}", response_model=Envelope[UserOut], responses=errors(401, 403, 422), summary="One user")
def read_user(user_id: UUID, actor: Annotated[CurrentUser, Depends(school_user_with("users.read"))]) -> dict[str, Any]:
    user = users.get_user(actor=actor, user_id=user_id)
    return success(_public(user))
