"""Following a background job from a state: the page's progress while a Celery worker works.

A background event that started a job calls `follow_job`, which reads the job through the jobs
service (off the loop) every `POLL_SECONDS` and hands each reading to the state, under the
state's lock, until the job has finished. The reading is the service's: only the job's starter
and the school's administrators get it.
"""

import asyncio
from collections.abc import Callable
from typing import Any

from oneclass.i18n import _
from oneclass.offload import offload
from oneclass.services import jobs
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound
from oneclass.services.jobs import JobRow

POLL_SECONDS = 0.5


async def follow_job(state: Any, user: CurrentUser, job_id: str, show: Callable[[jobs.JobRow], None]) -> jobs.JobRow:
    """Show the job's progress on `state` (a state inside its own background event) until it
    finishes; returns the last reading."""
    while True:
        try:
            row = await offload(jobs.read_job, actor=user, job_id=job_id)
        except NotFound:  # its school or its starter is gone: nothing more to follow
            row = JobRow(
                id=job_id, kind="", status="failed", done=0, total=0, percent=0, message=_(jobs.NO_SUCH_JOB), result="", finished=True
            )
        async with state:
            show(row)
        if row["finished"]:
            return row
        await asyncio.sleep(POLL_SECONDS)
