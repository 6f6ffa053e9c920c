"""Sign-in state kept in the database: refresh tokens (stored hashed) and password resets."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field


class RefreshTokenBase(SQLModel):
    family_id: UUID
    token_hash: str
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class RefreshToken(RefreshTokenBase, table=True):
    """One link of a rotating chain; a family is every token descended from one sign-in."""

    __tablename__ = "refresh_tokens"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    user_id: UUID = Field(foreign_key="users.id")
    created_at: datetime = created_at_field()


class PlatformRefreshToken(RefreshTokenBase, table=True):
    __tablename__ = "platform_refresh_tokens"

    id: UUID = id_field()
    platform_user_id: UUID = Field(foreign_key="platform_users.id")
    created_at: datetime = created_at_field()


class PasswordResetToken(SQLModel, table=True):
    """A one-time, expiring reset link issued by a school admin."""

    __tablename__ = "password_reset_tokens"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    user_id: UUID = Field(foreign_key="users.id")
    token_hash: str
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_by: UUID | None = None
    created_at: datetime = created_at_field()
