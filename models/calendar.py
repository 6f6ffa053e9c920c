"""The days a school does not sit: public holidays (Zimbabwe's, as data the school can edit) and
the school's own closures."""

from datetime import date
from enum import StrEnum
from uuid import UUID

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from models.common import id_field


class ClosureKind(StrEnum):
    public_holiday = "public_holiday"
    closure = "closure"


class ClosureDay(SQLModel, table=True):
    __tablename__ = "closure_days"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    day: date
    name: str
    kind: ClosureKind = Field(sa_type=String)
