"""Fees: a student's invoices, payments and balance per currency (GET /students/{id}/fees), and
a payment taken by the school admin or the bursar (POST /payments) with its allocations. Money
is a decimal string with two places; the service decides who sees which student (a parent,
their children; another school's ids are not found)."""

from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from oneclass.api.deps import client_ip, school_user, school_user_with
from oneclass.api.schemas import NO_NUL, Envelope
from oneclass.api.v1.common import errors, success
from oneclass.services import fees
from oneclass.services.auth import CurrentUser
from oneclass.services.fees import PaymentInput

router = APIRouter(tags=["fees"])
MONEY = r"^\d+\.\d{2}$"


class FeeInvoiceOut(BaseModel):
    id: str
    term_id: str
    currency: Literal["USD", "ZWG"]
    total: str = Field(pattern=MONEY, examples=["150.00"])
    paid: str = Field(pattern=MONEY)
    balance: str = Field(pattern=MONEY)
    status: Literal["open", "partial", "paid", "void"]


class FeePaymentOut(BaseModel):
    id: str
    date: str
    amount: str = Field(pattern=MONEY)
    currency: Literal["USD", "ZWG"]
    method: Literal["cash", "bank", "mobile_money"]
    reference: str


class StudentFeesOut(BaseModel):
    invoices: list[FeeInvoiceOut]
    payments: list[FeePaymentOut]
    balance: dict[str, str] = Field(description="what the family owes per currency", examples=[{"USD": "40.00", "ZWG": "0.00"}])


class AllocationOut(BaseModel):
    invoice_id: str
    amount: str = Field(pattern=MONEY, description="in the invoice's currency")
    currency: Literal["USD", "ZWG"]


class PaymentOut(FeePaymentOut):
    student_id: str
    exchange_rate: str | None
    allocations: list[AllocationOut]


class PaymentIn(BaseModel):
    student_id: UUID
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2, description="at most two decimal places; never rounded")
    currency: Literal["USD", "ZWG"]
    method: Literal["cash", "bank", "mobile_money"]
    reference: str = Field(default="", max_length=100, pattern=NO_NUL, description="needed for bank and mobile money")
    exchange_rate: Decimal | None = Field(
        default=None, gt=0, max_digits=18, decimal_places=8,
        description="units of the invoices' currency per unit of the payment's; only when the payment's currency is not owed",
    )


@router.get(
    "/students/{student_id}/fees", response_model=Envelope[StudentFeesOut], responses=errors(401, 403, 422), summary="A student's fees"
)
def student_fees(student_id: UUID, actor: Annotated[CurrentUser, Depends(school_user)]) -> dict[str, Any]:
    found = fees.student_fees(actor=actor, student_id=student_id)
    invoices = [invoice for invoice in found.invoices if not invoice["payer"]]  # the family's; a sponsor's are the sponsor's
    return success({"invoices": invoices, "payments": found.payments, "balance": found.balance})


@router.post("/payments", status_code=201, response_model=Envelope[PaymentOut], responses=errors(401, 403, 409, 422), summary="Take a payment")
def take_payment(body: PaymentIn, request: Request, actor: Annotated[CurrentUser, Depends(school_user_with(fees.COLLECT_FEES))]) -> dict[str, Any]:
    payment = fees.take_payment(
        actor=actor,
        payment=PaymentInput(
            student_id=body.student_id, amount=str(body.amount), currency=body.currency, method=body.method, reference=body.reference,
            exchange_rate=str(body.exchange_rate) if body.exchange_rate is not None else None,
        ),
        ip=client_ip(request),
    )
    return success({**payment, "student_id": str(body.student_id)})
