"""Redis: one client, JSON get/set with school-scoped keys, and graceful degradation.

When Redis is unreachable every helper behaves as a cache miss, so the app keeps serving from
PostgreSQL (health reports "degraded").
"""

import json
import logging
from functools import lru_cache
from typing import Any

import redis

from oneclass import embedded
from oneclass.settings import get_settings

log = logging.getLogger(__name__)

# Time-to-live per category of cached data (seconds).
TTL_SCHOOL_CONFIG = 24 * 3600
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
        raw = get_redis().get(cache_key)
    except (redis.RedisError, OSError) as error:
        log.warning("cache read failed: %s", error)
        return None
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


def ping() -> bool:
    try:
        return bool(get_redis().ping())
    except (redis.RedisError, OSError):
        return False
