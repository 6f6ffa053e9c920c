"""The gradebook: a school's grading scales (one row per grade), assessments per class, subject
and term, the marks students got, which terms' report cards are published, and the comments the
class teacher and the head write on a student's report card."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Numeric, String
from sqlmodel import Field, SQLModel

from models.academics import SubjectLevel
from models.common import created_at_field, id_field, updated_at_field


class AssessmentKind(StrEnum):
    coursework = "coursework"
    test = "test"
    exam = "exam"


class GradingBand(SQLModel, table=True):
    """One grade of a level's scale: the whole percents `lower_bound`..`upper_bound` (both
    included) earn `grade` and `points`; `outcome` is pass, subsidiary (A-level O) or fail."""

    __tablename__ = "grading_bands"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    level: SubjectLevel = Field(sa_type=String)
    grade: str
    lower_bound: int
    upper_bound: int
    points: int
    outcome: str


class Assessment(SQLModel, table=True):
    __tablename__ = "assessments"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    class_id: UUID = Field(foreign_key="classes.id")
    subject_id: UUID = Field(foreign_key="subjects.id")
    term_id: UUID = Field(foreign_key="terms.id")
    name: str
    kind: AssessmentKind = Field(sa_type=String)
    max_mark: Decimal = Field(sa_type=Numeric(6, 2))
    weight: Decimal = Field(sa_type=Numeric(6, 2))
    created_by: UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()


class Mark(SQLModel, table=True):
    """A student's mark on one assessment; absent is a row without a mark, a blank is no row."""

    __tablename__ = "marks"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    assessment_id: UUID = Field(foreign_key="assessments.id")
    student_id: UUID = Field(foreign_key="students.id")
    mark: Decimal | None = Field(default=None, sa_type=Numeric(6, 2))
    absent: bool = False
    updated_by: UUID | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = updated_at_field()


class ReportPublication(SQLModel, table=True):
    """A term's report cards for a class are out: its students and parents may see its grades."""

    __tablename__ = "report_publications"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    term_id: UUID = Field(foreign_key="terms.id")
    class_id: UUID = Field(foreign_key="classes.id")
    published_by: UUID | None = Field(default=None, foreign_key="users.id")
    published_at: datetime = created_at_field()


class ReportComment(SQLModel, table=True):
    """The class teacher's and the head's words on one student's report card for one term."""

    __tablename__ = "report_comments"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    term_id: UUID = Field(foreign_key="terms.id")
    student_id: UUID = Field(foreign_key="students.id")
    teacher_comment: str = ""
    head_comment: str = ""
    updated_by: UUID | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = updated_at_field()
