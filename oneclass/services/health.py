"""How the app's servers are doing, for `/health`: the database (reachable, schema at head, pool
use) and the cache."""

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from oneclass import cache, db, migrate


def database_health() -> dict[str, Any]:
    try:
        engine = db.app_engine()
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = migrate.current_revision(engine)
    except (SQLAlchemyError, OSError) as error:
        return {"status": "down", "error": type(error).__name__}
    head = migrate.head_revision()
    pool = db.pool_stats().get("app", {})
    return {"status": "up", "migration": current, "migration_head": head, "migrated": current == head, "pool": pool}


def cache_up() -> bool:
    return cache.ping()
