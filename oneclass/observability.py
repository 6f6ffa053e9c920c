"""Metrics (Prometheus) and structured logs (JSON, one object a line, with request id, school
and user on every line).

One backend process (the default without REFLEX_REDIS_URL) owns its metrics; with several
workers, scrape each or run prometheus_client's multiprocess mode (see the README).
"""

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from reflex.middleware import Middleware

REGISTRY = CollectorRegistry()

HTTP_REQUESTS = Counter(
    "oneclass_http_requests_total", "HTTP requests answered", ["method", "route", "status"], registry=REGISTRY
)
HTTP_LATENCY = Histogram(
    "oneclass_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
EVENTS = Counter("oneclass_websocket_events_total", "Reflex events processed", ["handler"], registry=REGISTRY)
CACHE_REQUESTS = Counter(
    "oneclass_cache_requests_total", "Cache look-ups by result (hit, miss, error)", ["result"], registry=REGISTRY
)
RATE_LIMITED = Counter("oneclass_rate_limited_total", "Requests refused by a rate limit", ["scope"], registry=REGISTRY)
BUILD_INFO = Gauge("oneclass_build_info", "Version of the running app", ["version"], registry=REGISTRY)


# Connections checked out and idle, by pool name: what `oneclass.db.pool_stats` answers.
PoolStats = Callable[[], dict[str, dict[str, int]]]


class PoolCollector(Collector):
    """Connections of each database pool, read at scrape time from `stats`."""

    def __init__(self, stats: PoolStats) -> None:
        self.stats = stats

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use = GaugeMetricFamily("oneclass_db_pool_connections_in_use", "Checked-out connections", labels=["pool"])
        idle = GaugeMetricFamily("oneclass_db_pool_connections_idle", "Idle pooled connections", labels=["pool"])
        for name, stats in self.stats().items():
            in_use.add_metric([name], stats["in_use"])
            idle.add_metric([name], stats["idle"])
        yield in_use
        yield idle


def watch_pools(stats: PoolStats) -> None:
    """Export the database pools' connections: `oneclass.db` hands its `pool_stats` over when
    it loads (metrics depend on nothing of the app, so every module may import them)."""
    REGISTRY.register(PoolCollector(stats))


def metrics_text() -> bytes:
    return generate_latest(REGISTRY)


# --- logs ---------------------------------------------------------------------------------------

log_context: ContextVar[dict[str, str]] = ContextVar("log_context", default={})  # noqa: B039


def bind_log_context(**values: str) -> None:
    """Add request_id / school / user to every log line of the current request or event."""
    log_context.set({**log_context.get(), **{k: v for k, v in values.items() if v}})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None,
            "school": None,
            "user": None,
            **log_context.get(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        for key in ("method", "route", "status", "duration_ms", "handler"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        return json.dumps(line, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for our loggers (idempotent)."""
    logger = logging.getLogger("oneclass")
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


class EventMetricsMiddleware(Middleware):
    """Reflex middleware: counts every websocket event by handler name (Reflex 0.10 calls only
    `preprocess`, so there is no end of an event to time here)."""

    async def preprocess(self, app: Any, state: Any, event: Any) -> None:
        handler = event.name.rsplit(".", 1)[-1] if event.name else "unknown"
        EVENTS.labels(handler).inc()
        bind_log_context(handler=handler)
        return None

    async def postprocess(self, app: Any, state: Any, event: Any, update: Any) -> Any:
        return update
