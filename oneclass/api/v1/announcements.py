"""GET /announcements: the announcements addressed to the caller, newest first, paged (one call
of `oneclass.services.announcements`, whose audience rule decides what each caller gets).
Listing them here marks none read; the attachment is named, and served by the app's page."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from oneclass.api.deps import Paging, paging, school_user_with
from oneclass.api.schemas import Envelope
from oneclass.api.v1.common import errors, success
from oneclass.services import announcements
from oneclass.services.auth import CurrentUser

router = APIRouter(prefix="/announcements", tags=["announcements"])


class AnnouncementOut(BaseModel):
    id: str
    title: str
    body: str
    audience: str = Field(description="who it is for, in the request's language", examples=["Grade 3"])
    author: str
    posted: str = Field(description="when, in the request's language")
    attachment: str = Field(description="the attached file's name; empty for none")
    unread: bool
    reads: int = Field(description="how many of its audience have read it: the sender's and the administrators' only, else 0")
    recipients: int = Field(description="how many people it is addressed to (as `reads`)")


@router.get("", response_model=Envelope[list[AnnouncementOut]], responses=errors(401, 403, 422), summary="The caller's announcements")
def list_announcements(
    actor: Annotated[CurrentUser, Depends(school_user_with(announcements.READ))], page: Annotated[Paging, Depends(paging)]
) -> dict[str, Any]:
    found = announcements.read_announcements(actor=actor, page=page.page, per_page=page.per_page, mark_read=False)
    rows = [{key: value for key, value in row.items() if key != "mine"} for row in found.rows]
    return success(rows, meta=page.meta(found.total))
