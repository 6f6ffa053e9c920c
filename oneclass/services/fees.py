"""Fees: fee structures, a term's invoices (previewed, then issued, safe to issue twice),
discounts, bursaries and sponsors, payments taken at the cashier and allocated to invoices,
reversals, the daily cash-up, and a student's fees (invoices, payments, balance per currency).

Money rules (also in docs/fees.md; tested table-driven in tests/test_fees.py):
- Money is `Decimal`, never float, with two places in its currency (USD or ZWG). An amount typed
  with more than two decimal places is refused, never rounded behind the typist's back.
- Every computed amount is rounded once, to the cent, half up (ROUND_HALF_UP): a percent of an
  amount (a discount, a bursary, a sponsor's share) and a payment converted to an invoice's
  currency (amount × rate, the rate being units of the invoice's currency per unit of the
  payment's, up to eight places).
- Tuition invoices carry the discounts and bursaries first (each a percent of the tuition before
  any of them, or an amount in the invoice's currency), then the sponsors' parts (a percent of
  what is left, or an amount), each capped at what is left, so an invoice never goes below zero.
  A sponsor's part is a negative line on the family's invoice and the one line of the sponsor's
  own invoice: the two always match to the cent.
- A payment goes to the family's open invoices of its own currency, oldest first (by term start,
  then tuition before levies, then issue): each takes what it still owes until the payment is
  spent; a payment made for one invoice (online) goes to that invoice first. It pays the other
  currency's invoices only when its own owes nothing, and then needs
  the rate; it is converted once and the converted amount allocated. A payment larger than what
  is owed is refused (no credit balances yet).
- A reversal keeps the payment and its allocations and marks it reversed (who, when, why): the
  invoices it paid are owed again. Nothing here deletes a payment.
- An invoice is `void` once voided, `paid` when its payments cover its total (a zero total
  included), `partial` when something is paid, else `open`.

Receipts, statements and arrears are `fee_accounts`'. Not here yet (docs/fees.md): voiding
invoices, Paynow.

Who: `fees.manage` (structures, adjustments, invoices), `fees.collect` (payments, cash-up),
`fees.reverse` (the admin's), `fees.read` within the students the actor may see (a parent's
children); the school admin has `fees.*`, a staff member with the bursar duty manage and collect.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypedDict
from uuid import UUID

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import (
    GRADE_LEVEL_NAMES,
    AdjustmentKind,
    Currency,
    Enrolment,
    FeeAccount,
    FeeAdjustment,
    FeeItem,
    FeeStructure,
    GradeLevel,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    SchoolClass,
    Sponsor,
    Student,
    StudentFeeItem,
    StudentStatus,
    Term,
    User,
)
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import can, require
from oneclass.services import audit, calendar, notifications
from oneclass.services.academics import Choice, grade_choices, school_level
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from oneclass.services.paging import like_pattern
from oneclass.services.students import children_of, visible_student_ids

MANAGE_FEES = "fees.manage"
COLLECT_FEES = "fees.collect"
REVERSE_PAYMENTS = "fees.reverse"
READ_FEES = "fees.read"

PAYMENT_TAKEN = "fees.payment_taken"
PAYMENT_REVERSED = "fees.payment_reversed"
INVOICES_ISSUED = "fees.invoices_issued"

CENT = Decimal("0.01")
RATE_PLACES = 8
MAX_AMOUNT = Decimal("9999999999.99")  # numeric(12, 2)
REFERENCE_MAX = 100
REASON_MAX = 500
SEARCH_LIMIT = 10
ACCOUNT_ORDER = {FeeAccount.tuition.value: 0, FeeAccount.levy.value: 1}

NO_SUCH_STUDENT = N_("No such student, or not one of yours.")
NO_SUCH_TERM = N_("No such term.")
NO_SUCH_PAYMENT = N_("No such payment.")
METHOD_LABELS: dict[str, str] = {
    PaymentMethod.cash.value: N_("Cash"),
    PaymentMethod.bank.value: N_("Bank transfer"),
    PaymentMethod.mobile_money.value: N_("Mobile money"),
}
ACCOUNT_LABELS: dict[str, str] = {FeeAccount.tuition.value: N_("Tuition"), FeeAccount.levy.value: N_("Levy")}
STATUS_LABELS: dict[str, str] = {"open": N_("Open"), "partial": N_("Part-paid"), "paid": N_("Paid"), "void": N_("Void")}


# --- the money rules ---------------------------------------------------------------------------


def to_cents(value: Decimal) -> Decimal:
    """`value` rounded to the cent, half up: the one rounding every computed amount gets."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return to_cents(amount * percent / 100)


def convert(amount: Decimal, rate: Decimal | None) -> Decimal:
    """`amount` of a payment's currency in an invoice's (`rate`: units of the invoice's per unit
    of the payment's; None: the same currency)."""
    return amount if rate is None else to_cents(amount * rate)


def money_text(amount: Decimal) -> str:
    """Two places, as the API and the pages write money: "12.50"."""
    return str(to_cents(amount))


def parse_money(text: str | Decimal | int) -> Decimal | None:
    """A positive amount with at most two places, else None (never rounded)."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT or value != value.quantize(CENT):
        return None
    return value.quantize(CENT)


def parse_rate(text: str | Decimal | None) -> Decimal | None:
    """A positive exchange rate with at most eight places, else None."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > Decimal("10000000000") or value != value.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        return None
    return value


def allocate(amount: Decimal, owed: Sequence[tuple[UUID, Decimal]]) -> list[tuple[UUID, Decimal]]:
    """`amount` spread over invoices in the order given (oldest first): each takes what it still
    owes until the amount is spent. Exact in cents: no rounding happens here."""
    allocations = []
    left = amount
    for invoice_id, balance in owed:
        if left <= 0:
            break
        share = min(left, balance)
        if share > 0:
            allocations.append((invoice_id, share))
            left -= share
    return allocations


def invoice_status(total: Decimal, paid: Decimal, voided: bool) -> str:
    if voided:
        return "void"
    if paid >= total:
        return "paid"
    return "partial" if paid > 0 else "open"


@dataclass(frozen=True)
class AdjustmentRule:
    """A discount, bursary or sponsorship as invoicing applies it."""

    kind: str
    percent: Decimal | None
    amount: Decimal | None
    description: str
    adjustment_id: UUID | None = None
    sponsor_id: UUID | None = None


def apply_adjustments(gross: Decimal, rules: Sequence[AdjustmentRule]) -> list[tuple[AdjustmentRule, Decimal]]:
    """What each rule takes off a tuition of `gross`: discounts and bursaries first (a percent of
    the gross), then sponsorships (a percent of what is left); each capped at what is left."""
    taken: list[tuple[AdjustmentRule, Decimal]] = []
    left = gross
    for sponsored in (False, True):
        base = left  # the gross for discounts, what they left for sponsors
        for rule in (r for r in rules if (r.kind == AdjustmentKind.sponsorship) == sponsored):
            wanted = percent_of(base, rule.percent) if rule.percent is not None else (rule.amount or Decimal(0))
            share = min(wanted, left)
            if share > 0:
                taken.append((rule, share))
                left -= share
    return taken


# --- shapes crossing the layers ---------------------------------------------------------------


class InvoiceRow(TypedDict):
    id: str
    term_id: str
    term: str
    currency: str
    account: str
    payer: str  # "" the family; else the sponsor's name
    total: str
    paid: str
    balance: str
    status: str
    lines: list[dict[str, str]]


class PaymentRow(TypedDict):
    id: str
    date: str
    amount: str
    currency: str
    method: str
    reference: str
    exchange_rate: str | None
    received_by: str
    reversed: bool
    reversal_reason: str
    allocations: list[dict[str, str]]


@dataclass(frozen=True)
class StudentFees:
    student_id: str
    name: str
    admission_number: str
    invoices: list[InvoiceRow]
    payments: list[PaymentRow]
    balance: dict[str, str]  # per currency the student was ever invoiced in, USD and ZWG always


class StudentHit(TypedDict):
    id: str
    name: str
    admission_number: str
    class_name: str


class CashUpRow(TypedDict):
    cashier: str
    currency: str
    method: str
    count: int
    total: str
    reversed_count: int
    reversed_total: str


@dataclass(frozen=True)
class ItemInput:
    name: str
    account: str
    amount: str
    optional: bool = False


class StructureRow(TypedDict):
    id: str
    term_id: str
    term: str
    grade_level: str
    grade_name: str  # English (a message id): shown with `t()`
    currency: str
    items: list[dict[str, str | bool]]
    total: str


@dataclass
class InvoicePlan:
    """One invoice to issue."""

    student_id: UUID
    student_name: str
    term_id: UUID
    currency: str
    account: str
    sponsor_id: UUID | None
    lines: list[tuple[str, Decimal, UUID | None, UUID | None]] = field(default_factory=list)  # description, amount, item, adjustment

    @property
    def total(self) -> Decimal:
        return sum((amount for _, amount, _, _ in self.lines), Decimal(0))


@dataclass(frozen=True)
class InvoicePreview:
    term: str
    students: int  # enrolled students the run covers
    new_invoices: int
    already_issued: int  # invoices the run would have made that exist: skipped
    totals: dict[str, str]  # per currency, of the new invoices
    without_structure: int  # students whose grade level has no structure for the term


# --- helpers -------------------------------------------------------------------------------


def _term(session: Session, term_id: UUID | None, school_id: UUID) -> Term:
    term = calendar.term_for_day(session, calendar.today_for(session, school_id)) if term_id is None else session.get(Term, term_id)
    if term is None:
        raise NotFound(_(NO_SUCH_TERM))
    return term


def _fee_student(session: Session, actor: CurrentUser, student_id: UUID) -> Student:
    """The student if the actor may see their fees (404 otherwise: never a hint of others')."""
    student = session.get(Student, student_id)
    if student is not None and not can(actor, COLLECT_FEES):
        visible = visible_student_ids(session, actor)
        if visible is not None and student_id not in visible:
            student = None
    if student is None:
        raise NotFound(_(NO_SUCH_STUDENT))
    return student


def _paid_by_invoice(session: Session, invoice_ids: Sequence[UUID]) -> dict[UUID, Decimal]:
    rows = session.exec(
        select(PaymentAllocation.invoice_id, func.sum(PaymentAllocation.amount))
        .join(Payment, col(Payment.id) == PaymentAllocation.payment_id)
        .where(col(PaymentAllocation.invoice_id).in_(list(invoice_ids) or [UUID(int=0)]), col(Payment.reversed_at).is_(None))
        .group_by(col(PaymentAllocation.invoice_id))
    ).all()
    return {invoice_id: Decimal(total) for invoice_id, total in rows}


def _family_invoices(session: Session, student_id: UUID, *, lock: bool = False) -> list[tuple[Invoice, Term]]:
    """The student's family invoices (no sponsor's), oldest first: the allocation order."""
    query = (
        select(Invoice, Term)
        .join(Term, col(Term.id) == Invoice.term_id)
        .where(Invoice.student_id == student_id, col(Invoice.sponsor_id).is_(None))
    )
    if lock:
        query = query.with_for_update(of=Invoice)
    rows = session.exec(query).all()
    return sorted(rows, key=lambda r: (r[1].starts_on, ACCOUNT_ORDER[r[0].account], r[0].issued_on, r[0].created_at, str(r[0].id)))


# --- fee structures ----------------------------------------------------------------------------


def _validate_items(items: Sequence[ItemInput]) -> tuple[list[tuple[str, str, Decimal, bool]], dict[str, str]]:
    errors: dict[str, str] = {}
    clean: list[tuple[str, str, Decimal, bool]] = []
    names: set[str] = set()
    for number, item in enumerate(items, start=1):
        name = " ".join(item.name.split())
        amount = parse_money(item.amount)
        if not name and not item.amount.strip():
            continue
        if not name or len(name) > 100:
            errors[f"item{number}"] = _("Give each item a name of at most 100 characters.")
        elif name.lower() in names:
            errors[f"item{number}"] = _("Two items have the same name.")
        elif item.account not in ACCOUNT_ORDER:
            errors[f"item{number}"] = _("Choose tuition or levy.")
        elif amount is None:
            errors[f"item{number}"] = _("Give an amount above zero with at most two decimal places.")
        else:
            names.add(name.lower())
            clean.append((name, item.account, amount, item.optional))
    if not clean and not errors:
        errors["form"] = _("Add at least one item.")
    return clean, errors


def save_structure(
    *, actor: CurrentUser, term_id: UUID, grade_level: str, currency: str, items: Sequence[ItemInput]
) -> StructureRow:
    """Set what a grade level pays for a term in a currency (its items replace the old ones;
    invoices already issued keep what they said)."""
    require(actor, MANAGE_FEES)
    errors: dict[str, str] = {}
    if grade_level not in GradeLevel.__members__.values():
        errors["grade_level"] = _("Choose a grade level.")
    if currency not in Currency.__members__.values():
        errors["currency"] = _("Choose USD or ZWG.")
    clean, item_errors = _validate_items(items)
    errors |= item_errors
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        term = _term(session, term_id, actor.school_id)
        structure = session.exec(
            select(FeeStructure).where(FeeStructure.term_id == term.id, FeeStructure.grade_level == grade_level, FeeStructure.currency == currency)
        ).first()
        if structure is None:
            structure = FeeStructure(school_id=actor.school_id, term_id=term.id, grade_level=GradeLevel(grade_level), currency=Currency(currency), created_by=actor.id)
            session.add(structure)
            session.flush()
        existing = {item.name.lower(): item for item in session.exec(select(FeeItem).where(FeeItem.structure_id == structure.id)).all()}
        kept = set()
        for name, account, amount, optional in clean:
            item = existing.get(name.lower())
            if item is None:
                session.add(FeeItem(school_id=actor.school_id, structure_id=structure.id, name=name, account=FeeAccount(account), amount=amount, optional=optional))
            else:
                item.name, item.account, item.amount, item.optional = name, FeeAccount(account), amount, optional
                kept.add(name.lower())
        for key, item in existing.items():
            if key not in kept:
                session.delete(item)
        session.flush()
        return _structure_rows(session, [structure])[0]


def _structure_rows(session: Session, structures: Sequence[FeeStructure]) -> list[StructureRow]:
    items: dict[UUID, list[FeeItem]] = defaultdict(list)
    for item in session.exec(select(FeeItem).where(col(FeeItem.structure_id).in_([s.id for s in structures] or [UUID(int=0)])).order_by(col(FeeItem.account).desc(), col(FeeItem.name))).all():
        items[item.structure_id].append(item)
    terms = {t.id: t for t in session.exec(select(Term).where(col(Term.id).in_({s.term_id for s in structures} or {UUID(int=0)}))).all()}
    return [
        {
            "id": str(s.id), "term_id": str(s.term_id), "term": calendar.term_label(session, terms[s.term_id]), "grade_level": s.grade_level,
            "grade_name": GRADE_LEVEL_NAMES[GradeLevel(s.grade_level)],
            "currency": s.currency,
            "items": [{"name": i.name, "account": i.account, "amount": money_text(i.amount), "optional": i.optional} for i in items[s.id]],
            "total": money_text(sum((i.amount for i in items[s.id] if not i.optional), Decimal(0))),
        }
        for s in structures
    ]


@dataclass(frozen=True)
class FeeSetup:
    """A term's fee structures, and the grade levels the school may set fees for."""

    term_id: str
    term: str
    grades: list[Choice]
    structures: list[StructureRow]


def list_structures(*, actor: CurrentUser, term_id: UUID | None = None) -> FeeSetup:
    """A term's fee structures (default: today's term)."""
    require(actor, MANAGE_FEES)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        term = _term(session, term_id, actor.school_id)
        structures = session.exec(select(FeeStructure).where(FeeStructure.term_id == term.id).order_by(col(FeeStructure.grade_level), col(FeeStructure.currency))).all()
        return FeeSetup(str(term.id), calendar.term_label(session, term), grade_choices(school_level(session)), _structure_rows(session, structures))


# --- discounts, bursaries, sponsors and optional items --------------------------------------------


def add_sponsor(session: Session, *, school_id: UUID, name: str, kind: str) -> Sponsor:
    sponsor = Sponsor(school_id=school_id, name=" ".join(name.split()), kind=kind)  # type: ignore[arg-type]
    session.add(sponsor)
    session.flush()
    return sponsor


def give_item(session: Session, *, school_id: UUID, student_id: UUID, fee_item_id: UUID) -> None:
    """An optional item (boarding, transport, uniform) for one student."""
    session.add(StudentFeeItem(school_id=school_id, student_id=student_id, fee_item_id=fee_item_id))


def add_adjustment(
    session: Session,
    *,
    actor: CurrentUser,
    student_id: UUID,
    term_id: UUID,
    kind: str,
    reason: str,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    sponsor_id: UUID | None = None,
) -> FeeAdjustment:
    """A discount, bursary or sponsorship of a student's tuition for a term (applied when the
    term's invoices are issued)."""
    assert actor.school_id is not None
    adjustment = FeeAdjustment(
        school_id=actor.school_id, student_id=student_id, term_id=term_id, kind=AdjustmentKind(kind), sponsor_id=sponsor_id,
        percent=percent, amount=amount, currency=Currency(currency) if currency else None, reason=reason, created_by=actor.id,
    )
    session.add(adjustment)
    session.flush()
    return adjustment


# --- invoices ----------------------------------------------------------------------------------


def _enrolled(session: Session, term: Term, student_id: UUID | None) -> list[tuple[Student, str]]:
    """The students enrolled in the term's year, with their grade level."""
    query = (
        select(Student, SchoolClass.grade_level)
        .join(Enrolment, col(Enrolment.student_id) == Student.id)
        .join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
        .where(Enrolment.academic_year_id == term.academic_year_id, Student.status == StudentStatus.enrolled)
    )
    if student_id is not None:
        query = query.where(Student.id == student_id)
    return list(session.exec(query.order_by(col(Student.last_name), col(Student.first_name))).all())


def plan_invoices(session: Session, term: Term, student_id: UUID | None = None) -> tuple[list[InvoicePlan], int, int, int]:
    """The invoices a run for `term` would issue (those not issued yet), how many it skips as
    issued already, how many students it covers, and how many have no structure."""
    students = _enrolled(session, term, student_id)
    structures = session.exec(select(FeeStructure).where(FeeStructure.term_id == term.id)).all()
    by_level: dict[str, list[FeeStructure]] = defaultdict(list)
    for structure in structures:
        by_level[structure.grade_level].append(structure)
    items: dict[UUID, list[FeeItem]] = defaultdict(list)
    for item in session.exec(
        select(FeeItem).where(col(FeeItem.structure_id).in_([s.id for s in structures] or [UUID(int=0)])).order_by(col(FeeItem.optional), col(FeeItem.name))
    ).all():
        items[item.structure_id].append(item)
    student_ids = [s.id for s, _ in students] or [UUID(int=0)]
    given = set(session.exec(select(StudentFeeItem.student_id, StudentFeeItem.fee_item_id).where(col(StudentFeeItem.student_id).in_(student_ids))).all())
    adjustments: dict[UUID, list[FeeAdjustment]] = defaultdict(list)
    for adjustment in session.exec(
        select(FeeAdjustment).where(FeeAdjustment.term_id == term.id, col(FeeAdjustment.student_id).in_(student_ids)).order_by(col(FeeAdjustment.created_at))
    ).all():
        adjustments[adjustment.student_id].append(adjustment)
    sponsors = {s.id: s.name for s in session.exec(select(Sponsor)).all()}
    issued = set(
        session.exec(
            select(Invoice.student_id, Invoice.currency, Invoice.account, Invoice.sponsor_id).where(
                Invoice.term_id == term.id, col(Invoice.student_id).in_(student_ids)
            )
        ).all()
    )
    plans: list[InvoicePlan] = []
    skipped = without = 0
    for student, level in students:
        if not by_level.get(level):
            without += 1
            continue
        for structure in by_level[level]:
            for plan in _student_plans(student, term, structure, items[structure.id], given, adjustments[student.id], sponsors):
                if (plan.student_id, plan.currency, plan.account, plan.sponsor_id) in issued:
                    skipped += 1
                else:
                    plans.append(plan)
    return plans, skipped, len(students), without


def _student_plans(
    student: Student, term: Term, structure: FeeStructure, items: Sequence[FeeItem], given: set[tuple[UUID, UUID]],
    adjustments: Sequence[FeeAdjustment], sponsors: dict[UUID, str],
) -> list[InvoicePlan]:
    plans: dict[str, InvoicePlan] = {}
    for item in items:
        if item.optional and (student.id, item.id) not in given:
            continue
        plan = plans.setdefault(item.account, InvoicePlan(student.id, student.full_name, term.id, structure.currency, item.account, None))
        plan.lines.append((item.name, item.amount, item.id, None))
    tuition = plans.get(FeeAccount.tuition.value)
    extra: list[InvoicePlan] = []
    if tuition is not None:
        rules = [
            AdjustmentRule(a.kind, a.percent, a.amount, f"{a.reason}" if a.kind != AdjustmentKind.sponsorship else sponsors.get(a.sponsor_id or UUID(int=0), ""), a.id, a.sponsor_id)
            for a in adjustments
            if a.amount is None or a.currency == structure.currency
        ]
        for rule, share in apply_adjustments(tuition.total, rules):
            tuition.lines.append((rule.description, -share, None, rule.adjustment_id))
            if rule.sponsor_id is not None:
                sponsored = InvoicePlan(student.id, student.full_name, term.id, structure.currency, FeeAccount.tuition.value, rule.sponsor_id)
                sponsored.lines.append((format_message("Sponsored tuition: {name}", name=student.full_name), share, None, rule.adjustment_id))
                extra.append(sponsored)
    return [*plans.values(), *extra]


def _preview(session: Session, term: Term, planned: tuple[list[InvoicePlan], int, int, int]) -> InvoicePreview:
    plans, skipped, students, without = planned
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for plan in plans:
        totals[plan.currency] += plan.total
    return InvoicePreview(
        term=calendar.term_label(session, term), students=students, new_invoices=len(plans), already_issued=skipped,
        totals={currency: money_text(total) for currency, total in sorted(totals.items())}, without_structure=without,
    )


def preview_invoices(*, actor: CurrentUser, term_id: UUID | None = None, student_id: UUID | None = None) -> InvoicePreview:
    """What issuing the term's invoices (or one student's: a mid-term joiner) would do."""
    require(actor, MANAGE_FEES)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        term = _term(session, term_id, actor.school_id)
        return _preview(session, term, plan_invoices(session, term, student_id))


def issue_invoices(
    session: Session, *, actor: CurrentUser, term: Term, student_id: UUID | None = None, ip: str | None = None
) -> InvoicePreview:
    """Issue what `plan_invoices` finds missing; what exists is left as it is (run it twice:
    the second run adds nothing). Returns what this run did."""
    assert actor.school_id is not None
    planned = plan_invoices(session, term, student_id)
    preview = _preview(session, term, planned)
    plans = planned[0]
    today = calendar.today_for(session, actor.school_id)
    invoices = [
        Invoice(
            school_id=actor.school_id, student_id=plan.student_id, term_id=plan.term_id, currency=Currency(plan.currency),
            account=FeeAccount(plan.account), sponsor_id=plan.sponsor_id, total=plan.total, issued_on=today, created_by=actor.id,
        )
        for plan in plans
    ]
    session.add_all(invoices)
    session.flush()  # the invoices before their lines; ids are made here, so two batches in all
    session.add_all(
        InvoiceLine(school_id=actor.school_id, invoice_id=invoice.id, position=number, description=description[:200], amount=amount, fee_item_id=item_id, adjustment_id=adjustment_id)
        for invoice, plan in zip(invoices, plans, strict=True)
        for number, (description, amount, item_id, adjustment_id) in enumerate(plan.lines, start=1)
        if amount != 0
    )
    if plans:
        audit.record(
            session, school_id=actor.school_id, action=INVOICES_ISSUED, actor=actor.actor(ip), target=str(term.id),
            detail={"invoices": len(plans), "student_id": str(student_id) if student_id else None, "totals": preview.totals},
        )
    session.flush()
    return preview


def generate_invoices(*, actor: CurrentUser, term_id: UUID | None = None, student_id: UUID | None = None, ip: str | None = None) -> InvoicePreview:
    """Issue a term's invoices to every enrolled student (or one student) who has none yet."""
    require(actor, MANAGE_FEES)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        return issue_invoices(session, actor=actor, term=_term(session, term_id, actor.school_id), student_id=student_id, ip=ip)


# --- a student's fees --------------------------------------------------------------------------


def _fees_of(session: Session, student: Student) -> StudentFees:
    invoices = sorted(
        (
            (invoice, term)
            for invoice, term in session.exec(select(Invoice, Term).join(Term, col(Term.id) == Invoice.term_id).where(Invoice.student_id == student.id)).all()
        ),
        key=lambda r: (r[1].starts_on, ACCOUNT_ORDER[r[0].account], r[0].created_at, str(r[0].id)),
    )
    invoice_ids = [invoice.id for invoice, _term_row in invoices]
    paid = _paid_by_invoice(session, invoice_ids)
    lines: dict[UUID, list[InvoiceLine]] = defaultdict(list)
    for line in session.exec(select(InvoiceLine).where(col(InvoiceLine.invoice_id).in_(invoice_ids or [UUID(int=0)])).order_by(col(InvoiceLine.position))).all():
        lines[line.invoice_id].append(line)
    sponsors = {s.id: s.name for s in session.exec(select(Sponsor)).all()}
    balance: dict[str, Decimal] = {Currency.USD.value: Decimal(0), Currency.ZWG.value: Decimal(0)}
    rows: list[InvoiceRow] = []
    names: dict[UUID, str] = {}
    for invoice, term in invoices:
        names.setdefault(term.id, calendar.term_label(session, term))
        invoice_paid = paid.get(invoice.id, Decimal(0))
        voided = invoice.voided_at is not None
        owed = Decimal(0) if voided else invoice.total - invoice_paid
        if invoice.sponsor_id is None:
            balance[invoice.currency] += owed
        rows.append({
            "id": str(invoice.id), "term_id": str(term.id), "term": names[term.id], "currency": invoice.currency, "account": invoice.account,
            "payer": sponsors.get(invoice.sponsor_id, "") if invoice.sponsor_id else "",
            "total": money_text(invoice.total), "paid": money_text(invoice_paid), "balance": money_text(owed),
            "status": invoice_status(invoice.total, invoice_paid, voided),
            "lines": [{"description": line.description, "amount": money_text(line.amount)} for line in lines[invoice.id]],
        })
    payments = session.exec(select(Payment).where(Payment.student_id == student.id).order_by(col(Payment.received_at).desc())).all()
    return StudentFees(
        student_id=str(student.id), name=student.full_name, admission_number=student.admission_number, invoices=rows,
        payments=_payment_rows(session, payments), balance={currency: money_text(amount) for currency, amount in balance.items()},
    )


def _payment_rows(session: Session, payments: Sequence[Payment]) -> list[PaymentRow]:
    allocations: dict[UUID, list[dict[str, str]]] = defaultdict(list)
    for allocation, invoice in session.exec(
        select(PaymentAllocation, Invoice).join(Invoice, col(Invoice.id) == PaymentAllocation.invoice_id)
        .where(col(PaymentAllocation.payment_id).in_([p.id for p in payments] or [UUID(int=0)]))
    ).all():
        allocations[allocation.payment_id].append(
            {"invoice_id": str(invoice.id), "account": invoice.account, "currency": invoice.currency, "amount": money_text(allocation.amount)}
        )
    cashiers = {u.id: u.full_name for u in session.exec(select(User).where(col(User.id).in_({p.received_by for p in payments} or {UUID(int=0)}))).all()}
    return [
        {
            "id": str(p.id), "date": p.received_on.isoformat(), "amount": money_text(p.amount), "currency": p.currency, "method": p.method,
            "reference": p.reference, "exchange_rate": str(p.exchange_rate) if p.exchange_rate is not None else None,
            "received_by": cashiers.get(p.received_by, ""), "reversed": p.reversed_at is not None, "reversal_reason": p.reversal_reason or "",
            "allocations": allocations[p.id],
        }
        for p in payments
    ]


def student_fees(*, actor: CurrentUser, student_id: UUID) -> StudentFees:
    """A student's invoices, payments and balance per currency, for whoever may see them."""
    require(actor, READ_FEES)
    with unit_of_work(actor) as session:
        return _fees_of(session, _fee_student(session, actor, student_id))


def children_fees(*, actor: CurrentUser, student_id: UUID | None = None) -> tuple[list[dict[str, str]], StudentFees | None]:
    """A parent's children (id, name), and the fees of the one chosen (default: the first)."""
    require(actor, READ_FEES)
    with unit_of_work(actor) as session:
        children = children_of(session, user_id=actor.id)
        chosen = next((c for c in children if c.id == student_id), None) if student_id else (children[0] if children else None)
        if student_id and chosen is None:
            raise NotFound(_(NO_SUCH_STUDENT))
        return [{"id": str(c.id), "name": c.full_name} for c in children], _fees_of(session, chosen) if chosen else None


def find_students(*, actor: CurrentUser, query: str) -> list[StudentHit]:
    """The cashier's search as they type: students whose name or admission number holds the text."""
    require(actor, COLLECT_FEES)
    words = query.split()
    if not words or len(query) > 100:
        return []
    with unit_of_work(actor) as session:
        statement = select(Student).where(Student.status == StudentStatus.enrolled)
        for word in words[:4]:
            pattern = like_pattern(word)
            statement = statement.where(
                or_(col(Student.first_name).ilike(pattern, escape="\\"), col(Student.last_name).ilike(pattern, escape="\\"), col(Student.admission_number).ilike(pattern, escape="\\"))
            )
        students = session.exec(statement.order_by(col(Student.last_name), col(Student.first_name)).limit(SEARCH_LIMIT)).all()
        classes = dict(
            session.exec(
                select(Enrolment.student_id, SchoolClass.name).join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
                .where(col(Enrolment.student_id).in_([s.id for s in students] or [UUID(int=0)]))
                .order_by(col(Enrolment.enrolled_on))
            ).all()
        )
        return [{"id": str(s.id), "name": s.full_name, "admission_number": s.admission_number, "class_name": classes.get(s.id, "")} for s in students]


# --- payments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentInput:
    student_id: UUID
    amount: str
    currency: str
    method: str
    reference: str = ""
    exchange_rate: str | None = None
    rate_source: str = ""
    rate_date: date | None = None
    for_invoice: UUID | None = None  # paid for this invoice (online): it is allocated first


def _validate_payment(payment: PaymentInput) -> tuple[Decimal, Decimal | None, dict[str, str]]:
    errors: dict[str, str] = {}
    amount = parse_money(payment.amount)
    if amount is None:
        errors["amount"] = _("Give an amount above zero with at most two decimal places.")
    if payment.currency not in Currency.__members__.values():
        errors["currency"] = _("Choose USD or ZWG.")
    if payment.method not in METHOD_LABELS:
        errors["method"] = _("Choose cash, bank transfer or mobile money.")
    if len(payment.reference) > REFERENCE_MAX:
        errors["reference"] = format_message("Use at most {count} characters.", count=REFERENCE_MAX)
    if payment.method != PaymentMethod.cash and not payment.reference.strip():
        errors["reference"] = _("Give the bank or mobile money reference.")
    rate: Decimal | None = None
    if payment.exchange_rate not in (None, ""):
        rate = parse_rate(payment.exchange_rate)
        if rate is None:
            errors["exchange_rate"] = _("Give the exchange rate as a number above zero with at most eight decimal places.")
    return amount or Decimal(0), rate, errors


def owed(session: Session, student_id: UUID, currency: str) -> Decimal:
    """What the student's family owes in `currency` (their open invoices' balances)."""
    invoices = [invoice for invoice, _term_row in _family_invoices(session, student_id) if invoice.currency == currency and invoice.voided_at is None]
    paid = _paid_by_invoice(session, [invoice.id for invoice in invoices])
    return sum((invoice.total - paid.get(invoice.id, Decimal(0)) for invoice in invoices), Decimal(0))


def invoice_balance(session: Session, invoice: Invoice) -> Decimal:
    """What is still owed on one invoice (nothing on a void one)."""
    if invoice.voided_at is not None:
        return Decimal(0)
    return invoice.total - _paid_by_invoice(session, [invoice.id]).get(invoice.id, Decimal(0))


def record_payment(session: Session, *, actor: CurrentUser, payment: PaymentInput, ip: str | None = None) -> PaymentRow:
    """Take a payment and allocate it (the rules in this module's docstring); the student's
    invoices are locked meanwhile, so two cashiers cannot both spend one balance."""
    assert actor.school_id is not None
    amount, rate, errors = _validate_payment(payment)
    if errors:
        raise ValidationFailed(errors)
    student = _fee_student(session, actor, payment.student_id)
    invoices = _family_invoices(session, student.id, lock=True)
    paid = _paid_by_invoice(session, [i.id for i, _ in invoices])
    owed: dict[str, list[tuple[UUID, Decimal]]] = defaultdict(list)
    for invoice, _term_row in invoices:
        balance = invoice.total - paid.get(invoice.id, Decimal(0))
        if invoice.voided_at is None and balance > 0:
            owed[invoice.currency].append((invoice.id, balance))
    target = payment.currency
    if owed.get(payment.currency):
        if rate is not None and rate != 1:
            raise ValidationFailed({"exchange_rate": format_message("{currency} is owed: no exchange rate is needed.", currency=payment.currency)})
        rate = None
    else:
        others = [currency for currency in owed if currency != payment.currency]
        if not others:
            raise ValidationFailed({"amount": _("Nothing is owed.")})
        target = others[0]
        if rate is None:
            raise ValidationFailed({"exchange_rate": format_message("Only {currency} is owed: give the exchange rate.", currency=target)})
    converted = convert(amount, rate)
    owed[target].sort(key=lambda owing: owing[0] != payment.for_invoice)  # stable: the rest stay oldest first
    total_owed = sum((balance for _, balance in owed[target]), Decimal(0))
    if converted > total_owed:
        raise ValidationFailed({"amount": format_message("That is more than the {currency} {owed} owed.", currency=target, owed=money_text(total_owed))})
    today = calendar.today_for(session, actor.school_id)
    row = Payment(
        school_id=actor.school_id, student_id=student.id, amount=amount, currency=Currency(payment.currency), method=PaymentMethod(payment.method),
        reference=payment.reference.strip(), exchange_rate=rate, rate_source=(payment.rate_source.strip()[:100] or None) if rate else None,
        rate_date=(payment.rate_date or today) if rate else None, received_by=actor.id, received_on=today,
    )
    session.add(row)
    session.flush()
    session.add_all(
        PaymentAllocation(school_id=actor.school_id, payment_id=row.id, invoice_id=invoice_id, amount=share)
        for invoice_id, share in allocate(converted, owed[target])
    )
    audit.record(
        session, school_id=actor.school_id, action=PAYMENT_TAKEN, actor=actor.actor(ip), target=str(row.id),
        detail={"student_id": str(student.id), "amount": money_text(amount), "currency": payment.currency, "method": payment.method},
    )
    session.flush()
    notifications.payment_receipt(session, school_id=actor.school_id, payment_id=row.id)  # sent after the commit
    return _payment_rows(session, [row])[0]


def take_payment(*, actor: CurrentUser, payment: PaymentInput, ip: str | None = None) -> PaymentRow:
    require(actor, COLLECT_FEES)
    with unit_of_work(actor) as session:
        return record_payment(session, actor=actor, payment=payment, ip=ip)


def reverse_payment(*, actor: CurrentUser, payment_id: UUID, reason: str, ip: str | None = None) -> PaymentRow:
    """Mark a payment reversed, with the reason; the invoices it paid are owed again."""
    require(actor, REVERSE_PAYMENTS)
    reason = " ".join(reason.split())
    if not reason or len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": format_message("Give the reason (at most {count} characters).", count=REASON_MAX)})
    with unit_of_work(actor) as session:
        payment = session.exec(select(Payment).where(Payment.id == payment_id).with_for_update()).first()
        if payment is None:
            raise NotFound(_(NO_SUCH_PAYMENT))
        if payment.reversed_at is not None:
            raise Conflict(_("That payment is reversed already."))
        payment.reversed_at, payment.reversed_by, payment.reversal_reason = datetime.now(UTC), actor.id, reason
        session.add(payment)
        assert actor.school_id is not None
        audit.record(
            session, school_id=actor.school_id, action=PAYMENT_REVERSED, actor=actor.actor(ip), target=str(payment.id),
            detail={"reason": reason, "amount": money_text(payment.amount), "currency": payment.currency},
        )
        session.flush()
        return _payment_rows(session, [payment])[0]


def cash_up(*, actor: CurrentUser, day: date | None = None) -> tuple[str, list[CashUpRow]]:
    """A day's takings (default: today at the school) per cashier, currency and method; reversed
    payments counted apart."""
    require(actor, COLLECT_FEES)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        day = day or calendar.today_for(session, actor.school_id)
        reversed_ = col(Payment.reversed_at).is_not(None)
        rows = session.execute(
            sa_select(col(User.full_name), col(Payment.currency), col(Payment.method), reversed_, func.count(), func.sum(Payment.amount))
            .join(User, col(User.id) == Payment.received_by)
            .where(col(Payment.received_on) == day)
            .group_by(col(User.full_name), col(Payment.currency), col(Payment.method), reversed_)
        ).all()
    table: dict[tuple[str, str, str], CashUpRow] = {}
    for cashier, currency, method, was_reversed, count, total in rows:
        row = table.setdefault(
            (cashier, currency, method),
            {"cashier": cashier, "currency": currency, "method": method, "count": 0, "total": "0.00", "reversed_count": 0, "reversed_total": "0.00"},
        )
        if was_reversed:
            row["reversed_count"], row["reversed_total"] = count, money_text(Decimal(total))
        else:
            row["count"], row["total"] = count, money_text(Decimal(total))
    return day.isoformat(), [table[key] for key in sorted(table)]
