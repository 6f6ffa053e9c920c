"""Fee accounts on a seeded school: a receipt (read back from its PDF with pypdf) with its
allocations and the balance right after it, unchanged when printed again after later payments;
statements per student, per family (siblings through a shared guardian) and per sponsor with
their running balances; who may download what, and another school's ids."""

import io
from collections.abc import Iterator
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from models import AuditEvent, Enrolment, Guardian, Payment, SchoolClass, Sponsor, Student, StudentGuardian
from oneclass import db
from oneclass.i18n import language
from oneclass.permissions import PermissionDenied
from oneclass.services import calendar, dashboards, fee_accounts, fee_adjustments, fees
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.fees import PaymentInput
from oneclass.services.students import children_of
from tests.conftest import delete_school, make_school
from tests.test_fees import School, _seed, _students

D = Decimal


@pytest.fixture(scope="module")
def schools() -> Iterator[tuple[School, School]]:
    a, b = make_school("accta"), make_school("acctb")
    try:
        yield _seed(a), _seed(b)
    finally:
        delete_school(a)
        delete_school(b)


def _joiner(school: School) -> Student:
    """A new student, joined mid-term, not invoiced yet."""
    with db.tenant_session(school.fixture.id) as session:
        school_class = session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == school.term.academic_year_id)).first()
        assert school_class is not None
        joiner = Student(school_id=school.fixture.id, admission_number=f"J{uuid4().hex[:6]}", first_name="New", last_name="Joiner",
                         date_of_birth=calendar.today_for(session, school.fixture.id).replace(year=2018), gender="male")  # type: ignore[arg-type]
        session.add(joiner)
        session.flush()
        session.add(Enrolment(school_id=school.fixture.id, student_id=joiner.id, class_id=school_class.id, academic_year_id=school_class.academic_year_id))
        session.commit()
        session.refresh(joiner)
        return joiner


def _unpaid_student(school: School) -> UUID:
    """A new student, joined mid-term and invoiced alone: owes 120 + 25, nothing paid yet."""
    joiner_id = _joiner(school).id
    fees.generate_invoices(actor=school.actors["school_admin"], student_id=joiner_id)
    return joiner_id


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_receipt_names_the_payment_where_it_went_and_the_balance_after_it(schools) -> None:
    school, _ = schools
    bursar, admin = school.actors["staff"], school.actors["school_admin"]
    student_id = _unpaid_student(school)
    paid = fees.take_payment(actor=bursar, payment=PaymentInput(student_id, "130.00", "USD", "cash", "Till 2"))
    found = fee_accounts.receipt(actor=bursar, payment_id=UUID(paid["id"]))
    assert [(line.currency, line.amount) for line in found.lines] == [("USD", D("120.00")), ("USD", D("10.00"))]
    assert found.balance_after["USD"] == D("15.00") and found.received_by == bursar.full_name and found.number.startswith("R-")
    later = fees.take_payment(actor=bursar, payment=PaymentInput(student_id, "5.00", "USD", "cash"))
    assert fee_accounts.receipt(actor=admin, payment_id=UUID(paid["id"])).balance_after["USD"] == D("15.00")  # as it stood that day
    assert fee_accounts.receipt(actor=admin, payment_id=UUID(later["id"])).balance_after["USD"] == D("10.00")

    document = fee_accounts.receipt_pdf(actor=bursar, payment_id=UUID(paid["id"]))
    assert document.filename == f"receipt-{found.number}.pdf" and document.mime_type == "application/pdf"
    text = pdf_text(document.content)
    for words in (found.number, found.payer, "130.00 USD", "Cash", "Till 2", "120.00", "10.00", "15.00", bursar.full_name, "Balance after this payment"):
        assert words in text, words
    with language("sn"):
        assert found.number in pdf_text(fee_accounts.receipt_pdf(actor=bursar, payment_id=UUID(paid["id"])).content)

    fees.reverse_payment(actor=admin, payment_id=UUID(later["id"]), reason="Typed twice")
    assert "Reversed: Typed twice" in pdf_text(fee_accounts.receipt_pdf(actor=admin, payment_id=UUID(later["id"])).content)
    fees.reverse_payment(actor=admin, payment_id=UUID(paid["id"]), reason="test")


def test_a_converted_payment_prints_its_rate_and_source(schools) -> None:
    school, _ = schools
    admin = school.actors["school_admin"]
    student_id = _unpaid_student(school)
    paid = fees.take_payment(
        actor=admin, payment=PaymentInput(student_id, "1000.00", "ZWG", "mobile_money", "MP26.77", "0.03738318", "Reserve Bank")
    )
    text = pdf_text(fee_accounts.receipt_pdf(actor=admin, payment_id=UUID(paid["id"])).content)
    assert "1000.00 ZWG" in text and "0.03738318 (Reserve Bank" in text and "37.38" in text and "107.62" in text
    fees.reverse_payment(actor=admin, payment_id=UUID(paid["id"]), reason="test")


def test_who_may_print_a_receipt(schools) -> None:
    school, other = schools
    parent = school.actors["parent"]
    with db.tenant_session(school.fixture.id) as session:
        children = {s.id for s in children_of(session, user_id=parent.id)}
        payments = session.exec(select(Payment.id, Payment.student_id)).all()  # the demo's
    mine = next(p for p, student in payments if student in children)
    theirs = next(p for p, student in payments if student not in children)
    assert fee_accounts.receipt_pdf(actor=parent, payment_id=mine).content.startswith(b"%PDF")
    with pytest.raises(NotFound):
        fee_accounts.receipt_pdf(actor=parent, payment_id=theirs)
    with pytest.raises(NotFound):  # another school's payment is no payment here
        fee_accounts.receipt_pdf(actor=other.actors["school_admin"], payment_id=mine)
    with pytest.raises(PermissionDenied):
        fee_accounts.receipt_pdf(actor=school.actors["teacher"], payment_id=mine)


def test_a_statement_runs_the_balance_down_to_what_is_owed(schools) -> None:
    school, _ = schools
    admin = school.actors["school_admin"]
    student_id = _unpaid_student(school)
    kept = fees.take_payment(actor=admin, payment=PaymentInput(student_id, "100.00", "USD", "cash"))
    undone = fees.take_payment(actor=admin, payment=PaymentInput(student_id, "5.00", "USD", "bank", "CBZ 77"))
    fees.reverse_payment(actor=admin, payment_id=UUID(undone["id"]), reason="Bounced")
    found = fee_accounts.student_statement(actor=admin, student_id=student_id)
    (usd,) = found.sections
    assert usd.currency == "USD" and usd.balance == D("45.00") == D(fees.student_fees(actor=admin, student_id=student_id).balance["USD"])
    assert [(e.charged, e.paid) for e in usd.entries] == [
        (D("120.00"), 0), (D("25.00"), 0), (0, D("100.00")), (0, D("5.00")), (D("5.00"), 0)
    ]
    assert [e.balance for e in usd.entries] == [D("120.00"), D("145.00"), D("45.00"), D("40.00"), D("45.00")]
    assert "Bounced" in usd.entries[-1].description and "CBZ 77" in usd.entries[3].description
    text = pdf_text(fee_accounts.statement_pdf(actor=admin, student_id=student_id).content)
    assert "Balance owed: 45.00 USD" in text and "Bounced" in text
    fees.reverse_payment(actor=admin, payment_id=UUID(kept["id"]), reason="test")


def test_a_family_statement_puts_siblings_together_through_shared_guardians(schools) -> None:
    school, _ = schools
    admin, parent = school.actors["school_admin"], school.actors["parent"]
    with db.tenant_session(school.fixture.id) as session:
        first, second = sorted(children_of(session, user_id=parent.id), key=lambda s: s.admission_number)[:2]
        stranger = next(s for s in _students(school) if s.id not in {first.id, second.id})
        # A step-sibling: the second child's other guardian is also the stranger's (no login).
        other = Guardian(school_id=school.fixture.id, full_name="Step Parent", phone="+263770000999")
        session.add(other)
        session.flush()
        links = [StudentGuardian(school_id=school.fixture.id, student_id=s.id, guardian_id=other.id, relationship="Guardian") for s in (second, stranger)]
        session.add_all(links)
        session.commit()
        ids = (first.id, second.id, stranger.id)
        names = (first.full_name, second.full_name, stranger.full_name)
    try:
        owed = [D(fees.student_fees(actor=admin, student_id=i).balance["USD"]) for i in ids]
        whole = fee_accounts.student_statement(actor=admin, student_id=ids[0], family=True)
        assert sorted(name for name, _number in whole.students) == sorted(names)
        assert next(s for s in whole.sections if s.currency == "USD").balance == sum(owed)
        theirs = fee_accounts.student_statement(actor=parent, student_id=ids[0], family=True)  # a parent: their own children only
        assert sorted(name for name, _number in theirs.students) == sorted(names[:2])
        assert next(s for s in theirs.sections if s.currency == "USD").balance == owed[0] + owed[1]
        text = pdf_text(fee_accounts.statement_pdf(actor=parent, student_id=ids[1], family=True).content)
        assert "Family statement" in text and names[0] in text and names[1] in text and names[2] not in text
        with pytest.raises(NotFound):
            fee_accounts.statement_pdf(actor=parent, student_id=ids[2])
        with pytest.raises(PermissionDenied):
            fee_accounts.statement_pdf(actor=school.actors["teacher"], student_id=ids[0])
    finally:
        with db.tenant_session(school.fixture.id) as session:
            for link in session.exec(select(StudentGuardian).where(StudentGuardian.guardian_id == other.id)).all():
                session.delete(link)
            session.flush()
            session.delete(session.get(Guardian, other.id))
            session.commit()


def test_a_sponsor_statement_is_the_sponsors_own_invoices(schools) -> None:
    school, other = schools
    admin = school.actors["school_admin"]
    with db.tenant_session(school.fixture.id) as session:
        beam = session.exec(select(Sponsor).where(Sponsor.name == "BEAM")).one()
    found = fee_accounts.sponsor_statement(actor=admin, sponsor_id=beam.id)
    assert found.holder == "BEAM" and len(found.students) == 1
    assert [(s.currency, s.balance) for s in found.sections] == [("USD", D("120.00"))]
    assert "BEAM" in fee_accounts.sponsor_choices(actor=school.actors["staff"]).values()
    assert "Sponsor's statement" in pdf_text(fee_accounts.statement_pdf(actor=school.actors["staff"], sponsor_id=beam.id).content)
    with pytest.raises(PermissionDenied):
        fee_accounts.statement_pdf(actor=school.actors["parent"], sponsor_id=beam.id)
    with pytest.raises(NotFound):
        fee_accounts.statement_pdf(actor=other.actors["school_admin"], sponsor_id=beam.id)


def test_the_parents_dashboard_shows_what_is_owed_per_child(schools) -> None:
    school, _ = schools
    parent, admin = school.actors["parent"], school.actors["school_admin"]
    cards = dashboards.fees_owed(actor=parent)
    with db.tenant_session(school.fixture.id) as session:
        assert sorted(card["student_id"] for card in cards) == sorted(str(s.id) for s in children_of(session, user_id=parent.id))
    for card in cards:
        balance = fees.student_fees(actor=admin, student_id=UUID(card["student_id"])).balance
        assert {row["currency"]: row["amount"] for row in card["owed"]} == {c: a for c, a in balance.items() if D(a) != 0}
    for who in ("school_admin", "student", "teacher"):
        with pytest.raises(PermissionDenied):
            dashboards.fees_owed(actor=school.actors[who])


def test_discounts_bursaries_and_sponsors_added_from_the_page_are_applied_by_invoicing(schools) -> None:
    school, other = schools
    bursar = school.actors["staff"]
    joiner = _joiner(school)
    church = fee_adjustments.create_sponsor(actor=bursar, name="  Dombo  Church ", kind="church", ip="10.0.0.9")
    assert church["name"] == "Dombo Church"
    with pytest.raises(ValidationFailed) as refused:
        fee_adjustments.create_sponsor(actor=bursar, name="dombo church", kind="bank")
    assert set(refused.value.errors) == {"name", "kind"}
    for bad, field in (
        ({"percent": "10", "amount": "5"}, "percent"), ({"percent": "120"}, "percent"), ({"amount": "5.555"}, "amount"),
        ({"percent": "10", "kind": "sponsorship"}, "sponsor"), ({"percent": "10", "reason": " "}, "reason"),
        ({"percent": "10", "admission_number": "NOBODY"}, "admission_number"),
        ({"percent": "10", "kind": "sponsorship", "sponsor_id": UUID(fee_adjustments.adjustments_and_sponsors(actor=other.actors["school_admin"])[2][0]["id"])}, "sponsor"),
    ):
        arguments = {"admission_number": joiner.admission_number, "kind": "discount", "reason": "Staff child", **bad}
        with pytest.raises(ValidationFailed) as refused:
            fee_adjustments.create_adjustment(actor=bursar, **arguments)  # type: ignore[arg-type]
        assert field in refused.value.errors, (bad, refused.value.errors)
    discount = fee_adjustments.create_adjustment(actor=bursar, admission_number=joiner.admission_number.lower(), kind="discount", reason="Staff child", percent="10")
    assert (discount["size"], discount["kind"]) == ("10%", "discount")
    fee_adjustments.create_adjustment(
        actor=bursar, admission_number=joiner.admission_number, kind="sponsorship", reason="Church", amount="50.00", currency="USD", sponsor_id=UUID(church["id"]),
    )
    term, rows, sponsors = fee_adjustments.adjustments_and_sponsors(actor=bursar)
    assert term and {r["size"] for r in rows if r["admission_number"] == joiner.admission_number} == {"10%", "50.00 USD"}
    assert next(s for s in sponsors if s["name"] == "Dombo Church")["students"] == 1
    fees.generate_invoices(actor=bursar, student_id=joiner.id)
    found = fees.student_fees(actor=bursar, student_id=joiner.id)
    tuition = next(i for i in found.invoices if i["account"] == "tuition" and not i["payer"])
    assert [line["amount"] for line in tuition["lines"]] == ["120.00", "-12.00", "-50.00"] and found.balance["USD"] == "83.00"
    with db.tenant_session(school.fixture.id) as session:
        actions = set(session.exec(select(AuditEvent.action).where(col(AuditEvent.action).in_([fee_adjustments.ADJUSTMENT_ADDED, fee_adjustments.SPONSOR_ADDED]))).all())
    assert actions == {fee_adjustments.ADJUSTMENT_ADDED, fee_adjustments.SPONSOR_ADDED}
    with pytest.raises(PermissionDenied):
        fee_adjustments.create_sponsor(actor=school.actors["parent"], name="X", kind="other")
    with pytest.raises(PermissionDenied):
        fee_adjustments.adjustments_and_sponsors(actor=school.actors["teacher"])
