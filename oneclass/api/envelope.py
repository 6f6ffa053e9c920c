"""The one response envelope of the REST API, for successes and errors alike."""

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ApiError(Exception):
    """Raised by routes and dependencies; rendered as the error envelope."""

    def __init__(self, status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def success(data: Any, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": True, "data": data, "timestamp": _now()}
    if meta is not None:
        body["meta"] = meta
    return body


def error_response(request: Request, error: ApiError) -> JSONResponse:
    return JSONResponse(
        status_code=error.status,
        headers=error.headers,
        content={
            "success": False,
            "error": {"code": error.code, "message": error.message, "details": error.details},
            "timestamp": _now(),
            "request_id": getattr(request.state, "request_id", None),
        },
    )
