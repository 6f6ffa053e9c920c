"""The demo's fees: sponsors, this term's fee structures in USD for every grade level (tuition,
the SDC levy, optional transport), a bursary and a sponsorship, the term's invoices for every
enrolled student, and a few payments already taken (part-paid and paid). Deterministic per
school; the caller commits."""

from decimal import Decimal

from sqlmodel import Session, col, select

from models import AdjustmentKind, Currency, Enrolment, FeeAccount, FeeItem, FeeStructure, GradeLevel, SchoolClass, SponsorKind, Student, Term
from oneclass.current_user import CurrentUser
from oneclass.services import calendar, fees

# Per term, in USD: tuition by grade level (ECD and primary, then secondary), and the levy.
PRIMARY_TUITION = Decimal("120.00")
SECONDARY_TUITION = Decimal("250.00")
SDC_LEVY = Decimal("25.00")
TRANSPORT = Decimal("40.00")
PART_PAYMENT = Decimal("50.00")


def seed_fees(session: Session, *, admin: CurrentUser, cashier: CurrentUser | None = None) -> int:
    """Fees for today's term; returns how many invoices were issued."""
    school_id = admin.school_id
    assert school_id is not None
    term = calendar.term_for_day(session, calendar.today_for(session, school_id))
    if term is None:
        return 0
    levels = sorted(set(session.exec(select(SchoolClass.grade_level).where(SchoolClass.academic_year_id == term.academic_year_id)).all()))
    transport: dict[str, FeeItem] = {}
    for level in levels:
        structure = FeeStructure(school_id=school_id, term_id=term.id, grade_level=GradeLevel(level), currency=Currency.USD, created_by=admin.id)
        session.add(structure)
        session.flush()
        tuition = SECONDARY_TUITION if level.startswith("F") else PRIMARY_TUITION
        session.add(FeeItem(school_id=school_id, structure_id=structure.id, name="Tuition", account=FeeAccount.tuition, amount=tuition))
        session.add(FeeItem(school_id=school_id, structure_id=structure.id, name="SDC levy", account=FeeAccount.levy, amount=SDC_LEVY))
        bus = FeeItem(school_id=school_id, structure_id=structure.id, name="Transport", account=FeeAccount.tuition, amount=TRANSPORT, optional=True)
        session.add(bus)
        transport[level] = bus
    session.flush()
    students = session.exec(select(Student).order_by(col(Student.admission_number))).all()
    _adjust(session, admin=admin, term=term, students=list(students))
    level_of = dict(
        session.exec(
            select(Enrolment.student_id, SchoolClass.grade_level).join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
            .where(Enrolment.academic_year_id == term.academic_year_id)
        ).all()
    )
    for position, student in enumerate(students):
        given = transport.get(level_of.get(student.id, ""))
        if position % 7 == 3 and given is not None:
            fees.give_item(session, school_id=school_id, student_id=student.id, fee_item_id=given.id)
    session.flush()
    issued = fees.issue_invoices(session, actor=admin, term=term)
    _pay(session, cashier=cashier or admin, students=list(students))
    return issued.new_invoices


def _adjust(session: Session, *, admin: CurrentUser, term: Term, students: list[Student]) -> None:
    """A BEAM sponsorship, a church's, a bursary and a sibling discount, on a few students."""
    assert admin.school_id is not None
    beam = fees.add_sponsor(session, school_id=admin.school_id, name="BEAM", kind=SponsorKind.government)
    church = fees.add_sponsor(session, school_id=admin.school_id, name="St Peter's Church", kind=SponsorKind.church)
    plan = [
        (2, AdjustmentKind.sponsorship, Decimal(100), None, "Basic Education Assistance Module", beam.id),
        (3, AdjustmentKind.bursary, Decimal(25), None, "Academic bursary", None),
        (5, AdjustmentKind.discount, None, Decimal("15.00"), "Third child in the school", None),
        (6, AdjustmentKind.sponsorship, None, Decimal("60.00"), "Church sponsorship", church.id),
    ]
    for position, kind, percent, amount, reason, sponsor_id in plan:
        if position < len(students):
            fees.add_adjustment(
                session, actor=admin, student_id=students[position].id, term_id=term.id, kind=kind, reason=reason, percent=percent,
                amount=amount, currency=Currency.USD if amount else None, sponsor_id=sponsor_id,
            )


def _pay(session: Session, *, cashier: CurrentUser, students: list[Student]) -> None:
    """Every fourth student part-paid in cash, every fourth after them paid in full by bank."""
    for position, student in enumerate(students):
        if position % 4 == 0:
            payment = fees.PaymentInput(student_id=student.id, amount=str(PART_PAYMENT), currency=Currency.USD, method="cash")
        elif position % 4 == 1:
            owed = fees.owed(session, student.id, Currency.USD)
            if owed <= 0:
                continue
            payment = fees.PaymentInput(
                student_id=student.id, amount=str(owed), currency=Currency.USD, method="bank", reference=f"CBZ{position:06d}"
            )
        else:
            continue
        fees.record_payment(session, actor=cashier, payment=payment)
