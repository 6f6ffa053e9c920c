"""Attendance registers: one per class per school day (or per lesson, where the school takes
them per lesson), and one record per enrolled student in each."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field, updated_at_field
from oneclass.i18n import N_


class AttendanceStatus(StrEnum):
    present = "present"
    absent = "absent"
    late = "late"
    excused = "excused"


# Shown with t() in the browser, _() on the server.
STATUS_LABELS: dict[AttendanceStatus, str] = {
    AttendanceStatus.present: N_("Present"),
    AttendanceStatus.absent: N_("Absent"),
    AttendanceStatus.late: N_("Late"),
    AttendanceStatus.excused: N_("Excused"),
}


class AttendanceRegister(SQLModel, table=True):
    """A class's register for one day, or for one lesson of that day (`period`, the timetable's
    period number; None for a daily register): who took it first, and when it last changed."""

    __tablename__ = "attendance_registers"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    class_id: UUID = Field(foreign_key="classes.id")
    day: date
    period: int | None = None
    taken_by: UUID | None = Field(default=None, foreign_key="users.id")
    taken_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class AttendanceRecord(SQLModel, table=True):
    """One student's mark in one register; `reason` explains an excused absence (or any mark)."""

    __tablename__ = "attendance_records"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    register_id: UUID = Field(foreign_key="attendance_registers.id")
    student_id: UUID = Field(foreign_key="students.id")
    status: AttendanceStatus = Field(sa_type=String)
    reason: str | None = None
