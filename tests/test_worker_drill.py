"""The fault drill of a Celery worker killed whole (SIGKILL, its pool and all) in the middle of a
job. In a module of its own: no other worker of this run may be consuming the queue meanwhile."""

import os
import signal
import time

from sqlalchemy import text

from models import Role
from oneclass import db
from oneclass.services import jobs
from oneclass.settings import PROJECT_ROOT
from tests import job_kinds
from tests.test_jobs import WORKER_DEADLINE_SECONDS, sign_in, start, wait_until_finished
from tests.workers import celery_worker, start_worker


def test_a_worker_killed_whole_mid_job_leaves_it_to_the_next_which_finishes_it_once(two_schools) -> None:
    """The fault drill: a worker (prefork, as `oneclass worker` runs) is killed with SIGKILL, pool
    and all, halfway through a job. Nothing of the job is kept (its work commits with its end),
    the broker would hold its message for hours; the next worker to start sends it again, runs it
    to the end, and its one audit event is written once."""
    school, _ = two_schools
    admin = sign_in(school, Role.school_admin)
    with (PROJECT_ROOT / ".oneclass" / "test-worker-killed.log").open("wb") as log:
        first = start_worker(log, celery_worker(pool="prefork"))
        try:
            started = start(admin, job_kinds.SLOW, "killed-mid-job", steps=40, seconds=0.25)
            deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
            while jobs.read_job(actor=admin, job_id=started.id)["done"] < 2:  # under way
                assert time.monotonic() < deadline and first.poll() is None, "the job did not start; see .oneclass/test-worker-killed.log"
                time.sleep(0.1)
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        halfway = jobs.read_job(actor=admin, job_id=started.id)
        assert (halfway["status"], halfway["finished"]) == ("running", False)
        second = start_worker(log, celery_worker())
        try:
            row = wait_until_finished(admin, started.id, second)
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)
    assert (row["status"], row["message"], row["done"]) == ("succeeded", "40 slow steps", 40), row
    assert job_kinds.runs(started.id) == 2  # begun twice, finished once
    with db.tenant_session(school.id) as session:
        done = session.execute(text("SELECT count(*) FROM audit_events WHERE action = 'test.slow.done' AND target = :id"), {"id": str(started.id)}).scalar()
    assert done == 1
