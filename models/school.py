"""Schools: the tenants. Every tenant table points here through `school_id`."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field, updated_at_field


class SchoolLevel(StrEnum):
    primary = "primary"
    secondary = "secondary"
    combined = "combined"


class SchoolStatus(StrEnum):
    active = "active"
    suspended = "suspended"


class SchoolBase(SQLModel):
    name: str = Field(max_length=200)
    subdomain: str = Field(max_length=63)
    domain: str | None = Field(default=None, max_length=253)
    level: SchoolLevel = Field(sa_type=String)
    currency: str = Field(default="USD", max_length=3)
    timezone: str = Field(default="Africa/Harare", max_length=64)
    language: str = Field(default="en", max_length=2)  # the interface's default for the school


class School(SchoolBase, table=True):
    __tablename__ = "schools"

    id: UUID = id_field()
    status: SchoolStatus = Field(default=SchoolStatus.active, sa_type=String)
    require_admin_mfa: bool = False
    show_report_positions: bool = True  # class and level positions on report cards
    logo_key: str | None = None  # the school's logo in storage (`oneclass.storage`), if it has one
    registers_per_lesson: bool = False  # registers taken per timetabled lesson, not once a day
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class SchoolPublic(SchoolBase):
    id: UUID
    status: SchoolStatus
