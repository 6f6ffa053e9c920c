"""The cashier's states: find a student as you type (name or admission number), see what they
owe, take a payment and see where it went; an admin reverses a payment with a reason after a
confirmation; and the day's cash-up. Built for a queue: after a payment the search box is ready
for the next parent. Every handler asks `_actor` and calls one service off the loop."""

from collections.abc import Callable
from datetime import date
from typing import Any

import reflex as rx

from oneclass.i18n import _, format_message
from oneclass.offload import offload
from oneclass.permissions import can
from oneclass.services import fee_accounts, fees
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from oneclass.services.fees import InvoiceRow, PaymentInput, PaymentRow, StudentHit
from oneclass.services.report_cards import ReportFile
from state.auth import NO_ACCESS, AuthState
from state.form_values import browser_id, with_form_error


async def download_pdf(service: Callable[..., ReportFile], **arguments: Any) -> Any:
    """A receipt or statement PDF from `service`, which checks the caller; a toast if not found."""
    try:
        found = await offload(service, **arguments)
    except NotFound as missing:
        return rx.toast.error(missing.message)
    return rx.download(data=found.content, filename=found.filename, mime_type=found.mime_type)


async def download_receipt(user: CurrentUser, payment_id: str) -> Any:
    return await download_pdf(fee_accounts.receipt_pdf, actor=user, payment_id=browser_id(payment_id))


async def download_statement(user: CurrentUser, student_id: str, family: bool) -> Any:
    """A student's statement, or their family's; nothing when no student is chosen."""
    if not student_id:
        return None
    return await download_pdf(fee_accounts.statement_pdf, actor=user, student_id=browser_id(student_id), family=bool(family))


def balance_rows(balance: dict[str, str]) -> list[dict[str, str]]:
    return [{"currency": currency, "amount": amount} for currency, amount in balance.items()]


class CashierState(AuthState):
    query: str = ""
    hits: list[StudentHit] = []
    student_id: str = ""
    student_name: str = ""
    admission_number: str = ""
    invoices: list[InvoiceRow] = []
    payments: list[PaymentRow] = []
    balance: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    last_payment: str = ""  # what the last payment paid, said once it is taken
    last_payment_id: str = ""  # its receipt is a click away
    may_reverse: bool = False
    sponsors: dict[str, str] = {}  # id: name, for a sponsor's statement
    # The reversal dialog.
    reversal_open: bool = False
    reversal_id: str = ""
    reversal_label: str = ""
    reversal_error: str = ""

    @rx.event
    async def load_cashier(self) -> Any:
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            self.hits, self.invoices, self.payments = [], [], []
            return self._refused(NO_ACCESS)
        self.may_reverse = can(user, fees.REVERSE_PAYMENTS)
        self.sponsors = await offload(fee_accounts.sponsor_choices, actor=user)
        if self.student_id:
            await self._show_student(user, self.student_id)
        return None

    @rx.event
    async def search(self, query: str) -> Any:
        """A keystroke (debounced): the students matching what is typed, in this same event."""
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            return self._refused()
        self.query = query[:100]
        self.hits = await offload(fees.find_students, actor=user, query=self.query) if self.query.strip() else []
        return None

    async def _show_student(self, user: Any, student_id: str) -> None:
        found = await offload(fees.student_fees, actor=user, student_id=browser_id(student_id))
        self.student_id, self.student_name, self.admission_number = found.student_id, found.name, found.admission_number
        self.invoices, self.payments, self.balance = found.invoices, found.payments, balance_rows(found.balance)

    @rx.event
    async def choose_student(self, student_id: str) -> Any:
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            return self._refused()
        try:
            await self._show_student(user, student_id)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.errors, self.last_payment, self.last_payment_id, self.hits, self.query = {}, "", "", [], ""
        return None

    @rx.event
    async def take_payment(self, form: dict[str, Any]) -> Any:
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            return self._refused()
        payment = PaymentInput(
            student_id=browser_id(self.student_id), amount=str(form.get("amount", "")), currency=str(form.get("currency", "")),
            method=str(form.get("method", "")), reference=str(form.get("reference", "")),
            exchange_rate=str(form.get("exchange_rate", "")).strip() or None, rate_source=str(form.get("rate_source", "")),
        )
        try:
            taken = await offload(fees.take_payment, actor=user, payment=payment, ip=self._client_ip())
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.errors, self.last_payment_id = {}, taken["id"]
        self.last_payment = format_message(
            "Received {amount} {currency}: {allocations}.", amount=taken["amount"], currency=taken["currency"],
            allocations=", ".join(f"{_(fees.ACCOUNT_LABELS[a['account']])} {a['amount']} {a['currency']}" for a in taken["allocations"]),
        )
        await self._show_student(user, self.student_id)
        return [rx.toast.success(self.last_payment), rx.set_focus("cashier-search")]

    @rx.event
    async def print_receipt(self, payment_id: str) -> Any:
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            return self._refused()
        return await download_receipt(user, payment_id)

    @rx.event
    async def print_statement(self, family: bool) -> Any:
        """The chosen student's statement, or (`family`) their family's."""
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            return self._refused()
        return await download_statement(user, self.student_id, family)

    @rx.event
    async def print_sponsor_statement(self, form: dict[str, Any]) -> Any:
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            return self._refused()
        return await download_pdf(fee_accounts.statement_pdf, actor=user, sponsor_id=browser_id(str(form.get("sponsor", ""))))

    @rx.event
    async def ask_reverse(self, payment_id: str) -> Any:
        if await self._actor(fees.REVERSE_PAYMENTS) is None:
            return self._refused()
        payment = next((p for p in self.payments if p["id"] == payment_id and not p["reversed"]), None)
        if payment is None:
            return None
        self.reversal_id, self.reversal_error = payment_id, ""
        self.reversal_label = f"{payment['amount']} {payment['currency']}, {payment['date']}"
        self.reversal_open = True
        return None

    @rx.event
    def set_reversal_open(self, is_open: bool) -> None:
        self.reversal_open = is_open

    @rx.event
    async def reverse(self, form: dict[str, Any]) -> Any:
        user = await self._actor(fees.REVERSE_PAYMENTS)
        if user is None:
            return self._refused()
        try:
            await offload(fees.reverse_payment, actor=user, payment_id=browser_id(self.reversal_id), reason=str(form.get("reason", "")), ip=self._client_ip())
        except ValidationFailed as refusal:
            self.reversal_error = " ".join(refusal.errors.values())
            return None
        except (NotFound, Conflict) as refused:
            self.reversal_open = False
            return rx.toast.error(refused.message)
        self.reversal_open = False
        await self._show_student(user, self.student_id)
        return rx.toast.success(_("Payment reversed."))


class CashUpState(AuthState):
    """A day's takings per cashier, currency and method (default: today at the school)."""

    day: str = ""
    rows: list[fees.CashUpRow] = []

    async def _load(self, day: date | None) -> Any:
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            self.rows = []
            return self._refused(NO_ACCESS)
        self.day, self.rows = await offload(fees.cash_up, actor=user, day=day)
        return None

    @rx.event
    async def load_cash_up(self) -> Any:
        return await self._load(None)

    @rx.event
    async def choose_day(self, day: str) -> Any:
        try:
            chosen: date | None = date.fromisoformat(day)
        except ValueError:
            chosen = None  # not a day: today's, once the caller is checked
        return await self._load(chosen)
