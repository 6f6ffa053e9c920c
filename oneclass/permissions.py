"""The permission matrix, as data, and the one check that page guards, state handlers and API
dependencies all ask: `can(user, permission)`.

A grant is a permission (`students.read`), a wildcard over a domain (`grades.*`) or everything
(`*`). Permissions are `<domain>.<action>`; a permission means what it says:

- `school.*`, `users.*`, `students.*` (beyond reading), `subjects.manage`, `classes.manage`
  (creating classes, assigning teachers, promotion), `departments.manage` and `audit.read` are
  the school's administration.
- `timetable.manage` sets the periods and lessons (the admin's); `timetable.read` reads a class's
  week within the classes the user may see; `timetable.own` opens one's own week (a teacher's
  lessons, a student's or a parent's children's classes), which an admin has none of.
- `fees.manage` sets fee structures, discounts, bursaries and sponsors and issues invoices;
  `fees.collect` takes payments (the cashier) and reads the cash-up; `fees.reverse` reverses a
  payment (the admin's only); `fees.read` reads a student's fees within the students the user
  may see (a parent's children; every student for whoever may collect).
- Duties: a staff member given a duty (`users.duties`) has its grants beside their role's; the
  bursar's are the fees work short of reversals (`DUTY_GRANTS`).
- Communication: `communication.read` reads the announcements addressed to one (every role);
  `communication.announce` posts one, a teacher's only to the classes they teach (through
  `academics.require_class`); `communication.manage` (the admins') addresses any audience and
  withdraws anyone's; `communication.message` writes messages, within the rules of
  `oneclass/services/messages.py` (a teacher to the guardians of their students, a parent to
  their children's teachers and the admins, an admin to anyone of the school).
- `classes.read` (and, with the teaching work, registers and marks) applies to the classes the
  user may see: every class for an administrator, the classes they teach for a teacher. The
  scope is part of the check: a service that acts on one class asks
  `academics.require_class(session, actor, permission, class_id)`, never a copy of the rule.

`tests/test_permission_use.py` reads every permission the code asks for and fails on one that
nobody is granted, and on a grant here that nothing asks for (outside `RESERVED_DOMAINS`).
"""

from collections.abc import Iterable
from typing import Protocol

from models import Duty, Role
from oneclass.i18n import _

# Granted now for the work the next issues build: nothing asks for all of them yet.
# Of `reports`, report cards ask for `reports.comment` (a class teacher, their class) and
# `reports.publish` (the admins); `reports.read` waits for the reports to come. A teacher's grants
# there will be class-scoped like `classes.read` (through `academics.require_class`).
RESERVED_DOMAINS = frozenset({"reports"})

_MATRIX: dict[Role, frozenset[str]] = {
    Role.super_admin: frozenset({"*"}),
    Role.school_admin: frozenset(
        {
            "school.*", "users.*", "students.*", "classes.*", "subjects.*", "departments.*", "audit.read",
            "grades.*", "attendance.*", "reports.*", "fees.*", "communication.*",
            "timetable.manage", "timetable.read",
        }
    ),
    Role.teacher: frozenset(
        {
            "classes.read", "students.read", "grades.*", "attendance.*", "reports.read", "reports.comment", "communication.read",
            "communication.announce", "communication.message",
            "timetable.read", "timetable.own",
        }
    ),
    Role.student: frozenset({"grades.read", "attendance.read", "communication.read", "timetable.read", "timetable.own"}),
    Role.parent: frozenset(
        {
            "child.read", "grades.read", "attendance.read", "fees.read", "communication.read", "communication.message",
            "timetable.read", "timetable.own",
        }
    ),
    Role.staff: frozenset({"reports.read", "communication.read"}),
}
# Each role also opens its own dashboard (and only its own), and follows the background jobs it
# started; the school's administrators follow every job of the school.
_JOB_GRANTS: dict[Role, frozenset[str]] = {Role.school_admin: frozenset({"jobs.read", "jobs.manage"})}
PERMISSIONS: dict[Role, frozenset[str]] = {
    role: grants | {f"dashboard.{role.value}", "jobs.read"} | _JOB_GRANTS.get(role, frozenset()) for role, grants in _MATRIX.items()
}


# What a duty adds, for the roles that may be given it (a duty on any other role adds nothing).
DUTY_GRANTS: dict[str, frozenset[str]] = {Duty.bursar.value: frozenset({"fees.read", "fees.manage", "fees.collect"})}
DUTY_ROLES = frozenset({Role.staff.value})


class HasRole(Protocol):
    @property
    def role(self) -> str: ...


def grant_allows(grant: str, permission: str) -> bool:
    if grant == "*" or grant == permission:
        return True
    return grant.endswith(".*") and permission.startswith(grant[:-1])


def role_can(role: str, permission: str, duties: Iterable[str] = ()) -> bool:
    """May a `role` given `duties` do `permission`?"""
    try:
        grants = PERMISSIONS[Role(role)]
    except ValueError:
        return False
    if role in DUTY_ROLES:
        grants = grants.union(*(DUTY_GRANTS.get(duty, frozenset()) for duty in duties))
    return any(grant_allows(grant, permission) for grant in grants)


def can(user: HasRole | None, permission: str) -> bool:
    """May `user` (None: nobody signed in) do `permission`?"""
    return user is not None and role_can(user.role, permission, getattr(user, "duties", ()))


class PermissionDenied(Exception):
    """Raised by services when the acting user lacks a permission; the message is for the user."""

    def __init__(self, permission: str) -> None:
        super().__init__(_("You do not have permission to do that."))  # the request's language
        self.permission = permission


def require(user: HasRole | None, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied(permission)
