"""The academic structure of a school: years, terms, departments, subjects, classes, and who
teaches what. Grade levels are fixed data (below), not a table."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field
from oneclass.i18n import N_


class GradeLevel(StrEnum):
    ECD_A = "ECD_A"
    ECD_B = "ECD_B"
    G1 = "G1"
    G2 = "G2"
    G3 = "G3"
    G4 = "G4"
    G5 = "G5"
    G6 = "G6"
    G7 = "G7"
    F1 = "F1"
    F2 = "F2"
    F3 = "F3"
    F4 = "F4"
    F5 = "F5"
    F6 = "F6"


# Written out, each marked: the catalogues hold every level's name, shown with `t()`/`_()`.
GRADE_LEVEL_NAMES: dict[GradeLevel, str] = {
    GradeLevel.ECD_A: N_("ECD A"),
    GradeLevel.ECD_B: N_("ECD B"),
    GradeLevel.G1: N_("Grade 1"),
    GradeLevel.G2: N_("Grade 2"),
    GradeLevel.G3: N_("Grade 3"),
    GradeLevel.G4: N_("Grade 4"),
    GradeLevel.G5: N_("Grade 5"),
    GradeLevel.G6: N_("Grade 6"),
    GradeLevel.G7: N_("Grade 7"),
    GradeLevel.F1: N_("Form 1"),
    GradeLevel.F2: N_("Form 2"),
    GradeLevel.F3: N_("Form 3"),
    GradeLevel.F4: N_("Form 4"),
    GradeLevel.F5: N_("Form 5"),
    GradeLevel.F6: N_("Form 6"),
}
PRIMARY_LEVELS = [GradeLevel.ECD_A, GradeLevel.ECD_B, *(GradeLevel(f"G{n}") for n in range(1, 8))]
SECONDARY_LEVELS = [GradeLevel(f"F{n}") for n in range(1, 7)]


class SubjectLevel(StrEnum):
    primary = "primary"
    o_level = "o_level"
    a_level = "a_level"


class AcademicYear(SQLModel, table=True):
    __tablename__ = "academic_years"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    name: str
    starts_on: date
    ends_on: date
    is_current: bool = False
    created_at: datetime = created_at_field()


class Term(SQLModel, table=True):
    """One of a year's three terms; dates are the school's own (gazetted yearly)."""

    __tablename__ = "terms"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    academic_year_id: UUID = Field(foreign_key="academic_years.id")
    number: int
    starts_on: date
    ends_on: date


class Department(SQLModel, table=True):
    __tablename__ = "departments"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    name: str


class Subject(SQLModel, table=True):
    __tablename__ = "subjects"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    code: str
    name: str
    level: SubjectLevel = Field(sa_type=String)
    department_id: UUID | None = Field(default=None, foreign_key="departments.id")


class SchoolClass(SQLModel, table=True):
    """A class or stream for one year, e.g. "Form 2 Blue"."""

    __tablename__ = "classes"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    academic_year_id: UUID = Field(foreign_key="academic_years.id")
    grade_level: GradeLevel = Field(sa_type=String)
    name: str
    class_teacher_id: UUID | None = Field(default=None, foreign_key="users.id")
    capacity: int = 40


class TeachingAssignment(SQLModel, table=True):
    """A teacher teaches a subject to a class."""

    __tablename__ = "teaching_assignments"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    class_id: UUID = Field(foreign_key="classes.id")
    subject_id: UUID = Field(foreign_key="subjects.id")
    teacher_id: UUID = Field(foreign_key="users.id")


class StaffProfile(SQLModel, table=True):
    """What the school keeps about a teacher or staff member beyond their account."""

    __tablename__ = "staff_profiles"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    user_id: UUID = Field(foreign_key="users.id")
    department_id: UUID | None = Field(default=None, foreign_key="departments.id")
    employee_number: str | None = None
    job_title: str | None = None
    phone: str | None = None
