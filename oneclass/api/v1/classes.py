"""GET /classes: the current year's classes (a teacher sees the ones they teach)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from oneclass.api.deps import school_user_with
from oneclass.api.schemas import ClassOut, Envelope
from oneclass.api.v1.common import errors, success
from oneclass.db import tenant_session
from oneclass.permissions import can
from oneclass.services import academics, students
from oneclass.services.auth import CurrentUser

router = APIRouter(prefix="/classes", tags=["classes"])


@router.get("", response_model=Envelope[list[ClassOut]], responses=errors(401, 403), summary="List classes")
def list_classes(actor: Annotated[CurrentUser, Depends(school_user_with("classes.read"))]) -> dict[str, Any]:
    with tenant_session(actor.school_id) as session:
        year = academics.current_year(session)
        only = None if can(actor, "school.update") else students.class_ids_taught_by(session, actor.id)
        rows = academics.list_classes(session, year_id=year.id if year else None, only_ids=only)
    return success(rows, meta={"total": len(rows), "page": 1, "per_page": max(len(rows), 1)})
