"""Signing in and out: passwords, lockout, rotating refresh tokens, TOTP, password resets.

Both the UI states and the REST API call these. A school's users sign in on its host; super
admins sign in at the root domain (`school=None`) through the platform role. The parts:
`lockout` (failure counters), `tokens` (sign-in, refresh, sign-out, authenticate),
`passwords` (change and reset), `totp` (the second factor); `accounts` is what they share.
Callers import from here: `from oneclass.services import auth; auth.sign_in(...)`.
"""

from oneclass.current_user import CurrentUser
from oneclass.services.auth.accounts import (
    AuthError,
    SecondFactorRequired,
    wrong_credentials,
)
from oneclass.services.auth.lockout import clear_failures
from oneclass.services.auth.passwords import (
    change_password,
    issue_password_reset,
    reset_password,
)
from oneclass.services.auth.preferences import set_language
from oneclass.services.auth.tokens import (
    TokenPair,
    authenticate,
    refresh,
    sign_in,
    sign_out,
    sign_out_with_refresh_token,
)
from oneclass.services.auth.totp import (
    TotpEnrolment,
    begin_totp_enrolment,
    confirm_totp_enrolment,
    disable_totp,
    reset_two_step,
    totp_enabled,
)

__all__ = [
    "AuthError",
    "CurrentUser",
    "SecondFactorRequired",
    "TokenPair",
    "TotpEnrolment",
    "authenticate",
    "begin_totp_enrolment",
    "change_password",
    "clear_failures",
    "confirm_totp_enrolment",
    "disable_totp",
    "issue_password_reset",
    "refresh",
    "reset_password",
    "reset_two_step",
    "set_language",
    "sign_in",
    "sign_out",
    "sign_out_with_refresh_token",
    "totp_enabled",
    "wrong_credentials",
]
