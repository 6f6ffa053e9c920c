"""`/health`: is the database reachable, is the cache, is the schema at head (as checked at most a
second ago)."""

from datetime import UTC, datetime
from importlib.metadata import version

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from oneclass.services.health import current_health

router = APIRouter()


@router.get("/health", tags=["health"], summary="Health of the app and its servers")
def health() -> JSONResponse:
    check = current_health()  # at most a second old: probes cannot load the database
    database, cache_up = check.database, check.cache_up
    if database["status"] != "up":
        status, code = "unhealthy", 503
    elif not cache_up or not database["migrated"]:
        status, code = "degraded", 200
    else:
        status, code = "healthy", 200
    return JSONResponse(
        status_code=code,
        content={
            "status": status,
            "version": version("oneclass"),
            "timestamp": datetime.now(UTC).isoformat(),
            "checks": {"database": database, "cache": {"status": "up" if cache_up else "down"}},
        },
    )
