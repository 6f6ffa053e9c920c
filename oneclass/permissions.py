"""The permission matrix, as data, and the one check that page guards, state handlers and API
dependencies all ask: `can(user, permission)`.

A grant is a permission (`students.read`), a wildcard over a domain (`grades.*`) or everything
(`*`). Permissions are `<domain>.<action>`.
"""

from typing import Protocol

from models import Role

_MATRIX: dict[Role, frozenset[str]] = {
    Role.super_admin: frozenset({"*"}),
    Role.school_admin: frozenset(
        {
            "school.*", "users.*", "reports.*", "classes.*", "students.*", "grades.*",
            "attendance.*", "fees.*", "communication.*", "department.*", "audit.read", "profile.*",
        }
    ),
    Role.teacher: frozenset(
        {"classes.*", "students.read", "grades.*", "attendance.*", "profile.*", "communication.read", "reports.read"}
    ),
    Role.student: frozenset({"profile.*", "grades.read", "attendance.read", "communication.read"}),
    Role.parent: frozenset(
        {"profile.*", "child.read", "grades.read", "attendance.read", "fees.read", "communication.read"}
    ),
    Role.staff: frozenset({"profile.*", "department.*", "reports.read", "communication.read"}),
}
# Each role also opens its own dashboard (and only its own).
PERMISSIONS: dict[Role, frozenset[str]] = {
    role: grants | {f"dashboard.{role.value}"} for role, grants in _MATRIX.items()
}


class HasRole(Protocol):
    @property
    def role(self) -> str: ...


def grant_allows(grant: str, permission: str) -> bool:
    if grant == "*" or grant == permission:
        return True
    return grant.endswith(".*") and permission.startswith(grant[:-1])


def role_can(role: str, permission: str) -> bool:
    try:
        grants = PERMISSIONS[Role(role)]
    except ValueError:
        return False
    return any(grant_allows(grant, permission) for grant in grants)


def can(user: HasRole | None, permission: str) -> bool:
    """May `user` (None: nobody signed in) do `permission`?"""
    return user is not None and role_can(user.role, permission)


class PermissionDenied(Exception):
    """Raised by services when the acting user lacks a permission; the message is for the user."""

    def __init__(self, permission: str) -> None:
        super().__init__("You do not have permission to do that.")
        self.permission = permission


def require(user: HasRole | None, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied(permission)
