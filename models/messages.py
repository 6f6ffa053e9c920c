"""Announcements (to the whole school, a grade level, a class or a role, with an optional
attachment) and who has read them; message threads between two people of a school, each
participant's last read time, and the messages."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Column, DateTime, String
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field, utcnow


class Audience(StrEnum):
    school = "school"
    level = "level"  # a grade level, e.g. Form 2
    class_ = "class"
    role = "role"


class Announcement(SQLModel, table=True):
    __tablename__ = "announcements"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    author_id: UUID | None = Field(default=None, foreign_key="users.id")
    audience: Audience = Field(sa_type=String)
    grade_level: str | None = None
    class_id: UUID | None = Field(default=None, foreign_key="classes.id")
    role: str | None = None
    title: str
    body: str
    attachment_key: str | None = None  # in the object store, under the school's id
    attachment_name: str | None = None
    attachment_type: str | None = None
    attachment_size: int | None = None
    created_at: datetime = created_at_field()


class AnnouncementRead(SQLModel, table=True):
    __tablename__ = "announcement_reads"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    announcement_id: UUID = Field(foreign_key="announcements.id")
    user_id: UUID = Field(foreign_key="users.id")
    read_at: datetime = created_at_field()


class MessageThread(SQLModel, table=True):
    __tablename__ = "message_threads"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    subject: str
    created_by: UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()
    last_message_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class ThreadParticipant(SQLModel, table=True):
    __tablename__ = "thread_participants"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    thread_id: UUID = Field(foreign_key="message_threads.id")
    user_id: UUID = Field(foreign_key="users.id")
    last_read_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class Message(SQLModel, table=True):
    __tablename__ = "messages"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    thread_id: UUID = Field(foreign_key="message_threads.id")
    sender_id: UUID | None = Field(default=None, foreign_key="users.id")
    body: str
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
