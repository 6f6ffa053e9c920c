"""Students, their guardians, emergency contacts, status history and enrolments."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field, updated_at_field


class StudentStatus(StrEnum):
    enrolled = "enrolled"
    transferred = "transferred"
    graduated = "graduated"
    left = "left"


class Gender(StrEnum):
    female = "female"
    male = "male"


class ContactPreference(StrEnum):
    sms = "sms"
    whatsapp = "whatsapp"
    email = "email"


class Student(SQLModel, table=True):
    __tablename__ = "students"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    user_id: UUID | None = Field(default=None, foreign_key="users.id")
    admission_number: str
    first_name: str
    last_name: str
    date_of_birth: date
    gender: Gender = Field(sa_type=String)
    birth_certificate_number: str | None = None
    national_id: str | None = None
    zimsec_candidate_number: str | None = None
    home_language: str | None = None
    address: str | None = None
    # Seen only by admins and the class teacher (services enforce it).
    medical_notes: str | None = None
    status: StudentStatus = Field(default=StudentStatus.enrolled, sa_type=String)
    photo_key: str | None = None  # in storage (`oneclass.storage`), never in the row
    photo_type: str | None = None
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class StudentStatusChange(SQLModel, table=True):
    __tablename__ = "student_status_changes"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    student_id: UUID = Field(foreign_key="students.id")
    from_status: str | None = None
    to_status: str
    reason: str | None = None
    changed_by: UUID | None = None
    changed_at: datetime = created_at_field()


class EmergencyContact(SQLModel, table=True):
    __tablename__ = "emergency_contacts"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    student_id: UUID = Field(foreign_key="students.id")
    name: str
    relationship: str
    phone: str


class Guardian(SQLModel, table=True):
    """A parent or guardian; `user_id` is their parent login, once they have one."""

    __tablename__ = "guardians"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    user_id: UUID | None = Field(default=None, foreign_key="users.id")
    full_name: str
    phone: str
    email: str | None = None
    contact_preference: ContactPreference = Field(default=ContactPreference.sms, sa_type=String)
    created_at: datetime = created_at_field()


class StudentGuardian(SQLModel, table=True):
    __tablename__ = "student_guardians"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    student_id: UUID = Field(foreign_key="students.id")
    guardian_id: UUID = Field(foreign_key="guardians.id")
    relationship: str
    is_primary: bool = False


class Enrolment(SQLModel, table=True):
    """A student in a class for a year (one class per student per year)."""

    __tablename__ = "enrolments"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    student_id: UUID = Field(foreign_key="students.id")
    class_id: UUID = Field(foreign_key="classes.id")
    academic_year_id: UUID = Field(foreign_key="academic_years.id")
    enrolled_on: date = Field(default_factory=date.today)
