"""The REST API (v1), `/health` and `/metrics`, mounted beside the Reflex UI through
`api_transformer`. One error envelope for every refusal; a request id on every response."""

import hmac
import ipaddress
import logging
import time
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from oneclass import i18n
from oneclass.api import health, v1
from oneclass.api.deps import client_ip
from oneclass.api.envelope import ApiError, error_response
from oneclass.i18n import _
from oneclass.observability import HTTP_LATENCY, HTTP_REQUESTS, bind_log_context, configure_logging, log_context, metrics_text
from oneclass.permissions import PermissionDenied
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from oneclass.services.schools import SchoolCreationIncomplete
from oneclass.settings import get_settings
from oneclass.tracing import mark_root_span

REQUEST_ID_HEADER = "X-Request-ID"
log = logging.getLogger("oneclass.api")


def _route_label(request: Request) -> str:
    """The route's template (/api/v1/students/{student_id}), never the raw path, so that
    metric labels stay few. Unmatched paths share one label."""
    if "route" not in request.scope:
        return "unmatched"
    names = {str(value): name for name, value in request.scope.get("path_params", {}).items()}
    return "/".join(f"{{{names[part]}}}" if part in names else part for part in request.url.path.split("/"))


def _field_errors(error: RequestValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(part) for part in problem["loc"] if part not in ("body", "query", "path")), "message": problem["msg"]}
        for problem in error.errors()
    ]


def _is_loopback(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = getattr(parsed, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return (mapped or parsed).is_loopback


def metrics_allowed(request: Request) -> bool:
    """`/metrics` tells how busy each route and pool is: for a scraper on this machine, or one
    that sends `Authorization: Bearer <METRICS_TOKEN>`. A request a proxy forwarded is not local
    even when the proxy itself sits on loopback."""
    token = get_settings().metrics_token
    if token:
        scheme, _space, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode()):
            return True
    forwarded = any(name in request.headers for name in ("x-forwarded-for", "forwarded", "x-real-ip"))
    return not forwarded and _is_loopback(client_ip(request))


def build_api() -> FastAPI:
    configure_logging()
    api = FastAPI(
        title="OneClass API",
        version="1",
        description="Each school's API lives on its own host (harare-primary.localhost:3000/api/v1/...); "
        "the platform's (schools) on the root domain. Every answer is an envelope.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )

    @api.middleware("http")
    async def observe(request: Request, call_next):  # type: ignore[no-untyped-def]
        request_id = request.headers.get(REQUEST_ID_HEADER, "")[:64] or uuid.uuid4().hex
        request.state.request_id = request_id
        # Each request runs in its own task, so this context is the request's alone: its
        # messages (refusals, field errors) are made in the language the client asked for.
        log_context.set({})
        mark_root_span()
        bind_log_context(request_id=request_id)
        language = i18n.language_from_header(request.headers.get("accept-language"))
        i18n.use_language(language)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as error:
            # Never a traceback to the client; the log has it, with the request id.
            log.exception("unhandled error", exc_info=error)
            response = error_response(request, ApiError(500, "INTERNAL_ERROR", _("Something went wrong.")))
        elapsed = time.perf_counter() - started
        route = _route_label(request)
        if route != "unmatched" or request.url.path.startswith(("/api/", "/health", "/metrics")):
            HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
            HTTP_LATENCY.labels(request.method, route).observe(elapsed)
        response.headers[REQUEST_ID_HEADER] = request_id
        response.headers["Content-Language"] = language
        return response

    @api.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return error_response(request, error)

    @api.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(request, ApiError(422, "VALIDATION_ERROR", _("Some fields are not right."), _field_errors(error)))

    @api.exception_handler(ValidationFailed)
    async def refused_input(request: Request, error: ValidationFailed) -> JSONResponse:
        details = [{"field": field, "message": message} for field, message in error.errors.items()]
        return error_response(request, ApiError(422, "VALIDATION_ERROR", _("Some fields are not right."), details))

    @api.exception_handler(PermissionDenied)
    async def forbidden(request: Request, error: PermissionDenied) -> JSONResponse:
        return error_response(request, ApiError(403, "FORBIDDEN", str(error), {"permission": error.permission}))

    @api.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> JSONResponse:
        return error_response(request, ApiError(404, "NOT_FOUND", error.message))

    @api.exception_handler(SchoolCreationIncomplete)
    async def incomplete_school(request: Request, error: SchoolCreationIncomplete) -> JSONResponse:
        return error_response(request, ApiError(409, "CONFLICT", error.message))

    @api.exception_handler(Conflict)
    async def refused_change(request: Request, error: Conflict) -> JSONResponse:
        return error_response(request, ApiError(409, "CONFLICT", error.message))

    @api.exception_handler(IntegrityError)
    async def conflict(request: Request, _error: IntegrityError) -> JSONResponse:
        return error_response(request, ApiError(409, "CONFLICT", _("That conflicts with data that already exists.")))

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:  # a body that is not JSON: a validation error like any other
            details = [{"field": "body", "message": str(error.detail)}]
            return error_response(request, ApiError(422, "VALIDATION_ERROR", _("The request body is not valid JSON."), details))
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(error.status_code, "HTTP_ERROR")
        return error_response(request, ApiError(error.status_code, code, str(error.detail)))

    @api.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if not metrics_allowed(request):
            raise ApiError(403, "FORBIDDEN", _("Metrics are served on the loopback address or with the metrics token."))
        return Response(metrics_text(), media_type="text/plain; version=0.0.4")

    api.include_router(health.router)
    api.include_router(v1.router, prefix="/api/v1")
    return api
