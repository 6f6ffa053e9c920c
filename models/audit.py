"""The audit trail: who did what, when, in which school, from which address."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field


class AuditEventBase(SQLModel):
    actor_id: UUID | None = None
    actor_email: str | None = None
    action: str
    target: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    ip: str | None = None


class AuditEvent(AuditEventBase, table=True):
    """An event in one school (appended only; RLS keeps it to that school)."""

    __tablename__ = "audit_events"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    created_at: datetime = created_at_field()


class PlatformAuditEvent(AuditEventBase, table=True):
    """An event of the platform itself: super admin sign-ins, schools created or suspended."""

    __tablename__ = "platform_audit_events"

    id: UUID = id_field()
    subject_school_id: UUID | None = Field(default=None, foreign_key="schools.id")
    created_at: datetime = created_at_field()
