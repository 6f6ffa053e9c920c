"""Signing in and out: passwords, lockout, rotating refresh tokens, TOTP, password resets.

Both the UI states and the REST API call these. A school's users sign in on its host; super
admins sign in at the root domain (`school=None`) through the platform role.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import redis
import segno
from sqlalchemy import text, update
from sqlmodel import Session, col, func, select

from models import OutgoingMail, PasswordResetToken, PlatformRefreshToken, PlatformUser, RefreshToken, Role, User
from oneclass import cache, routes
from oneclass.db import invalidate_on_commit, platform_session, tenant_session
from oneclass.permissions import require
from oneclass.security import (
    AccessClaims,
    TokenInvalid,
    decode_access_token,
    hash_password,
    hash_token,
    issue_access_token,
    new_opaque_token,
    new_recovery_codes,
    new_totp_secret,
    password_problem,
    totp_uri,
    verify_password,
    verify_totp,
)
from oneclass.services import audit
from oneclass.services.audit import Actor
from oneclass.settings import get_settings
from oneclass.tenancy import SchoolRoute


class AuthError(Exception):
    """Signing in (or a token) was refused; `message` is for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SecondFactorRequired(AuthError):
    def __init__(self) -> None:
        super().__init__("totp_required", "Enter the 6-digit code from your authenticator app.")


WRONG_CREDENTIALS = AuthError("invalid_credentials", "Email or password is incorrect.")


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user, as every service and guard sees them."""

    id: UUID
    school_id: UUID | None  # None: a super admin of the platform
    email: str
    full_name: str
    role: str
    family_id: UUID
    must_enrol_totp: bool = False

    def actor(self, ip: str | None = None) -> Actor:
        return Actor(id=self.id, email=self.email, ip=ip)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    user: CurrentUser


Account = User | PlatformUser
RefreshRow = RefreshToken | PlatformRefreshToken


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _scope_session(school_id: UUID | None) -> Iterator[Session]:
    """The school's tenant session, or the platform's session for super admins."""
    with tenant_session(school_id) if school_id else platform_session() as session:
        yield session


def _find_account(session: Session, school_id: UUID | None, email: str) -> Account | None:
    model: type[Account] = User if school_id else PlatformUser
    return session.exec(select(model).where(func.lower(model.email) == email)).first()


def _role_of(account: Account) -> str:
    return account.role if isinstance(account, User) else Role.super_admin.value


def _record(session: Session, school_id: UUID | None, action: str, actor: Actor, **extra: object) -> None:
    if school_id:
        audit.record(session, school_id=school_id, action=action, actor=actor, **extra)  # type: ignore[arg-type]
    else:
        audit.record_platform(session, action=action, actor=actor, **extra)  # type: ignore[arg-type]


# --- brute-force protection (counters in Redis, so they outlive an app restart) ---------------


def _failure_keys(school_id: UUID | None, email: str, ip: str) -> tuple[str, str, str]:
    scope = school_id or "platform"
    return (
        cache.key("login-fail", "account", scope, email),
        cache.key("login-fail", "ip", ip),
        cache.key("login-lock", "account", scope, email),
    )


def _check_not_locked(school_id: UUID | None, email: str, ip: str) -> None:
    settings = get_settings()
    _, ip_key, lock_key = _failure_keys(school_id, email, ip)
    try:
        client = cache.get_redis()
        locked, ip_failures = client.exists(lock_key), int(client.get(ip_key) or 0)
    except (redis.RedisError, OSError):
        return  # without Redis there is no counter to consult; passwords are still checked
    minutes = max(1, settings.lockout_seconds // 60)
    if locked:
        raise AuthError("locked", f"Too many failed sign-ins. This account is locked for {minutes} minutes.")
    if ip_failures >= settings.login_max_failures_per_ip:
        window_minutes = max(1, settings.login_failure_window_seconds // 60)
        raise AuthError("locked", f"Too many failed sign-ins from your network. Try again within {window_minutes} minutes.")


def _count_failure(school_id: UUID | None, email: str, ip: str) -> bool:
    """Count a failure; True when it has just locked the account."""
    settings = get_settings()
    window = settings.login_failure_window_seconds
    account_key, ip_key, lock_key = _failure_keys(school_id, email, ip)
    try:
        pipe = cache.get_redis().pipeline()
        # The window starts at the first failure (SET NX, not EXPIRE NX: Redis 6.2 has no NX there).
        for counter in (account_key, ip_key):
            pipe.set(counter, 0, ex=window, nx=True).incr(counter)
        failures = pipe.execute()[1]
        if failures >= settings.login_max_failures:
            cache.get_redis().set(lock_key, 1, ex=settings.lockout_seconds)
            cache.delete(account_key)
            return True
    except (redis.RedisError, OSError):
        pass
    return False


def clear_failures(school_id: UUID | None, email: str) -> None:
    account_key, _, lock_key = _failure_keys(school_id, email, "")
    cache.delete(account_key, lock_key)


# --- sign in, refresh, sign out ---------------------------------------------------------------


def _refresh_row(account: Account, school_id: UUID | None, family_id: UUID, token: str) -> RefreshRow:
    expires_at = _now() + timedelta(days=get_settings().refresh_token_days)
    if school_id:
        return RefreshToken(
            school_id=school_id, user_id=account.id, family_id=family_id, token_hash=hash_token(token), expires_at=expires_at
        )
    return PlatformRefreshToken(
        platform_user_id=account.id, family_id=family_id, token_hash=hash_token(token), expires_at=expires_at
    )


def _current_user(account: Account, school_id: UUID | None, family_id: UUID, require_mfa: bool) -> CurrentUser:
    role = _role_of(account)
    needs_mfa = require_mfa and role in (Role.school_admin.value, Role.super_admin.value)
    return CurrentUser(
        id=account.id,
        school_id=school_id,
        email=account.email,
        full_name=account.full_name,
        role=role,
        family_id=family_id,
        must_enrol_totp=needs_mfa and not account.totp_enabled,
    )


def _issue_pair(session: Session, account: Account, school_id: UUID | None, family_id: UUID, require_mfa: bool) -> TokenPair:
    refresh_token = new_opaque_token()
    session.add(_refresh_row(account, school_id, family_id, refresh_token))
    user = _current_user(account, school_id, family_id, require_mfa)
    access = issue_access_token(user_id=account.id, school_id=school_id, role=user.role, family_id=family_id)
    return TokenPair(access, refresh_token, user)


def _school_requires_mfa(session: Session, school_id: UUID | None) -> bool:
    if school_id is None:
        return False
    return bool(session.connection().execute(text("SELECT require_admin_mfa FROM schools")).scalar())


def _second_factor_ok(account: Account, code: str) -> bool:
    """A TOTP code, or an unused recovery code (which is then spent)."""
    if account.totp_secret and verify_totp(account.totp_secret, code):
        return True
    spent = hash_token(code.strip().lower())
    if spent in account.recovery_code_hashes:
        account.recovery_code_hashes = [h for h in account.recovery_code_hashes if h != spent]
        return True
    return False


def sign_in(
    *, school: SchoolRoute | None, email: str, password: str, ip: str, totp_code: str | None = None
) -> TokenPair:
    """Check the password (and second factor); issue an access token and a refresh token."""
    email = email.strip().lower()
    school_id = school.id if school else None
    if not email or not password:
        raise AuthError("validation", "Enter your email and password.")
    if "\x00" in email + password + (totp_code or ""):
        raise WRONG_CREDENTIALS  # PostgreSQL cannot even compare text with NUL in it
    _check_not_locked(school_id, email, ip)
    with _scope_session(school_id) as session:
        actor = Actor(email=email, ip=ip)
        if school and school.status != "active":
            _record(session, school_id, audit.SIGN_IN_FAILED, actor, detail={"reason": "school suspended"})
            session.commit()
            raise AuthError("suspended", "This school's account is suspended. Contact the platform administrator.")
        account = _find_account(session, school_id, email)
        password_ok = verify_password(account.password_hash if account else None, password)
        factor_ok = True
        if account and password_ok and account.totp_enabled:
            if not totp_code:
                raise SecondFactorRequired()
            factor_ok = _second_factor_ok(account, totp_code)
        if not (account and password_ok and factor_ok):
            reason = "unknown account" if account is None else ("bad code" if password_ok else "bad password")
            _record(session, school_id, audit.SIGN_IN_FAILED, actor, detail={"reason": reason})
            just_locked = _count_failure(school_id, email, ip)
            if just_locked:
                _record(session, school_id, audit.ACCOUNT_LOCKED, actor, target=email)
            session.commit()
            if just_locked:
                _check_not_locked(school_id, email, ip)
            if account and password_ok:
                raise AuthError("totp_invalid", "That code is not right. Try the current code, or a recovery code.")
            raise WRONG_CREDENTIALS
        if not account.is_active:
            _record(session, school_id, audit.SIGN_IN_FAILED, actor, detail={"reason": "deactivated"})
            session.commit()
            raise AuthError("deactivated", "This account is deactivated. Ask your school's administrator.")
        pair = _issue_pair(session, account, school_id, uuid4(), _school_requires_mfa(session, school_id))
        _record(session, school_id, audit.SIGN_IN_SUCCEEDED, Actor(account.id, email, ip))
        session.commit()
    clear_failures(school_id, email)
    return pair


def _revoke_family(session: Session, school_id: UUID | None, family_id: UUID) -> None:
    model: type[RefreshRow] = RefreshToken if school_id else PlatformRefreshToken
    session.execute(
        update(model).where(col(model.family_id) == family_id, col(model.revoked_at).is_(None)).values(revoked_at=_now())
    )
    if school_id:  # cached sign-ins of the school are stale once this commits
        invalidate_on_commit(session, school_id, "revocations")


def refresh(*, school: SchoolRoute | None, refresh_token: str, ip: str) -> TokenPair:
    """Spend a refresh token for a new pair. A token spent twice revokes its whole family."""
    school_id = school.id if school else None
    model: type[RefreshRow] = RefreshToken if school_id else PlatformRefreshToken
    refused = AuthError("token_invalid", "Your session has ended. Please sign in again.")
    with _scope_session(school_id) as session:
        row = session.exec(select(model).where(model.token_hash == hash_token(refresh_token))).first()
        if row is None:
            raise refused
        # Atomic: of two requests racing with one token, only one may spend it.
        spent = session.execute(
            update(model).where(col(model.id) == row.id, col(model.used_at).is_(None), col(model.revoked_at).is_(None)).values(used_at=_now())
        )
        if spent.rowcount != 1:
            _revoke_family(session, school_id, row.family_id)
            _record(session, school_id, audit.TOKEN_REUSE, Actor(ip=ip), detail={"family": str(row.family_id)})
            session.commit()
            raise refused
        account_model: type[Account] = User if school_id else PlatformUser
        account = session.get(account_model, row.user_id if isinstance(row, RefreshToken) else row.platform_user_id)
        if row.expires_at < _now() or account is None or not account.is_active or (school and school.status != "active"):
            session.commit()
            raise refused
        pair = _issue_pair(session, account, school_id, row.family_id, _school_requires_mfa(session, school_id))
        session.commit()
    return pair


def sign_out(*, user: CurrentUser, ip: str) -> None:
    """End this sign-in everywhere: its refresh tokens and (through the family) its access token."""
    with _scope_session(user.school_id) as session:
        _revoke_family(session, user.school_id, user.family_id)
        _record(session, user.school_id, audit.SIGNED_OUT, user.actor(ip))
        session.commit()


def sign_out_with_refresh_token(*, school: SchoolRoute | None, refresh_token: str, ip: str) -> None:
    """Sign out holding only the refresh token (the API's logout): its family ends."""
    school_id = school.id if school else None
    model: type[RefreshRow] = RefreshToken if school_id else PlatformRefreshToken
    with _scope_session(school_id) as session:
        row = session.exec(select(model).where(model.token_hash == hash_token(refresh_token))).first()
        if row is None:
            raise AuthError("token_invalid", "Your session has ended. Please sign in again.")
        _revoke_family(session, school_id, row.family_id)
        user_id = row.user_id if isinstance(row, RefreshToken) else row.platform_user_id
        _record(session, school_id, audit.SIGNED_OUT, Actor(user_id, None, ip))
        session.commit()


def authenticate(*, token: str, school: SchoolRoute | None) -> CurrentUser:
    """Who holds this access token, on this host? Refuses another school's token, a revoked
    sign-in, a deactivated user and a suspended school.

    A school user's sign-in (profile, role, not revoked) is cached for an hour and goes stale the
    moment a user, the school or any sign-in of the school changes (see db.invalidate_on_commit).
    Without Redis every call asks PostgreSQL."""
    try:
        claims: AccessClaims = decode_access_token(token)
    except TokenInvalid as error:
        raise AuthError("token_invalid", "Please sign in.") from error
    school_id = school.id if school else None
    if claims.school_id != school_id:
        raise AuthError("token_invalid", "This sign-in belongs to another school. Please sign in here.")
    if school and school.status != "active":
        raise AuthError("suspended", "This school's account is suspended.")
    ended = AuthError("token_invalid", "Your session has ended. Please sign in again.")
    if school_id is None:
        with platform_session() as session:
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
    )


def _family_revoked(session: Session, model: type[RefreshRow], family_id: UUID) -> bool:
    return session.exec(
        select(model.id).where(col(model.family_id) == family_id, col(model.revoked_at).is_not(None)).limit(1)
    ).first() is not None


def _sign_in_profile(school_id: UUID, user_id: UUID, family_id: UUID) -> dict[str, object]:
    """What authenticating needs of a sign-in, as JSON for the cache ({}: it is over)."""
    with tenant_session(school_id) as session:
        user = session.get(User, user_id)
        if user is None or _family_revoked(session, RefreshToken, family_id):
            return {}
        return {
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "is_active": user.is_active,
            "totp_enabled": user.totp_enabled,
            "require_mfa": _school_requires_mfa(session, school_id),
        }


# --- passwords ------------------------------------------------------------------------------


def _load_account(session: Session, user: CurrentUser) -> Account:
    account = session.get(User if user.school_id else PlatformUser, user.id)
    if account is None:
        raise AuthError("token_invalid", "Your session has ended. Please sign in again.")
    return account


def change_password(*, user: CurrentUser, current_password: str, new_password: str, ip: str) -> None:
    with _scope_session(user.school_id) as session:
        account = _load_account(session, user)
        if not verify_password(account.password_hash, current_password):
            raise AuthError("invalid_credentials", "Your current password is not right.")
        problem = password_problem(new_password, email=account.email)
        if problem:
            raise AuthError("weak_password", problem)
        account.password_hash = hash_password(new_password)
        account.password_changed_at = _now()
        _record(session, user.school_id, audit.PASSWORD_CHANGED, user.actor(ip), target=account.email)
        session.commit()


def issue_password_reset(*, admin: CurrentUser, user_id: UUID, ip: str) -> str:
    """A one-time link, valid for a day, for a user of the admin's school; logged as mail. The
    link's address is the school's own, from settings."""
    require(admin, "users.update")
    assert admin.school_id is not None
    token = new_opaque_token()
    hours = get_settings().password_reset_hours
    with tenant_session(admin.school_id) as session:
        user = session.get(User, user_id)
        if user is None:
            raise AuthError("not_found", "No such user in this school.")
        session.add(
            PasswordResetToken(
                school_id=admin.school_id,
                user_id=user.id,
                token_hash=hash_token(token),
                expires_at=_now() + timedelta(hours=hours),
                created_by=admin.id,
            )
        )
        subdomain = session.connection().execute(text("SELECT subdomain FROM schools")).scalar_one()
        link = f"{routes.school_origin(subdomain)}{routes.RESET_PASSWORD}?token={token}"
        session.add(
            OutgoingMail(
                school_id=admin.school_id,
                recipient=user.email,
                subject="Reset your OneClass password",
                body=f"Hello {user.full_name},\n\nSet a new password here (valid for {hours} hours, once):\n{link}\n",
            )
        )
        audit.record(session, school_id=admin.school_id, action=audit.PASSWORD_RESET_ISSUED, actor=admin.actor(ip), target=user.email)
        session.commit()
    return link


def reset_password(*, school: SchoolRoute, token: str, new_password: str, ip: str) -> None:
    """Spend a reset link: set the password, end every sign-in of that user, lift any lockout."""
    refused = AuthError("token_invalid", "This reset link is invalid, used or expired. Ask your administrator for a new one.")
    with tenant_session(school.id) as session:
        row = session.exec(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))).first()
        if row is None or row.used_at is not None or row.expires_at < _now():
            raise refused
        user = session.get(User, row.user_id)
        if user is None:
            raise refused
        problem = password_problem(new_password, email=user.email)
        if problem:
            raise AuthError("weak_password", problem)
        row.used_at = _now()
        user.password_hash = hash_password(new_password)
        user.password_changed_at = _now()
        session.execute(
            update(RefreshToken).where(col(RefreshToken.user_id) == user.id, col(RefreshToken.revoked_at).is_(None)).values(revoked_at=_now())
        )
        invalidate_on_commit(session, school.id, "revocations")
        audit.record(session, school_id=school.id, action=audit.PASSWORD_RESET, actor=Actor(user.id, user.email, ip), target=user.email)
        session.commit()
        email = user.email
    clear_failures(school.id, email)


# --- TOTP second factor ---------------------------------------------------------------------


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    uri: str
    qr_svg_data_uri: str  # drawn here, not fetched from any service


def begin_totp_enrolment(user: CurrentUser) -> TotpEnrolment:
    secret = new_totp_secret()
    uri = totp_uri(secret, email=user.email)
    return TotpEnrolment(secret, uri, segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def confirm_totp_enrolment(*, user: CurrentUser, secret: str, code: str, ip: str) -> list[str]:
    """Turn TOTP on once the user proves their app has the secret; returns recovery codes
    (shown once, stored only as hashes)."""
    if not verify_totp(secret, code):
        raise AuthError("totp_invalid", "That code is not right. Check your phone's clock and try the current code.")
    codes = new_recovery_codes()
    with _scope_session(user.school_id) as session:
        account = _load_account(session, user)
        account.totp_secret = secret
        account.totp_enabled = True
        account.recovery_code_hashes = [hash_token(c) for c in codes]
        _record(session, user.school_id, audit.TOTP_ENABLED, user.actor(ip), target=account.email)
        session.commit()
    return codes


def disable_totp(*, user: CurrentUser, code: str, ip: str) -> None:
    with _scope_session(user.school_id) as session:
        account = _load_account(session, user)
        if user.must_enrol_totp or (
            account.totp_enabled and user.role == Role.school_admin.value and _school_requires_mfa(session, user.school_id)
        ):
            raise AuthError("mfa_required", "Your school requires administrators to use a second factor.")
        if not _second_factor_ok(account, code):
            raise AuthError("totp_invalid", "That code is not right.")
        account.totp_secret = None
        account.totp_enabled = False
        account.recovery_code_hashes = []
        _record(session, user.school_id, audit.TOTP_DISABLED, user.actor(ip), target=account.email)
        session.commit()


def totp_enabled(user: CurrentUser) -> bool:
    with _scope_session(user.school_id) as session:
        return _load_account(session, user).totp_enabled
