"""Fees: fee structures and their items, optional items per student, discounts, bursaries and
sponsorships, sponsors, invoices and their lines, payments and their allocations to invoices.

Money is `Decimal` with two places in the row's currency (`Currency`), never float."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import DateTime, Numeric, String
from sqlmodel import Field, SQLModel

from models.academics import GradeLevel
from models.common import created_at_field, id_field


class Currency(StrEnum):
    USD = "USD"
    ZWG = "ZWG"  # ZiG, the Zimbabwe Gold


class FeeAccount(StrEnum):
    """Tuition and levies (the School Development Committee's) are invoiced and accounted apart."""

    tuition = "tuition"
    levy = "levy"


class AdjustmentKind(StrEnum):
    discount = "discount"
    bursary = "bursary"
    sponsorship = "sponsorship"  # the part a sponsor pays, on the sponsor's own invoice


class SponsorKind(StrEnum):
    government = "government"  # BEAM, the Basic Education Assistance Module
    church = "church"
    company = "company"
    other = "other"


class PaymentMethod(StrEnum):
    cash = "cash"
    bank = "bank"
    mobile_money = "mobile_money"


def money_field() -> Decimal:
    return Field(sa_type=Numeric(12, 2))


class Sponsor(SQLModel, table=True):
    __tablename__ = "sponsors"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    name: str
    kind: SponsorKind = Field(sa_type=String)
    created_at: datetime = created_at_field()


class FeeStructure(SQLModel, table=True):
    """What one grade level pays for one term, in one currency."""

    __tablename__ = "fee_structures"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    term_id: UUID = Field(foreign_key="terms.id")
    grade_level: GradeLevel = Field(sa_type=String)
    currency: Currency = Field(sa_type=String)
    created_by: UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()


class FeeItem(SQLModel, table=True):
    """A line of a structure; an optional one is charged only to the students given it."""

    __tablename__ = "fee_items"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    structure_id: UUID = Field(foreign_key="fee_structures.id")
    name: str
    account: FeeAccount = Field(sa_type=String)
    optional: bool = False
    amount: Decimal = money_field()


class StudentFeeItem(SQLModel, table=True):
    """An optional item (boarding, transport, uniform) given to one student."""

    __tablename__ = "student_fee_items"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    student_id: UUID = Field(foreign_key="students.id")
    fee_item_id: UUID = Field(foreign_key="fee_items.id")


class FeeAdjustment(SQLModel, table=True):
    """A discount, bursary or sponsorship of a student's tuition for a term: a percent or an
    amount, with a reason."""

    __tablename__ = "fee_adjustments"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    student_id: UUID = Field(foreign_key="students.id")
    term_id: UUID = Field(foreign_key="terms.id")
    kind: AdjustmentKind = Field(sa_type=String)
    sponsor_id: UUID | None = Field(default=None, foreign_key="sponsors.id")
    percent: Decimal | None = Field(default=None, sa_type=Numeric(5, 2))
    amount: Decimal | None = Field(default=None, sa_type=Numeric(12, 2))
    currency: Currency | None = Field(default=None, sa_type=String)  # an amount's
    reason: str
    created_by: UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()


class Invoice(SQLModel, table=True):
    """What a payer owes for one student, term, currency and account (the family when
    `sponsor_id` is None)."""

    __tablename__ = "invoices"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    student_id: UUID = Field(foreign_key="students.id")
    term_id: UUID = Field(foreign_key="terms.id")
    currency: Currency = Field(sa_type=String)
    account: FeeAccount = Field(sa_type=String)
    sponsor_id: UUID | None = Field(default=None, foreign_key="sponsors.id")
    total: Decimal = money_field()
    issued_on: date
    created_by: UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()
    voided_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    voided_by: UUID | None = Field(default=None, foreign_key="users.id")
    void_reason: str | None = None


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_lines"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    invoice_id: UUID = Field(foreign_key="invoices.id")
    position: int
    description: str
    amount: Decimal = money_field()  # negative: a discount, a bursary, a sponsor's part
    fee_item_id: UUID | None = Field(default=None, foreign_key="fee_items.id")
    adjustment_id: UUID | None = Field(default=None, foreign_key="fee_adjustments.id")


class Payment(SQLModel, table=True):
    """Money received from a family (`student_id`) or a sponsor; reversed, never deleted."""

    __tablename__ = "payments"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    student_id: UUID | None = Field(default=None, foreign_key="students.id")
    sponsor_id: UUID | None = Field(default=None, foreign_key="sponsors.id")
    amount: Decimal = money_field()
    currency: Currency = Field(sa_type=String)
    method: PaymentMethod = Field(sa_type=String)
    reference: str = ""
    # Units of the invoices' currency per unit of the payment's, when they differ.
    exchange_rate: Decimal | None = Field(default=None, sa_type=Numeric(18, 8))
    rate_source: str | None = None
    rate_date: date | None = None
    received_by: UUID = Field(foreign_key="users.id")
    received_at: datetime = created_at_field()
    received_on: date
    reversed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    reversed_by: UUID | None = Field(default=None, foreign_key="users.id")
    reversal_reason: str | None = None


class PaymentAllocation(SQLModel, table=True):
    """What one payment paid of one invoice, in the invoice's currency."""

    __tablename__ = "payment_allocations"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    payment_id: UUID = Field(foreign_key="payments.id")
    invoice_id: UUID = Field(foreign_key="invoices.id")
    amount: Decimal = money_field()
