"""OpenTelemetry traces: a span for each API request (FastAPI's own) and each websocket event
(Reflex's own trace points), children for the SQL it runs (`watch_engine`) and the Celery task it
queues, which the worker continues. Spans carry the request id, the school and the user (`tag_span`, called wherever
the log context learns them). Exported over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT` (a
collector, or Jaeger's OTLP port); unset, nothing is set up and nothing of the SDK is imported.
"""

import logging
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event

from oneclass.settings import get_settings

log = logging.getLogger(__name__)

ATTRIBUTE_PREFIX = "oneclass."
SQL_TEXT_LIMIT = 2000  # characters of a statement kept on its span (never its parameters)

_provider: Any = None
# The span of the request or event under way: what `tag_span` names, even from a child span's
# code (FastAPI runs dependencies in spans of their own).
_root_span: ContextVar[Any] = ContextVar("root_span", default=None)


def tracing_enabled() -> bool:
    return _provider is not None


def configure_tracing(service_name: str) -> bool:
    """Set tracing up in this process when an endpoint is configured (once; True if it is on).
    Call it before the database engines and the ASGI app are made: both are instrumented as
    they are created."""
    global _provider
    endpoint = get_settings().otel_exporter_otlp_endpoint
    if not endpoint or _provider is not None:
        return _provider is not None
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from reflex_base import otel

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")))
    trace.set_tracer_provider(provider)  # FastAPI's request spans use the global provider
    CeleryInstrumentor().instrument(tracer_provider=provider)
    otel.enable(tracer_provider=provider)
    _provider = provider
    log.info("tracing to %s as %s", endpoint, service_name)
    return True


def watch_engine(engine: Engine) -> None:
    """A span for each statement `engine` runs, under the request's or event's span (`oneclass.db`
    calls this as it makes each engine; nothing when tracing is off)."""
    if _provider is None:
        return
    tracer = _provider.get_tracer("oneclass.db")
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, _p, context, _m: _start_sql(tracer, statement, context))
    event.listen(engine, "after_cursor_execute", lambda _c, _cur, _s, _p, context, _m: _end_sql(context))
    event.listen(engine, "handle_error", lambda failure: _end_sql(failure.execution_context, failure.original_exception))


def _start_sql(tracer: Any, statement: str, context: Any) -> None:
    from opentelemetry.trace import SpanKind

    words = statement.split(None, 1)
    context._oneclass_span = tracer.start_span(
        words[0].upper() if words else "SQL",
        kind=SpanKind.CLIENT,
        attributes={"db.system.name": "postgresql", "db.query.text": statement[:SQL_TEXT_LIMIT]},
    )


def _end_sql(context: Any, error: BaseException | None = None) -> None:
    span = getattr(context, "_oneclass_span", None)
    if span is None:
        return
    if error is not None:
        from opentelemetry.trace import StatusCode

        span.set_status(StatusCode.ERROR, type(error).__name__)
    span.end()
    context._oneclass_span = None


def mark_root_span() -> None:
    """The current span is the request's or the event's (called where each begins)."""
    if _provider is None:
        return
    from opentelemetry import trace

    _root_span.set(trace.get_current_span())


def tag_span(**values: str) -> None:
    """Name the request id, school or user on the span of the request or event under way;
    nothing when tracing is off."""
    if _provider is None:
        return
    from opentelemetry import trace

    span = _root_span.get() or trace.get_current_span()
    span.set_attributes({ATTRIBUTE_PREFIX + key: value for key, value in values.items() if value})


def flush_spans() -> None:
    """Send what is batched now (the end of a worker, or a test that reads the spans)."""
    if _provider is not None:
        _provider.force_flush()
