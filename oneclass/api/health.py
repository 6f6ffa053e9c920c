"""`/health`: is the database reachable, is the cache, is the schema at head."""

from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from oneclass import cache, db, migrate
from oneclass.db import app_engine

router = APIRouter()


def _database_check() -> dict[str, Any]:
    try:
        engine = app_engine()
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = migrate.current_revision(engine)
    except (SQLAlchemyError, OSError) as error:
        return {"status": "down", "error": type(error).__name__}
    head = migrate.head_revision()
    pool = db.pool_stats().get("app", {})
    return {"status": "up", "migration": current, "migration_head": head, "migrated": current == head, "pool": pool}


@router.get("/health", tags=["health"], summary="Health of the app and its servers")
def health() -> JSONResponse:
    database = _database_check()
    cache_up = cache.ping()
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
