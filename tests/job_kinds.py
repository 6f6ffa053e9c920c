"""Job kinds for the tests, run by the worker the tests start (`celery ... --include tests.job_kinds`).

Each counts its runs in Redis, under the run's cache prefix, so a test can tell how often the
work itself was done (not just how often a message was delivered)."""

import time

import redis
from sqlmodel import Session

from oneclass import cache
from oneclass.services import audit, jobs
from oneclass.services.errors import ValidationFailed

COUNT = "test.count"  # counts to params["to"] in steps, reporting progress
FLAKY = "test.flaky"  # the first try fails as if Redis had gone away
BROKEN = "test.broken"  # always refuses, with a message for the reader
SLOW = "test.slow"  # params["steps"] steps of params["seconds"], then one audit event in its transaction


def runs(job_id: object) -> int:
    return int(cache.get_redis().get(cache.key("test-job-runs", job_id)) or 0)


def _count_run(job: jobs.RunningJob) -> None:
    cache.get_redis().incr(cache.key("test-job-runs", job.id))


@jobs.handler(COUNT)
def count(_session: Session, job: jobs.RunningJob) -> jobs.Outcome:
    _count_run(job)
    to = int(job.params["to"])
    for done in range(0, to + 1, max(1, to // 5)):
        job.progress(done, to)
    job.progress(to, to)
    return jobs.Outcome(f"counted to {to}", result=f"{job.actor.school_id}/counted")


@jobs.handler(FLAKY)
def flaky(_session: Session, job: jobs.RunningJob) -> jobs.Outcome:
    _count_run(job)
    if job.attempt == 1:
        raise redis.ConnectionError("Redis went away (on purpose)")
    return jobs.Outcome(f"succeeded on try {job.attempt}")


@jobs.handler(BROKEN)
def broken(_session: Session, job: jobs.RunningJob) -> jobs.Outcome:
    _count_run(job)
    raise ValidationFailed({"file": "The file has 3 problem(s)."})


@jobs.handler(SLOW)
def slow(session: Session, job: jobs.RunningJob) -> jobs.Outcome:
    _count_run(job)
    steps = int(job.params["steps"])
    for step in range(1, steps + 1):
        time.sleep(float(job.params["seconds"]))
        job.progress(step, steps)
    assert job.actor.school_id is not None
    audit.record(session, school_id=job.actor.school_id, action="test.slow.done", actor=audit.Actor(job.actor.id, job.actor.email), target=str(job.id))
    return jobs.Outcome(f"{steps} slow steps")
