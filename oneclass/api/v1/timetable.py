"""GET /classes/{id}/timetable and GET /teachers/{user_id}/timetable: a week's periods and lessons.
A class's week for whoever may see the class (a teacher: one they teach; a parent: a child's); a
teacher's week for the teacher and the admins. Anything else, and another school's ids, is 404."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from oneclass.api.deps import school_user_with
from oneclass.api.schemas import Envelope
from oneclass.api.v1.common import errors, success
from oneclass.services import timetable
from oneclass.services.auth import CurrentUser

router = APIRouter(tags=["timetable"])


class PeriodOut(BaseModel):
    number: int
    starts: str = Field(description="HH:MM, the school's local time", examples=["07:30"])
    ends: str = Field(examples=["08:05"])


class SlotOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    day: int = Field(ge=1, le=5, description="1 Monday … 5 Friday")
    period: int
    class_id: str
    class_name: str = Field(alias="class")
    subject_id: str
    subject: str
    teacher_id: str
    teacher: str
    room: str | None


class TimetableOut(BaseModel):
    periods: list[PeriodOut]
    slots: list[SlotOut]


Reader = Annotated[CurrentUser, Depends(school_user_with(timetable.READ_TIMETABLE))]


@router.get("/classes/{class_id}/timetable", response_model=Envelope[TimetableOut], responses=errors(401, 403), summary="A class's week")
def class_timetable(class_id: UUID, actor: Reader) -> dict[str, Any]:
    return success(timetable.class_timetable(actor=actor, class_id=class_id).as_contract())


@router.get("/teachers/{user_id}/timetable", response_model=Envelope[TimetableOut], responses=errors(401, 403), summary="A teacher's week")
def teacher_timetable(user_id: UUID, actor: Reader) -> dict[str, Any]:
    return success(timetable.teacher_timetable(actor=actor, teacher_id=user_id).as_contract())
