"""Background jobs: one row per piece of work a Celery worker does for a school, with its
progress and outcome, so a page can show it while it runs and after."""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import Column, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class Job(SQLModel, table=True):
    __tablename__ = "jobs"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    kind: str = Field(max_length=50)
    key: str = Field(max_length=200)  # the same key is the same job: starting it again finds this row
    status: JobStatus = Field(default=JobStatus.queued, sa_type=String)
    done: int = 0
    total: int = 0
    message: str = ""  # for the person who started it: what is happening, or why it failed
    result: str | None = None  # e.g. the storage key of what the job made
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}"))
    attempts: int = 0
    created_by: UUID = Field(foreign_key="users.id")
    created_at: datetime = created_at_field()
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
