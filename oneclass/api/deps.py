"""Route dependencies: the school the request's host names."""

from fastapi import Request

from oneclass.api.envelope import ApiError
from oneclass.services.schools import SchoolRoute
from oneclass.tenancy import HostKind, resolve_host


def current_school(request: Request) -> SchoolRoute:
    resolution = resolve_host(request.headers.get("host", ""))
    if resolution.kind is not HostKind.school or resolution.school is None:
        raise ApiError(404, "NOT_FOUND", "No school is served at this address.")
    return resolution.school
