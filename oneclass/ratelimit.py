"""Fixed-window rate limits in Redis, shared by every worker; without Redis, nothing is limited."""

import time
from dataclasses import dataclass

import redis

from oneclass import cache
from oneclass.observability import RATE_LIMITED


@dataclass(frozen=True)
class Limit:
    scope: str  # "ip", "token"
    subject: str  # the address, a hash of the token
    per_window: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the window ends


def hit(*limits: Limit, window_seconds: int = 60) -> Verdict:
    """Count one request against every limit (one round trip); refused if any is exceeded."""
    now = time.time()
    window = int(now // window_seconds)
    counters = [cache.key("rate", limit.scope, limit.subject, window) for limit in limits]
    try:
        pipe = cache.get_redis().pipeline(transaction=False)
        for counter in counters:
            pipe.incr(counter)
            pipe.expire(counter, window_seconds + 1)
        counts = pipe.execute()[::2]
    except (redis.RedisError, OSError):
        return Verdict(True)
    for limit, count in zip(limits, counts, strict=True):
        if count > limit.per_window:
            RATE_LIMITED.labels(limit.scope).inc()
            return Verdict(False, retry_after=window_seconds - int(now % window_seconds) or 1)
    return Verdict(True)
