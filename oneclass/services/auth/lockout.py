"""Brute-force protection: failed sign-ins counted per account and per address, in Redis (so
the counts outlive an app restart and are shared by every worker).

Both counters belong to one school (or the platform): an address that fails at one school is
stopped there only, so attackers behind a shared address (a school's NAT, a mobile carrier)
cannot lock every other school's users out. Without Redis nothing is counted and passwords
are still checked. A signed-in user re-entering their password or a code (to change the
password, move or turn off the second factor) is counted the same way: a stolen session is not
a way to guess without limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast
from uuid import UUID

import redis

from oneclass import cache
from oneclass.i18n import format_message
from oneclass.services.auth.accounts import AuthError
from oneclass.settings import get_settings


def _failure_keys(school_id: UUID | None, email: str, ip: str) -> tuple[str, str, str]:
    """The account's failure counter, the address's (at this school), the account's lock."""
    scope, email = school_id or "platform", email.strip().lower()
    return (
        cache.key("login-fail", "account", scope, email),
        cache.key("login-fail", "ip", scope, ip),
        cache.key("login-lock", "account", scope, email),
    )


def account_locked() -> AuthError:
    minutes = max(1, get_settings().lockout_seconds // 60)
    return AuthError("locked", format_message("Too many failed sign-ins. This account is locked for {minutes} minutes.", minutes=minutes))


def check_not_locked(school_id: UUID | None, email: str, ip: str) -> None:
    settings = get_settings()
    _, ip_key, lock_key = _failure_keys(school_id, email, ip)
    try:
        client = cache.get_redis()
        locked, ip_failures = client.exists(lock_key), int(cast(bytes | None, client.get(ip_key)) or 0)
    except (redis.RedisError, OSError):
        return  # without Redis there is no counter to consult; passwords are still checked
    if locked:
        raise account_locked()
    if ip_failures >= settings.login_max_failures_per_ip:
        window_minutes = max(1, settings.login_failure_window_seconds // 60)
        raise AuthError(
            "locked",
            format_message("Too many failed sign-ins from your network. Try again within {minutes} minutes.", minutes=window_minutes),
        )


def count_failure(school_id: UUID | None, email: str, ip: str) -> bool:
    """Count a failure; True when it has just locked the account."""
    settings = get_settings()
    window = settings.login_failure_window_seconds
    account_key, ip_key, lock_key = _failure_keys(school_id, email, ip)
    try:
        pipe = cache.get_redis().pipeline()
        # The window starts at the first failure (SET NX, not EXPIRE NX: Redis 6.2 has no NX there).
        for counter in (account_key, ip_key):
            pipe.set(counter, 0, ex=window, nx=True)
            pipe.incr(counter)
        failures = pipe.execute()[1]
        if failures >= settings.login_max_failures:
            cache.get_redis().set(lock_key, 1, ex=settings.lockout_seconds)
            cache.delete(account_key)
            return True
    except (redis.RedisError, OSError):
        pass
    return False


def clear_failures(school_id: UUID | None, email: str) -> None:
    """Forget an account's failures and lift its lock (after a good sign-in or a reset)."""
    account_key, _, lock_key = _failure_keys(school_id, email, "")
    cache.delete(account_key, lock_key)




def reentered_ok(school_id: UUID | None, email: str, ip: str, proof_ok: Callable[[], bool]) -> bool:
    """Whether a signed-in user's password or code, typed again, is right (`proof_ok` checks
    it): refused while the account is locked, and a wrong one counts toward the lock."""
    check_not_locked(school_id, email, ip)
    if proof_ok():
        return True
    count_failure(school_id, email, ip)
    return False
