"""Fees: the money rules table-driven (rounding, conversion, adjustments, allocation, status),
then against a seeded school: invoice generation previewed and run twice, a mid-term joiner,
payments allocated oldest first, across currencies with a rate, refusals, reversals, the
cash-up, who may do what (the bursar duty), and another school's ids."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from sqlmodel import col, select

from models import Currency, Duty, Enrolment, FeeAccount, FeeItem, FeeStructure, Invoice, Payment, SchoolClass, Student, Term, User
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied, can
from oneclass.services import calendar, fees
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from oneclass.services.fees import AdjustmentRule, ItemInput, PaymentInput
from oneclass.services.students import children_of
from tests.conftest import SchoolFixture, delete_school, make_school

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.005", "1.01"), ("1.004", "1.00"), ("2.675", "2.68"), ("-1.005", "-1.01"), ("0.125", "0.13"), ("10", "10.00")],
)
def test_rounding_is_half_up_to_the_cent(value: str, expected: str) -> None:
    assert fees.to_cents(D(value)) == D(expected)
    assert fees.money_text(D(value)) == expected


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("10.00", None, "10.00"),  # same currency: untouched
        ("10.00", "26.75", "267.50"),  # USD paid, ZWG owed: ZWG per USD
        ("1.00", "0.03738318", "0.04"),  # ZWG paid, USD owed: 0.0373… rounds up
        ("100.00", "0.03738318", "3.74"),
        ("33.33", "0.5", "16.67"),  # 16.665 half up
        ("0.01", "0.4", "0.00"),  # converts to nothing: refused by the caller as nothing to pay
    ],
)
def test_conversion_rounds_once_half_up(amount: str, rate: str | None, expected: str) -> None:
    assert fees.convert(D(amount), D(rate) if rate else None) == D(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", "12.00"), ("12.5", "12.50"), ("12.50", "12.50"), ("1,200.00", "1200.00"), ("12.505", None), ("0", None), ("-5", None),
     ("abc", None), ("NaN", None), ("Infinity", None), ("", None), ("99999999999", None)],
)
def test_amounts_are_never_rounded_when_typed(text: str, expected: str | None) -> None:
    parsed = fees.parse_money(text)
    assert (str(parsed) if parsed is not None else None) == expected


@pytest.mark.parametrize(
    ("amount", "owed", "expected"),
    [
        ("50.00", ["30.00", "40.00"], ["30.00", "20.00"]),  # oldest first, the rest to the next
        ("30.00", ["30.00", "40.00"], ["30.00"]),
        ("70.00", ["30.00", "40.00"], ["30.00", "40.00"]),
        ("0.01", ["30.00", "40.00"], ["0.01"]),
        ("10.00", ["0.00", "40.00"], [None, "10.00"]),  # nothing to an invoice owing nothing
    ],
)
def test_allocation_oldest_first(amount: str, owed: list[str], expected: list[str | None]) -> None:
    ids = [uuid4() for _ in owed]
    found = dict(fees.allocate(D(amount), list(zip(ids, [D(o) for o in owed], strict=True))))
    assert [str(found[i]) if i in found else None for i in ids[: len(expected)]] == expected
    assert sum(found.values()) == D(amount)


@pytest.mark.parametrize(
    ("gross", "rules", "expected"),
    [
        ("120.00", [("discount", "10", None)], ["12.00"]),
        ("120.00", [("bursary", "33.33", None)], ["40.00"]),  # 39.996 half up
        ("120.00", [("discount", None, "15.00"), ("bursary", "50", None)], ["15.00", "60.00"]),  # both of the gross
        ("120.00", [("sponsorship", "50", None), ("bursary", "25", None)], ["45.00", "30.00"]),  # the bursary first; the sponsor half of what is left
        ("100.00", [("bursary", "80", None), ("discount", "50", None)], ["80.00", "20.00"]),  # capped: never below zero
        ("100.00", [("sponsorship", None, "150.00")], ["100.00"]),
        ("0.03", [("discount", "50", None)], ["0.02"]),  # 0.015 half up
    ],
)
def test_adjustments(gross: str, rules: list[tuple[str, str | None, str | None]], expected: list[str]) -> None:
    made = [AdjustmentRule(kind, D(p) if p else None, D(a) if a else None, kind) for kind, p, a in rules]
    taken = fees.apply_adjustments(D(gross), made)
    by_rule = {id(rule): share for rule, share in taken}
    assert [str(by_rule[id(rule)]) for rule in made if id(rule) in by_rule] == expected
    assert sum(by_rule.values()) <= D(gross)


@pytest.mark.parametrize(
    ("total", "paid", "voided", "status"),
    [("100.00", "0.00", False, "open"), ("100.00", "0.01", False, "partial"), ("100.00", "100.00", False, "paid"),
     ("0.00", "0.00", False, "paid"), ("100.00", "50.00", True, "void")],
)
def test_invoice_status(total: str, paid: str, voided: bool, status: str) -> None:
    assert fees.invoice_status(D(total), D(paid), voided) == status


def test_the_bursar_duty_opens_fees_work_to_staff_only() -> None:
    def who(role: str, duties: tuple[str, ...] = ()) -> CurrentUser:
        return CurrentUser(id=uuid4(), school_id=uuid4(), email="x@y", full_name="", role=role, family_id=uuid4(), duties=duties)

    bursar = who("staff", (Duty.bursar.value,))
    assert can(bursar, fees.COLLECT_FEES) and can(bursar, fees.MANAGE_FEES)
    assert not can(bursar, fees.REVERSE_PAYMENTS)
    assert not can(who("staff"), fees.COLLECT_FEES)
    assert not can(who("teacher", (Duty.bursar.value,)), fees.COLLECT_FEES)  # a duty is for staff
    assert can(who("school_admin"), fees.REVERSE_PAYMENTS)
    assert not can(who("parent"), fees.COLLECT_FEES)


# --- against a seeded school -----------------------------------------------------------------


@dataclass
class School:
    fixture: SchoolFixture
    actors: dict[str, CurrentUser]
    term: Term

    def invoices(self, student_id: UUID) -> list[Invoice]:
        with db.tenant_session(self.fixture.id) as session:
            return list(session.exec(select(Invoice).where(Invoice.student_id == student_id)).all())


def _actor(user: User) -> CurrentUser:
    return CurrentUser(
        id=user.id, school_id=user.school_id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id,
        duties=tuple(user.duties),
    )


def _seed(fixture: SchoolFixture) -> School:
    with db.tenant_session(fixture.id) as session:
        seed_school_records(session, admin=school_admin_of(session, fixture.id), subdomain=fixture.subdomain, level="primary", students=12)
        bursar = session.exec(select(User).where(User.role == "staff")).one()
        bursar.duties = [Duty.bursar.value]
        session.add(bursar)
        session.commit()
        term = calendar.term_for_day(session, calendar.today_for(session, fixture.id))
        assert term is not None
        actors = {u.email.split("@")[0]: _actor(u) for u in session.exec(select(User).where(~col(User.email).startswith("teacher"))).all()}
        actors["teacher"] = _actor(session.exec(select(User).where(User.email.startswith("teacher@"))).one())  # type: ignore[attr-defined]
        return School(fixture, actors, term)


@pytest.fixture(scope="module")
def schools() -> Iterator[tuple[School, School]]:
    a, b = make_school("feesa"), make_school("feesb")
    try:
        yield _seed(a), _seed(b)
    finally:
        delete_school(a)
        delete_school(b)


def _students(school: School) -> list[Student]:
    with db.tenant_session(school.fixture.id) as session:
        return list(session.exec(select(Student).order_by(col(Student.admission_number))).all())


def _owed(school: School, student_id: UUID, currency: str = "USD") -> Decimal:
    return D(fees.student_fees(actor=school.actors["school_admin"], student_id=student_id).balance[currency])


def test_the_demo_invoices_every_enrolled_student_and_running_again_adds_nothing(schools) -> None:
    school, _ = schools
    admin = school.actors["school_admin"]
    students = _students(school)
    again = fees.preview_invoices(actor=admin)
    assert again.students == len(students) and again.new_invoices == 0 and again.already_issued >= 2 * len(students)
    ran = fees.generate_invoices(actor=admin)
    assert ran.new_invoices == 0
    for student in students:
        accounts = sorted(i.account for i in school.invoices(student.id) if i.sponsor_id is None)
        assert accounts == ["levy", "tuition"]


def test_adjustments_and_sponsors_in_the_demo(schools) -> None:
    school, _ = schools
    students = _students(school)
    sponsored, bursary = students[2], students[3]  # see oneclass/demo_fees.py
    found = fees.student_fees(actor=school.actors["school_admin"], student_id=sponsored.id)
    family_tuition = next(i for i in found.invoices if i["account"] == "tuition" and not i["payer"])
    sponsor_invoice = next(i for i in found.invoices if i["payer"] == "BEAM")
    assert family_tuition["total"] == "0.00" and family_tuition["status"] == "paid"
    assert sponsor_invoice["total"] == "120.00"
    assert D(found.balance["USD"]) == D("25.00")  # the levy is the family's still
    bursary_tuition = next(i for i in fees.student_fees(actor=school.actors["school_admin"], student_id=bursary.id).invoices if i["account"] == "tuition")
    # Tuition, the optional transport it was given, then 25% of both off.
    assert [line["amount"] for line in bursary_tuition["lines"]] == ["120.00", "40.00", "-40.00"]


def test_a_student_who_joins_mid_term_is_invoiced_alone(schools) -> None:
    school, _ = schools
    admin = school.actors["school_admin"]
    with db.tenant_session(school.fixture.id) as session:
        school_class = session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == school.term.academic_year_id)).first()
        assert school_class is not None
        joiner = Student(school_id=school.fixture.id, admission_number=f"J{uuid4().hex[:6]}", first_name="Late", last_name="Joiner",
                         date_of_birth=calendar.today_for(session, school.fixture.id).replace(year=2018), gender="female")  # type: ignore[arg-type]
        session.add(joiner)
        session.flush()
        session.add(Enrolment(school_id=school.fixture.id, student_id=joiner.id, class_id=school_class.id, academic_year_id=school_class.academic_year_id))
        session.commit()
        joiner_id = joiner.id
    preview = fees.preview_invoices(actor=admin, student_id=joiner_id)
    assert (preview.students, preview.new_invoices, preview.totals) == (1, 2, {"USD": "145.00"})
    assert fees.generate_invoices(actor=admin, student_id=joiner_id).new_invoices == 2
    assert fees.generate_invoices(actor=admin, student_id=joiner_id).new_invoices == 0
    assert _owed(school, joiner_id) == D("145.00")


def _unpaid_student(school: School) -> UUID:
    """A demo student with nothing paid, no adjustment and no transport: owes 120 + 25."""
    for student in _students(school)[7:]:
        found = fees.student_fees(actor=school.actors["school_admin"], student_id=student.id)
        if not found.payments and found.balance["USD"] == "145.00":
            return student.id
    raise AssertionError("no unpaid demo student")


def test_a_payment_goes_to_the_oldest_open_invoices_first_and_a_reversal_undoes_it(schools) -> None:
    school, _ = schools
    bursar, admin = school.actors["staff"], school.actors["school_admin"]
    student_id = _unpaid_student(school)
    paid = fees.take_payment(actor=bursar, payment=PaymentInput(student_id, "130.00", "USD", "cash"))
    assert [(a["account"], a["amount"]) for a in paid["allocations"]] == [("tuition", "120.00"), ("levy", "10.00")]
    found = fees.student_fees(actor=admin, student_id=student_id)
    assert found.balance["USD"] == "15.00"
    assert {i["account"]: i["status"] for i in found.invoices} == {"tuition": "paid", "levy": "partial"}
    with pytest.raises(PermissionDenied):
        fees.reverse_payment(actor=bursar, payment_id=UUID(paid["id"]), reason="typed twice")
    with pytest.raises(ValidationFailed):
        fees.reverse_payment(actor=admin, payment_id=UUID(paid["id"]), reason="  ")
    reversed_ = fees.reverse_payment(actor=admin, payment_id=UUID(paid["id"]), reason="Typed the wrong student")
    assert reversed_["reversed"] and reversed_["reversal_reason"] == "Typed the wrong student"
    assert _owed(school, student_id) == D("145.00")
    with pytest.raises(Conflict):
        fees.reverse_payment(actor=admin, payment_id=UUID(paid["id"]), reason="again")
    with db.tenant_session(school.fixture.id) as session:  # kept, never deleted
        assert session.get(Payment, UUID(paid["id"])) is not None


@pytest.mark.parametrize(
    ("payment", "field"),
    [
        (("200.00", "USD", "cash", "", None), "amount"),  # more than the 145.00 owed
        (("10.005", "USD", "cash", "", None), "amount"),
        (("10.00", "USD", "bank", "", None), "reference"),  # a transfer needs its reference
        (("10.00", "USD", "cheque", "", None), "method"),
        (("10.00", "EUR", "cash", "", None), "currency"),
        (("10.00", "USD", "cash", "", "26.5"), "exchange_rate"),  # USD is owed: no rate
        (("100.00", "ZWG", "cash", "", None), "exchange_rate"),  # only USD owed: a rate is needed
        (("100.00", "ZWG", "cash", "", "-1"), "exchange_rate"),
        (("5000.00", "ZWG", "cash", "", "0.03738318"), "amount"),  # 186.92 USD: more than owed
    ],
)
def test_payments_refused(schools, payment: tuple[str, str, str, str, str | None], field: str) -> None:
    school, _ = schools
    student_id = _unpaid_student(school)
    amount, currency, method, reference, rate = payment
    with pytest.raises(ValidationFailed) as refused:
        fees.take_payment(actor=school.actors["school_admin"], payment=PaymentInput(student_id, amount, currency, method, reference, rate))
    assert field in refused.value.errors
    assert _owed(school, student_id) == D("145.00")


def test_a_payment_in_another_currency_is_converted_once_at_the_given_rate(schools) -> None:
    school, _ = schools
    admin = school.actors["school_admin"]
    student_id = _unpaid_student(school)
    paid = fees.take_payment(actor=admin, payment=PaymentInput(student_id, "1000.00", "ZWG", "mobile_money", "MP2612.1234", "0.03738318"))
    assert paid["exchange_rate"] == "0.03738318"
    assert [(a["currency"], a["amount"]) for a in paid["allocations"]] == [("USD", "37.38")]  # 37.38318 half up
    assert _owed(school, student_id) == D("107.62")
    fees.reverse_payment(actor=admin, payment_id=UUID(paid["id"]), reason="test")


def test_the_cash_up_counts_each_cashier_and_currency_with_reversals_apart(schools) -> None:
    school, _ = schools
    bursar, admin = school.actors["staff"], school.actors["school_admin"]
    student_id = _unpaid_student(school)
    before = {(r["cashier"], r["currency"], r["method"]): r for r in fees.cash_up(actor=bursar)[1]}
    kept = fees.take_payment(actor=bursar, payment=PaymentInput(student_id, "20.00", "USD", "cash"))
    undone = fees.take_payment(actor=bursar, payment=PaymentInput(student_id, "5.00", "USD", "cash"))
    fees.reverse_payment(actor=admin, payment_id=UUID(undone["id"]), reason="wrong amount")
    _day, rows = fees.cash_up(actor=bursar)
    row = next(r for r in rows if (r["cashier"], r["currency"], r["method"]) == (bursar.full_name, "USD", "cash"))
    earlier = before.get((bursar.full_name, "USD", "cash"))
    assert row["count"] == (earlier["count"] if earlier else 0) + 1
    assert D(row["total"]) == (D(earlier["total"]) if earlier else 0) + D("20.00")
    assert row["reversed_count"] >= 1
    fees.reverse_payment(actor=admin, payment_id=UUID(kept["id"]), reason="test")
    with pytest.raises(PermissionDenied):
        fees.cash_up(actor=school.actors["teacher"])


def test_who_sees_which_student_fees(schools) -> None:
    school, other = schools
    parent = school.actors["parent"]
    with db.tenant_session(school.fixture.id) as session:
        children = {s.id for s in children_of(session, user_id=parent.id)}
    assert children
    child = next(iter(children))
    assert fees.student_fees(actor=parent, student_id=child).invoices
    stranger = next(s.id for s in _students(school) if s.id not in children)
    with pytest.raises(NotFound):
        fees.student_fees(actor=parent, student_id=stranger)
    with pytest.raises(NotFound):  # another school's student is no student here
        fees.student_fees(actor=school.actors["school_admin"], student_id=_students(other)[0].id)
    with pytest.raises(NotFound):
        fees.take_payment(actor=school.actors["school_admin"], payment=PaymentInput(_students(other)[0].id, "1.00", "USD", "cash"))
    with pytest.raises(PermissionDenied):
        fees.student_fees(actor=school.actors["teacher"], student_id=child)
    with pytest.raises(PermissionDenied):
        fees.take_payment(actor=parent, payment=PaymentInput(child, "1.00", "USD", "cash"))


def test_find_students_by_name_or_admission_number(schools) -> None:
    school, _ = schools
    bursar = school.actors["staff"]
    student = _students(school)[4]
    by_number = fees.find_students(actor=bursar, query=student.admission_number)
    assert [hit["id"] for hit in by_number] == [str(student.id)]
    by_name = fees.find_students(actor=bursar, query=f"{student.first_name[:3]} {student.last_name}")
    assert str(student.id) in [hit["id"] for hit in by_name]
    assert fees.find_students(actor=bursar, query="   ") == []
    assert fees.find_students(actor=bursar, query="%") == []  # taken literally, not as a wildcard
    with pytest.raises(PermissionDenied):
        fees.find_students(actor=school.actors["parent"], query=student.last_name)


def test_a_fee_structure_is_saved_whole_and_refuses_bad_items(schools) -> None:
    school, _ = schools
    admin = school.actors["school_admin"]
    with pytest.raises(ValidationFailed) as refused:
        fees.save_structure(actor=admin, term_id=school.term.id, grade_level="G3", currency="ZWG",
                            items=[ItemInput("Tuition", "tuition", "12.345"), ItemInput("Levy", "rates", "5")])
    assert set(refused.value.errors) == {"item1", "item2"}
    saved = fees.save_structure(actor=admin, term_id=school.term.id, grade_level="G3", currency="ZWG",
                                items=[ItemInput("Tuition", "tuition", "3200"), ItemInput("SDC levy", "levy", "650.50"), ItemInput("Boarding", "tuition", "9000", True)])
    assert saved["total"] == "3850.50"
    again = fees.save_structure(actor=admin, term_id=school.term.id, grade_level="G3", currency="ZWG", items=[ItemInput("Tuition", "tuition", "3300")])
    assert again["id"] == saved["id"] and [i["name"] for i in again["items"]] == ["Tuition"]
    with db.tenant_session(school.fixture.id) as session:
        structure = session.get(FeeStructure, UUID(saved["id"]))
        assert structure is not None and structure.currency == Currency.ZWG
        assert [i.account for i in session.exec(select(FeeItem).where(FeeItem.structure_id == structure.id)).all()] == [FeeAccount.tuition]
        session.delete(structure)
        session.commit()
    with pytest.raises(PermissionDenied):
        fees.save_structure(actor=school.actors["parent"], term_id=school.term.id, grade_level="G3", currency="USD", items=[])
