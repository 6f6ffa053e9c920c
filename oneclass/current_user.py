"""CurrentUser: the signed-in user as every service, state and API route sees them.

Its own module so that any service can name the acting user without importing how signing in
works (oneclass.services.auth re-exports it for code written before the move)."""

from dataclasses import dataclass
from uuid import UUID

from oneclass.services.audit import Actor


@dataclass(frozen=True)
class CurrentUser:
    """Who is acting, checked against this host and their tokens on this request or event."""

    id: UUID
    school_id: UUID | None  # None: a super admin of the platform
    email: str
    full_name: str
    role: str
    family_id: UUID  # the sign-in (the chain of refresh tokens) this user acts through
    must_enrol_totp: bool = False
    language: str | None = None  # their own choice, as signing in found it (None: the school's)
    duties: tuple[str, ...] = ()  # work given beyond the role (a staff member's `bursar`)

    def actor(self, ip: str | None = None) -> Actor:
        return Actor(id=self.id, email=self.email, ip=ip)
