"""Outgoing messages: the mail and SMS logged while no mail server or SMS gateway is configured
(the log is what an admin sees); and notifications, each person's in-app list and the outbox the
worker delivers from, with the ledger that tells each person each thing once and their channel."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import DateTime, String
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field, utcnow


class Channel(StrEnum):
    in_app = "in_app"  # only the recipient's list in the app
    email = "email"
    sms = "sms"


class NotificationKind(StrEnum):
    absence = "absence"
    payment = "payment"
    fee_reminder = "fee_reminder"
    announcement = "announcement"


class NotificationStatus(StrEnum):
    pending = "pending"  # in the outbox, for the worker
    sent = "sent"  # handed to the mail server or the gateway (in-app: written)
    logged = "logged"  # written to the outgoing log: no channel is configured
    failed = "failed"  # given up after its tries, or nobody to send it to


class OutgoingMail(SQLModel, table=True):
    __tablename__ = "outgoing_mail"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    recipient: str
    subject: str
    body: str
    channel: Channel = Field(default=Channel.email, sa_type=String)
    notification_id: UUID | None = None
    created_at: datetime = created_at_field()


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    user_id: UUID | None = Field(default=None, foreign_key="users.id")
    guardian_id: UUID | None = Field(default=None, foreign_key="guardians.id")
    kind: NotificationKind = Field(sa_type=String)
    group_key: str = ""  # notifications of one recipient and group merge while still pending
    subject: str
    body: str
    channel: Channel = Field(sa_type=String)
    address: str | None = None
    language: str = "en"
    status: NotificationStatus = Field(sa_type=String)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = created_at_field()
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    read_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class NotificationKey(SQLModel, table=True):
    __tablename__ = "notification_keys"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    recipient: str
    kind: str
    subject_key: str
    notification_id: UUID | None = Field(default=None, foreign_key="notifications.id")
    created_at: datetime = created_at_field()


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preferences"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    user_id: UUID | None = Field(default=None, foreign_key="users.id")
    guardian_id: UUID | None = Field(default=None, foreign_key="guardians.id")
    channel: Channel = Field(sa_type=String)
    sms_opt_out: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
