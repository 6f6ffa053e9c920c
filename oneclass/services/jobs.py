"""Background jobs: starting one (once per key), following its progress, and running it on a
Celery worker as the user who started it, under the same tenant rules as a click.

A feature that runs work in the background registers a handler for its kind (`@handler(kind)`):
`handler(session, job) -> Outcome` does the work inside the job's one unit of work and calls
`job.progress(done, total)` as it goes. The feature's public service function checks its own
permission, calls `start` inside its unit of work and `enqueue` after the commit.

On the worker, `run` rebuilds the actor from the database (a suspended school or a removed or
deactivated user is refused), marks the job running in a transaction of its own (so the page sees
it), then runs the handler and marks the job succeeded in the handler's transaction: the work and
"it is done" commit together, so a message delivered twice finds the job done and does nothing.
Progress is written in short transactions of its own, which the page reads while the work runs.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict
from uuid import UUID

import redis
from sqlalchemy import exc as sql_errors
from sqlalchemy import func as sql_func
from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from models import Job, JobStatus, School, SchoolStatus, User
from oneclass import i18n, storage
from oneclass.current_user import CurrentUser
from oneclass.db import tenant_session, unit_of_work
from oneclass.i18n import N_, _
from oneclass.permissions import PermissionDenied, can, require
from oneclass.services.errors import Conflict, NotFound, ValidationFailed

log = logging.getLogger(__name__)

# A job's params may name an upload (a storage key of the caller's school) that the job reads;
# it is deleted when the job finishes, either way.
UPLOAD = "upload"
READ_JOBS = "jobs.read"  # a job one started
MANAGE_JOBS = "jobs.manage"  # every job of the school

NO_SUCH_JOB = N_("No such job.")
FAILED = N_("The job stopped because of an error; nothing of it was kept. Try again, and if it fails again, tell your administrator.")
UNREACHABLE = N_("The job could not reach the database or the cache, even after several tries; nothing of it was kept. Try again later.")
NOT_QUEUED = N_("The job could not be queued because the cache is unreachable; nothing was done. Try again later.")
RETRYING = N_("Waiting to try again…")
SCHOOL_SUSPENDED = N_("This school's account is suspended: the job was not run.")
USER_GONE = N_("The person who started this job can no longer sign in: the job was not run.")

# Failures that pass: the worker tries the job again, with a growing wait, before giving up.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    sql_errors.OperationalError,
    sql_errors.InterfaceError,
    sql_errors.DisconnectionError,
    redis.ConnectionError,
    redis.TimeoutError,
)


class JobBusy(Exception):
    """Another worker runs this job right now (its message delivered twice). That worker
    finishes it, or dies and has its own message delivered again (`acks_late`): this delivery
    has nothing to do."""


TRANSIENT: tuple[type[BaseException], ...] = TRANSIENT_ERRORS


class JobRefused(Exception):
    """The job may not run at all (its school suspended, its user gone); `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Outcome:
    """What a finished job tells its reader, and what it made (e.g. a storage key)."""

    message: str
    result: str | None = None


@dataclass(frozen=True)
class RunningJob:
    """A job as its handler sees it on the worker."""

    id: UUID
    kind: str
    actor: CurrentUser
    params: dict[str, Any]
    attempt: int  # 1 the first time, 2 after one retry, ...
    total: int = 0
    progress: Callable[[int, int], None] = field(default=lambda _done, _total: None)


Handler = Callable[[Session, RunningJob], Outcome]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does `kind`'s work on the worker."""

    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


class JobRow(TypedDict):
    id: str
    kind: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    result: str
    finished: bool


def _row(job: Job) -> JobRow:
    finished = job.status in (JobStatus.succeeded, JobStatus.failed)
    percent = 100 if job.status == JobStatus.succeeded else (min(100, round(100 * job.done / job.total)) if job.total else 0)
    return JobRow(
        id=str(job.id), kind=job.kind, status=str(job.status), done=job.done, total=job.total, percent=percent,
        message=job.message, result=job.result or "", finished=finished,
    )


# --- starting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartedJob:
    id: UUID
    school_id: UUID
    created_by: UUID
    to_enqueue: bool  # False: the key's job exists and is queued, running or done


def start(session: Session, *, actor: CurrentUser, kind: str, key: str, params: dict[str, Any] | None = None, total: int = 0) -> StartedJob:
    """The job of `key` in the actor's school: made now, or the one there is. A failed one is
    queued again (the same work, tried anew); any other is left as it is. A key names the work,
    so two people asking for the same work share one job (a per-person job puts the person in
    its key). Inside the caller's transaction; call `enqueue` after it commits."""
    assert actor.school_id is not None
    inserted = session.execute(
        insert(Job)
        .values(school_id=actor.school_id, kind=kind, key=key, params=params or {}, total=total, created_by=actor.id, status=JobStatus.queued.value)
        .on_conflict_do_nothing(index_elements=["school_id", "key"])
        .returning(col(Job.id))
    ).scalar()
    if inserted is not None:
        return StartedJob(inserted, actor.school_id, actor.id, True)
    job = session.exec(select(Job).where(Job.key == key).with_for_update()).one()
    if job.status != JobStatus.failed:
        return StartedJob(job.id, actor.school_id, job.created_by, False)
    job.status, job.done, job.total, job.message, job.result, job.finished_at = JobStatus.queued, 0, total, "", None, None
    job.params, job.created_by, job.kind = params or {}, actor.id, kind
    session.add(job)
    session.flush()
    return StartedJob(job.id, actor.school_id, actor.id, True)


def enqueue(started: StartedJob) -> None:
    """After the commit that made the job: send its message (once). When the broker cannot be
    reached the job is marked failed, with a message, rather than left queued forever."""
    if not started.to_enqueue:
        return
    from oneclass.queue import enqueue as send  # the Celery app: only the callers that queue load it

    try:
        send(started.id, started.school_id, started.created_by)
    except Exception as error:  # kombu raises its own and the transport's errors here
        log.warning("job %s could not be queued: %s", started.id, error)
        fail(started.id, started.school_id, _(NOT_QUEUED))


def requeue_unfinished() -> int:
    """Send again the message of every school's unfinished job; how many. A worker calls it as it
    starts: a worker killed whole (SIGKILL, its machine lost) leaves its job's message with the
    broker unacknowledged until the visibility timeout, hours later. A second message is
    harmless: a finished job ignores it, and one running elsewhere holds its lock (`_run_once`)."""
    with tenant_session(None) as session:  # no school: the function returns ids only (its migration: 0018)
        rows = session.execute(text("SELECT id, school_id, created_by FROM unfinished_jobs()")).all()
    for job_id, school_id, created_by in rows:
        enqueue(StartedJob(job_id, school_id, created_by, True))
    return len(rows)


# --- following ------------------------------------------------------------------------------


def read_job(*, actor: CurrentUser, job_id: UUID | str) -> JobRow:
    """A job, for the person who started it or the school's administrators."""
    require(actor, READ_JOBS)
    with unit_of_work(actor) as session:
        job = session.get(Job, _uuid(job_id))
        if job is None or (job.created_by != actor.id and not can(actor, MANAGE_JOBS)):
            raise NotFound(_(NO_SUCH_JOB))
        return _row(job)


def _uuid(value: UUID | str) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        raise NotFound(_(NO_SUCH_JOB)) from None


# --- running, on the worker -----------------------------------------------------------------


def _set(job_id: UUID, school_id: UUID, **values: Any) -> None:
    """Change a job's row in a short transaction of its own, so readers see it at once."""
    with tenant_session(school_id) as session:
        session.execute(update(Job).where(col(Job.id) == job_id).values(**values))
        session.commit()


def report_progress(job_id: UUID, school_id: UUID, done: int, total: int) -> None:
    _set(job_id, school_id, done=max(0, done), total=max(0, total))


def fail(job_id: UUID | str, school_id: UUID | str, message: str) -> None:
    """Mark a job failed with a message for its reader (unless it has already finished)."""
    with tenant_session(school_id) as session:
        params = session.execute(
            update(Job)
            .where(col(Job.id) == _uuid(job_id), col(Job.status).in_([JobStatus.queued.value, JobStatus.running.value]))
            .values(status=JobStatus.failed.value, message=message, finished_at=sql_func.now())
            .returning(col(Job.params))
        ).scalar()
        session.commit()
    _forget_upload(_uuid(school_id), params)


def _forget_upload(school_id: UUID, params: dict[str, Any] | None) -> None:
    if params and params.get(UPLOAD):
        try:
            storage.delete(_School(school_id), params[UPLOAD])
        except Exception as error:  # the job's outcome stands; a left file is only space
            log.warning("could not delete the upload %s: %s", params[UPLOAD], error)


@dataclass(frozen=True)
class _School:
    school_id: UUID


def note_retry(job_id: UUID | str, school_id: UUID | str) -> None:
    _set(_uuid(job_id), _uuid(school_id), message=_(RETRYING))


def _actor(session: Session, school_id: UUID, user_id: UUID) -> tuple[CurrentUser, str]:
    """The user who started the job, as they are now, and the language to write to them in."""
    school = session.get(School, school_id)
    if school is None or school.status != SchoolStatus.active:
        raise JobRefused(_(SCHOOL_SUSPENDED))
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise JobRefused(_(USER_GONE))
    # A job is not a sign-in: it acts through no refresh-token family, so the nil id stands in.
    actor = CurrentUser(
        id=user.id, school_id=school_id, email=user.email, full_name=user.full_name, role=user.role,
        family_id=UUID(int=0), language=user.language,
    )
    return actor, user.language or school.language


def _claim(job_id: UUID, school_id: UUID) -> Job | None:
    """Mark the job running (one more attempt), in its own transaction; None if it has finished."""
    with tenant_session(school_id) as session:
        job = session.exec(
            select(Job).where(col(Job.id) == job_id, col(Job.status).in_([JobStatus.queued.value, JobStatus.running.value])).with_for_update()
        ).first()
        if job is None:
            return None
        job.status, job.attempts, job.message = JobStatus.running, job.attempts + 1, ""
        session.add(job)
        session.commit()
        return job


def run(job_id: UUID | str, school_id: UUID | str, user_id: UUID | str) -> None:
    """Do a job on the worker. Transient failures (`TRANSIENT`) are raised for the worker to try
    again; any other failure, and a refusal, is written on the job for its reader."""
    job_uuid, school_uuid = _uuid(job_id), _uuid(school_id)
    with tenant_session(school_uuid) as session:
        try:
            actor, language = _actor(session, school_uuid, _uuid(user_id))
        except JobRefused as refused:
            session.rollback()
            fail(job_uuid, school_uuid, refused.message)
            return
    with i18n.language(language):
        job = _claim(job_uuid, school_uuid)
        if job is None:
            return
        work = _HANDLERS.get(job.kind)
        if work is None:
            log.error("job %s: no handler for kind %r in this worker", job.id, job.kind)
            fail(job_uuid, school_uuid, _(FAILED))
            return
        running = RunningJob(
            id=job.id, kind=job.kind, actor=actor, params=job.params, attempt=job.attempts, total=job.total,
            progress=lambda done, total: report_progress(job_uuid, school_uuid, done, total),
        )
        try:
            _run_once(work, running)
            _forget_upload(school_uuid, job.params)
        except JobBusy:
            log.info("job %s is running on another worker; this delivery does nothing", job.id)
        except TRANSIENT:
            raise
        except (ValidationFailed, PermissionDenied, NotFound, Conflict, JobRefused) as refusal:
            fail(job_uuid, school_uuid, _refusal_message(refusal))
        except Exception:
            log.exception("job %s (%s) failed", job.id, job.kind)
            fail(job_uuid, school_uuid, _(FAILED))


def _run_once(work: Handler, job: RunningJob) -> None:
    """The handler's work and "succeeded" in one transaction, while no other worker runs it."""
    with unit_of_work(job.actor) as session:
        # A transaction-level lock, not a row lock: progress updates write the row meanwhile.
        if not session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:key))"), {"key": f"job:{job.id}"}).scalar():
            raise JobBusy(str(job.id))
        status = session.execute(select(Job.status).where(col(Job.id) == job.id)).scalar()
        if status != JobStatus.running:
            return  # finished by another delivery of the same message while this one waited
        outcome = work(session, job)
        session.execute(
            update(Job)
            .where(col(Job.id) == job.id)
            .values(status=JobStatus.succeeded.value, done=Job.total, message=outcome.message, result=outcome.result, finished_at=sql_func.now())
        )


def _refusal_message(refusal: Exception) -> str:
    if isinstance(refusal, ValidationFailed):
        return " ".join(refusal.errors.values())
    if isinstance(refusal, NotFound | Conflict | JobRefused):
        return refusal.message
    return str(refusal)
