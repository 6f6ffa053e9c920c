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
from models.attendance import STATUS_LABELS, AttendanceRecord, AttendanceRegister, AttendanceStatus
from models.audit import AuditEvent, PlatformAuditEvent
from models.auth import PasswordResetToken, PlatformRefreshToken, RefreshToken
from models.calendar import ClosureDay, ClosureKind
from models.gradebook import Assessment, AssessmentKind, GradingBand, Mark, ReportComment, ReportPublication
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
from models.timetable import Period, TimetableSlot
from models.user import PlatformUser, Role, User, UserPublic

__all__ = [
    "GRADE_LEVEL_NAMES",
    "PRIMARY_LEVELS",
    "SECONDARY_LEVELS",
    "STATUS_LABELS",
    "AcademicYear",
    "Assessment",
    "AssessmentKind",
    "AttendanceRecord",
    "AttendanceRegister",
    "AttendanceStatus",
    "AuditEvent",
    "ClosureDay",
    "ClosureKind",
    "ContactPreference",
    "Department",
    "EmergencyContact",
    "Enrolment",
    "Gender",
    "GradeLevel",
    "GradingBand",
    "Guardian",
    "Job",
    "JobStatus",
    "Mark",
    "OutgoingMail",
    "PasswordResetToken",
    "Period",
    "PlatformAuditEvent",
    "PlatformRefreshToken",
    "PlatformUser",
    "RefreshToken",
    "ReportComment",
    "ReportPublication",
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
    "TimetableSlot",
    "User",
    "UserPublic",
]
