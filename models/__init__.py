"""SQLModel tables, one module per domain. Importing this package registers every table."""

from models.academics import (
    GRADE_LEVEL_NAMES,
    PRIMARY_LEVELS,
    SECONDARY_LEVELS,
    AcademicYear,
    Department,
    GradeLevel,
    SchoolClass,
    StaffProfile,
    Subject,
    SubjectLevel,
    TeachingAssignment,
    Term,
)
from models.audit import AuditEvent, PlatformAuditEvent
from models.auth import PasswordResetToken, PlatformRefreshToken, RefreshToken
from models.calendar import ClosureDay, ClosureKind
from models.jobs import Job, JobStatus
from models.mail import OutgoingMail
from models.school import School, SchoolLevel, SchoolPublic, SchoolStatus
from models.student import (
    ContactPreference,
    EmergencyContact,
    Enrolment,
    Gender,
    Guardian,
    Student,
    StudentGuardian,
    StudentStatus,
    StudentStatusChange,
)
from models.user import PlatformUser, Role, User, UserPublic

__all__ = [
    "GRADE_LEVEL_NAMES",
    "PRIMARY_LEVELS",
    "SECONDARY_LEVELS",
    "AcademicYear",
    "AuditEvent",
    "ClosureDay",
    "ClosureKind",
    "ContactPreference",
    "Department",
    "EmergencyContact",
    "Enrolment",
    "Gender",
    "GradeLevel",
    "Guardian",
    "Job",
    "JobStatus",
    "OutgoingMail",
    "PasswordResetToken",
    "PlatformAuditEvent",
    "PlatformRefreshToken",
    "PlatformUser",
    "RefreshToken",
    "Role",
    "School",
    "SchoolClass",
    "SchoolLevel",
    "SchoolPublic",
    "SchoolStatus",
    "StaffProfile",
    "Student",
    "StudentGuardian",
    "StudentStatus",
    "StudentStatusChange",
    "Subject",
    "SubjectLevel",
    "TeachingAssignment",
    "Term",
    "User",
    "UserPublic",
]
