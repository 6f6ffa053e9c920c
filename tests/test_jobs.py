"""Background jobs on a real Celery worker (its own process, on this run's Redis and database):
progress to the end, a transient failure tried again, a key that runs once, a refusal's message,
and who may read a job (a worker killed in the middle of one: `test_worker_drill.py`)."""

import subprocess
import time
from collections.abc import Iterator
from uuid import UUID

import pytest
from sqlalchemy import text, update

from models import Job, Role, School, SchoolStatus, User
from oneclass import db
from oneclass.current_user import CurrentUser
from oneclass.queue import enqueue
from oneclass.services import auth, jobs
from oneclass.services.errors import NotFound
from oneclass.tenancy import find_school_route
from tests import job_kinds
from tests.conftest import TEST_PASSWORD, SchoolFixture, fresh_ip
from tests.workers import celery_worker, worker_process

WORKER_DEADLINE_SECONDS = 90  # a hung worker fails the test instead of hanging it; not a timing


@pytest.fixture(scope="module")
def worker() -> Iterator[subprocess.Popen[bytes]]:
    """One worker for the module. Solo: one job at a time, in the order queued, which the
    duplicate-delivery test relies on."""
    with worker_process("test-worker.log", celery_worker()) as process:
        yield process


def sign_in(school: SchoolFixture, role: Role) -> CurrentUser:
    route = find_school_route(subdomain=school.subdomain)
    return auth.sign_in(school=route, email=f"{role.value}@{school.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip()).user


def start(actor: CurrentUser, kind: str, key: str, **params: object) -> jobs.StartedJob:
    with db.unit_of_work(actor) as session:
        started = jobs.start(session, actor=actor, kind=kind, key=key, params=params)
    jobs.enqueue(started)
    return started


def wait_until_finished(actor: CurrentUser, job_id: UUID, worker: subprocess.Popen[bytes]) -> jobs.JobRow:
    deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker exited; see .oneclass/test-worker.log"
        row = jobs.read_job(actor=actor, job_id=job_id)
        if row["finished"]:
            return row
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish; see .oneclass/test-worker.log")


def test_a_job_reports_progress_and_runs_to_the_end(two_schools, worker) -> None:
    school, _ = two_schools
    admin = sign_in(school, Role.school_admin)
    started = start(admin, job_kinds.COUNT, "count-to-500", to=500)
    assert started.to_enqueue
    queued = jobs.read_job(actor=admin, job_id=started.id)
    assert queued["status"] in ("queued", "running", "succeeded") and queued["kind"] == job_kinds.COUNT
    row = wait_until_finished(admin, started.id, worker)
    assert row["status"] == "succeeded", row
    assert (row["done"], row["total"], row["percent"]) == (500, 500, 100)
    assert row["message"] == "counted to 500"
    assert row["result"] == f"{school.id}/counted"
    assert job_kinds.runs(started.id) == 1


def test_a_transient_failure_is_tried_again_and_succeeds(two_schools, worker) -> None:
    school, _ = two_schools
    admin = sign_in(school, Role.school_admin)
    started = start(admin, job_kinds.FLAKY, "flaky-once")
    row = wait_until_finished(admin, started.id, worker)
    assert row["status"] == "succeeded", row
    assert row["message"] == "succeeded on try 2"
    assert job_kinds.runs(started.id) == 2


def test_the_same_key_runs_once(two_schools, worker) -> None:
    school, _ = two_schools
    admin = sign_in(school, Role.school_admin)
    first = start(admin, job_kinds.COUNT, "same-key", to=10)
    again = start(admin, job_kinds.COUNT, "same-key", to=10)
    assert again.id == first.id and not again.to_enqueue
    wait_until_finished(admin, first.id, worker)
    # The message delivered once more (a worker died before acknowledging it): nothing is redone.
    enqueue(first.id, first.school_id, first.created_by)
    marker = start(admin, job_kinds.COUNT, "after-the-duplicate", to=1)  # one job at a time: runs after it
    wait_until_finished(admin, marker.id, worker)
    assert job_kinds.runs(first.id) == 1
    assert jobs.read_job(actor=admin, job_id=first.id)["status"] == "succeeded"


def test_a_refused_job_says_why_and_a_failed_key_can_run_again(two_schools, worker) -> None:
    school, _ = two_schools
    admin = sign_in(school, Role.school_admin)
    started = start(admin, job_kinds.BROKEN, "broken")
    row = wait_until_finished(admin, started.id, worker)
    assert (row["status"], row["message"]) == ("failed", "The file has 3 problem(s).")
    assert job_kinds.runs(started.id) == 1  # a refusal is not transient: not tried again
    again = start(admin, job_kinds.BROKEN, "broken")
    assert again.id == started.id and again.to_enqueue
    wait_until_finished(admin, started.id, worker)
    assert job_kinds.runs(started.id) == 2


def test_a_suspended_school_or_a_removed_user_runs_nothing(two_schools, worker) -> None:
    school, _ = two_schools
    admin, teacher = sign_in(school, Role.school_admin), sign_in(school, Role.teacher)
    with db.unit_of_work(teacher) as session:  # queued only once the teacher has gone
        by_teacher = jobs.start(session, actor=teacher, kind=job_kinds.COUNT, key="teacher-leaves", params={"to": 3})
    with db.owner_session() as session:
        session.execute(update(User).where(User.id == teacher.id).values(is_active=False))
        session.commit()
    jobs.enqueue(by_teacher)
    assert wait_until_finished(admin, by_teacher.id, worker)["status"] == "failed"
    with db.unit_of_work(admin) as session:
        by_admin = jobs.start(session, actor=admin, kind=job_kinds.COUNT, key="school-suspended", params={"to": 3})
    with db.owner_session() as session:
        session.execute(update(School).where(School.id == school.id).values(status=SchoolStatus.suspended.value))
        session.commit()
    jobs.enqueue(by_admin)
    try:
        row = wait_until_finished(admin, by_admin.id, worker)
        assert row["status"] == "failed" and "suspended" in row["message"], row
        assert job_kinds.runs(by_admin.id) == job_kinds.runs(by_teacher.id) == 0
    finally:
        with db.owner_session() as session:
            session.execute(update(School).where(School.id == school.id).values(status=SchoolStatus.active.value))
            session.commit()


def test_a_job_is_read_by_its_starter_and_the_admins_only(two_schools) -> None:
    school, other = two_schools
    teacher, admin, staff = sign_in(school, Role.teacher), sign_in(school, Role.school_admin), sign_in(school, Role.staff)
    with db.unit_of_work(teacher) as session:
        started = jobs.start(session, actor=teacher, kind=job_kinds.COUNT, key="not-queued", params={"to": 1})
    assert jobs.read_job(actor=teacher, job_id=started.id)["status"] == "queued"
    assert jobs.read_job(actor=admin, job_id=started.id)["id"] == str(started.id)
    for stranger in (staff, sign_in(other, Role.school_admin), sign_in(other, Role.teacher)):
        with pytest.raises(NotFound):
            jobs.read_job(actor=stranger, job_id=started.id)
    with pytest.raises(NotFound):
        jobs.read_job(actor=admin, job_id="not-a-uuid")
    # The other school's unit of work sees no row of this school's jobs at all.
    with db.tenant_session(other.id) as session:
        assert session.get(Job, started.id) is None


def test_a_delivery_while_another_worker_holds_the_job_does_nothing(two_schools) -> None:
    """The same message on two workers at once: the second finds the job's lock taken and leaves
    the job to the first (here: this test, holding the lock), doing none of the work."""
    school, _ = two_schools
    admin = sign_in(school, Role.school_admin)
    with db.unit_of_work(admin) as session:
        started = jobs.start(session, actor=admin, kind=job_kinds.COUNT, key="held-elsewhere", params={"to": 2})
    with db.tenant_session(school.id) as holder:
        holder.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"job:{started.id}"})
        jobs.run(started.id, school.id, admin.id)
        assert job_kinds.runs(started.id) == 0
        assert jobs.read_job(actor=admin, job_id=started.id)["status"] == "running"
        holder.rollback()
    jobs.run(started.id, school.id, admin.id)  # the message delivered again once the holder is gone
    assert jobs.read_job(actor=admin, job_id=started.id)["status"] == "succeeded"
    assert job_kinds.runs(started.id) == 1

