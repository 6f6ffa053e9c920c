"""Refusals every service may raise; their messages are written for the user who caused them.

A permission refusal is `oneclass.permissions.PermissionDenied`; these are the others.
"""


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
