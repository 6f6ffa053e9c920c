"""GET /classes: the current year's classes the caller may see (a teacher, the ones they teach)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from oneclass.api.deps import school_user_with
from oneclass.api.schemas import ClassOut, Envelope
from oneclass.api.v1.common import errors, success
from oneclass.services import academics
from oneclass.services.auth import CurrentUser

router = APIRouter(prefix="/classes", tags=["classes"])


@router.get("", response_model=Envelope[list[ClassOut]], responses=errors(401, 403), summary="List classes")
def list_classes(actor: Annotated[CurrentUser, Depends(school_user_with("classes.read"))]) -> dict[str, Any]:
    rows = academics.visible_classes(actor=actor)
    return success(rows, meta={"total": len(rows), "page": 1, "per_page": max(len(rows), 1)})
