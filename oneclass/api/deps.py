"""Route dependencies: the host's school, the caller's identity and permission, rate limits,
paging. Routes stay thin: they take these and call a service."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from oneclass import ratelimit
from oneclass.api.envelope import ApiError
from oneclass.observability import bind_log_context
from oneclass.permissions import can
from oneclass.services import auth
from oneclass.services.auth import AuthError, CurrentUser
from oneclass.services.schools import SchoolRoute
from oneclass.settings import get_settings
from oneclass.tenancy import HostKind, resolve_host

bearer = HTTPBearer(auto_error=False, description="The access token from POST /auth/login")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limit(scope: str, subject: str, limit: int) -> None:
    verdict = ratelimit.hit(scope, subject, limit=limit)
    if not verdict.allowed:
        raise ApiError(429, "RATE_LIMITED", "Too many requests; slow down.", headers={"Retry-After": str(verdict.retry_after)})


def limit_by_ip(request: Request) -> None:
    _limit("ip", client_ip(request), get_settings().api_rate_per_ip)


def host_resolution(request: Request, _limited: Annotated[None, Depends(limit_by_ip)]) -> tuple[HostKind, SchoolRoute | None]:
    resolution = resolve_host(request.headers.get("host", ""))
    if resolution.kind is HostKind.unknown:
        raise ApiError(404, "NOT_FOUND", "No school is served at this address.")
    if resolution.school:
        bind_log_context(school=resolution.school.subdomain)
    return resolution.kind, resolution.school


def current_school(resolution: Annotated[tuple[HostKind, SchoolRoute | None], Depends(host_resolution)]) -> SchoolRoute:
    """This route belongs to a school's host."""
    _, school = resolution
    if school is None:
        raise ApiError(404, "NOT_FOUND", "This endpoint is served on a school's address.")
    return school


def platform_host(resolution: Annotated[tuple[HostKind, SchoolRoute | None], Depends(host_resolution)]) -> None:
    """This route belongs to the root domain (the platform)."""
    if resolution[0] is not HostKind.platform:
        raise ApiError(404, "NOT_FOUND", "This endpoint is served on the platform's address.")


def _authenticated(credentials: HTTPAuthorizationCredentials | None, school: SchoolRoute | None) -> CurrentUser:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "UNAUTHORIZED", "Send an access token: Authorization: Bearer <token>.")
    _limit("token", hashlib.sha256(credentials.credentials.encode()).hexdigest()[:32], get_settings().api_rate_per_token)
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


def school_user_with(permission: str) -> Callable[[CurrentUser], CurrentUser]:
    """A dependency: the signed-in school user, refused with 403 without `permission`."""

    def check(user: Annotated[CurrentUser, Depends(school_user)]) -> CurrentUser:
        if not can(user, permission):
            raise ApiError(403, "FORBIDDEN", "You do not have permission to do that.", details={"permission": permission})
        return user

    return check


def platform_user_with(permission: str) -> Callable[[CurrentUser], CurrentUser]:
    def check(user: Annotated[CurrentUser, Depends(platform_user)]) -> CurrentUser:
        if not can(user, permission):
            raise ApiError(403, "FORBIDDEN", "You do not have permission to do that.", details={"permission": permission})
        return user

    return check


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    def meta(self, total: int) -> dict[str, int]:
        return {"total": total, "page": self.page, "per_page": self.per_page}


def paging(
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="Rows per page, at most 100")] = 25,
) -> Paging:
    return Paging(page, per_page)
