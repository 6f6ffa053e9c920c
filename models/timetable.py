"""The timetable: the periods of a school's day, and the lessons of each class's week."""

from datetime import time
from uuid import UUID

from sqlmodel import Field, SQLModel

from models.common import id_field


class Period(SQLModel, table=True):
    """One period of every school day (breaks are simply not periods), numbered in order."""

    __tablename__ = "periods"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    number: int
    starts: time
    ends: time


class TimetableSlot(SQLModel, table=True):
    """A class's lesson in one period of one weekday (1 Monday … 5 Friday)."""

    __tablename__ = "timetable_slots"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    class_id: UUID = Field(foreign_key="classes.id")
    academic_year_id: UUID = Field(foreign_key="academic_years.id")  # the class's year
    day: int
    period: int
    subject_id: UUID = Field(foreign_key="subjects.id")
    teacher_id: UUID = Field(foreign_key="users.id")
    room: str | None = None
