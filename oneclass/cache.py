"""Redis: one client, JSON get/set with school-scoped keys, and graceful degradation.

When Redis is unreachable every helper behaves as a cache miss, so the app keeps serving from
PostgreSQL (health reports "degraded"). The first failure trips a breaker: until a background
probe reaches Redis again, every command fails at once instead of waiting out its timeout, so a
request that touches Redis five times does not wait five timeouts. Cached query results are keyed by the version of each
table they read; every commit that writes a school's table moves that version on (the hook this
module registers with `oneclass.db.after_commit`).
"""

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar, cast

import redis
from redis.client import Pipeline

from oneclass import db, embedded
from oneclass.observability import CACHE_BREAKER_TRIPS, CACHE_REQUESTS
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


SOCKET_TIMEOUT_SECONDS = 0.5
PROBE_SECONDS = 1.0  # how often the breaker's probe tries Redis while it is away
# The errors that mean "Redis is away", not "this command was wrong".
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, OSError)


class BreakerOpen(redis.ConnectionError):
    """Refused at once: Redis was unreachable a moment ago and has not answered the probe yet."""


def _warn(what: str, error: Exception) -> None:
    """Log a failed cache call, except the fast refusals of an outage already logged once."""
    if not isinstance(error, BreakerOpen):
        log.warning("%s failed: %s", what, error)


class Breaker:
    """Open from Redis's first failure until a probe, in a thread of its own, reaches it again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened_at: float | None = None
        self._generation = 0  # a new client (other settings) ends the last one's probe

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def refuse(self) -> None:
        if self._opened_at is not None:
            raise BreakerOpen(f"Redis is unreachable (breaker open {time.monotonic() - self._opened_at:.1f} s)")

    def trip(self, url: str) -> None:
        with self._lock:
            if self._opened_at is not None:
                return
            self._opened_at = time.monotonic()
            generation = self._generation
        CACHE_BREAKER_TRIPS.inc()
        log.warning("Redis is unreachable: failing fast until it answers again")
        threading.Thread(target=self._probe, args=(url, generation), name="redis-probe", daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self._opened_at = None
            self._generation += 1

    def _probe(self, url: str, generation: int) -> None:
        probe = redis.Redis.from_url(url, socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, socket_timeout=SOCKET_TIMEOUT_SECONDS)
        try:
            while generation == self._generation:
                time.sleep(PROBE_SECONDS)
                try:
                    probe.ping()
                except (redis.RedisError, OSError):
                    continue
                with self._lock:
                    if generation == self._generation:
                        self._opened_at = None
                log.warning("Redis answers again")
                return
        finally:
            probe.close()


BREAKER = Breaker()


class GuardedPipeline(Pipeline):
    def execute(self, raise_on_error: bool = True) -> list[Any]:
        BREAKER.refuse()
        try:
            return super().execute(raise_on_error)
        except UNREACHABLE:
            BREAKER.trip(redis_url())
            raise


class GuardedRedis(redis.Redis):
    """A client that fails at once while the breaker is open, and trips it when Redis is away."""

    def execute_command(self, *args: Any, **options: Any) -> Any:
        BREAKER.refuse()
        try:
            return super().execute_command(*args, **options)
        except UNREACHABLE:
            BREAKER.trip(redis_url())
            raise

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> GuardedPipeline:
        return GuardedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)


@lru_cache
def get_redis() -> GuardedRedis:
    client = GuardedRedis.from_url(
        redis_url(), socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, socket_timeout=SOCKET_TIMEOUT_SECONDS, health_check_interval=30
    )
    return cast(GuardedRedis, client)


def reset_cache_client() -> None:
    if get_redis.cache_info().currsize:
        get_redis().close()
    get_redis.cache_clear()
    redis_url.cache_clear()
    BREAKER.reset()


def key(*parts: object) -> str:
    """A cache key under this deployment's prefix, e.g. key('school', school_id, 'config')."""
    return ":".join([get_settings().cache_prefix, *(str(part) for part in parts)])


def get_json(cache_key: str) -> Any | None:
    try:
        # redis-py types its sync and asyncio clients as one: this client answers at once.
        raw = cast(bytes | None, get_redis().get(cache_key))
    except (redis.RedisError, OSError) as error:
        CACHE_REQUESTS.labels("error").inc()
        _warn("cache read", error)
        return None
    CACHE_REQUESTS.labels("miss" if raw is None else "hit").inc()
    return None if raw is None else json.loads(raw)


def set_json(cache_key: str, value: Any, ttl_seconds: int) -> None:
    try:
        get_redis().set(cache_key, json.dumps(value), ex=ttl_seconds)
    except (redis.RedisError, OSError) as error:
        _warn("cache write", error)


def delete(*cache_keys: str) -> None:
    try:
        get_redis().delete(*cache_keys)
    except (redis.RedisError, OSError) as error:
        _warn("cache delete", error)


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
        _warn("cache invalidation", error)


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
