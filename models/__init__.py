"""SQLModel tables, one module per domain. Importing this package registers every table."""

from models.school import School, SchoolLevel, SchoolPublic, SchoolStatus
from models.user import PlatformUser, Role, User, UserPublic

__all__ = [
    "PlatformUser",
    "Role",
    "School",
    "SchoolLevel",
    "SchoolPublic",
    "SchoolStatus",
    "User",
    "UserPublic",
]
