"""What the parts of signing in share: the refusals, the two kinds of account (a school's users
and the platform's super admins), one transaction per call for either, and ending sign-ins.

A school's account lives in its tenant tables (RLS); a super admin's in the platform tables,
reached through the platform role. `school_id=None` means the platform everywhere here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import text, update
from sqlmodel import Session, col, func, select

from models import PlatformRefreshToken, PlatformUser, RefreshToken, Role, User
from oneclass.current_user import CurrentUser
from oneclass.db import invalidate_on_commit, platform_unit_of_work, unit_of_work
from oneclass.i18n import N_, _
from oneclass.services import audit
from oneclass.services.audit import Actor

Account = User | PlatformUser


class HostSchool(Protocol):
    """The school whose host a request or event came in on (tenancy's `SchoolRoute`): what
    signing in reads of it. Named by shape, so signing in does not import the schools service
    (which imports CurrentUser through this package)."""

    @property
    def id(self) -> UUID: ...

    @property
    def status(self) -> str: ...
RefreshRow = RefreshToken | PlatformRefreshToken


class AuthError(Exception):
    """Signing in (or a token) was refused; `message` is for the user (made with `_()` in the
    request's language where it is raised), `code` for the API."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SecondFactorRequired(AuthError):
    def __init__(self) -> None:
        super().__init__("totp_required", _("Enter the 6-digit code from your authenticator app."))


def wrong_credentials() -> AuthError:
    """Made when refused, so its words are the request's language."""
    return AuthError("invalid_credentials", _("Email or password is incorrect."))


# Translated where raised: `_(SESSION_ENDED)`.
SESSION_ENDED = N_("Your session has ended. Please sign in again.")
NO_SUCH_USER = N_("No such user in this school.")


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _School:
    """A school named by id alone: what `unit_of_work` needs before anyone is signed in."""

    school_id: UUID


@contextmanager
def account_unit_of_work(school_id: UUID | None) -> Iterator[Session]:
    """One call's transaction (committed once at the end): the school's, or the platform's
    for super admins. A refusal that must leave a record (a failed sign-in, a reused token) is
    returned out of the block and raised after it, so the record is committed."""
    if school_id is None:
        with platform_unit_of_work() as session:
            yield session
    else:
        with unit_of_work(_School(school_id)) as session:
            yield session


def find_account(session: Session, school_id: UUID | None, email: str) -> Account | None:
    if school_id:
        return session.exec(select(User).where(func.lower(User.email) == email)).first()
    return session.exec(select(PlatformUser).where(func.lower(PlatformUser.email) == email)).first()


def get_account(session: Session, school_id: UUID | None, account_id: UUID) -> Account | None:
    return session.get(User, account_id) if school_id else session.get(PlatformUser, account_id)


def load_account(session: Session, user: CurrentUser) -> Account:
    """The signed-in user's own row (gone: their sign-in is over)."""
    account = get_account(session, user.school_id, user.id)
    if account is None:
        raise AuthError("token_invalid", _(SESSION_ENDED))
    return account


def role_of(account: Account) -> str:
    return account.role if isinstance(account, User) else Role.super_admin.value


def school_requires_mfa(session: Session, school_id: UUID | None) -> bool:
    if school_id is None:
        return False
    return bool(session.connection().execute(text("SELECT require_admin_mfa FROM schools")).scalar())


def record(
    session: Session,
    school_id: UUID | None,
    action: str,
    actor: Actor,
    *,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append to the school's audit trail, or the platform's."""
    if school_id:
        audit.record(session, school_id=school_id, action=action, actor=actor, target=target, detail=detail)
    else:
        audit.record_platform(session, action=action, actor=actor, target=target, detail=detail)


def revoke_family(session: Session, school_id: UUID | None, family_id: UUID) -> None:
    """End one sign-in: its refresh tokens, and (authenticate checks the family) its access tokens."""
    model: type[RefreshRow] = RefreshToken if school_id else PlatformRefreshToken
    session.execute(
        update(model).where(col(model.family_id) == family_id, col(model.revoked_at).is_(None)).values(revoked_at=now())
    )
    if school_id:  # cached sign-ins of the school are stale once this commits
        invalidate_on_commit(session, school_id, "revocations")


def end_sign_ins(session: Session, school_id: UUID | None, account_id: UUID, *, keep: UUID | None = None) -> None:
    """End every sign-in of an account, except the one `keep` names (the caller's own, when a
    user changes their password: whoever else holds a sign-in of theirs is put out)."""
    model: type[RefreshRow] = RefreshToken if school_id else PlatformRefreshToken
    owner = RefreshToken.user_id if school_id else PlatformRefreshToken.platform_user_id
    statement = update(model).where(col(owner) == account_id, col(model.revoked_at).is_(None))
    if keep:
        statement = statement.where(col(model.family_id) != keep)
    session.execute(statement.values(revoked_at=now()))
    if school_id:
        invalidate_on_commit(session, school_id, "revocations")
