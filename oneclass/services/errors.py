"""Refusals every service may raise; their messages are written for the user who caused them,
in the language of the request (made with `_()` where raised: `NotFound(_("No such class."))`).

A permission refusal is `oneclass.permissions.PermissionDenied`; these are the others.
"""

from typing import Any

from oneclass.i18n import N_, _

# PostgreSQL's SQLSTATE for each constraint kind, and what the user is told when one refuses
# (translated when the refusal is made).
_CONSTRAINT_MESSAGES = {
    "23505": N_("That would duplicate something the school already has."),
    "23503": N_("That refers to something that no longer exists in this school."),
    "23514": N_("One of the values is not allowed."),
    "23502": N_("A required value is missing."),
}


class ValidationFailed(Exception):
    """The input was refused before anything was written: one message per form field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class NotFound(Exception):
    """What the caller asked for does not exist (or is not theirs to see)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Conflict(Exception):
    """The database refused the change (a duplicate, a missing reference); nothing was written."""

    def __init__(self, message: str, constraint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.constraint = constraint


def integrity_refusal(error: Any) -> Conflict:
    """The Conflict to raise for an IntegrityError from psycopg (its SQLSTATE picks the words)."""
    original = getattr(error, "orig", None)
    state = getattr(original, "sqlstate", None) or ""
    diag = getattr(original, "diag", None)
    return Conflict(
        _(_CONSTRAINT_MESSAGES.get(state, N_("The change could not be saved."))),
        constraint=getattr(diag, "constraint_name", None),
    )
