"""Outgoing mail, logged while no mail server is configured (the log is what an admin sees)."""

from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field


class OutgoingMail(SQLModel, table=True):
    __tablename__ = "outgoing_mail"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    recipient: str
    subject: str
    body: str
    created_at: datetime = created_at_field()
