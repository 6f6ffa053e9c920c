"""A large file's import as a background job, on a real worker started as `oneclass worker`: the
same import (one transaction), its progress to the end, one job per file, a refusal's message,
and the upload removed from storage once the job has finished."""

import subprocess
import sys
import time
from collections.abc import Iterator
from uuid import UUID

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from models import Job, Student, User
from oneclass import db, i18n, storage
from oneclass.i18n import format_message
from oneclass.services import imports, jobs
from oneclass.services.errors import NotFound
from tests import test_imports
from tests.conftest import SchoolFixture
from tests.test_imports import IP, admin_of, csv_file, run, student_row
from tests.workers import worker_process

schools = test_imports.schools  # the fixture: two schools with a year, classes and students

WORKER_DEADLINE_SECONDS = 120  # a hung worker fails the test instead of hanging it; not a timing


@pytest.fixture(scope="module")
def oneclass_worker() -> Iterator[subprocess.Popen[bytes]]:
    with worker_process("test-oneclass-worker.log", [sys.executable, "-m", "oneclass", "worker", "--concurrency=1"]) as process:
        yield process


def students_in(school: SchoolFixture) -> int:
    with db.tenant_session(school.id) as session:
        return session.exec(select(func.count()).select_from(Student)).one()


def follow(school: SchoolFixture, job_id: str, worker: subprocess.Popen[bytes]) -> tuple[jobs.JobRow, list[tuple[int, int]]]:
    admin, readings = admin_of(school), []
    deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker exited; see .oneclass/test-oneclass-worker.log"
        row = jobs.read_job(actor=admin, job_id=job_id)
        readings.append((row["done"], row["total"]))
        if row["finished"]:
            return row, readings
        time.sleep(0.05)
    raise AssertionError(f"import job {job_id} did not finish; see .oneclass/test-oneclass-worker.log")


def test_a_large_file_is_imported_by_the_worker_with_progress(schools, oneclass_worker) -> None:
    school, other = schools
    rows = imports.LARGE_IMPORT_ROWS + 200
    content = csv_file([student_row(number) for number in range(rows)])
    before, others_before = students_in(school), students_in(other)
    job_id = imports.start_import_job(actor=admin_of(school), kind=imports.STUDENTS, filename="everyone.csv", content=content, ip=IP)
    assert imports.start_import_job(actor=admin_of(school), kind=imports.STUDENTS, filename="again.csv", content=content, ip=IP) == job_id
    job, readings = follow(school, job_id, oneclass_worker)
    assert job["status"] == "succeeded", job
    assert job["message"] == f"Imported {rows} students with their guardians."
    assert (job["done"], job["total"], job["percent"]) == (rows, rows, 100)
    assert [done for done, _total in readings] == sorted(done for done, _total in readings)  # progress only moves on
    assert students_in(school) - before == rows
    assert students_in(other) == others_before
    upload = job_upload(school, job_id)
    with pytest.raises(NotFound):
        storage.get(admin_of(school), upload)


def test_a_job_refused_by_the_checks_says_why_and_imports_nothing(schools, oneclass_worker) -> None:
    school, _ = schools
    run(school, csv_file([student_row(90_000)]))  # that admission number is now taken
    content = csv_file([student_row(number) for number in range(90_000, 90_000 + imports.LARGE_IMPORT_ROWS)])
    before = students_in(school)
    job_id = imports.start_import_job(actor=admin_of(school), kind=imports.STUDENTS, filename="late.csv", content=content, ip=IP)
    job, _readings = follow(school, job_id, oneclass_worker)
    assert job["status"] == "failed"
    assert job["message"] == "The file has 1 problem(s); nothing was imported. Fix the file and upload it again."
    assert students_in(school) == before
    with pytest.raises(NotFound):
        storage.get(admin_of(school), job_upload(school, job_id))


def job_upload(school: SchoolFixture, job_id: str) -> str:
    with db.tenant_session(school.id) as session:
        job = session.get(Job, UUID(job_id))
        assert job is not None
        return str(job.params[jobs.UPLOAD])


def test_the_job_speaks_the_language_of_the_person_who_started_it(schools, oneclass_worker) -> None:
    school, _ = schools
    admin = admin_of(school)
    with db.owner_session() as session:
        session.execute(update(User).where(col(User.id) == admin.id).values(language="sn"))
        session.commit()
    rows = imports.LARGE_IMPORT_ROWS
    content = csv_file([student_row(number) for number in range(70_000, 70_000 + rows)])
    job_id = imports.start_import_job(actor=admin, kind=imports.STUDENTS, filename="shona.csv", content=content, ip=IP)
    job, _readings = follow(school, job_id, oneclass_worker)
    with i18n.language("sn"):
        expected = format_message(imports.IMPORT_DONE[imports.STUDENTS], count=rows)
    assert job["status"] == "succeeded"
    assert job["message"] == expected and expected != f"Imported {rows} students with their guardians."
