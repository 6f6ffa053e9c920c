"""The Celery application: Redis as broker (the app's own Redis, embedded or REDIS_URL), and how a
job is put on the queue. The tasks themselves live in `oneclass.worker`, which only a worker
process imports; the web processes send by task name.

Jobs are safe to deliver twice: messages are acknowledged only when the task has finished
(`acks_late`), a worker that dies puts its message back, and the task finds its job's row and
does nothing for a job that has already finished (`oneclass.services.jobs.run`).
"""

from typing import Any
from uuid import UUID

from celery import Celery

from oneclass import cache
from oneclass.settings import get_settings

RUN_JOB = "oneclass.run_job"
JOBS_QUEUE = "jobs"
# A message not acknowledged within this long is given to another worker: longer than any job.
VISIBILITY_TIMEOUT_SECONDS = 3 * 3600


def broker_url() -> str:
    """Kombu names a Unix socket (the embedded Redis) `redis+socket://`."""
    url = cache.redis_url()
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


def _configuration() -> dict[str, Any]:
    # Read when the app is first used, not at import: tests and the CLI set the environment first.
    return {
        "broker_url": broker_url(),
        # Every key Celery writes sits under the deployment's prefix, as the cache's do, so two
        # deployments (or two test runs) on one Redis never take each other's jobs.
        "broker_transport_options": {
            "global_keyprefix": f"{get_settings().cache_prefix}:celery:",
            "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
        },
        "broker_connection_retry_on_startup": True,
        "task_default_queue": JOBS_QUEUE,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,  # a job's outcome is its row in `jobs`
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,  # a long import must not hold the next job hostage
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
    }


celery_app = Celery("oneclass", include=["oneclass.worker"], set_as_current=False)
celery_app.add_defaults(_configuration)


def enqueue(job_id: UUID, school_id: UUID, user_id: UUID) -> None:
    """Put a job on the queue; the message names the job, its school and who started it."""
    celery_app.send_task(
        RUN_JOB, kwargs={"job_id": str(job_id), "school_id": str(school_id), "user_id": str(user_id)}, task_id=str(job_id)
    )

