"""Fixed-window rate limits in Redis, shared by every worker; without Redis, nothing is limited."""

import time
from dataclasses import dataclass

import redis

from oneclass import cache
from oneclass.observability import RATE_LIMITED


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the window ends


def hit(scope: str, subject: str, *, limit: int, window_seconds: int = 60) -> Verdict:
    """Count one request of `subject` (a token hash, an address) against `limit` per window."""
    window = int(time.time() // window_seconds)
    counter = cache.key("rate", scope, subject, window)
    try:
        pipe = cache.get_redis().pipeline()
        pipe.incr(counter).expire(counter, window_seconds + 1)
        count = pipe.execute()[0]
    except (redis.RedisError, OSError):
        return Verdict(True)
    if count > limit:
        RATE_LIMITED.labels(scope).inc()
        return Verdict(False, retry_after=window_seconds - int(time.time() % window_seconds) or 1)
    return Verdict(True)
