"""Route dependencies: the host's school, the caller's identity and permission, rate limits,
paging. Routes stay thin: they take these and call a service.

Dependencies that only look at what is already known are `async` (no thread hop); those that
ask Redis or PostgreSQL are plain functions, run in the thread pool."""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from oneclass import ratelimit
from oneclass.api.envelope import ApiError
from oneclass.i18n import _
from oneclass.observability import bind_log_context
from oneclass.permissions import can
from oneclass.services import auth
from oneclass.services.auth import AuthError, CurrentUser
from oneclass.settings import get_settings
from oneclass.tenancy import HostKind, SchoolRoute, resolve_host

bearer = HTTPBearer(auto_error=False, description="The access token from POST /auth/login")


def forwarded_client(peer: str, forwarded_for: str, trusted_hops: int) -> str:
    """The caller's address behind `trusted_hops` reverse proxies, the way Reflex reads it for
    its events: each trusted proxy appends the address it received from, so the Nth from the
    right is the one the outermost trusted proxy saw. Anything further left is whatever the
    caller wrote. With no trusted hops the header is the caller's own words: ignored."""
    if trusted_hops <= 0:
        return peer
    forwarded = [address.strip() for address in forwarded_for.split(",") if address.strip()]
    return forwarded[-trusted_hops] if len(forwarded) >= trusted_hops else peer


def client_ip(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    return forwarded_client(peer, request.headers.get("x-forwarded-for", ""), get_settings().trusted_proxy_hops)


def _rate_limit(request: Request) -> None:
    """Per address, and per access token when one is sent: both counted in one round trip."""
    settings = get_settings()
    limits = [ratelimit.Limit("ip", client_ip(request), settings.api_rate_per_ip)]
    authorization = request.headers.get("authorization", "")
    if authorization:
        limits.append(ratelimit.Limit("token", hashlib.sha256(authorization.encode()).hexdigest()[:32], settings.api_rate_per_token))
    verdict = ratelimit.hit(*limits)
    if not verdict.allowed:
        raise ApiError(429, "RATE_LIMITED", _("Too many requests; slow down."), headers={"Retry-After": str(verdict.retry_after)})


def host_resolution(request: Request) -> tuple[HostKind, SchoolRoute | None]:
    """Every API request: count it against its rate limits, then find its school."""
    _rate_limit(request)
    resolution = resolve_host(request.headers.get("host", ""))
    if resolution.kind is HostKind.unknown:
        raise ApiError(404, "NOT_FOUND", _("No school is served at this address."))
    if resolution.school:
        bind_log_context(school=resolution.school.subdomain)
    return resolution.kind, resolution.school


async def current_school(resolution: Annotated[tuple[HostKind, SchoolRoute | None], Depends(host_resolution)]) -> SchoolRoute:
    """This route belongs to a school's host."""
    school = resolution[1]
    if school is None:
        raise ApiError(404, "NOT_FOUND", _("This endpoint is served on a school's address."))
    return school


async def platform_host(resolution: Annotated[tuple[HostKind, SchoolRoute | None], Depends(host_resolution)]) -> None:
    """This route belongs to the root domain (the platform)."""
    if resolution[0] is not HostKind.platform:
        raise ApiError(404, "NOT_FOUND", _("This endpoint is served on the platform's address."))


def _authenticated(credentials: HTTPAuthorizationCredentials | None, school: SchoolRoute | None) -> CurrentUser:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "UNAUTHORIZED", _("Send an access token: Authorization: Bearer <token>."))
    try:
        user = auth.authenticate(token=credentials.credentials, school=school)
    except AuthError as refusal:
        raise ApiError(401, "UNAUTHORIZED", refusal.message) from refusal
    bind_log_context(user=str(user.id))
    return user


def school_user(
    school: Annotated[SchoolRoute, Depends(current_school)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> CurrentUser:
    return _authenticated(credentials, school)


def platform_user(
    _host: Annotated[None, Depends(platform_host)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> CurrentUser:
    return _authenticated(credentials, None)


def school_user_with(permission: str) -> Callable[[CurrentUser], Awaitable[CurrentUser]]:
    """A dependency: the signed-in school user, refused with 403 without `permission`."""

    async def check(user: Annotated[CurrentUser, Depends(school_user)]) -> CurrentUser:
        if not can(user, permission):
            raise ApiError(403, "FORBIDDEN", _("You do not have permission to do that."), details={"permission": permission})
        return user

    return check


def platform_user_with(permission: str) -> Callable[[CurrentUser], Awaitable[CurrentUser]]:
    async def check(user: Annotated[CurrentUser, Depends(platform_user)]) -> CurrentUser:
        if not can(user, permission):
            raise ApiError(403, "FORBIDDEN", _("You do not have permission to do that."), details={"permission": permission})
        return user

    return check


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    def meta(self, total: int) -> dict[str, int]:
        return {"total": total, "page": self.page, "per_page": self.per_page}


async def paging(
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="Rows per page, at most 100")] = 25,
) -> Paging:
    return Paging(page, per_page)
