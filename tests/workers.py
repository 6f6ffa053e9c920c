"""Celery workers the tests start: real processes on this run's Redis and database (the run's
prefix keeps their queue apart), each in a process group of its own, its output in a log under
`.oneclass/`."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from oneclass.settings import PROJECT_ROOT


def celery_worker(*, pool: str = "solo", test_kinds: bool = True) -> list[str]:
    """A worker of one process at a time (`solo`: in the order queued), with the test job kinds
    (`tests/job_kinds.py`) or only the app's tasks."""
    command = [
        sys.executable, "-m", "celery", "-A", "oneclass.queue:celery_app", "worker", f"--pool={pool}", "--concurrency=1",
        "--loglevel=INFO", "--without-heartbeat", "--without-mingle", "--without-gossip",
    ]
    return [*command, "--include=tests.job_kinds"] if test_kinds else command


def start_worker(log: IO[bytes], command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


@contextmanager
def worker_process(log_name: str, command: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    """A worker for the block; stopped at its end (a warm shutdown, killed after 30 s)."""
    with (PROJECT_ROOT / ".oneclass" / log_name).open("wb") as log:
        process = start_worker(log, command)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
