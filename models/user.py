"""People who sign in: users of one school, and the platform's own super admins."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field, updated_at_field


class Role(StrEnum):
    super_admin = "super_admin"
    school_admin = "school_admin"
    teacher = "teacher"
    student = "student"
    parent = "parent"
    staff = "staff"


class Credentials(SQLModel):
    """What signing in checks: password and the optional TOTP second factor. Never leaves the
    service layer."""

    password_hash: str | None = None
    password_changed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    totp_secret: str | None = None
    totp_enabled: bool = False
    recovery_code_hashes: list[str] = Field(default_factory=list, sa_type=JSONB)


class UserBase(SQLModel):
    email: str = Field(max_length=254)
    full_name: str = Field(max_length=200)
    # Stored as text with a CHECK constraint (see the migration), not a PostgreSQL enum.
    role: Role = Field(sa_type=String)
    is_active: bool = True
    language: str | None = Field(default=None, max_length=2)  # their own choice; None: the school's


class Duty(StrEnum):
    """Work a staff member is given beyond their role (`oneclass.permissions.DUTY_GRANTS`)."""

    bursar = "bursar"


class User(UserBase, Credentials, table=True):
    """A user of one school; RLS keeps each school's users to itself."""

    __tablename__ = "users"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id", index=True)
    duties: list[str] = Field(default_factory=list, sa_type=ARRAY(String))
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class UserPublic(UserBase):
    """What leaves the service layer: never the password hash."""

    id: UUID
    school_id: UUID


class PlatformUser(Credentials, table=True):
    """A super admin of the platform: belongs to no school, works at the root domain."""

    __tablename__ = "platform_users"

    id: UUID = id_field()
    email: str = Field(max_length=254)
    full_name: str = Field(max_length=200)
    is_active: bool = True
    language: str | None = Field(default=None, max_length=2)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
