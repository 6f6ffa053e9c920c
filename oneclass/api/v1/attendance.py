"""Attendance: a class's register for a day, or for one lesson of it in a school that takes
registers per lesson (GET, and PUT to save it whole) and a student's
history with its rate. The service decides who may (a teacher, their classes; parents, their
children; another school's ids are not found)."""

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from oneclass.api.deps import client_ip, school_user
from oneclass.api.schemas import NO_NUL, Envelope
from oneclass.api.v1.common import errors, success
from oneclass.services import attendance
from oneclass.services.attendance import EntryInput, RegisterView
from oneclass.services.auth import CurrentUser

router = APIRouter(tags=["attendance"])
MAX_CLASS = 500  # more records than any class has students: refused before the service


class LessonPeriod(BaseModel):
    """A lesson's period, said only of a lesson's register: a daily register (the contract as it
    was before registers per lesson) carries no `period` key at all."""

    period: int | None = Field(default=None, description="the lesson's period; absent for a daily register")

    @model_serializer(mode="wrap")
    def _period_only_for_a_lesson(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("period") is None:
            data.pop("period", None)
        return data


class AttendanceRecordOut(BaseModel):
    student_id: str
    name: str
    status: Literal["present", "absent", "late", "excused"]
    reason: str


class RegisterOut(LessonPeriod):
    date: str
    class_id: str
    saved: bool = Field(description="false: nothing saved yet, every enrolled student shown present")
    records: list[AttendanceRecordOut]


class AttendanceRecordIn(BaseModel):
    student_id: str = Field(pattern=NO_NUL, max_length=64)
    status: str = Field(pattern=NO_NUL, max_length=20, examples=["present", "absent", "late", "excused"])
    reason: str | None = Field(pattern=NO_NUL, default=None, max_length=1000, description="needed for `excused`")


class RegisterIn(BaseModel):
    records: list[AttendanceRecordIn] = Field(max_length=MAX_CLASS, description="every enrolled student exactly once")
    change_reason: str | None = Field(
        pattern=NO_NUL, default=None, max_length=1000, description="needed to change a saved register of a day that is over"
    )


class HistoryRecordOut(LessonPeriod):
    date: str
    status: str
    reason: str


class StudentAttendanceOut(BaseModel):
    student_id: str
    name: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    records: list[HistoryRecordOut]
    counts: dict[str, int]
    rate: int | None = Field(description="(present + late) ÷ (recorded days − excused), a whole percent; null when no day counts")


def _register_out(view: RegisterView) -> dict[str, Any]:
    return {"date": view.day.isoformat(), "class_id": str(view.class_id), "period": view.period, "saved": view.saved, "records": view.records}


PeriodQuery = Annotated[
    int | None,
    Query(
        ge=1, le=16,
        description="a lesson's period in the class's timetable that day, in a school that takes registers per lesson; "
        "leave it out for the daily register (a daily school refuses a period)",
    ),
]


@router.get(
    "/classes/{class_id}/attendance", response_model=Envelope[RegisterOut], responses=errors(401, 403, 422), summary="A class's register for a day or a lesson"
)
def read_register(
    class_id: UUID,
    actor: Annotated[CurrentUser, Depends(school_user)],
    day: Annotated[date | None, Query(alias="date", description="YYYY-MM-DD; default: today in the school")] = None,
    period: PeriodQuery = None,
) -> dict[str, Any]:
    return success(_register_out(attendance.open_register(actor=actor, class_id=class_id, day=day, period=period)))


@router.put(
    "/classes/{class_id}/attendance", response_model=Envelope[RegisterOut], responses=errors(401, 403, 422), summary="Save a class's whole register"
)
def save_register(
    class_id: UUID,
    body: RegisterIn,
    request: Request,
    actor: Annotated[CurrentUser, Depends(school_user)],
    day: Annotated[date, Query(alias="date", description="YYYY-MM-DD")],
    period: PeriodQuery = None,
) -> dict[str, Any]:
    entries = [EntryInput(record.student_id, record.status, record.reason or "") for record in body.records]
    view = attendance.save_register(
        actor=actor, class_id=class_id, day=day, entries=entries, change_reason=body.change_reason or "", ip=client_ip(request), period=period,
    )
    return success(_register_out(view))


@router.get(
    "/students/{student_id}/attendance",
    response_model=Envelope[StudentAttendanceOut],
    response_model_by_alias=True,
    responses=errors(401, 403, 422),
    summary="A student's attendance and rate",
)
def student_attendance(
    student_id: UUID,
    actor: Annotated[CurrentUser, Depends(school_user)],
    starts_on: Annotated[date | None, Query(alias="from", description="YYYY-MM-DD; default: today's term")] = None,
    ends_on: Annotated[date | None, Query(alias="to", description="YYYY-MM-DD; default: today")] = None,
) -> dict[str, Any]:
    history = attendance.student_history(actor=actor, student_id=student_id, starts_on=starts_on, ends_on=ends_on)
    return success({
        "student_id": str(history.student_id), "name": history.name, "from": history.starts_on.isoformat(),
        "to": history.ends_on.isoformat(), "records": history.records, "counts": history.counts, "rate": history.rate,
    })
