"""Sign-ins and their tokens: signing in (password, lockout, second factor), rotating refresh
tokens, signing out, and `authenticate`, which every request and event asks who is acting.

A sign-in is a family of refresh tokens; its access tokens carry the family, so ending the
family (sign-out, a replayed refresh token, a password change) refuses them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast
from uuid import UUID, uuid4

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from models import PlatformRefreshToken, PlatformUser, RefreshToken, Role, User
from oneclass import cache
from oneclass.current_user import CurrentUser
from oneclass.i18n import _
from oneclass.security import (
    AccessClaims,
    TokenInvalid,
    decode_access_token,
    hash_token,
    issue_access_token,
    new_opaque_token,
    verify_password,
)
from oneclass.services import audit
from oneclass.services.audit import Actor
from oneclass.services.auth.accounts import (
    SESSION_ENDED,
    Account,
    AuthError,
    HostSchool,
    RefreshRow,
    SecondFactorRequired,
    account_unit_of_work,
    find_account,
    get_account,
    now,
    record,
    revoke_family,
    role_of,
    school_requires_mfa,
    wrong_credentials,
)
from oneclass.services.auth.lockout import (
    account_locked,
    check_not_locked,
    clear_failures,
    count_failure,
)
from oneclass.services.auth.totp import second_factor_ok
from oneclass.settings import get_settings


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    user: CurrentUser


def _refresh_row(account: Account, school_id: UUID | None, family_id: UUID, token: str) -> RefreshRow:
    expires_at = now() + timedelta(days=get_settings().refresh_token_days)
    if school_id:
        return RefreshToken(
            school_id=school_id, user_id=account.id, family_id=family_id, token_hash=hash_token(token), expires_at=expires_at
        )
    return PlatformRefreshToken(
        platform_user_id=account.id, family_id=family_id, token_hash=hash_token(token), expires_at=expires_at
    )


def _current_user(account: Account, school_id: UUID | None, family_id: UUID, require_mfa: bool) -> CurrentUser:
    role = role_of(account)
    needs_mfa = require_mfa and role in (Role.school_admin.value, Role.super_admin.value)
    return CurrentUser(
        id=account.id,
        school_id=school_id,
        email=account.email,
        full_name=account.full_name,
        role=role,
        family_id=family_id,
        must_enrol_totp=needs_mfa and not account.totp_enabled,
        language=account.language,
        duties=tuple(getattr(account, "duties", ())),
    )


def _issue_pair(session: Session, account: Account, school_id: UUID | None, family_id: UUID) -> TokenPair:
    refresh_token = new_opaque_token()
    session.add(_refresh_row(account, school_id, family_id, refresh_token))
    user = _current_user(account, school_id, family_id, school_requires_mfa(session, school_id))
    access = issue_access_token(user_id=account.id, school_id=school_id, role=user.role, family_id=family_id)
    return TokenPair(access, refresh_token, user)


def sign_in(
    *, school: HostSchool | None, email: str, password: str, ip: str, totp_code: str | None = None
) -> TokenPair:
    """Check the password (and second factor); issue an access token and a refresh token."""
    email = email.strip().lower()
    school_id = school.id if school else None
    if not email or not password:
        raise AuthError("validation", _("Enter your email and password."))
    if "\x00" in email + password + (totp_code or ""):
        raise wrong_credentials()  # PostgreSQL cannot even compare text with NUL in it
    check_not_locked(school_id, email, ip)
    with account_unit_of_work(school_id) as session:
        outcome = _attempt_sign_in(session, school, email, password, ip, totp_code)
    if isinstance(outcome, AuthError):
        raise outcome
    clear_failures(school_id, email)
    return outcome


def _attempt_sign_in(
    session: Session, school: HostSchool | None, email: str, password: str, ip: str, totp_code: str | None
) -> TokenPair | AuthError:
    """The sign-in's pair, or the refusal to raise once its audit record is committed."""
    school_id = school.id if school else None
    actor = Actor(email=email, ip=ip)
    if school and school.status != "active":
        record(session, school_id, audit.SIGN_IN_FAILED, actor, detail={"reason": "school suspended"})
        return AuthError("suspended", _("This school's account is suspended. Contact the platform administrator."))
    account = find_account(session, school_id, email)
    password_ok = verify_password(account.password_hash if account else None, password)
    factor_ok = True
    if account and password_ok and account.totp_enabled:
        if not totp_code:
            return SecondFactorRequired()
        factor_ok = second_factor_ok(account, school_id, totp_code)
    if not (account and password_ok and factor_ok):
        reason = "unknown account" if account is None else ("bad code" if password_ok else "bad password")
        record(session, school_id, audit.SIGN_IN_FAILED, actor, detail={"reason": reason})
        if count_failure(school_id, email, ip):
            record(session, school_id, audit.ACCOUNT_LOCKED, actor, target=email)
            return account_locked()
        if account and password_ok:
            return AuthError("totp_invalid", _("That code is not right, or was used already. Try the next code, or a recovery code."))
        return wrong_credentials()
    if not account.is_active:
        record(session, school_id, audit.SIGN_IN_FAILED, actor, detail={"reason": "deactivated"})
        return AuthError("deactivated", _("This account is deactivated. Ask your school's administrator."))
    pair = _issue_pair(session, account, school_id, uuid4())
    record(session, school_id, audit.SIGN_IN_SUCCEEDED, Actor(account.id, email, ip))
    return pair


def refresh(*, school: HostSchool | None, refresh_token: str, ip: str) -> TokenPair:
    """Spend a refresh token for a new pair. A token spent twice revokes its whole family."""
    school_id = school.id if school else None
    with account_unit_of_work(school_id) as session:
        outcome = _spend_refresh_token(session, school, refresh_token, ip)
    if isinstance(outcome, AuthError):
        raise outcome
    return outcome


def _find_refresh_row(session: Session, school_id: UUID | None, refresh_token: str) -> RefreshRow | None:
    token_hash = hash_token(refresh_token)
    if school_id:
        return session.exec(select(RefreshToken).where(RefreshToken.token_hash == token_hash)).first()
    return session.exec(select(PlatformRefreshToken).where(PlatformRefreshToken.token_hash == token_hash)).first()


def _owner_of(row: RefreshRow) -> UUID:
    return row.user_id if isinstance(row, RefreshToken) else row.platform_user_id


def _spend_refresh_token(session: Session, school: HostSchool | None, refresh_token: str, ip: str) -> TokenPair | AuthError:
    school_id = school.id if school else None
    refused = AuthError("token_invalid", _(SESSION_ENDED))
    row = _find_refresh_row(session, school_id, refresh_token)
    if row is None:
        return refused
    # Atomic: of two requests racing with one token, only one may spend it.
    model = type(row)
    spent = session.execute(
        update(model).where(col(model.id) == row.id, col(model.used_at).is_(None), col(model.revoked_at).is_(None)).values(used_at=now())
    )
    if cast(CursorResult[Any], spent).rowcount != 1:
        revoke_family(session, school_id, row.family_id)
        record(session, school_id, audit.TOKEN_REUSE, Actor(ip=ip), detail={"family": str(row.family_id)})
        return refused
    account = get_account(session, school_id, _owner_of(row))
    if row.expires_at < now() or account is None or not account.is_active or (school and school.status != "active"):
        return refused
    return _issue_pair(session, account, school_id, row.family_id)


def sign_out(*, actor: CurrentUser, ip: str) -> None:
    """End this sign-in everywhere: its refresh tokens and (through the family) its access token."""
    with account_unit_of_work(actor.school_id) as session:
        revoke_family(session, actor.school_id, actor.family_id)
        record(session, actor.school_id, audit.SIGNED_OUT, actor.actor(ip))


def sign_out_with_refresh_token(*, school: HostSchool | None, refresh_token: str, ip: str) -> None:
    """Sign out holding only the refresh token (the API's logout): its family ends."""
    school_id = school.id if school else None
    with account_unit_of_work(school_id) as session:
        row = _find_refresh_row(session, school_id, refresh_token)
        if row is None:
            raise AuthError("token_invalid", _(SESSION_ENDED))
        revoke_family(session, school_id, row.family_id)
        record(session, school_id, audit.SIGNED_OUT, Actor(_owner_of(row), None, ip))


def authenticate(*, token: str, school: HostSchool | None) -> CurrentUser:
    """Who holds this access token, on this host? Refuses another school's token, a revoked
    sign-in, a deactivated user and a suspended school.

    A school user's sign-in (profile, role, not revoked) is cached for an hour and goes stale the
    moment a user, the school or any sign-in of the school changes (see db.invalidate_on_commit).
    Without Redis every call asks PostgreSQL."""
    try:
        claims: AccessClaims = decode_access_token(token)
    except TokenInvalid as error:
        raise AuthError("token_invalid", _("Please sign in.")) from error
    school_id = school.id if school else None
    if claims.school_id != school_id:
        raise AuthError("token_invalid", _("This sign-in belongs to another school. Please sign in here."))
    if school and school.status != "active":
        raise AuthError("suspended", _("This school's account is suspended."))
    ended = AuthError("token_invalid", _(SESSION_ENDED))
    if school_id is None:
        with account_unit_of_work(None) as session:
            account = session.get(PlatformUser, claims.user_id)
            if account is None or not account.is_active or _family_revoked(session, PlatformRefreshToken, claims.family_id):
                raise ended
            return _current_user(account, None, claims.family_id, False)
    profile = cache.cached(
        school_id,
        ("users", "schools", "revocations"),
        {"sign_in": str(claims.user_id), "family": str(claims.family_id)},
        lambda: _sign_in_profile(school_id, claims.user_id, claims.family_id),
        cache.TTL_PROFILE,
    )
    if not profile or not profile["is_active"]:
        raise ended
    needs_mfa = profile["require_mfa"] and profile["role"] == Role.school_admin.value
    return CurrentUser(
        id=claims.user_id,
        school_id=school_id,
        email=profile["email"],
        full_name=profile["full_name"],
        role=profile["role"],
        family_id=claims.family_id,
        must_enrol_totp=needs_mfa and not profile["totp_enabled"],
        duties=tuple(profile.get("duties", ())),
    )


def _family_revoked(session: Session, model: type[RefreshRow], family_id: UUID) -> bool:
    return session.exec(
        select(model.id).where(col(model.family_id) == family_id, col(model.revoked_at).is_not(None)).limit(1)
    ).first() is not None


def _sign_in_profile(school_id: UUID, user_id: UUID, family_id: UUID) -> dict[str, Any]:
    """What authenticating needs of a sign-in, as JSON for the cache ({}: it is over, and that
    is cached too)."""
    with account_unit_of_work(school_id) as session:
        user = session.get(User, user_id)
        if user is None or _family_revoked(session, RefreshToken, family_id):
            return {}
        return {
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "is_active": user.is_active,
            "totp_enabled": user.totp_enabled,
            "require_mfa": school_requires_mfa(session, school_id),
            "duties": list(user.duties),
        }
