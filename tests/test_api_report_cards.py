"""`GET /api/v1/students/{id}/report-card?term_id=` (issue 10's contract): a PDF for whoever may
see the student; 404 to a student or parent while the term is unpublished, to a teacher outside
their classes and for another school's ids; labels in the language of `Accept-Language`."""

import io
from uuid import UUID

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import select

from models import ReportPublication, Student, User
from oneclass import db, i18n
from tests.test_api_gradebook import _facts
from tests.test_api_v1 import as_user, assert_error, client, schools  # noqa: F401 (fixtures)


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_report_card_route(client: TestClient, schools) -> None:  # noqa: F811
    school_a, school_b = schools
    facts = _facts(school_a)
    url = f"/api/v1/students/{facts['child']}/report-card?term_id={facts['term_id']}"
    admin, teacher, parent = (as_user(client, school_a, role) for role in ("school_admin", "teacher", "parent"))
    with db.tenant_session(school_a.id) as session:
        child = session.get(Student, UUID(facts["child"]))
        assert child is not None
        name = child.full_name
        admin_id = session.exec(select(User.id).where(User.email == f"school_admin@{school_a.subdomain}.test")).one()

    answer = client.get(url, headers=admin)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert name in _text(answer.content)
    assert client.get(url, headers=teacher).status_code == 200  # the teacher's class
    assert_error(client.get(url, headers=parent), 404, "NOT_FOUND")  # not published yet
    other = f"/api/v1/students/{facts['other_student']}/report-card?term_id={facts['term_id']}"
    assert_error(client.get(other, headers=teacher), 404, "NOT_FOUND")
    assert_error(client.get(other, headers=parent), 404, "NOT_FOUND")
    assert_error(client.get(url, headers=as_user(client, school_a, "staff")), 403, "FORBIDDEN")
    assert_error(client.get(url, headers=as_user(client, school_b, "school_admin") | {"Host": f"{school_b.subdomain}.localhost:3000"}), 404, "NOT_FOUND")
    assert_error(client.get(f"/api/v1/students/{facts['child']}/report-card?term_id=nope", headers=admin), 422, "VALIDATION_ERROR")
    assert_error(client.get(f"/api/v1/students/{facts['child']}/report-card", headers=admin), 422, "VALIDATION_ERROR")

    with db.tenant_session(school_a.id) as session:
        session.add(ReportPublication(school_id=school_a.id, term_id=UUID(facts["term_id"]), class_id=UUID(facts["class_id"]), published_by=admin_id))
        session.commit()
    published = client.get(url, headers={**parent, "Accept-Language": "sn"})
    assert published.status_code == 200 and published.headers["content-type"] == "application/pdf"
    text = _text(published.content)
    with i18n.language("sn"):
        subjects = i18n.gettext("Subjects")
    assert name in text and subjects in text and subjects != "Subjects"
    assert_error(client.get(other, headers=parent), 404, "NOT_FOUND")  # published, but not the parent's child
