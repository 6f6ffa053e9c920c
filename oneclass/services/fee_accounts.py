"""Fee accounts: a payment's receipt, statements (a student's, a family's, a sponsor's) with a
running balance per currency, each as a PDF made on request in the reader's language.

- A **receipt** names the payment (amount, currency, method, reference, the rate used and its
  source), where it went (the invoices it paid), and the payer's balance right after it: the
  invoices issued by then and not voided by then, less the payments received up to it and not
  reversed by then; so a receipt printed again next month says what it said on the day. Its
  number is the day it was taken and the first eight hex digits of the payment's id
  (`R-20260212-1A2B3C4D`): no column, nothing to keep in step, unique within a school.
- A **statement** lists, per currency, each invoice (charged), each payment that paid one
  (paid; converted from the currency paid in at its rate), each reversal (charged again) and
  each voided invoice (taken off), by date, with the balance running down the page. A
  **family** is the students linked through guardians they share (siblings, and a blended
  family's step-siblings), found by following guardians until no new student turns up; a parent
  sees only their own children in it. A **sponsor's** statement is its own invoices and payments.

Who: whoever may collect fees (the admin, the bursar) for any student and sponsor; a parent for
their children (`fees.read`, through `visible_student_ids`). Another school's ids are not found.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlmodel import Session, col, select

from models import Invoice, Payment, PaymentAllocation, Sponsor, Student, StudentGuardian, Term, User
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import can, require
from oneclass.services import calendar
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound
from oneclass.services.fee_pdf import Receipt, ReceiptLine, Statement, StatementEntry, StatementSection, render_receipt, render_statement
from oneclass.services.fees import (
    ACCOUNT_LABELS,
    ACCOUNT_ORDER,
    COLLECT_FEES,
    METHOD_LABELS,
    NO_SUCH_PAYMENT,
    NO_SUCH_STUDENT,
    READ_FEES,
    _fee_student,
)
from oneclass.services.report_cards import PDF, ReportFile, school_logo, the_school
from oneclass.services.students import visible_student_ids

NO_SUCH_SPONSOR = N_("No such sponsor.")


# --- who is whose ----------------------------------------------------------------------------


def family_of(session: Session, student_id: UUID) -> list[Student]:
    """The student and every student linked to them through shared guardians, followed until no
    new student turns up; ordered by name."""
    students = {student_id}
    frontier = {student_id}
    while frontier:
        guardians = select(StudentGuardian.guardian_id).where(col(StudentGuardian.student_id).in_(frontier))
        found = set(session.exec(select(StudentGuardian.student_id).where(col(StudentGuardian.guardian_id).in_(guardians))).all())
        frontier = found - students
        students |= found
    return list(session.exec(select(Student).where(col(Student.id).in_(students)).order_by(col(Student.last_name), col(Student.first_name))).all())


def _family_for(session: Session, actor: CurrentUser, student_id: UUID) -> list[Student]:
    """The family of a student the actor may see, cut to the students the actor may see (a
    parent: their own children, never a step-sibling who is not theirs)."""
    student = _fee_student(session, actor, student_id)
    family = family_of(session, student.id)
    if can(actor, COLLECT_FEES):
        return family
    visible = visible_student_ids(session, actor)
    return [s for s in family if visible is None or s.id in visible]


def _payment_for(session: Session, actor: CurrentUser, payment_id: UUID) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is not None and not can(actor, COLLECT_FEES):
        visible = visible_student_ids(session, actor)
        if payment.student_id is None or (visible is not None and payment.student_id not in visible):
            payment = None
    if payment is None:
        raise NotFound(_(NO_SUCH_PAYMENT))
    return payment


# --- receipts ------------------------------------------------------------------------------


def receipt_number(payment: Payment) -> str:
    return f"R-{payment.received_on:%Y%m%d}-{payment.id.hex[:8].upper()}"


def _payer_invoices(session: Session, payment: Payment) -> list[Invoice]:
    """The invoices a payment's payer owes: a sponsor's own, or the family's of the student."""
    query = select(Invoice)
    if payment.sponsor_id is not None:
        query = query.where(Invoice.sponsor_id == payment.sponsor_id)
    else:
        query = query.where(Invoice.student_id == payment.student_id, col(Invoice.sponsor_id).is_(None))
    return list(session.exec(query).all())


def balance_as_of(session: Session, invoices: Sequence[Invoice], moment: datetime) -> dict[str, Decimal]:
    """What `invoices` left owing at `moment`, per currency: those issued by then and not voided by
    then, less what payments received by then and not reversed by then paid of them."""
    balance: dict[str, Decimal] = {}
    standing = {}
    for invoice in invoices:
        balance.setdefault(invoice.currency, Decimal(0))
        if invoice.created_at <= moment and (invoice.voided_at is None or invoice.voided_at > moment):
            standing[invoice.id] = invoice
            balance[invoice.currency] += invoice.total
    for allocation, payment in session.exec(
        select(PaymentAllocation, Payment).join(Payment, col(Payment.id) == PaymentAllocation.payment_id)
        .where(col(PaymentAllocation.invoice_id).in_(list(standing) or [UUID(int=0)]), col(Payment.received_at) <= moment)
    ).all():
        if payment.reversed_at is None or payment.reversed_at > moment:
            balance[standing[allocation.invoice_id].currency] -= allocation.amount
    return balance


def _term_names(session: Session, term_ids: Iterable[UUID]) -> dict[UUID, str]:
    return {term.id: calendar.term_label(session, term) for term in session.exec(select(Term).where(col(Term.id).in_(set(term_ids) or {UUID(int=0)}))).all()}


def _invoice_description(invoice: Invoice, terms: dict[UUID, str], student: str = "") -> str:
    words = f"{terms.get(invoice.term_id, '')} · {_(ACCOUNT_LABELS[invoice.account])}"
    return f"{words} · {student}" if student else words


def _receipt(session: Session, payment: Payment) -> Receipt:
    if payment.sponsor_id is not None:
        sponsor = session.get(Sponsor, payment.sponsor_id)
        payer, admission = (sponsor.name if sponsor else ""), ""
    else:
        student = session.get(Student, payment.student_id)
        payer, admission = (student.full_name, student.admission_number) if student else ("", "")
    paid = session.exec(
        select(PaymentAllocation, Invoice).join(Invoice, col(Invoice.id) == PaymentAllocation.invoice_id).where(PaymentAllocation.payment_id == payment.id)
    ).all()
    terms = _term_names(session, (invoice.term_id for _allocation, invoice in paid))
    cashier = session.get(User, payment.received_by)
    return Receipt(
        school_name=the_school(session).name, number=receipt_number(payment), received_on=payment.received_on, payer=payer,
        admission_number=admission, amount=payment.amount, currency=payment.currency, method=_(METHOD_LABELS[payment.method]),
        reference=payment.reference, exchange_rate=payment.exchange_rate, rate_source=payment.rate_source or "", rate_date=payment.rate_date,
        lines=[ReceiptLine(_invoice_description(invoice, terms), invoice.currency, allocation.amount) for allocation, invoice in paid],
        balance_after=balance_as_of(session, _payer_invoices(session, payment), payment.received_at),
        received_by=cashier.full_name if cashier else "", reversed=payment.reversed_at is not None, reversal_reason=payment.reversal_reason or "",
    )


def receipt(*, actor: CurrentUser, payment_id: UUID) -> Receipt:
    """A payment's receipt, for whoever took it or may collect fees, and for the student's parents."""
    require(actor, READ_FEES)
    with unit_of_work(actor) as session:
        return _receipt(session, _payment_for(session, actor, payment_id))


def receipt_pdf(*, actor: CurrentUser, payment_id: UUID) -> ReportFile:
    require(actor, READ_FEES)
    with unit_of_work(actor) as session:
        payment = _payment_for(session, actor, payment_id)
        found = _receipt(session, payment)
        logo = school_logo(actor, the_school(session))
    return ReportFile(f"receipt-{found.number}.pdf", render_receipt(found, logo=logo), PDF)


# --- statements ----------------------------------------------------------------------------

CHARGED, PAID, CHARGED_AGAIN = 0, 1, 2  # the order of a day's entries


def statement_sections(session: Session, invoices: Sequence[Invoice], students: dict[UUID, str]) -> list[StatementSection]:
    """Per currency, the invoices, what paid them, reversals and voids, by date, with the balance
    running (names a student on each line when `students` holds more than one)."""
    terms = _term_names(session, (invoice.term_id for invoice in invoices))
    school_id = invoices[0].school_id if invoices else None
    zone = calendar.school_zone(the_school(session).timezone) if school_id else None
    by_id = {invoice.id: invoice for invoice in invoices}
    events: dict[str, list[tuple[date, int, str, str, Decimal]]] = defaultdict(list)  # day, order, tiebreak, words, signed amount

    def day_of(moment: datetime) -> date:
        return moment.astimezone(zone).date() if zone else moment.date()

    for invoice in invoices:
        name = students.get(invoice.student_id, "") if len(students) > 1 else ""
        words = _invoice_description(invoice, terms, name)
        # A day's invoices in the order payments go to them: tuition before levies.
        events[invoice.currency].append((invoice.issued_on, CHARGED, f"{ACCOUNT_ORDER[invoice.account]} {invoice.created_at}", words, invoice.total))
        if invoice.voided_at is not None:
            events[invoice.currency].append(
                (day_of(invoice.voided_at), PAID, str(invoice.voided_at), format_message("Voided: {invoice}", invoice=words), -invoice.total)
            )
    paid: dict[tuple[UUID, str], Decimal] = defaultdict(Decimal)
    payments: dict[UUID, Payment] = {}
    for allocation, payment in session.exec(
        select(PaymentAllocation, Payment).join(Payment, col(Payment.id) == PaymentAllocation.payment_id)
        .where(col(PaymentAllocation.invoice_id).in_(list(by_id) or [UUID(int=0)]))
    ).all():
        paid[(payment.id, by_id[allocation.invoice_id].currency)] += allocation.amount
        payments[payment.id] = payment
    for (payment_id, currency), amount in paid.items():
        payment = payments[payment_id]
        words = format_message("Payment {number}: {method}", number=receipt_number(payment), method=_(METHOD_LABELS[payment.method]))
        if payment.reference:
            words += f", {payment.reference}"
        if payment.currency != currency:
            words += " " + format_message("({amount} {currency} at {rate})", amount=payment.amount, currency=payment.currency, rate=payment.exchange_rate)
        events[currency].append((payment.received_on, PAID, str(payment.received_at), words, -amount))
        if payment.reversed_at is not None:
            events[currency].append((
                day_of(payment.reversed_at), CHARGED_AGAIN, str(payment.reversed_at),
                format_message("Reversed: payment {number} ({reason})", number=receipt_number(payment), reason=payment.reversal_reason or ""), amount,
            ))
    sections = []
    for currency in sorted(events):
        running = Decimal(0)
        entries = []
        for day, _order, _tiebreak, words, amount in sorted(events[currency]):
            running += amount
            entries.append(StatementEntry(day, words, amount if amount > 0 else Decimal(0), -amount if amount < 0 else Decimal(0), running))
        sections.append(StatementSection(currency, entries, running))
    return sections


def _statement(session: Session, actor: CurrentUser, title: str, holder: str, students: Sequence[Student], invoices: Sequence[Invoice]) -> Statement:
    assert actor.school_id is not None
    return Statement(
        school_name=the_school(session).name, title=title, holder=holder, students=[(s.full_name, s.admission_number) for s in students],
        made_on=calendar.today_for(session, actor.school_id), sections=statement_sections(session, invoices, {s.id: s.full_name for s in students}),
    )


def _family_invoices_of(session: Session, students: Sequence[Student]) -> list[Invoice]:
    return list(session.exec(select(Invoice).where(col(Invoice.student_id).in_([s.id for s in students] or [UUID(int=0)]), col(Invoice.sponsor_id).is_(None))).all())


def _student_statement(session: Session, actor: CurrentUser, student_id: UUID, family: bool) -> Statement:
    students = _family_for(session, actor, student_id) if family else [_fee_student(session, actor, student_id)]
    title = _("Family statement") if family else _("Statement")
    return _statement(session, actor, title, ", ".join(s.full_name for s in students), students, _family_invoices_of(session, students))


def _sponsor_statement(session: Session, actor: CurrentUser, sponsor_id: UUID) -> Statement:
    require(actor, COLLECT_FEES)
    sponsor = session.get(Sponsor, sponsor_id)
    if sponsor is None:
        raise NotFound(_(NO_SUCH_SPONSOR))
    invoices = list(session.exec(select(Invoice).where(Invoice.sponsor_id == sponsor.id)).all())
    students = session.exec(select(Student).where(col(Student.id).in_({i.student_id for i in invoices} or {UUID(int=0)})).order_by(col(Student.last_name))).all()
    return _statement(session, actor, _("Sponsor's statement"), sponsor.name, list(students), invoices)


def student_statement(*, actor: CurrentUser, student_id: UUID, family: bool = False) -> Statement:
    """A student's statement, or with `family` their family's (siblings together)."""
    require(actor, READ_FEES)
    with unit_of_work(actor) as session:
        return _student_statement(session, actor, student_id, family)


def sponsor_statement(*, actor: CurrentUser, sponsor_id: UUID) -> Statement:
    """What a sponsor was invoiced for the students it sponsors, and what it paid (collectors only)."""
    require(actor, READ_FEES)
    with unit_of_work(actor) as session:
        return _sponsor_statement(session, actor, sponsor_id)


def _file_name(kind: str, holder: str, made_on: date) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in holder).strip("-")[:60]
    return f"{kind}-{safe}-{made_on.isoformat()}.pdf"


def statement_pdf(*, actor: CurrentUser, student_id: UUID | None = None, sponsor_id: UUID | None = None, family: bool = False) -> ReportFile:
    """A student's, a family's (`family`) or a sponsor's statement as a PDF."""
    require(actor, READ_FEES)
    with unit_of_work(actor) as session:
        if sponsor_id is not None:
            found, kind = _sponsor_statement(session, actor, sponsor_id), "sponsor-statement"
        elif student_id is not None:
            found, kind = _student_statement(session, actor, student_id, family), ("family-statement" if family else "statement")
        else:
            raise NotFound(_(NO_SUCH_STUDENT))
        logo = school_logo(actor, the_school(session))
    return ReportFile(_file_name(kind, found.holder, found.made_on), render_statement(found, logo=logo), PDF)


def sponsor_choices(*, actor: CurrentUser) -> dict[str, str]:
    """The school's sponsors (id: name), for choosing whose statement to print."""
    require(actor, COLLECT_FEES)
    with unit_of_work(actor) as session:
        return {str(s.id): s.name for s in session.exec(select(Sponsor).order_by(col(Sponsor.name))).all()}
