"""People who sign in: users of one school, and the platform's own super admins."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field, updated_at_field


class Role(StrEnum):
    super_admin = "super_admin"
    school_admin = "school_admin"
    teacher = "teacher"
    student = "student"
    parent = "parent"
    staff = "staff"


class UserBase(SQLModel):
    email: str = Field(max_length=254)
    full_name: str = Field(max_length=200)
    # Stored as text with a CHECK constraint (see the migration), not a PostgreSQL enum.
    role: Role = Field(sa_type=String)
    is_active: bool = True


class User(UserBase, table=True):
    """A user of one school; RLS keeps each school's users to itself."""

    __tablename__ = "users"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id", index=True)
    password_hash: str | None = None
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class UserPublic(UserBase):
    """What leaves the service layer: never the password hash."""

    id: UUID
    school_id: UUID


class PlatformUser(SQLModel, table=True):
    """A super admin of the platform: belongs to no school, works at the root domain."""

    __tablename__ = "platform_users"

    id: UUID = id_field()
    email: str = Field(max_length=254)
    full_name: str = Field(max_length=200)
    password_hash: str | None = None
    is_active: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
