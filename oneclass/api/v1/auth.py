"""POST /auth/login, /auth/refresh, /auth/logout on a school's host (or the root domain for
super admins)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from oneclass.api.deps import client_ip, host_resolution
from oneclass.api.envelope import ApiError
from oneclass.api.schemas import Envelope, LoginIn, RefreshIn, TokensOut
from oneclass.api.v1.common import errors, success
from oneclass.services import auth
from oneclass.services.auth import AuthError, TokenPair
from oneclass.settings import get_settings
from oneclass.tenancy import HostKind, SchoolRoute

router = APIRouter(prefix="/auth", tags=["auth"])
Host = Annotated[tuple[HostKind, SchoolRoute | None], Depends(host_resolution)]

_STATUS = {"locked": 429, "suspended": 403, "deactivated": 403, "weak_password": 422, "validation": 422}


def _refusal(error: AuthError) -> ApiError:
    status = _STATUS.get(error.code, 401)
    code = {429: "RATE_LIMITED", 403: "FORBIDDEN", 422: "VALIDATION_ERROR"}.get(status, "UNAUTHORIZED")
    headers = {"Retry-After": str(get_settings().lockout_seconds)} if status == 429 else None
    return ApiError(status, code, error.message, details={"reason": error.code}, headers=headers)


def _tokens(pair: TokenPair) -> dict[str, Any]:
    user = pair.user
    return success(
        {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "token_type": "bearer",
            "expires_in": get_settings().access_token_minutes * 60,
            "user": {"id": str(user.id), "email": user.email, "full_name": user.full_name, "role": user.role, "is_active": True},
        }
    )


@router.post("/login", response_model=Envelope[TokensOut], responses=errors(401, 403, 422), summary="Sign in with email and password")
def login(body: LoginIn, host: Host, request: Request) -> dict[str, Any]:
    try:
        pair = auth.sign_in(school=host[1], email=body.email, password=body.password, totp_code=body.totp_code, ip=client_ip(request))
    except AuthError as refusal:
        raise _refusal(refusal) from refusal
    return _tokens(pair)


@router.post("/refresh", response_model=Envelope[TokensOut], responses=errors(401, 403, 422), summary="Swap a refresh token for a new pair")
def refresh(body: RefreshIn, host: Host, request: Request) -> dict[str, Any]:
    try:
        pair = auth.refresh(school=host[1], refresh_token=body.refresh_token, ip=client_ip(request))
    except AuthError as refusal:
        raise _refusal(refusal) from refusal
    return _tokens(pair)


@router.post("/logout", response_model=Envelope[dict[str, bool]], responses=errors(401, 422), summary="End this sign-in")
def logout(body: RefreshIn, host: Host, request: Request) -> dict[str, Any]:
    """Revokes the refresh token's whole family (and so the access tokens issued with it)."""
    try:
        auth.sign_out_with_refresh_token(school=host[1], refresh_token=body.refresh_token, ip=client_ip(request))
    except AuthError as refusal:
        raise _refusal(refusal) from refusal
    return success({"signed_out": True})

