"""`/health`: is the database reachable, is the cache, is the schema at head."""

from datetime import UTC, datetime
from importlib.metadata import version

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from oneclass.services.health import cache_up as cache_is_up
from oneclass.services.health import database_health

router = APIRouter()


@router.get("/health", tags=["health"], summary="Health of the app and its servers")
def health() -> JSONResponse:
    database = database_health()
    cache_up = cache_is_up()
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
