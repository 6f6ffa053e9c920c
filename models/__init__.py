"""SQLModel tables, one module per domain. Importing this package registers every table."""

from models.audit import AuditEvent, PlatformAuditEvent
from models.auth import PasswordResetToken, PlatformRefreshToken, RefreshToken
from models.mail import OutgoingMail
from models.school import School, SchoolLevel, SchoolPublic, SchoolStatus
from models.user import PlatformUser, Role, User, UserPublic

__all__ = [
    "AuditEvent",
    "OutgoingMail",
    "PasswordResetToken",
    "PlatformAuditEvent",
    "PlatformRefreshToken",
    "PlatformUser",
    "RefreshToken",
    "Role",
    "School",
    "SchoolLevel",
    "SchoolPublic",
    "SchoolStatus",
    "User",
    "UserPublic",
]
