"""The TOTP second factor: enrolling (and moving to a new phone), turning it off, recovery
codes, an admin's reset for a user who lost their phone, and the one check of a code.

A code is accepted once: the time-step it belongs to is remembered in Redis (SET NX, kept for
as long as the code could still be accepted), so a code seen over a shoulder or in a proxy's
log cannot be replayed in its window. If Redis cannot remember it, the code is refused (fail
closed) with a message pointing to the recovery codes, which are spent in PostgreSQL and so
still work: replay protection is the point of the check, and the admin's reset remains for a
user who has neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import redis
import segno

from models import Role, User
from oneclass import cache
from oneclass.current_user import CurrentUser
from oneclass.i18n import N_, _
from oneclass.permissions import require
from oneclass.security import (
    TOTP_STEP_SECONDS,
    TOTP_VALID_WINDOW,
    hash_token,
    new_recovery_codes,
    new_totp_secret,
    totp_time_step,
    totp_uri,
    verify_password,
)
from oneclass.services import audit
from oneclass.services.auth.accounts import (
    NO_SUCH_USER,
    Account,
    AuthError,
    account_unit_of_work,
    end_sign_ins,
    load_account,
    record,
    school_requires_mfa,
)
from oneclass.services.auth.lockout import reentered_ok
from oneclass.services.errors import NotFound

# A code of step s is accepted until step s + window has passed: at most this long from now.
_USED_CODE_SECONDS = (2 * TOTP_VALID_WINDOW + 1) * TOTP_STEP_SECONDS
CODES_UNAVAILABLE = N_("Codes from your authenticator app cannot be checked just now. Try again in a minute, or use a recovery code.")
REPLACE_NEEDS_PROOF = N_("To move two-step sign-in to a new app, enter a code from your current app (or a recovery code) or your password.")


def _spend_time_step(school_id: UUID | None, account_id: UUID, secret: str, step: int) -> bool:
    """Remember that this secret's code for `step` was used; False if it already was."""
    used = cache.key("totp-used", school_id or "platform", account_id, hash_token(secret)[:16], step)
    try:
        return bool(cache.get_redis().set(used, 1, ex=_USED_CODE_SECONDS, nx=True))
    except (redis.RedisError, OSError) as error:
        raise AuthError("totp_unavailable", _(CODES_UNAVAILABLE)) from error


def _code_ok(school_id: UUID | None, account_id: UUID, secret: str, code: str) -> bool:
    """A current code of `secret` not used before (without Redis: refused, see above)."""
    step = totp_time_step(secret, code)
    return step is not None and _spend_time_step(school_id, account_id, secret, step)


def second_factor_ok(account: Account, school_id: UUID | None, code: str) -> bool:
    """A TOTP code not used before, or an unused recovery code (which is then spent)."""
    spent = hash_token(code.strip().lower())
    if spent in account.recovery_code_hashes:
        account.recovery_code_hashes = [h for h in account.recovery_code_hashes if h != spent]
        return True
    return bool(account.totp_secret) and _code_ok(school_id, account.id, account.totp_secret or "", code)


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    uri: str
    qr_svg_data_uri: str  # drawn here, not fetched from any service


def begin_totp_enrolment(*, actor: CurrentUser) -> TotpEnrolment:
    """A new secret to show (nothing is stored until the user confirms a code of it)."""
    secret = new_totp_secret()
    uri = totp_uri(secret, email=actor.email)
    return TotpEnrolment(secret, uri, segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def _may_replace(actor: CurrentUser, account: Account, current_code: str, current_password: str, ip: str) -> bool:
    """Whoever replaces a working second factor proves they are its owner, not merely the holder
    of a stolen session: a code of the current app (or a recovery code), or the password. Wrong
    ones count toward the account's lock, so a stolen session cannot guess without limit."""
    if current_code.strip() and reentered_ok(
        actor.school_id, account.email, ip, lambda: second_factor_ok(account, actor.school_id, current_code)
    ):
        return True
    return bool(current_password) and reentered_ok(
        actor.school_id, account.email, ip, lambda: verify_password(account.password_hash, current_password)
    )


def confirm_totp_enrolment(
    *, actor: CurrentUser, secret: str, code: str, ip: str, current_code: str = "", current_password: str = ""
) -> list[str]:
    """Turn TOTP on (or move it to a new app) once the user proves their app has the secret;
    returns recovery codes (shown once, stored only as hashes)."""
    if totp_time_step(secret, code) is None:
        raise AuthError("totp_invalid", _("That code is not right. Check your phone's clock and try the current code."))
    codes = new_recovery_codes()
    with account_unit_of_work(actor.school_id) as session:
        account = load_account(session, actor)
        if account.totp_enabled and not _may_replace(actor, account, current_code, current_password, ip):
            raise AuthError("reauth_required", _(REPLACE_NEEDS_PROOF))
        if not _code_ok(actor.school_id, account.id, secret, code):
            raise AuthError("totp_invalid", _("That code was used already. Wait for the next code and enter it."))
        account.totp_secret = secret
        account.totp_enabled = True
        account.recovery_code_hashes = [hash_token(c) for c in codes]
        record(session, actor.school_id, audit.TOTP_ENABLED, actor.actor(ip), target=account.email)
    return codes


def disable_totp(*, actor: CurrentUser, code: str, ip: str) -> None:
    with account_unit_of_work(actor.school_id) as session:
        account = load_account(session, actor)
        if actor.must_enrol_totp or (
            account.totp_enabled and actor.role == Role.school_admin.value and school_requires_mfa(session, actor.school_id)
        ):
            raise AuthError("mfa_required", _("Your school requires administrators to use a second factor."))
        if not reentered_ok(actor.school_id, account.email, ip, lambda: second_factor_ok(account, actor.school_id, code)):
            raise AuthError("totp_invalid", _("That code is not right, or was used already."))
        _clear_second_factor(account)
        record(session, actor.school_id, audit.TOTP_DISABLED, actor.actor(ip), target=account.email)


def totp_enabled(*, actor: CurrentUser) -> bool:
    with account_unit_of_work(actor.school_id) as session:
        return load_account(session, actor).totp_enabled


def _clear_second_factor(account: Account) -> None:
    account.totp_secret = None
    account.totp_enabled = False
    account.recovery_code_hashes = []


def reset_two_step(*, actor: CurrentUser, user_id: UUID | str, ip: str) -> str:
    """An admin turns off a user's two-step sign-in (a lost phone, or an app an intruder set up)
    and ends every sign-in of theirs; the user signs in with their password and sets it up
    again. Returns the user's name."""
    require(actor, "users.update")
    try:
        user_uuid = UUID(str(user_id))
    except ValueError as error:
        raise NotFound(_(NO_SUCH_USER)) from error
    if actor.school_id is None:
        raise NotFound(_(NO_SUCH_USER))  # a school's users are reset on the school's own host
    with account_unit_of_work(actor.school_id) as session:
        user = session.get(User, user_uuid)
        if user is None:
            raise NotFound(_(NO_SUCH_USER))
        _clear_second_factor(user)
        end_sign_ins(session, actor.school_id, user.id)
        record(session, actor.school_id, audit.TOTP_RESET, actor.actor(ip), target=user.email)
        return user.full_name
