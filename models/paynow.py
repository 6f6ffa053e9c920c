"""Paynow online payment: a school's integrations (one per currency, the key stored encrypted)
and the payments started through them. Money is `Decimal`, never float."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Numeric, String
from sqlmodel import Field, SQLModel

from models.common import created_at_field, id_field, updated_at_field
from models.fees import Currency, money_field


class OnlineMethod(StrEnum):
    web = "web"  # Paynow's own checkout page, in the browser
    ecocash = "ecocash"  # express checkout: the payer approves on their phone
    onemoney = "onemoney"


class PaynowFlag(StrEnum):
    """Why a payment Paynow calls paid was not recorded: a person has to look."""

    amount = "amount"  # Paynow's amount is not the amount asked
    reference = "reference"  # the poll answered for another payment
    not_owed = "not_owed"  # the invoices no longer owe it (paid at the cashier meanwhile)


class PaynowIntegration(SQLModel, table=True):
    __tablename__ = "paynow_integrations"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    currency: Currency = Field(sa_type=String)
    integration_id: str
    key_ciphertext: str  # never the key itself: see oneclass/services/online_payments.py
    updated_by: UUID | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = updated_at_field()


class PaynowTransaction(SQLModel, table=True):
    """One payment started with Paynow for one invoice; `payment_id` once it is recorded."""

    __tablename__ = "paynow_transactions"

    id: UUID = id_field()
    school_id: UUID = Field(foreign_key="schools.id")
    reference: str
    invoice_id: UUID = Field(foreign_key="invoices.id")
    student_id: UUID = Field(foreign_key="students.id")
    started_by: UUID = Field(foreign_key="users.id")
    currency: Currency = Field(sa_type=String)
    amount: Decimal = money_field()
    method: OnlineMethod = Field(sa_type=String)
    phone: str | None = None
    poll_url: str = ""
    status: str = "Created"
    paynow_reference: str = ""
    paid_amount: Decimal | None = Field(default=None, sa_type=Numeric(12, 2))
    flagged: PaynowFlag | None = Field(default=None, sa_type=String)
    payment_id: UUID | None = Field(default=None, foreign_key="payments.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
