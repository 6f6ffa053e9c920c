"""Publishing report cards on a real Celery worker (its own process, this run's Redis and
database): a class's cards made with progress, one ZIP of PDFs that read back, the term
published with it; asking again or delivering the message twice makes nothing more; another
school reaches neither the ZIP nor its key."""

import io
import zipfile

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from models import Enrolment, ReportPublication, Role, SchoolClass, Student
from oneclass import db, storage
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.queue import enqueue
from oneclass.services import calendar, jobs, report_cards
from oneclass.services.errors import NotFound
from tests.test_jobs import sign_in, wait_until_finished, worker  # noqa: F401 (the worker fixture)


def test_a_class_is_published_as_one_zip_with_progress(two_schools, worker) -> None:  # noqa: F811
    school, other = two_schools
    with db.tenant_session(school.id) as session:
        seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level="primary", students=40)
        session.commit()
    admin = sign_in(school, Role.school_admin)
    with db.tenant_session(school.id) as session:
        term = calendar.term_for_day(session, calendar.today_for(session, school.id))
        assert term is not None
        graded = session.exec(
            select(SchoolClass).where(SchoolClass.academic_year_id == term.academic_year_id, col(SchoolClass.grade_level).not_in(["ECD_A", "ECD_B"]))
        ).all()
        school_class = max(graded, key=lambda c: len(session.exec(select(Enrolment.id).where(Enrolment.class_id == c.id)).all()))
        names = set(session.exec(select(Student.first_name).join(Enrolment, col(Enrolment.student_id) == Student.id).where(Enrolment.class_id == school_class.id)).all())
        session.execute(ReportPublication.__table__.delete().where(ReportPublication.term_id == term.id))  # type: ignore[attr-defined]
        session.commit()
    assert len(names) >= 2

    job_id = report_cards.publish_report_cards(actor=admin, term_id=term.id, scope=f"class:{school_class.id}")
    queued = jobs.read_job(actor=admin, job_id=job_id)
    assert queued["total"] >= len(names)  # known from the start: the bar has a scale at once
    row = wait_until_finished(admin, job_id, worker)
    assert row["status"] == "succeeded", row
    assert (row["done"], row["percent"]) == (row["total"], 100)
    assert row["message"] == f"Published {row['total']} report cards."

    found = report_cards.report_zip(actor=admin, job_id=job_id)
    assert found.mime_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(found.content)) as archive:
        pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
        assert len(pdfs) == row["total"]
        text = "\n".join(page.extract_text() for name in pdfs for page in PdfReader(io.BytesIO(archive.read(name))).pages)
    assert all(first in text for first in names) and "Subjects" in text
    with db.tenant_session(school.id) as session:
        published = session.exec(select(ReportPublication.class_id).where(ReportPublication.term_id == term.id)).all()
    assert published == [school_class.id]

    # Asked again: the same job, not queued again; its message delivered twice: nothing redone.
    assert report_cards.publish_report_cards(actor=admin, term_id=term.id, scope=f"class:{school_class.id}") == job_id
    with db.tenant_session(school.id) as session:
        started = jobs.start(session, actor=admin, kind=report_cards.JOB_KIND, key=f"report-cards:{term.id}:class-{school_class.id}")
    assert not started.to_enqueue and str(started.id) == job_id
    enqueue(started.id, started.school_id, started.created_by)
    marker = report_cards.publish_report_cards(actor=admin, term_id=term.id, scope=f"level:{school_class.grade_level}")
    wait_until_finished(admin, marker, worker)  # one job at a time (solo): the duplicate ran first
    assert report_cards.report_zip(actor=admin, job_id=job_id).content == found.content
    assert jobs.read_job(actor=admin, job_id=job_id)["finished"]

    other_admin = sign_in(other, Role.school_admin)
    with pytest.raises(NotFound):
        report_cards.report_zip(actor=other_admin, job_id=job_id)
    with pytest.raises(NotFound):
        storage.get(other_admin, row["result"])
    with pytest.raises(NotFound):
        report_cards.report_card_pdf(actor=other_admin, student_id=next(iter(_students(school.id, school_class.id))), term_id=term.id)


def _students(school_id: object, class_id: object) -> list[object]:
    with db.tenant_session(school_id) as session:  # type: ignore[arg-type]
        return list(session.exec(select(Enrolment.student_id).where(Enrolment.class_id == class_id)).all())
