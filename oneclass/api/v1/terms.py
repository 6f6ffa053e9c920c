"""GET /terms: the school's terms, today's marked current."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from oneclass.api.deps import school_user
from oneclass.api.schemas import Envelope, TermOut
from oneclass.api.v1.common import errors, success
from oneclass.services import calendar
from oneclass.services.auth import CurrentUser

router = APIRouter(prefix="/terms", tags=["calendar"])


@router.get("", response_model=Envelope[list[TermOut]], responses=errors(401), summary="List the school's terms")
def list_terms(actor: Annotated[CurrentUser, Depends(school_user)]) -> dict[str, Any]:
    rows = calendar.list_terms(actor=actor)
    return success(rows, meta={"total": len(rows), "page": 1, "per_page": max(len(rows), 1)})
