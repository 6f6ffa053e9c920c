"""Redis: one client, JSON get/set with school-scoped keys, and graceful degradation.

When Redis is unreachable every helper behaves as a cache miss, so the app keeps serving from
PostgreSQL (health reports "degraded"). Cached query results are keyed by the version of each
table they read; every commit that writes a school's table moves that version on (the hook this
module registers with `oneclass.db.after_commit`).
"""

import hashlib
import json
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar, cast

import redis

from oneclass import db, embedded
from oneclass.observability import CACHE_REQUESTS
from oneclass.settings import get_settings

log = logging.getLogger(__name__)

T = TypeVar("T")

# Time-to-live per category of cached data (seconds).
TTL_PROFILE = 3600  # a sign-in: the user's profile and role (so permissions), not revoked
TTL_SCHOOL_CONFIG = 24 * 3600
TTL_QUERY = 15 * 60  # results of list queries
TTL_UNKNOWN_HOST = 60


@lru_cache
def redis_url() -> str:
    settings = get_settings()
    return settings.redis_url or embedded.start_redis(settings.data_dir)


@lru_cache
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(
        redis_url(), socket_connect_timeout=0.5, socket_timeout=0.5, health_check_interval=30
    )


def reset_cache_client() -> None:
    if get_redis.cache_info().currsize:
        get_redis().close()
    get_redis.cache_clear()
    redis_url.cache_clear()


def key(*parts: object) -> str:
    """A cache key under this deployment's prefix, e.g. key('school', school_id, 'config')."""
    return ":".join([get_settings().cache_prefix, *(str(part) for part in parts)])


def get_json(cache_key: str) -> Any | None:
    try:
        # redis-py types its sync and asyncio clients as one: this client answers at once.
        raw = cast(bytes | None, get_redis().get(cache_key))
    except (redis.RedisError, OSError) as error:
        CACHE_REQUESTS.labels("error").inc()
        log.warning("cache read failed: %s", error)
        return None
    CACHE_REQUESTS.labels("miss" if raw is None else "hit").inc()
    return None if raw is None else json.loads(raw)


def set_json(cache_key: str, value: Any, ttl_seconds: int) -> None:
    try:
        get_redis().set(cache_key, json.dumps(value), ex=ttl_seconds)
    except (redis.RedisError, OSError) as error:
        log.warning("cache write failed: %s", error)


def delete(*cache_keys: str) -> None:
    try:
        get_redis().delete(*cache_keys)
    except (redis.RedisError, OSError) as error:
        log.warning("cache delete failed: %s", error)


class _Invalidations:
    """Whether this process failed to invalidate something (Redis was away during a write)."""

    missed = False


def versions(school_id: object, tables: tuple[str, ...]) -> list[int] | None:
    """The generation of each of a school's tables, and last the cache's epoch; None when Redis
    cannot say. After an outage in which a write could not invalidate, the epoch moves on, so
    nothing cached before the outage is served again."""
    try:
        client = get_redis()
        if _Invalidations.missed:
            client.incr(key("epoch"))
            _Invalidations.missed = False
        raw = cast(list[bytes | None], client.mget([*(key("version", school_id, table) for table in tables), key("epoch")]))
    except (redis.RedisError, OSError):
        return None
    return [int(value or 0) for value in raw]


def bump(school_id: object, table: str) -> None:
    """Make every cached result over a school's `table` stale at once (keys carry versions)."""
    try:
        get_redis().incr(key("version", school_id, table))
    except (redis.RedisError, OSError) as error:
        _Invalidations.missed = True
        log.warning("cache invalidation failed: %s", error)


def bump_written(written: db.Written) -> None:
    """After a commit: make stale every cached result over the tables it wrote."""
    for school_id, table in written:
        bump(school_id, table)


db.after_commit(bump_written)


def cached(
    school_id: object, tables: tuple[str, ...], params: dict[str, Any], compute: Callable[[], T], ttl: int = TTL_QUERY
) -> T:
    """`compute()`, remembered per school, the versions of the tables it reads, and its
    parameters. Any committed write to one of `tables` makes it stale (`bump_written`)."""
    generations = versions(school_id, tables)
    if generations is None:
        return compute()
    digest = hashlib.sha1(json.dumps([params, generations], sort_keys=True, default=str).encode()).hexdigest()
    cache_key = key("q", school_id, "-".join(tables), digest)
    hit = get_json(cache_key)
    if hit is not None:
        return cast(T, hit)
    value = compute()
    set_json(cache_key, value, ttl)
    return value


def ping() -> bool:
    try:
        return bool(get_redis().ping())
    except (redis.RedisError, OSError):
        return False
