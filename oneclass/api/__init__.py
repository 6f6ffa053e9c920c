"""The REST API (v1) and `/health`, mounted beside the Reflex UI through `api_transformer`."""

import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from oneclass.api import health, v1
from oneclass.api.envelope import ApiError, error_response

REQUEST_ID_HEADER = "X-Request-ID"


def build_api() -> FastAPI:
    api = FastAPI(
        title="OneClass API",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )

    @api.middleware("http")
    async def request_id(request: Request, call_next):  # type: ignore[no-untyped-def]
        request.state.request_id = request.headers.get(REQUEST_ID_HEADER) or uuid.uuid4().hex
        response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        return response

    @api.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return error_response(request, error)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(error.status_code, "HTTP_ERROR")
        return error_response(request, ApiError(error.status_code, code, str(error.detail)))

    @api.exception_handler(Exception)
    async def unexpected_error(request: Request, _error: Exception) -> JSONResponse:
        # Never a traceback to the client; the log has it.
        return error_response(request, ApiError(500, "INTERNAL_ERROR", "Something went wrong."))

    api.include_router(health.router)
    api.include_router(v1.router, prefix="/api/v1")
    return api
