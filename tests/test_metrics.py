"""`/metrics` answers for the whole server: figures written by several processes are summed, and
websocket events are timed per handler, not only counted."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from oneclass.observability import EVENT_DURATION, EVENTS, EventMetricsMiddleware
from oneclass.settings import PROJECT_ROOT

COUNT_ONE_EVENT = (
    "from oneclass.observability import EVENT_DURATION, EVENTS;"
    "EVENTS.labels('save_register').inc(); EVENT_DURATION.labels('save_register').observe(0.02)"
)
PRINT_METRICS = "import sys; from oneclass.observability import metrics_text; sys.stdout.write(metrics_text().decode())"


def _python(code: str, metrics_dir: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_metrics_sum_the_figures_of_every_process(tmp_path: Path) -> None:
    """Three workers each handle one event; the fourth, answering the scrape, handled none."""
    for _worker in range(3):
        _python(COUNT_ONE_EVENT, tmp_path)
    exposition = _python(PRINT_METRICS, tmp_path)
    assert 'oneclass_websocket_events_total{handler="save_register"} 3.0' in exposition
    assert 'oneclass_websocket_event_duration_seconds_count{handler="save_register"} 3.0' in exposition
    assert 'oneclass_websocket_event_duration_seconds_bucket{handler="save_register",le="0.025"} 3.0' in exposition


def _sample(metric_name: str, handler: str) -> float:
    for metric in (EVENTS, EVENT_DURATION):
        for family in metric.collect():
            for sample in family.samples:
                if sample.name == metric_name and sample.labels.get("handler") == handler:
                    return sample.value
    return 0.0


def test_an_event_is_timed_until_its_task_ends() -> None:
    """The middleware sees an event's start inside the task Reflex runs it in; the event's time
    is taken when that task ends, after the handler's work."""
    handler = "timed_for_this_test"
    work_seconds = 0.05

    async def one_event() -> None:
        await EventMetricsMiddleware().preprocess(app=None, state=None, event=SimpleNamespace(name=f"state.x.{handler}"))
        await asyncio.sleep(work_seconds)  # the handler's work

    asyncio.run(one_event())
    assert _sample("oneclass_websocket_events_total", handler) == 1
    assert _sample("oneclass_websocket_event_duration_seconds_count", handler) == 1
    assert _sample("oneclass_websocket_event_duration_seconds_sum", handler) >= work_seconds
