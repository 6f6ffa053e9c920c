"""How the app's servers are doing, for `/health`: the database (reachable, schema at head, pool
use) and the cache, checked at most once a second per process, so that a storm of probes (the
route needs no sign-in) costs the database one check a second however many arrive."""

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from oneclass import cache, db, migrate

REFRESH_SECONDS = 1.0


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


@dataclass(frozen=True)
class HealthCheck:
    database: dict[str, Any]
    cache_up: bool
    checked_at: float  # time.monotonic() when the check ended


class _LastCheck:
    """This process's latest check. Per process on purpose: each answers for itself, and
    processes need not agree. The lock makes probes that arrive together wait for one check
    rather than each run their own."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.check: HealthCheck | None = None

    def fresh(self) -> HealthCheck | None:
        check = self.check
        return check if check and time.monotonic() - check.checked_at < REFRESH_SECONDS else None


_last = _LastCheck()


def current_health() -> HealthCheck:
    """The servers' health as checked less than REFRESH_SECONDS ago (checked now if not)."""
    if check := _last.fresh():
        return check
    with _last.lock:
        if check := _last.fresh():  # another probe checked while this one waited
            return check
        database, cache_is_up = database_health(), cache_up()
        _last.check = HealthCheck(database, cache_is_up, time.monotonic())
        return _last.check


def forget_last_check() -> None:
    """Check afresh on the next call (a test that has just stopped or started a server)."""
    _last.check = None
