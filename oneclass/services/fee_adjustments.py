"""Discounts, bursaries and sponsors from the fees pages: a term's adjustments of students'
tuition (a percent, or an amount in a currency, with a reason; a sponsorship names its sponsor)
and the school's sponsors (BEAM, a church, a company). Invoicing applies them
(`fees.apply_adjustments`) to the invoices it issues: an adjustment added after a student's
invoices for the term were issued changes nothing already issued (said on the page).

Who: `fees.manage` (the school admin, the bursar). Every addition is audited.
"""

from decimal import Decimal, InvalidOperation
from typing import TypedDict
from uuid import UUID

from sqlmodel import Session, col, func, select

from models import AdjustmentKind, Currency, FeeAdjustment, Sponsor, SponsorKind, Student
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import require
from oneclass.services import audit, calendar
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import ValidationFailed
from oneclass.services.fees import MANAGE_FEES, NO_SUCH_STUDENT, _term, add_adjustment, add_sponsor, money_text, parse_money

ADJUSTMENT_ADDED = "fees.adjustment_added"
SPONSOR_ADDED = "fees.sponsor_added"
NAME_MAX = 100
REASON_MAX = 200
KIND_LABELS: dict[str, str] = {
    AdjustmentKind.discount.value: N_("Discount"),
    AdjustmentKind.bursary.value: N_("Bursary"),
    AdjustmentKind.sponsorship.value: N_("Sponsorship"),
}
SPONSOR_KIND_LABELS: dict[str, str] = {
    SponsorKind.government.value: N_("Government (BEAM)"),
    SponsorKind.church.value: N_("Church"),
    SponsorKind.company.value: N_("Company"),
    SponsorKind.other.value: N_("Other"),
}


class AdjustmentRow(TypedDict):
    id: str
    student: str
    admission_number: str
    kind: str  # a code: KIND_LABELS names it
    size: str  # "25%" or "15.00 USD"
    reason: str
    sponsor: str


class SponsorRow(TypedDict):
    id: str
    name: str
    kind: str  # a code: SPONSOR_KIND_LABELS names it
    students: int  # sponsored this term or any other


def _adjustment_rows(session: Session, term_id: UUID) -> list[AdjustmentRow]:
    sponsors = {s.id: s.name for s in session.exec(select(Sponsor)).all()}
    return [
        {
            "id": str(a.id), "student": student.full_name, "admission_number": student.admission_number, "kind": a.kind,
            "size": f"{a.percent.normalize():f}%" if a.percent is not None else f"{money_text(a.amount or Decimal(0))} {a.currency}",
            "reason": a.reason, "sponsor": sponsors.get(a.sponsor_id, "") if a.sponsor_id else "",
        }
        for a, student in session.exec(
            select(FeeAdjustment, Student).join(Student, col(Student.id) == FeeAdjustment.student_id)
            .where(FeeAdjustment.term_id == term_id).order_by(col(Student.last_name), col(Student.first_name), col(FeeAdjustment.created_at))
        ).all()
    ]


def _sponsor_rows(session: Session) -> list[SponsorRow]:
    counts = dict(session.exec(select(FeeAdjustment.sponsor_id, func.count(func.distinct(FeeAdjustment.student_id))).group_by(col(FeeAdjustment.sponsor_id))).all())
    return [
        {"id": str(s.id), "name": s.name, "kind": s.kind, "students": int(counts.get(s.id, 0))}
        for s in session.exec(select(Sponsor).order_by(col(Sponsor.name))).all()
    ]


def adjustments_and_sponsors(*, actor: CurrentUser) -> tuple[str, list[AdjustmentRow], list[SponsorRow]]:
    """Today's term (its name), its adjustments, and the school's sponsors."""
    require(actor, MANAGE_FEES)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        term = _term(session, None, actor.school_id)
        return calendar.term_label(session, term), _adjustment_rows(session, term.id), _sponsor_rows(session)


def create_sponsor(*, actor: CurrentUser, name: str, kind: str, ip: str | None = None) -> SponsorRow:
    require(actor, MANAGE_FEES)
    assert actor.school_id is not None
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if not name or len(name) > NAME_MAX:
        errors["name"] = format_message("Give a name of at most {count} characters.", count=NAME_MAX)
    if kind not in SPONSOR_KIND_LABELS:
        errors["kind"] = _("Choose what kind of sponsor this is.")
    with unit_of_work(actor) as session:
        if name and session.exec(select(Sponsor.id).where(func.lower(Sponsor.name) == name.lower())).first():
            errors["name"] = _("There is a sponsor with this name already.")
        if errors:
            raise ValidationFailed(errors)
        sponsor = add_sponsor(session, school_id=actor.school_id, name=name, kind=kind)
        audit.record(session, school_id=actor.school_id, action=SPONSOR_ADDED, actor=actor.actor(ip), target=name, detail={"kind": kind})
        return {"id": str(sponsor.id), "name": sponsor.name, "kind": sponsor.kind, "students": 0}


def _parse_percent(text: str) -> Decimal | None:
    """A percent above 0 and at most 100 with at most two places, else None."""
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 < value <= 100 and value == value.quantize(Decimal("0.01")) else None


def create_adjustment(
    *, actor: CurrentUser, admission_number: str, kind: str, reason: str, percent: str = "", amount: str = "", currency: str = "",
    sponsor_id: UUID | None = None, ip: str | None = None,
) -> AdjustmentRow:
    """A discount, bursary or sponsorship of a student's tuition for today's term: a percent or an
    amount in a currency (one of the two), with a reason; a sponsorship names its sponsor."""
    require(actor, MANAGE_FEES)
    assert actor.school_id is not None
    errors: dict[str, str] = {}
    if kind not in KIND_LABELS:
        errors["kind"] = _("Choose a discount, a bursary or a sponsorship.")
    reason = " ".join(reason.split())
    if not reason or len(reason) > REASON_MAX:
        errors["reason"] = format_message("Give the reason (at most {count} characters).", count=REASON_MAX)
    share, money = (_parse_percent(percent) if percent.strip() else None), (parse_money(amount) if amount.strip() else None)
    if bool(percent.strip()) == bool(amount.strip()):
        errors["percent"] = _("Give a percent or an amount, not both.")
    elif percent.strip() and share is None:
        errors["percent"] = _("Give a percent above 0 and at most 100.")
    elif amount.strip() and money is None:
        errors["amount"] = _("Give an amount above zero with at most two decimal places.")
    elif amount.strip() and currency not in Currency.__members__.values():
        errors["currency"] = _("Choose USD or ZWG.")
    with unit_of_work(actor) as session:
        student = session.exec(select(Student).where(func.lower(Student.admission_number) == admission_number.strip().lower())).first()
        if student is None:
            errors["admission_number"] = _(NO_SUCH_STUDENT)
        sponsor = session.get(Sponsor, sponsor_id) if sponsor_id else None
        if kind == AdjustmentKind.sponsorship and sponsor is None:
            errors["sponsor"] = _("Choose the sponsor.")
        if errors:
            raise ValidationFailed(errors)
        assert student is not None
        term = _term(session, None, actor.school_id)
        adjustment = add_adjustment(
            session, actor=actor, student_id=student.id, term_id=term.id, kind=kind, reason=reason, percent=share, amount=money,
            currency=currency if money is not None else None, sponsor_id=sponsor.id if sponsor and kind == AdjustmentKind.sponsorship else None,
        )
        audit.record(
            session, school_id=actor.school_id, action=ADJUSTMENT_ADDED, actor=actor.actor(ip), target=student.admission_number,
            detail={"kind": kind, "percent": percent.strip() or None, "amount": amount.strip() or None, "currency": currency or None, "reason": reason},
        )
        return next(row for row in _adjustment_rows(session, term.id) if row["id"] == str(adjustment.id))
