"""The Celery tasks a worker runs (`oneclass worker`, or the one `oneclass run` starts).

There is one task: run a job by its id (`oneclass.services.jobs.run`). A transient failure (the
database or Redis unreachable) is tried again after 1, 2, 4, ... seconds; when the tries run out,
the job says so.
"""

import contextlib
import logging
import random
from typing import Any

from celery import Task
from celery.signals import worker_ready

from oneclass.i18n import _
from oneclass.queue import RUN_JOB, celery_app
from oneclass.services import imports, jobs, report_cards

log = logging.getLogger(__name__)

# Modules whose job handlers this worker runs (importing one registers its kinds).
HANDLER_MODULES = (imports, report_cards)

MAX_RETRIES = 6
MAX_RETRY_WAIT_SECONDS = 60


def retry_wait(retries: int) -> float:
    """Seconds before try number `retries + 2`: doubling, capped, with jitter so that workers
    which failed together do not come back together."""
    return min(MAX_RETRY_WAIT_SECONDS, 2**retries) * random.uniform(0.5, 1.0)


@celery_app.task(bind=True, name=RUN_JOB, max_retries=MAX_RETRIES, acks_late=True, reject_on_worker_lost=True)
def run_job(self: Task[Any, Any], job_id: str, school_id: str, user_id: str) -> None:
    try:
        jobs.run(job_id, school_id, user_id)
    except jobs.TRANSIENT as error:
        if self.request.retries >= MAX_RETRIES:
            log.error("job %s gave up after %d tries: %s", job_id, self.request.retries + 1, error)
            try:
                jobs.fail(job_id, school_id, _(jobs.UNREACHABLE))
            except jobs.TRANSIENT_ERRORS:
                log.error("job %s: could not record the failure either", job_id)
            return
        log.warning("job %s: %s; trying again", job_id, error)
        with contextlib.suppress(*jobs.TRANSIENT_ERRORS):  # the database is what failed: the retry still goes ahead
            jobs.note_retry(job_id, school_id)
        raise self.retry(exc=error, countdown=retry_wait(self.request.retries)) from error


@worker_ready.connect
def _requeue_unfinished(**_kwargs: Any) -> None:
    """Jobs a worker that died whole left unfinished go on the queue again as this one starts."""
    try:
        count = jobs.requeue_unfinished()
    except jobs.TRANSIENT_ERRORS as error:  # the database is away: the broker's timeout still applies
        log.warning("could not look for unfinished jobs: %s", error)
        return
    if count:
        log.info("%d unfinished job(s) queued again", count)
