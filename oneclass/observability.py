"""Metrics (Prometheus) and structured logs (JSON, one object a line, with request id, school
and user on every line).

`oneclass run` gives every process it starts (the web workers and the Celery worker) one
directory in PROMETHEUS_MULTIPROC_DIR: each process writes its figures there and `/metrics`, on
whichever worker answers, sums them (prometheus_client's multiprocess mode). Without that variable
(tests, one process) the figures are this process's own.
"""

import asyncio
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from reflex.middleware import Middleware

from oneclass.tracing import mark_root_span, tag_span

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
EVENT_DURATION = Histogram(
    "oneclass_websocket_event_duration_seconds",
    "Time from a Reflex event's state being loaded to its handler's last delta sent",
    ["handler"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
CACHE_REQUESTS = Counter(
    "oneclass_cache_requests_total", "Cache look-ups by result (hit, miss, error)", ["result"], registry=REGISTRY
)
RATE_LIMITED = Counter("oneclass_rate_limited_total", "Requests refused by a rate limit", ["scope"], registry=REGISTRY)
BUILD_INFO = Gauge(
    "oneclass_build_info", "Version of the running app", ["version"], multiprocess_mode="max", registry=REGISTRY
)
# Summed over the live processes: the whole server's connections to PostgreSQL.
POOL_IN_USE = Gauge(
    "oneclass_db_pool_connections_in_use", "Checked-out connections", ["pool"], multiprocess_mode="livesum", registry=REGISTRY
)
POOL_IDLE = Gauge(
    "oneclass_db_pool_connections_idle", "Idle pooled connections", ["pool"], multiprocess_mode="livesum", registry=REGISTRY
)

# Connections checked out and idle, by pool name: what `oneclass.db.pool_stats` answers.
PoolStats = Callable[[], dict[str, dict[str, int]]]
_pool_stats: list[PoolStats] = []
# How often each process of a multi-process server writes its pools' figures down: the process
# that answers a scrape cannot read the others' pools.
POOL_REFRESH_SECONDS = 2.0


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def _refresh_pools() -> None:
    for stats in _pool_stats:
        for name, counts in stats().items():
            POOL_IN_USE.labels(name).set(counts["in_use"])
            POOL_IDLE.labels(name).set(counts["idle"])


def _refresh_pools_forever() -> None:
    while True:
        time.sleep(POOL_REFRESH_SECONDS)
        _refresh_pools()


def _start_pool_refresher() -> None:
    if multiprocess_dir() and _pool_stats:
        threading.Thread(target=_refresh_pools_forever, name="pool-metrics", daemon=True).start()


def watch_pools(stats: PoolStats) -> None:
    """Export the database pools' connections: `oneclass.db` hands its `pool_stats` over when
    it loads (metrics depend on nothing of the app, so every module may import them)."""
    _pool_stats.append(stats)
    if len(_pool_stats) == 1:
        _start_pool_refresher()
        # A server that loads the app and then forks its workers: each child writes its own pools.
        os.register_at_fork(after_in_child=_start_pool_refresher)


def metrics_text() -> bytes:
    """The exposition of this process, or of every process of the server in multiprocess mode."""
    _refresh_pools()
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return generate_latest(registry)


# --- logs ---------------------------------------------------------------------------------------

log_context: ContextVar[dict[str, str]] = ContextVar("log_context", default={})  # noqa: B039


def bind_log_context(**values: str) -> None:
    """Add request_id / school / user to every log line of the current request or event, and to
    its trace span."""
    log_context.set({**log_context.get(), **{k: v for k, v in values.items() if v}})
    tag_span(**values)


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


def _time_event(handler: str, started: float) -> Callable[[asyncio.Future[Any]], None]:
    def finished(_task: asyncio.Future[Any]) -> None:
        EVENT_DURATION.labels(handler).observe(time.perf_counter() - started)

    return finished


class EventMetricsMiddleware(Middleware):
    """Reflex middleware: counts and times every websocket event by handler name.

    Reflex 0.10 calls only `preprocess`, from inside the task it runs each event in, once the
    session's state is loaded: the end of that task is the end of the event (handler run, delta
    sent), so a done-callback on it times the event. The time waited for the state's lock is
    not in it (the load generator's round trips include it)."""

    async def preprocess(self, app: Any, state: Any, event: Any) -> None:
        handler = event.name.rsplit(".", 1)[-1] if event.name else "unknown"
        EVENTS.labels(handler).inc()
        mark_root_span()  # Reflex's span of this event
        bind_log_context(handler=handler)
        task = asyncio.current_task()
        if task is not None:
            task.add_done_callback(_time_event(handler, time.perf_counter()))
        return None

    async def postprocess(self, app: Any, state: Any, event: Any, update: Any) -> Any:
        return update
